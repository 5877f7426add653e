import {
  createTaskPayload,
  ensurePatientInGroup,
  Protocol,
  type ProtocolMeta,
  ProtocolResult,
} from '../../../lib';
import {
  type ComputeJobQueue,
  type ComputeRecorder,
  type PatientRecord,
  type PatientSource,
  type QueuedUpdate,
  type SegmentPage,
  type SegmentPageRequest,
  SILENT_LOG,
  type UpdateQueue,
} from '../../../lib/compute';
import { type ComputeJob, type Patient, PatientSchema } from '../../../schemas';

/** In-memory fakes of the compute ports and small protocols, for unit tests (no I/O). */

export function patientNamed(key: string): Patient {
  return PatientSchema.parse({
    patient: {
      key,
      firstName: 'Test',
      lastName: 'Patient',
      birthDate: '1970-01-01',
      sexAtBirth: 'F',
    },
  });
}

/** Patients split into segments by their index (`index % totalSegments`), paged by `limit`. */
export class InMemoryPatientSource implements PatientSource {
  readonly pageRequests: SegmentPageRequest[] = [];
  constructor(readonly records: PatientRecord[]) {}

  static of(keys: readonly string[]): InMemoryPatientSource {
    return new InMemoryPatientSource(
      keys.map((key) => ({ kind: 'valid', patientKey: key, patient: patientNamed(key) })),
    );
  }

  async getPatient(patientKey: string): Promise<PatientRecord | undefined> {
    return this.records.find((record) => record.patientKey === patientKey);
  }

  async readSegmentPage(request: SegmentPageRequest): Promise<SegmentPage> {
    this.pageRequests.push(request);
    const inSegment = this.records.filter(
      (_, index) => index % request.totalSegments === request.segment,
    );
    const after = request.startKey?.patientKey;
    const start = after === undefined ? 0 : inSegment.findIndex((r) => r.patientKey === after) + 1;
    const records = inSegment.slice(start, start + request.limit);
    const last = records.at(-1);
    const more = start + request.limit < inSegment.length;
    return { records, lastKey: more && last ? { patientKey: last.patientKey } : undefined };
  }
}

export class InMemoryUpdateQueue implements UpdateQueue {
  readonly sent: QueuedUpdate[] = [];
  async enqueue(updates: readonly QueuedUpdate[]): Promise<void> {
    this.sent.push(...updates);
  }
}

/** An update queue whose every enqueue throws `error` (a send still failing after retries). */
export function failingUpdateQueue(error: Error): UpdateQueue {
  return {
    enqueue: async () => {
      throw error;
    },
  };
}

export class InMemoryJobQueue implements ComputeJobQueue {
  readonly sent: ComputeJob[] = [];
  async enqueue(jobs: readonly ComputeJob[]): Promise<void> {
    this.sent.push(...jobs);
  }
}

/** Collects warnings so a test can check what was logged. */
export function recordingLog() {
  const warnings: { message: string; fields: Record<string, unknown> }[] = [];
  return {
    warnings,
    log: {
      ...SILENT_LOG,
      warn(message: string, ...extra: Record<string, unknown>[]) {
        warnings.push({ message, fields: Object.assign({}, ...extra) });
      },
    },
  };
}

export const TEST_GROUP_ID = 'group-1';

/** Recomputed on `condition` changes: one Group update per patient. */
export class GroupEveryone extends Protocol {
  static readonly meta: ProtocolMeta = {
    key: 'group-everyone',
    title: 'Group everyone',
    version: '1.0.0',
    description: 'test',
    types: ['Group'],
    computeOnChangeTypes: ['condition'],
  };
  computeResults(): ProtocolResult {
    this.setUpdates([ensurePatientInGroup(this.patient.patient.key, TEST_GROUP_ID)]);
    return new ProtocolResult();
  }
}

/** Recomputed on `appointment` changes: two Task updates per patient. */
export class TwoTasks extends Protocol {
  static readonly meta: ProtocolMeta = {
    key: 'two-tasks',
    title: 'Two tasks',
    version: '1.0.0',
    description: 'test',
    types: ['Task'],
    computeOnChangeTypes: ['appointment'],
  };
  computeResults(): ProtocolResult {
    const patientKey = this.patient.patient.key;
    this.setUpdates([
      createTaskPayload({ patientKey, createdByKey: 'staff-1', title: 'First', dedupeKey: 'a' }),
      createTaskPayload({ patientKey, createdByKey: 'staff-1', title: 'Second', dedupeKey: 'b' }),
    ]);
    return new ProtocolResult();
  }
}

/** Throws for the patient key `explodes`. */
export class ThrowsForOnePatient extends Protocol {
  static readonly meta: ProtocolMeta = {
    key: 'throws-for-one',
    title: 'Throws for one patient',
    version: '1.0.0',
    description: 'test',
    types: ['Group'],
    computeOnChangeTypes: [],
  };
  computeResults(): ProtocolResult {
    if (this.patient.patient.key === 'explodes') throw new TypeError('boom with patient data');
    this.setUpdates([ensurePatientInGroup(this.patient.patient.key, 'group-2')]);
    return new ProtocolResult();
  }
}

/** Every call a compute function makes on its recorder, in order (a fake of the recorder port). */
export type RecordedCall = {
  [K in keyof ComputeRecorder]: { kind: K; args: unknown[] };
}[keyof ComputeRecorder];

export class RecordingComputeRecorder implements ComputeRecorder {
  readonly calls: RecordedCall[] = [];

  /** The arguments of every call of one kind. */
  of<K extends keyof ComputeRecorder>(kind: K): Parameters<ComputeRecorder[K]>[] {
    return this.calls
      .filter((call) => call.kind === kind)
      .map((call) => call.args as Parameters<ComputeRecorder[K]>);
  }

  info(...args: Parameters<ComputeRecorder['info']>) {
    this.calls.push({ kind: 'info', args });
  }
  warn(...args: Parameters<ComputeRecorder['warn']>) {
    this.calls.push({ kind: 'warn', args });
  }
  planned(...args: Parameters<ComputeRecorder['planned']>) {
    this.calls.push({ kind: 'planned', args });
  }
  segmentComputed(...args: Parameters<ComputeRecorder['segmentComputed']>) {
    this.calls.push({ kind: 'segmentComputed', args });
  }
  changeRecomputed(...args: Parameters<ComputeRecorder['changeRecomputed']>) {
    this.calls.push({ kind: 'changeRecomputed', args });
  }
  changeRejected(...args: Parameters<ComputeRecorder['changeRejected']>) {
    this.calls.push({ kind: 'changeRejected', args });
  }
  jobRefused(...args: Parameters<ComputeRecorder['jobRefused']>) {
    this.calls.push({ kind: 'jobRefused', args });
  }
  jobFailed(...args: Parameters<ComputeRecorder['jobFailed']>) {
    this.calls.push({ kind: 'jobFailed', args });
  }
  publish() {
    this.calls.push({ kind: 'publish', args: [] });
  }
}
