import { z } from 'zod';

/**
 * Longest key or id we accept. DynamoDB allows 2048 bytes in a partition key; a key that can never
 * be stored must be refused at validation, not discovered by the applier.
 */
export const MAX_KEY_LENGTH = 256;

/** A non-empty, non-blank identifier (patient key, staff key, group id, team id, dedupe key). */
export const KeySchema = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'must not be empty', abort: true })
  .max(MAX_KEY_LENGTH, { error: `must be at most ${MAX_KEY_LENGTH} characters` })
  .refine((value) => value.trim().length > 0, { error: 'must not be blank' });

/** The kit's identifier object: `{"identifier_type": "key", "identifier": {"key": "..."}}`. */
export const KeyIdentifierSchema = z.strictObject({
  identifier_type: z.literal('key', { error: 'must be "key"' }),
  identifier: z.strictObject({ key: KeySchema }),
});
export type KeyIdentifier = z.infer<typeof KeyIdentifierSchema>;

/** Message datetimes (`due`, `created`): the forms the kit and JS producers send; see kit-datetime.ts. */
export { KIT_DATETIME_RULE, KitDateTimeSchema, kitDateTimeUtc } from './kit-datetime';

/** Free text (titles, tags, labels): bounded so one message cannot exhaust an item (400 KB). */
export const MAX_TEXT_LENGTH = 2000;
export const TextSchema = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'must not be empty' })
  .max(MAX_TEXT_LENGTH, { error: `must be at most ${MAX_TEXT_LENGTH} characters` });

/** Envelope keys every message carries. */
export const IntegrationSourceSchema = z.literal('SDK', { error: 'must be "SDK"' });
export const HandlingOptionsSchema = z.strictObject({
  respond_async: z.boolean({ error: 'must be a boolean' }),
});

/**
 * A message about one patient, in the kit's envelope and key order: type, source, handling
 * options, patient, payload. Each patient-keyed message type is this with its own wire name and
 * payload.
 */
export function patientMessageSchema<const W extends string, P extends z.ZodType>(
  wireName: W,
  payload: P,
) {
  return z.strictObject({
    integration_type: z.literal(wireName),
    integration_source: IntegrationSourceSchema,
    handling_options: HandlingOptionsSchema,
    patient_identifier: KeyIdentifierSchema,
    integration_payload: payload,
  });
}

/**
 * The case-folded form of a label or group name: the key that makes "Urgent" and "urgent" one label.
 * NFKC first, so visually identical spellings fold together too.
 */
export function foldName(name: string): string {
  return name.normalize('NFKC').toLowerCase();
}
