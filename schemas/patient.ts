import { z } from 'zod';
import { RecordIdSchema } from './change-event';
import { KeySchema, TextSchema } from './primitives';

/**
 * The patient data a protocol computes over. Objects are strict: a fixture with a misspelt field
 * fails loudly instead of silently reading as "absent".
 */

/** A strict object whose errors read well in a fixture message (the unknown keys are appended). */
function record<T extends z.ZodRawShape>(shape: T) {
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? 'unknown field' : 'must be an object'),
  });
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A real calendar date `YYYY-MM-DD`. */
export const IsoDateSchema = z
  .string({ error: 'must be a string' })
  .refine((value) => ISO_DATE.test(value) && z.iso.date().safeParse(value).success, {
    error: 'must be a real date formatted YYYY-MM-DD',
  });

/** An ISO datetime, with or without an offset (`2024-02-09T09:30:00`, `...Z`, `...-05:00`). */
export const IsoDateTimeSchema = z
  .string({ error: 'must be a string' })
  .refine((value) => z.iso.datetime({ local: true, offset: true }).safeParse(value).success, {
    error: 'must be an ISO datetime (YYYY-MM-DDThh:mm:ss, optional offset)',
  });

export const SEXES = ['F', 'M', 'O', 'UNK'] as const;

export const PatientDemographicsSchema = record({
  key: KeySchema,
  firstName: TextSchema,
  lastName: TextSchema,
  birthDate: IsoDateSchema,
  sex: z.enum(SEXES, { error: `must be one of ${SEXES.join(', ')}` }),
  preferredName: TextSchema.optional(),
  active: z.boolean({ error: 'must be a boolean' }).optional(),
});
export type PatientDemographics = z.infer<typeof PatientDemographicsSchema>;

export const APPOINTMENT_STATUSES = [
  'unconfirmed',
  'attempted',
  'confirmed',
  'arrived',
  'roomed',
  'exited',
  'noshowed',
  'cancelled',
] as const;

export const AppointmentSchema = record({
  id: RecordIdSchema,
  startTime: IsoDateTimeSchema,
  durationMinutes: z.number().int().positive({ error: 'must be a positive integer' }).optional(),
  providerKey: KeySchema,
  status: z.enum(APPOINTMENT_STATUSES, {
    error: `must be one of ${APPOINTMENT_STATUSES.join(', ')}`,
  }),
  locationId: RecordIdSchema.optional(),
});
export type Appointment = z.infer<typeof AppointmentSchema>;

export const CodingSchema = record({
  system: TextSchema,
  code: TextSchema,
  display: TextSchema.optional(),
});
export type Coding = z.infer<typeof CodingSchema>;

export const CONDITION_CLINICAL_STATUSES = [
  'active',
  'recurrence',
  'relapse',
  'inactive',
  'remission',
  'resolved',
] as const;

export const ConditionSchema = record({
  id: RecordIdSchema,
  coding: z.array(CodingSchema, { error: 'must be a list' }).min(1, { error: 'must not be empty' }),
  clinicalStatus: z.enum(CONDITION_CLINICAL_STATUSES, {
    error: `must be one of ${CONDITION_CLINICAL_STATUSES.join(', ')}`,
  }),
  onsetDate: IsoDateSchema.optional(),
  resolutionDate: IsoDateSchema.optional(),
});
export type Condition = z.infer<typeof ConditionSchema>;

export const CONSENT_STATES = ['accepted', 'rejected', 'revoked', 'pending'] as const;

export const ConsentSchema = record({
  id: RecordIdSchema,
  code: TextSchema,
  state: z.enum(CONSENT_STATES, { error: `must be one of ${CONSENT_STATES.join(', ')}` }),
  effectiveDate: IsoDateSchema.optional(),
  expirationDate: IsoDateSchema.optional(),
});
export type Consent = z.infer<typeof ConsentSchema>;

export const CareTeamMemberSchema = record({
  staffKey: KeySchema,
  role: TextSchema,
  status: z.enum(['active', 'inactive'], { error: 'must be "active" or "inactive"' }),
  lead: z.boolean({ error: 'must be a boolean' }).optional(),
});
export type CareTeamMember = z.infer<typeof CareTeamMemberSchema>;

/**
 * The patient object: `patient` is the demographics record (`this.patient.patient.key`, as in the
 * kit); every other property is a collection, empty when the platform has none.
 */
export const PatientSchema = record({
  patient: PatientDemographicsSchema,
  appointments: z.array(AppointmentSchema, { error: 'must be a list' }).default([]),
  conditions: z.array(ConditionSchema, { error: 'must be a list' }).default([]),
  consents: z.array(ConsentSchema, { error: 'must be a list' }).default([]),
  careTeam: z.array(CareTeamMemberSchema, { error: 'must be a list' }).default([]),
});
/** The parsed patient: collections always present. */
export type Patient = z.output<typeof PatientSchema>;
/** What a producer may send: collections may be left out. */
export type PatientInput = z.input<typeof PatientSchema>;

/** The collections a fixture folder may hold, by property name. */
export const PATIENT_COLLECTIONS = Object.keys(PatientSchema.shape) as (keyof Patient)[];
