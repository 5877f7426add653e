import type { ComputeJob, Patient, ScanStartKey, UpdateType } from '../../schemas';
import type { ComputeCounts } from '../compute/compute-counts';
import type { RecordedResult, ResultKey, StoredResult } from '../compute/protocol-results';
import type { ChangeRejectionReason } from '../compute/recompute-on-change';

/** The small interfaces the compute logic runs over; `lib/aws` implements them with AWS. */

/** One patient record as read from the store: parsed, or refused by the patient schema. */
export type PatientRecord =
  | { kind: 'valid'; patientKey: string; patient: Patient }
  /** `problems` names fields and what is expected (our schema's messages), never values. */
  | { kind: 'invalid'; patientKey: string; problems: string };

export interface SegmentPageRequest {
  segment: number;
  totalSegments: number;
  /** Resume after this key; absent: the segment's start. */
  startKey?: ScanStartKey;
  /** Most records to read in this page (bounds the work between two time checks). */
  limit: number;
}

export interface SegmentPage {
  records: PatientRecord[];
  /** Present while the segment has more records. */
  lastKey?: ScanStartKey;
}

export interface PatientSource {
  /** One patient by key; undefined when the store has no such patient. */
  getPatient(patientKey: string): Promise<PatientRecord | undefined>;
  /** One page of one segment of all patients. */
  readSegmentPage(request: SegmentPageRequest): Promise<SegmentPage>;
}

export interface PatientCounter {
  /** The store's approximate patient count (DynamoDB refreshes it about every 6 hours). */
  approximatePatientCount(): Promise<number>;
}

/** An SQS message attribute value as `SendMessage` takes it. */
export interface StringAttribute {
  DataType: 'String';
  StringValue: string;
}

/** One update ready for its type's queue: the wire JSON and the queue contract's attributes. */
export interface QueuedUpdate {
  type: UpdateType;
  body: string;
  attributes: Record<string, StringAttribute>;
}

export interface UpdateQueue {
  /** Enqueues every update or throws: an update is never dropped silently. */
  enqueue(updates: readonly QueuedUpdate[]): Promise<void>;
}

/** The protocol results table (docs/data-model.md): read before enqueueing, written after. */
export interface ProtocolResultStore {
  /**
   * The stored results of these keys (absent: none stored), in as few requests as the store
   * allows (BatchGetItem: 100 keys a request). Keyed by `resultKeyId`.
   */
  getMany(keys: readonly ResultKey[]): Promise<Map<string, StoredResult>>;
  /**
   * Writes each result unless a later computation has recorded one (its `computedAt` is later):
   * that one stands, and is not an error. Resolves to how many were written.
   */
  putMany(results: readonly RecordedResult[]): Promise<number>;
}

export interface ComputeJobQueue {
  /** Enqueues every job or throws. */
  enqueue(jobs: readonly ComputeJob[]): Promise<void>;
}

/** Structured log lines (Powertools' Logger fits). Callers pass keys, ids, counts, codes: no PHI. */
export interface ComputeLog {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
}

export const SILENT_LOG: ComputeLog = { info() {}, warn() {} };

/** A run planned: one line and the segments count. */
export interface RecomputationPlanned {
  runId: string;
  computedAt: string;
  reassert: boolean;
  approximatePatients: number;
  totalSegments: number;
}

/** A segment job computed (or continued): one line with its counts, and the counts as metrics. */
export interface SegmentComputed {
  runId: string;
  segment: number;
  totalSegments: number;
  continuation: number;
  reassert: boolean;
  /** A continuation job was enqueued to finish the segment. */
  continued: boolean;
  pages: number;
  durationMs: number;
  counts: ComputeCounts;
}

/** A change event recomputed. */
export interface ChangeRecomputed {
  messageId: string;
  /** The patient's key: an id the store holds. */
  patientKey: string;
  changeTypes: readonly string[];
  /** Counted, never named: a key is text from the message. */
  unknownFieldChangesKeys: number;
  counts: ComputeCounts;
}

/** A change event rejected by reason; it is reported failed and ends in the changes DLQ. */
export interface ChangeRejected {
  messageId: string;
  receiveCount?: string;
  reason: ChangeRejectionReason;
  /** Field paths and our schemas' messages, never values. */
  detail: string;
  /** Only for a patient the store holds (then it is an id); see `ChangeOutcome`. */
  patientKey?: string;
}

/** A segment job the job schema refuses (redelivery cannot fix it). */
export interface ComputeJobRefused {
  messageId: string;
  /** Our own message: field paths and the schema's words, never values. */
  detail: string;
}

/** What identifies a failed job or change in its line: ids, positions, counts. Never patient data. */
export type ComputeJobIdentity = Record<string, string | number | undefined>;

/**
 * What the compute functions log and count (one line per summary, EMF metrics in production; an
 * array in tests). Every field is an id, a code, a count or our own message: never PHI. The
 * adapter decides how much of an error it may show (another library's message can quote data).
 */
export interface ComputeRecorder extends ComputeLog {
  planned(summary: RecomputationPlanned): void;
  segmentComputed(summary: SegmentComputed): void;
  changeRecomputed(summary: ChangeRecomputed): void;
  changeRejected(rejection: ChangeRejected): void;
  jobRefused(refusal: ComputeJobRefused): void;
  /** A job or change that failed and goes back to SQS for a retry (the caller rethrows). */
  jobFailed(job: ComputeJobIdentity, error: unknown): void;
  /** Sends what the invocation recorded (metrics are published once per invocation). */
  publish(): void;
}
