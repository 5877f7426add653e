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

/** Below this an epoch number is almost surely seconds, not milliseconds (it is before 2001-09-09). */
const MIN_EPOCH_MS = 1_000_000_000_000;
const EPOCH_MS = /^\d{1,16}$/;
const ISO_WITH_OFFSET = z.iso.datetime({ offset: true });

/**
 * The ordering version: an ISO datetime with `Z` or an offset, or epoch milliseconds, as a number
 * of milliseconds. A datetime without an offset is refused: its instant would depend on the reader.
 */
export const ComputedAtSchema = z.string({ error: 'must be a string' }).transform((value, ctx) => {
  const text = value.trim();
  if (EPOCH_MS.test(text)) {
    const ms = Number(text);
    if (ms >= MIN_EPOCH_MS && Number.isSafeInteger(ms)) return ms;
    ctx.addIssue({
      code: 'custom',
      message: 'must be epoch milliseconds (a number this small looks like seconds)',
    });
    return z.NEVER;
  }
  if (ISO_WITH_OFFSET.safeParse(text).success) {
    const ms = Date.parse(text);
    if (Number.isFinite(ms)) return ms;
  }
  ctx.addIssue({
    code: 'custom',
    message: 'must be an ISO datetime with Z or an offset, or epoch milliseconds',
  });
  return z.NEVER;
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
  const attributes: Record<string, { DataType: 'String'; StringValue: string }> = {};
  const put = (name: string, value: string) => {
    attributes[name] = { DataType: 'String', StringValue: value };
  };
  if (input.updateId !== undefined) put(UPDATE_ATTRIBUTE.updateId, input.updateId);
  if (input.computedAt !== undefined) {
    const at = input.computedAt;
    put(
      UPDATE_ATTRIBUTE.computedAt,
      at instanceof Date ? at.toISOString() : typeof at === 'number' ? String(at) : at,
    );
  }
  if (input.protocol !== undefined) put(UPDATE_ATTRIBUTE.protocol, input.protocol);
  return attributes;
}
