import { z } from 'zod';
import { KeySchema } from './primitives';

/**
 * The SQS message attributes of an update (docs/queue-contract.md). The body is the bare update;
 * what the applier needs besides it rides here. All three are optional: the applier falls back to
 * the SQS message id and sent timestamp.
 */
export const UPDATE_ATTRIBUTE = {
  updateId: 'update-id',
  computedAt: 'computed-at',
  protocol: 'protocol',
} as const;

/**
 * The plausible range of a `computed-at`, in epoch ms: from 10^12 (2001-09-09) up to, not
 * including, 10^13 (2286-11-20). Below it a number is almost surely seconds; above it,
 * microseconds or a made-up date. Either would order the update wrongly for ever: a far-future
 * version makes every later correct update `stale`.
 */
export const MIN_COMPUTED_AT_MS = 1_000_000_000_000;
export const MAX_COMPUTED_AT_MS = 10_000_000_000_000;
const EPOCH_DIGITS = /^\d+$/;
const ISO_WITH_OFFSET = z.iso.datetime({ offset: true });

/**
 * The ordering version: an ISO datetime with `Z` or an offset, or epoch milliseconds, as a number
 * of milliseconds in the plausible range. A datetime without an offset is refused: its instant
 * would depend on the reader. Messages describe the rule, never the value (no PHI).
 */
export const ComputedAtSchema = z.string({ error: 'must be a string' }).transform((value, ctx) => {
  const text = value.trim();
  const fail = (message: string) => {
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  };
  if (EPOCH_DIGITS.test(text)) {
    const ms = Number(text);
    if (ms < MIN_COMPUTED_AT_MS) {
      return fail(
        'must be epoch milliseconds: a number below 10^12 (before 2001-09-09) looks like seconds',
      );
    }
    if (ms >= MAX_COMPUTED_AT_MS) {
      return fail(
        'must be epoch milliseconds: a number of 10^13 or more (after 2286-11-20) looks like ' +
          'microseconds or is too large',
      );
    }
    return ms;
  }
  if (ISO_WITH_OFFSET.safeParse(text).success) {
    const ms = Date.parse(text);
    if (Number.isFinite(ms)) {
      if (ms >= MIN_COMPUTED_AT_MS && ms < MAX_COMPUTED_AT_MS) return ms;
      return fail('must be a datetime from 2001-09-09 up to 2286-11-20');
    }
  }
  return fail('must be an ISO datetime with Z or an offset, or epoch milliseconds');
});

/** The attributes as string values (SQS `String` and `Number` both carry `stringValue`). */
export const UpdateMessageAttributesSchema = z.object({
  [UPDATE_ATTRIBUTE.updateId]: KeySchema.optional(),
  [UPDATE_ATTRIBUTE.computedAt]: ComputedAtSchema.optional(),
  [UPDATE_ATTRIBUTE.protocol]: KeySchema.optional(),
});
export type UpdateMessageAttributes = z.output<typeof UpdateMessageAttributesSchema>;

/** What a producer passes to `encodeUpdateAttributes`. */
export interface UpdateMetadataInput {
  /** Idempotency id: the same id is applied once. Stable across retries of the producer. */
  updateId?: string;
  /** When the update was computed: the newest computation wins. */
  computedAt?: Date | number | string;
  /** The protocol that produced it, for audit. */
  protocol?: string;
}

/** SQS `MessageAttributes` (SendMessage shape) for an update, per the queue contract. */
export function encodeUpdateAttributes(
  input: UpdateMetadataInput,
): Record<string, { DataType: 'String'; StringValue: string }> {
  // No closure per call: this runs for every update a computation sends.
  const attributes: Record<string, { DataType: 'String'; StringValue: string }> = {};
  if (input.updateId !== undefined)
    attributes[UPDATE_ATTRIBUTE.updateId] = stringAttribute(input.updateId);
  if (input.computedAt !== undefined) {
    const at = input.computedAt;
    attributes[UPDATE_ATTRIBUTE.computedAt] = stringAttribute(
      at instanceof Date ? at.toISOString() : typeof at === 'number' ? String(at) : at,
    );
  }
  if (input.protocol !== undefined)
    attributes[UPDATE_ATTRIBUTE.protocol] = stringAttribute(input.protocol);
  return attributes;
}

function stringAttribute(value: string): { DataType: 'String'; StringValue: string } {
  return { DataType: 'String', StringValue: value };
}
