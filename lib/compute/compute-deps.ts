import type {
  ComputeRecorder,
  PatientSource,
  ProtocolResultStore,
  UpdateQueue,
} from '../ports/compute';
import type { ProtocolClass, ProtocolSettings } from '../protocol';
import { DEFAULT_REASSERT_AFTER_MS } from './protocol-results';
import type { ResultGating } from './result-gate';

/** What a function that recomputes patients (the segment jobs, the change events) runs over. */
export interface RecomputeDeps {
  protocols: readonly ProtocolClass[];
  patients: PatientSource;
  updates: UpdateQueue;
  /**
   * The protocol results table: results recorded, unchanged updates held back. The deployed
   * functions always have it; absent (tests of the send path alone): every update is sent and
   * nothing is recorded.
   */
  results?: ProtocolResultStore;
  /** `reassertAfter`: unchanged updates are sent again after this long (default 24 h). */
  reassertAfterMs?: number;
  /** What is logged and counted (Powertools in production: `PowertoolsComputeRecorder`). */
  recorder: ComputeRecorder;
  /** The protocols' settings (`PROTOCOL_SETTINGS`); default: none. */
  settings?: ProtocolSettings;
}

/** The results store and the re-assertion period, when the function records results. */
export function resultsOf(deps: RecomputeDeps): Omit<ResultGating, 'reassert'> | undefined {
  return (
    deps.results && {
      store: deps.results,
      reassertAfterMs: deps.reassertAfterMs ?? DEFAULT_REASSERT_AFTER_MS,
    }
  );
}
