import { createHash } from 'node:crypto';
import type { QueuedUpdate } from '../ports/compute';
import { addDays, type ProtocolRun } from '../protocol';

/**
 * Protocol results recorded, and unchanged updates not re-sent (docs/data-model.md, protocol
 * results; docs/scaling.md, steady state). Pure: the decisions over what the store returned.
 */

/** One (patient, protocol): the key of the protocol results table. */
export interface ResultKey {
  patientKey: string;
  protocol: string;
}

/** What a computation compares with: the bookkeeping attributes of the stored result. */
export interface StoredResult extends ResultKey {
  protocolVersion: string;
  /** sha256 of the recorded content (see `resultContentHash`): what "the result changed" means. */
  contentHash: string;
  /** sha256 of the updates last sent (see `updatesDigest`). */
  updatesDigest: string;
  /** The `computed-at` of the computation that last sent (or re-asserted) them, ISO. */
  updatesSentAt: string;
  /** The computation that last wrote the item, ISO. */
  computedAt: string;
}

/** The whole item one computation records. */
export interface RecordedResult extends StoredResult {
  /** Every field of the run's result data (status, narratives, dueIn, nextReview, ...). */
  result: Record<string, unknown>;
  updatesCount: number;
}

/**
 * The change-event message attribute (`true`) of `recompute --patient --reassert`: computeOnChange
 * sends every update, even those equal to the last ones sent. An attribute, not a body field: the
 * body stays the kit's change event.
 */
export const REASSERT_CHANGE_ATTRIBUTE = 'reassert';

/** Default `reassertAfter`: every update is sent again at least once a day. */
export const DEFAULT_REASSERT_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * The re-assertion of an unchanged update falls due somewhere in the last quarter of
 * `reassertAfter` (a fixed point per patient and protocol), so a population first sent in one run
 * is not all re-sent in one later run. See docs/scaling.md.
 */
export const REASSERT_SPREAD = 0.25;

export interface ResultGateOptions {
  /** The computation's instant (the updates' `computed-at`). */
  computedAt: Date;
  reassertAfterMs: number;
  /** `recompute --reassert`: send every update whatever was sent before. */
  reassert: boolean;
}

/** One (patient, protocol) decided: what to enqueue, and what to record once it is enqueued. */
export interface GatedRun {
  key: ResultKey;
  /** The run's updates to enqueue; empty when they equal the last ones sent. */
  send: QueuedUpdate[];
  /** Updates computed but not enqueued (the same as the last ones sent). */
  skipped: number;
  /** The item to write after `send` was accepted by SQS; undefined when nothing changed. */
  record?: RecordedResult;
}

/** Object keys sorted at every level: the same data hashes the same whatever its key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The digest of a run's updates: their types and wire bodies, in order (not their ids). */
export function updatesDigest(updates: readonly QueuedUpdate[]): string {
  return sha256(JSON.stringify(updates.map((u) => [u.type, u.body])));
}

/** Marks a `nextReview` derived from `dueIn` (see `resultContentHash`). */
const DERIVED_NEXT_REVIEW = 'derived-from-dueIn';

/**
 * What "the result changed" compares: every field of the result data and the protocol version,
 * never `computedAt`. A `nextReview` the runner derived from `dueIn` (`now + dueIn` days, the
 * kit's `next_review()`) moves with the clock on every run while nothing else does: it is
 * compared as "derived from dueIn", and the stored one is the derivation of the stored
 * `computedAt` (the computation that last wrote the item).
 */
export function resultContentHash(
  protocolVersion: string,
  result: Record<string, unknown>,
  computedAt: Date,
): string {
  const compared: Record<string, unknown> = { ...result };
  const dueIn = result.dueIn;
  if (
    typeof dueIn === 'number' &&
    dueIn > 0 &&
    result.nextReview === addDays(computedAt, dueIn).toISOString()
  )
    compared.nextReview = DERIVED_NEXT_REVIEW;
  return sha256(canonicalJson({ protocolVersion, result: compared }));
}

/** A fixed fraction in [0, 1) per (patient, protocol), spreading re-assertions over runs. */
export function reassertSpread(key: ResultKey): number {
  const hex = sha256(JSON.stringify([key.patientKey, key.protocol])).slice(0, 8);
  return Number.parseInt(hex, 16) / 0x1_0000_0000;
}

/** When unchanged updates are due to be sent again: in the last quarter of `reassertAfter`. */
export function reassertDueAt(key: ResultKey, sentAt: Date, reassertAfterMs: number): Date {
  const wait = reassertAfterMs * (1 - REASSERT_SPREAD * reassertSpread(key));
  return new Date(sentAt.getTime() + wait);
}

export function resultKeyId(key: ResultKey): string {
  return JSON.stringify([key.patientKey, key.protocol]);
}

/**
 * Decides one computed run against what is stored. Its updates are enqueued unless they equal the
 * last ones sent (same digest, same protocol version) and their re-assertion is not due and not
 * forced. The item is written when the result's content, the protocol version, the digest or the
 * send time changed; `computedAt` alone changing writes nothing. Only computed runs are recorded:
 * a not-relevant run (a change the protocol ignores) or a failed one leaves the stored result
 * as it is (and sends nothing).
 */
export function gateRun(
  patientKey: string,
  run: ProtocolRun,
  updates: readonly QueuedUpdate[],
  stored: StoredResult | undefined,
  options: ResultGateOptions,
): GatedRun {
  const key = { patientKey, protocol: run.protocol };
  if (run.status !== 'computed' || !run.result)
    return { key, send: [...updates], skipped: 0, record: undefined };
  const digest = updatesDigest(updates);
  const computedAt = options.computedAt.toISOString();
  const sameUpdates =
    stored !== undefined &&
    stored.updatesDigest === digest &&
    stored.protocolVersion === run.version;
  const reassertDue =
    stored !== undefined &&
    options.computedAt.getTime() >=
      reassertDueAt(key, new Date(stored.updatesSentAt), options.reassertAfterMs).getTime();
  // An empty list has nothing to re-assert.
  const send = !sameUpdates || (updates.length > 0 && (options.reassert || reassertDue));
  const result = { ...run.result } as unknown as Record<string, unknown>;
  const contentHash = resultContentHash(run.version, result, options.computedAt);
  const changed = !stored || stored.contentHash !== contentHash || send;
  return {
    key,
    send: send ? [...updates] : [],
    skipped: send ? 0 : updates.length,
    record: changed
      ? {
          ...key,
          protocolVersion: run.version,
          contentHash,
          updatesDigest: send ? digest : (stored?.updatesDigest ?? digest),
          updatesSentAt: send ? computedAt : (stored?.updatesSentAt ?? computedAt),
          computedAt,
          result,
          updatesCount: updates.length,
        }
      : undefined,
  };
}
