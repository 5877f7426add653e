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
 * One change that triggers a computation (the kit's `field_changes`). `model_name` is the changed
 * record's model, which is also its change type. `fields` maps a field name to `[old, new]`.
 * `patient_key` is ours: the kit knew the patient from context, a queued event must carry it.
 */
export const ChangeEventSchema = z.strictObject({
  patient_key: KeySchema,
  model_name: ChangeTypeSchema,
  created: z.boolean({ error: 'must be a boolean' }),
  deleted: z.boolean({ error: 'must be a boolean' }),
  fields: z.record(
    z.string(),
    z.tuple([z.unknown(), z.unknown()], { error: 'must be a pair [old, new]' }),
    { error: 'must be an object of field name to [old, new]' },
  ),
  canvas_id: RecordIdSchema.nullable(),
  external_id: RecordIdSchema.nullable(),
});
export type ChangeEvent = z.infer<typeof ChangeEventSchema>;
