import { z } from 'zod';
import { KeySchema } from './primitives';

/**
 * The kit's `CHANGE_TYPE` values (canvas_workflow_kit/constants.py), all 24. A protocol lists the
 * ones that recompute it in `computeOnChangeTypes`.
 */
export const CHANGE_TYPES = [
  'allergy_intolerance',
  'appointment',
  'billing_line_item',
  'condition',
  'consent',
  'coverage',
  'external_event',
  'encounter',
  'imaging_report',
  'immunization',
  'instruction',
  'interview',
  'lab_order',
  'lab_report',
  'medication',
  'message',
  'patient',
  'prescription',
  'procedure',
  'protocol_override',
  'referral_report',
  'suspect_hcc',
  'task',
  'vital_sign',
] as const;

export const ChangeTypeSchema = z.enum(CHANGE_TYPES, {
  error: 'must be one of the kit change types (appointment, condition, consent, patient, ...)',
});
export type ChangeType = z.infer<typeof ChangeTypeSchema>;

/** A record id as the platform sends it: a database integer or an opaque string. */
export const RecordIdSchema = z.union([KeySchema, z.number().int().nonnegative()], {
  error: 'must be a non-empty string or a non-negative integer',
});
export type RecordId = z.infer<typeof RecordIdSchema>;

/**
 * The kit's `field_changes` object, as Canvas sends it ("Field Changes" in Canvas's documentation):
 * the record that changed. `model_name` is the changed record's **model** (`appointment`,
 * `notestatechangeevent`, `patientaddress`, ...), not the change type; see
 * `lib/protocol/model-change-types.ts`. `fields` maps a field name to `[old, new]`.
 *
 * Loose: a key the platform adds later is kept, so a protocol sees it, and never refused (the
 * compute log counts such keys, never names them). `__proto__` is the one key not kept (zod leaves
 * it out: an object cannot hold it as data without changing its prototype); it is counted too.
 */
export const FieldChangesSchema = z.looseObject({
  model_name: KeySchema,
  created: z.boolean({ error: 'must be a boolean' }),
  deleted: z.boolean({ error: 'must be a boolean' }),
  fields: z.record(
    z.string(),
    z.tuple([z.unknown(), z.unknown()], { error: 'must be a pair [old, new]' }),
    { error: 'must be an object of field name to [old, new]' },
  ),
  canvas_id: RecordIdSchema.nullable(),
  external_id: RecordIdSchema.nullable(),
  /** The patient's external identifiers: null or a list (absent in older producers' events). */
  external_identifiers: z
    .array(z.unknown(), { error: 'must be null or a list' })
    .nullable()
    .optional(),
});
export type FieldChanges = z.infer<typeof FieldChangesSchema>;

/** The keys of `field_changes` the kit documents; any other is an unknown (kept, counted) key. */
export const KNOWN_FIELD_CHANGES_KEYS: readonly string[] = Object.keys(FieldChangesSchema.shape);

/** The change types one event may name: at least one, each a kit change type. */
export const ChangeTypeListSchema = z
  .array(ChangeTypeSchema, { error: 'must be a list of kit change types' })
  .min(1, { error: 'must name at least one change type' })
  .max(CHANGE_TYPES.length, { error: `must name at most ${CHANGE_TYPES.length} change types` });

/**
 * A changes-queue message, envelope form: the patient, the kit's `field_changes` object unchanged,
 * and optionally the change types it stands for (as the platform hands them to the kit's
 * `impacted_by_changes`). Without `change_types` they come from `field_changes.model_name`.
 * Strict: the envelope is ours, a misspelt key (`change_type`) is refused, not ignored.
 */
export const ChangeEnvelopeSchema = z.strictObject({
  patient_key: KeySchema,
  change_types: ChangeTypeListSchema.optional(),
  field_changes: FieldChangesSchema,
});
export type ChangeEnvelope = z.infer<typeof ChangeEnvelopeSchema>;

/**
 * A changes-queue message, flat form (the original one, still produced by the operator CLI, the
 * demo and other producers): `patient_key` beside the `field_changes` keys, every other key being
 * `field_changes`'s.
 */
export const FlatChangeEventSchema = FieldChangesSchema.extend({ patient_key: KeySchema });
export type FlatChangeEvent = z.infer<typeof FlatChangeEventSchema>;

/**
 * One change as the runner takes it, after reading the message (`lib/protocol/change-message.ts`):
 * which patient, which change types (never empty), and the kit's `field_changes` object, which a
 * protocol reads as `this.fieldChanges`.
 */
export const ChangeEventSchema = z.strictObject({
  patientKey: KeySchema,
  changeTypes: ChangeTypeListSchema,
  fieldChanges: FieldChangesSchema,
});
export type ChangeEvent = z.infer<typeof ChangeEventSchema>;
