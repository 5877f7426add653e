import type { RecordResult } from '../apply/outcomes';

/** Where the appliers' per-record results go: a log line and a metric in production, an array in tests. */
export interface OutcomeRecorder {
  record(result: RecordResult): void;
}
