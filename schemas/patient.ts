import { z } from 'zod';
import { isRealDate } from './calendar';
import { KeySchema } from './primitives';

/**
 * The patient data a protocol computes over, in Canvas's own dump format: the folder the Python
 * workflow kit's tooling writes for a patient (`patient.json`, `conditions.json`,
 * `upcoming_appointments.json`, ...; see `../shared/kit-fixtures/README.md`). The parsed patient is
 * `{ patient: <patient.json>, <collection>: record[], ... }`; a collection's property is its file's
 * stem camelCased (`upcoming_appointments.json` -> `upcomingAppointments`).
 *
 * Records keep Canvas's field names and nesting. Every object is **loose**: fields we do not type
 * are kept as they are and reach the protocols; they are never a load error. The fields
 * protocols read are typed; a field Canvas may send as `null` is `.nullable()`, and one a dump
 * may leave out is `.optional()`. Lists inside a record (`coding`, `periods`, `stateHistory`,
 * `careTeamMemberships`, ...) read as `[]` when absent or `null`, so protocols iterate them
 * without a guard. Each collection is a list; `{}` (how some dumps write an empty one) reads as
 * `[]`, and a collection without a file is `[]`.
 *
 * Error messages name what is expected, never the value: fixture and table data is patient data.
 */

// ---------------------------------------------------------------------------------------------
// Building blocks

/** A loose object: unknown keys are kept. */
function record<T extends z.ZodRawShape>(shape: T) {
  return z.looseObject(shape, { error: 'must be an object' });
}

/** A list inside a record: `[]` when absent or `null`. */
function list<T extends z.ZodType>(item: T) {
  return z
    .array(item, { error: 'must be a list' })
    .nullish()
    .transform((value) => value ?? []);
}

const str = () => z.string({ error: 'must be a string' });
const num = () => z.number({ error: 'must be a number' });
const bool = () => z.boolean({ error: 'must be a boolean' });

/** A string Canvas may send as `null` or leave out. */
const optionalText = () => str().nullish();

/** A Canvas record id: a number in Canvas's dumps; a non-empty string is accepted too. */
export const CanvasIdSchema = z.union([z.number().int().nonnegative(), KeySchema], {
  error: 'must be a non-negative integer or a non-empty string',
});
export type CanvasId = z.infer<typeof CanvasIdSchema>;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/**
 * A Canvas timestamp as real dumps write it: a date, `T` or a space, `hh:mm[:ss[.fraction]]`, and
 * an optional `Z` or `±hh:mm` offset (`2022-02-16T23:17:37.082929Z`,
 * `2022-02-16 23:17:37.082929+00:00`, `2022-02-21T20:30:00`).
 */
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ]([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d{1,9})?)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?$/;

function matchesRealDate(pattern: RegExp, value: string): boolean {
  const match = pattern.exec(value);
  return match !== null && isRealDate(Number(match[1]), Number(match[2]), Number(match[3]));
}

/**
 * A Canvas timestamp in ISO form, for ISO readers (`toInstant`, `shiftWallClock`): the space some
 * dumps put before the time becomes `T`, and a time without seconds gets `:00`
 * (`2022-02-16 23:17:37.082929+00:00` -> `2022-02-16T23:17:37.082929+00:00`,
 * `2022-02-21T20:30Z` -> `2022-02-21T20:30:00Z`). Anything else is returned as it is.
 */
export function isoTimestamp(value: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2}(?:\.\d+)?)?(.*)$/.exec(value);
  if (!match) return value;
  const [, date, hoursMinutes, seconds, offset] = match;
  return `${date}T${hoursMinutes}${seconds ?? ':00'}${offset}`;
}

/** A real calendar date `YYYY-MM-DD`, kept as the string. */
export const CanvasDateSchema = str().refine((value) => matchesRealDate(DATE, value), {
  error: 'must be a real date formatted YYYY-MM-DD',
});

/** A Canvas timestamp (see `TIMESTAMP`), kept as the string Canvas sent. */
export const CanvasTimestampSchema = str().refine((value) => matchesRealDate(TIMESTAMP, value), {
  error: 'must be a timestamp YYYY-MM-DD[T| ]hh:mm[:ss[.ffffff]][Z|±hh:mm]',
});

/** A date or a timestamp: fields (`dateOrdered`, `originalDate`, ...) Canvas fills with either. */
export const CanvasDateOrTimestampSchema = str().refine(
  (value) => matchesRealDate(DATE, value) || matchesRealDate(TIMESTAMP, value),
  { error: 'must be a date YYYY-MM-DD or a timestamp YYYY-MM-DD[T| ]hh:mm[:ss][offset]' },
);

/** One code of a record's `coding` list: `{ system, code, display }`. */
export const CodingSchema = record({
  id: CanvasIdSchema.nullish(),
  system: str(),
  code: str(),
  display: optionalText(),
  version: optionalText(),
  userSelected: bool().nullish(),
});
export type Coding = z.output<typeof CodingSchema>;

/** A period a record is in effect: `{ from, to }`, either end open (`null`). */
export const PeriodSchema = record({
  from: CanvasDateOrTimestampSchema.nullish(),
  to: CanvasDateOrTimestampSchema.nullish(),
});
export type Period = z.output<typeof PeriodSchema>;

/** A record of a collection we do not type: any object, kept as it is. */
export const LooseRecordSchema = record({});
export type LooseRecord = z.output<typeof LooseRecordSchema>;
/** Records of collections Canvas dumps that we do not type (kept as they come). */
export type InpatientStay = LooseRecord;
export type ReasonForVisit = LooseRecord;
export type SuspectHcc = LooseRecord;
export type ProtocolRecord = LooseRecord;

// ---------------------------------------------------------------------------------------------
// patient.json

export const PatientCoverageSchema = record({
  id: CanvasIdSchema.nullish(),
  idNumber: optionalText(),
  transactorName: optionalText(),
});
export type PatientCoverage = z.output<typeof PatientCoverageSchema>;

export const PatientContactSchema = record({
  id: CanvasIdSchema.nullish(),
  name: optionalText(),
  relationship: optionalText(),
  phoneNumber: optionalText(),
  email: optionalText(),
  emergencyContact: bool().nullish(),
  authorizedForReleaseOfInformation: bool().nullish(),
});
export type PatientContact = z.output<typeof PatientContactSchema>;

export const ExternalIdentifierSchema = record({
  value: optionalText(),
  system: optionalText(),
  issuer: optionalText(),
});
export type ExternalIdentifier = z.output<typeof ExternalIdentifierSchema>;

export const TelecomSchema = record({
  system: optionalText(),
  value: optionalText(),
  use: optionalText(),
  rank: num().nullish(),
  primary: bool().nullish(),
  state: optionalText(),
});
export type Telecom = z.output<typeof TelecomSchema>;

/** A care team member: `staff.key` is the staff member, `role.code` their role on the team. */
export const CareTeamMembershipSchema = record({
  id: CanvasIdSchema.nullish(),
  staff: record({
    key: KeySchema,
    firstName: optionalText(),
    lastName: optionalText(),
  }),
  role: record({
    code: str(),
    display: optionalText(),
    system: optionalText(),
  }).nullish(),
  status: optionalText(),
  lead: bool().nullish(),
});
export type CareTeamMembership = z.output<typeof CareTeamMembershipSchema>;

/** `patient.json`: the patient record (`this.patient.patient`, the kit's `self.patient.patient`). */
export const PatientRecordSchema = record({
  key: KeySchema,
  id: CanvasIdSchema.nullish(),
  created: CanvasTimestampSchema.nullish(),
  firstName: optionalText(),
  lastName: optionalText(),
  nickname: optionalText(),
  birthDate: CanvasDateSchema.nullish(),
  sexAtBirth: optionalText(),
  sexualOrientationCode: optionalText(),
  genderIdentityCode: optionalText(),
  biologicalRaceCode: optionalText(),
  culturalEthnicityCode: optionalText(),
  active: bool().nullish(),
  deceased: bool().nullish(),
  deceasedDatetime: CanvasTimestampSchema.nullish(),
  age: z.union([str(), num()], { error: 'must be a string or a number' }).nullish(),
  timezone: optionalText(),
  language: optionalText(),
  pcp: optionalText(),
  coverages: list(PatientCoverageSchema),
  telecom: list(TelecomSchema),
  addresses: list(LooseRecordSchema),
  contacts: list(PatientContactSchema),
  externalIdentifiers: list(ExternalIdentifierSchema),
  careTeamMemberships: list(CareTeamMembershipSchema),
});
export type PatientRecord = z.output<typeof PatientRecordSchema>;

// ---------------------------------------------------------------------------------------------
// Clinical collections

/** `conditions.json`. The kit reads `coding` only while `clinicalStatus` is active or resolved. */
export const ConditionSchema = record({
  id: CanvasIdSchema,
  created: CanvasTimestampSchema.nullish(),
  noteTimestamp: CanvasTimestampSchema.nullish(),
  clinicalStatus: str(),
  committer: CanvasIdSchema.nullish(),
  coding: list(CodingSchema),
  periods: list(PeriodSchema),
  lastTimestamps: record({
    assessed: CanvasTimestampSchema.nullish(),
    billed: CanvasTimestampSchema.nullish(),
    assessedAndBilled: CanvasTimestampSchema.nullish(),
  }).nullish(),
});
export type Condition = z.output<typeof ConditionSchema>;

/** `medications.json`. */
export const MedicationSchema = record({
  id: CanvasIdSchema,
  created: CanvasTimestampSchema.nullish(),
  status: optionalText(),
  coding: list(CodingSchema),
  periods: list(PeriodSchema),
  nationalDrugCode: optionalText(),
  erxQuantity: num().nullish(),
  potencyUnitCode: optionalText(),
});
export type Medication = z.output<typeof MedicationSchema>;

/** `prescriptions.json` (the kit filters them on `status`, `externallyExposableId`). */
export const PrescriptionSchema = record({
  id: CanvasIdSchema,
  externallyExposableId: optionalText(),
  created: CanvasTimestampSchema.nullish(),
  status: optionalText(),
  coding: list(CodingSchema),
  periods: list(PeriodSchema),
  writtenDate: CanvasDateOrTimestampSchema.nullish(),
});
export type Prescription = z.output<typeof PrescriptionSchema>;

/** `lab_reports.json`: dated by `originalDate`, coded by `loincCodes`. */
export const LabReportSchema = record({
  id: CanvasIdSchema,
  originalDate: CanvasDateOrTimestampSchema.nullish(),
  created: CanvasTimestampSchema.nullish(),
  loincCodes: list(
    record({ code: str(), name: optionalText(), display: optionalText(), system: optionalText() }),
  ),
  values: list(
    record({
      id: CanvasIdSchema.nullish(),
      value: z.union([str(), num()], { error: 'must be a string or a number' }).nullish(),
      units: optionalText(),
      abnormalFlag: optionalText(),
      referenceRange: optionalText(),
      observationStatus: optionalText(),
    }),
  ),
});
export type LabReport = z.output<typeof LabReportSchema>;

/** `vital_signs.json`: one reading, coded by `loincNum`, dated by `dateRecorded`. */
export const VitalSignSchema = record({
  id: CanvasIdSchema,
  dateRecorded: CanvasTimestampSchema.nullish(),
  value: z.union([str(), num()], { error: 'must be a string or a number' }).nullish(),
  loincNum: optionalText(),
  sign: optionalText(),
  units: optionalText(),
});
export type VitalSign = z.output<typeof VitalSignSchema>;

/** `immunizations.json`: dated by `dateOrdered`, coded by `coding` (CVX). */
export const ImmunizationSchema = record({
  id: CanvasIdSchema,
  dateOrdered: CanvasDateOrTimestampSchema.nullish(),
  status: optionalText(),
  coding: list(CodingSchema),
});
export type Immunization = z.output<typeof ImmunizationSchema>;

/** An interview's questionnaire, question or result code. */
const InterviewCodeSchema = record({
  id: CanvasIdSchema.nullish(),
  code: str(),
  codeSystem: str(),
});

/** `interviews.json`: questionnaires with their questions and responses, paired by `questionResponseId`. */
export const InterviewSchema = record({
  id: CanvasIdSchema,
  name: optionalText(),
  created: CanvasTimestampSchema.nullish(),
  noteTimestamp: CanvasTimestampSchema.nullish(),
  committer: CanvasIdSchema.nullish(),
  status: optionalText(),
  progressStatus: optionalText(),
  results: list(InterviewCodeSchema),
  questionnaires: list(InterviewCodeSchema),
  questions: list(
    InterviewCodeSchema.extend({
      questionResponseId: CanvasIdSchema.nullish(),
      questionnaireId: CanvasIdSchema.nullish(),
    }),
  ),
  responses: list(
    InterviewCodeSchema.extend({
      questionResponseId: CanvasIdSchema.nullish(),
      value: z
        .union([str(), num(), bool()], { error: 'must be a string, a number or a boolean' })
        .nullish(),
    }),
  ),
});
export type Interview = z.output<typeof InterviewSchema>;
export type InterviewQuestion = Interview['questions'][number];
export type InterviewResponse = Interview['responses'][number];

/** `instructions.json`: dated by `noteTimestamp`, coded by `coding`. */
export const InstructionSchema = record({
  id: CanvasIdSchema,
  noteTimestamp: CanvasTimestampSchema.nullish(),
  created: CanvasTimestampSchema.nullish(),
  status: optionalText(),
  coding: list(CodingSchema),
});
export type Instruction = z.output<typeof InstructionSchema>;

/** `referrals.json`: dated by `timestamp`. */
export const ReferralSchema = record({
  id: CanvasIdSchema,
  timestamp: CanvasDateOrTimestampSchema.nullish(),
  status: optionalText(),
  coding: list(CodingSchema),
});
export type Referral = z.output<typeof ReferralSchema>;

/** `referral_reports.json` and `imaging_reports.json`: dated by `originalDate`, coded by `codings`. */
export const ReportSchema = record({
  id: CanvasIdSchema,
  originalDate: CanvasDateOrTimestampSchema.nullish(),
  created: CanvasTimestampSchema.nullish(),
  codings: list(CodingSchema),
});
export type ReferralReport = z.output<typeof ReportSchema>;
export type ImagingReport = z.output<typeof ReportSchema>;

/** `messages.json`. */
export const MessageSchema = record({
  id: CanvasIdSchema,
  created: CanvasTimestampSchema.nullish(),
  modified: CanvasTimestampSchema.nullish(),
  transmissionType: optionalText(),
});
export type Message = z.output<typeof MessageSchema>;

/** `billing_line_items.json`: dated by `datetimeOfService`, coded by `cpt`. */
export const BillingLineItemSchema = record({
  id: CanvasIdSchema,
  datetimeOfService: CanvasDateOrTimestampSchema.nullish(),
  cpt: optionalText(),
  units: num().nullish(),
  status: optionalText(),
});
export type BillingLineItem = z.output<typeof BillingLineItemSchema>;

/** `protocol_overrides.json`: a protocol switched off, re-timed or snoozed for this patient. */
export const ProtocolOverrideSchema = record({
  id: CanvasIdSchema.nullish(),
  protocolKey: str(),
  adjustment: record({
    reference: CanvasDateOrTimestampSchema.nullish(),
    cycleDays: num().nullish(),
  }).nullish(),
  snooze: record({
    reference: CanvasDateOrTimestampSchema.nullish(),
    snoozedDays: num().nullish(),
    reasonCode: optionalText(),
    reasonCodeSystem: optionalText(),
  }).nullish(),
});
export type ProtocolOverride = z.output<typeof ProtocolOverrideSchema>;

/** `allergy_intolerances.json`: the substance's `coding` (FDB), dated by `onsetDate`. */
export const AllergyIntoleranceSchema = record({
  id: CanvasIdSchema,
  externallyExposableId: optionalText(),
  onsetDate: CanvasDateOrTimestampSchema.nullish(),
  status: optionalText(),
  severity: optionalText(),
  allergyIntoleranceType: optionalText(),
  substance: record({
    text: optionalText(),
    category: optionalText(),
    categoryId: CanvasIdSchema.nullish(),
    coding: list(CodingSchema),
  }).nullish(),
});
export type AllergyIntolerance = z.output<typeof AllergyIntoleranceSchema>;

/** `consents.json` (the kit filters on `category__code`, then reads `state`). */
export const ConsentSchema = record({
  id: CanvasIdSchema.nullish(),
  category: record({
    code: str(),
    system: optionalText(),
    display: optionalText(),
  }).nullish(),
  state: optionalText(),
  effectiveDate: CanvasDateOrTimestampSchema.nullish(),
  expirationDate: CanvasDateOrTimestampSchema.nullish(),
});
export type Consent = z.output<typeof ConsentSchema>;

/** `coverages.json` (the kit's `self.patient.coverages`, read for `isActive`). */
export const CoverageSchema = record({
  id: CanvasIdSchema.nullish(),
  isActive: bool().nullish(),
  idNumber: optionalText(),
  transactorName: optionalText(),
});
export type Coverage = z.output<typeof CoverageSchema>;

/** `tasks.json`: the patient's tasks (the kit filters on `status`, `title`, `created`). */
export const TaskRecordSchema = record({
  id: CanvasIdSchema.nullish(),
  externallyExposableId: optionalText(),
  status: optionalText(),
  title: optionalText(),
  created: CanvasTimestampSchema.nullish(),
  due: CanvasDateOrTimestampSchema.nullish(),
  labels: list(z.union([str(), LooseRecordSchema], { error: 'must be a string or an object' })),
});
export type TaskRecord = z.output<typeof TaskRecordSchema>;

/** `lab_orders.json`, `imaging_orders.json`: dated by `dateOrdered`. */
export const OrderSchema = record({
  id: CanvasIdSchema,
  dateOrdered: CanvasDateOrTimestampSchema.nullish(),
  status: optionalText(),
  coding: list(CodingSchema),
});
export type LabOrder = z.output<typeof OrderSchema>;
export type ImagingOrder = z.output<typeof OrderSchema>;

/** `procedures.json`: dated by `datetimeOfService`. */
export const ProcedureSchema = record({
  id: CanvasIdSchema,
  datetimeOfService: CanvasDateOrTimestampSchema.nullish(),
  coding: list(CodingSchema),
});
export type Procedure = z.output<typeof ProcedureSchema>;

// ---------------------------------------------------------------------------------------------
// Appointments

/** A note's or an appointment's state: Canvas's codes (`SCH`, `BKD`, `CVD`, `NSW`, `CLD`, ...). */
export const NoteStateSchema = record({
  id: CanvasIdSchema.nullish(),
  state: str(),
  created: CanvasTimestampSchema.nullish(),
  modified: CanvasTimestampSchema.nullish(),
  note: CanvasIdSchema.nullish(),
  originator: CanvasIdSchema.nullish(),
});
export type NoteState = z.output<typeof NoteStateSchema>;

/** A staff member as a note displays them. */
export const ProviderDisplaySchema = record({
  key: KeySchema,
  firstName: optionalText(),
  lastName: optionalText(),
});
export type ProviderDisplay = z.output<typeof ProviderDisplaySchema>;

/**
 * `upcoming_appointments.json`: `status` is the appointment's (`unconfirmed`, `confirmed`,
 * `cancelled`, `noshowed`, ...), `state` the latest state of its note. The provider's staff key is
 * on the note (`upcomingAppointmentNotes[].providerDisplay.key`), found by the note's
 * `currentAppointmentId`.
 */
export const UpcomingAppointmentSchema = record({
  id: CanvasIdSchema,
  externallyExposableId: optionalText(),
  startTime: CanvasTimestampSchema,
  durationMinutes: num().nullish(),
  status: optionalText(),
  state: NoteStateSchema.nullish(),
  provider: CanvasIdSchema.nullish(),
  providerName: optionalText(),
  appointmentType: optionalText(),
  reasonForVisit: optionalText(),
});
export type UpcomingAppointment = z.output<typeof UpcomingAppointmentSchema>;

/** `upcoming_appointment_notes.json`: the note of an appointment, with its `stateHistory`. */
export const UpcomingAppointmentNoteSchema = record({
  id: CanvasIdSchema,
  isLocked: bool().nullish(),
  stateHistory: list(NoteStateSchema),
  providerDisplay: ProviderDisplaySchema.nullish(),
  location: record({ id: CanvasIdSchema.nullish(), fullName: optionalText() }).nullish(),
  appointments: list(CanvasIdSchema),
  currentAppointmentId: CanvasIdSchema.nullish(),
});
export type UpcomingAppointmentNote = z.output<typeof UpcomingAppointmentNoteSchema>;

/** `appointments.json`: past and future appointments (the kit reads their `stateHistory`). */
export const AppointmentSchema = record({
  id: CanvasIdSchema,
  externallyExposableId: optionalText(),
  startTime: CanvasTimestampSchema.nullish(),
  durationMinutes: num().nullish(),
  status: optionalText(),
  stateHistory: list(NoteStateSchema),
  providerDisplay: ProviderDisplaySchema.nullish(),
});
export type Appointment = z.output<typeof AppointmentSchema>;

// ---------------------------------------------------------------------------------------------
// Structure guard and collections

/**
 * Deepest nesting accepted in one file, counted from the file's top level. DynamoDB stores 32
 * levels; the patients item adds two (`data`, the collection).
 */
export const MAX_NESTING_DEPTH = 24;

/** Keys never accepted: they would reach an object's prototype, not the object. */
const FORBIDDEN_KEYS = new Set(['__proto__']);

type Path = (string | number)[];

/** The `params` of the structure guard's issues: their paths may run through unknown keys. */
export const STRUCTURE_ISSUE = { structure: true } as const;

/** Whether a zod issue is the structure guard's (`__proto__`, nesting too deep). */
export function isStructureIssue(issue: z.core.$ZodIssue): boolean {
  return issue.code === 'custom' && issue.params?.structure === true;
}

/**
 * Refuses what no schema field can express safely: nesting deeper than `maxDepth` (the file's
 * `MAX_NESTING_DEPTH`, one more for a whole patient, whose collections are one level down) and a
 * `__proto__` key at any depth (zod would drop it silently). Iterative, so a deep document cannot
 * overflow the stack; one issue, at the first offending path (key names only, never values).
 */
function structureCheck(maxDepth: number) {
  return (value: unknown, ctx: z.RefinementCtx): void => {
    // Each entry links to its parent, so a path is built only for an issue.
    interface Entry {
      node: unknown;
      depth: number;
      key?: string | number;
      parent?: Entry;
    }
    const pathOf = (entry: Entry, last?: string): Path => {
      const path: Path = last === undefined ? [] : [last];
      for (let at: Entry | undefined = entry; at?.key !== undefined; at = at.parent)
        path.unshift(at.key);
      return path;
    };
    const refuse = (path: Path, message: string) =>
      ctx.addIssue({ code: 'custom', path, message, params: STRUCTURE_ISSUE });
    const stack: Entry[] = [{ node: value, depth: 0 }];
    for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
      const { node, depth } = entry;
      if (typeof node !== 'object' || node === null) continue;
      if (depth >= maxDepth) {
        refuse(pathOf(entry), `nested deeper than ${MAX_NESTING_DEPTH} levels`);
        return;
      }
      if (Array.isArray(node)) {
        for (let i = node.length - 1; i >= 0; i--)
          stack.push({ node: node[i], depth: depth + 1, key: i, parent: entry });
        continue;
      }
      // An object whose prototype is not Object's: a `__proto__` key a reader turned into the
      // prototype (DynamoDB's unmarshall does) instead of keeping it as a field.
      const prototype = Object.getPrototypeOf(node);
      if (prototype !== Object.prototype && prototype !== null) {
        refuse(pathOf(entry, '__proto__'), 'field name not allowed');
        return;
      }
      for (const key of Object.keys(node)) {
        if (FORBIDDEN_KEYS.has(key)) {
          refuse(pathOf(entry, key), 'field name not allowed');
          return;
        }
        stack.push({
          node: (node as Record<string, unknown>)[key],
          depth: depth + 1,
          key,
          parent: entry,
        });
      }
    }
  };
}

/** `schema` behind the structure guard, for one file (`maxDepth` from the file's top level). */
function guarded<T extends z.ZodType>(schema: T, maxDepth = MAX_NESTING_DEPTH) {
  return z.unknown().superRefine(structureCheck(maxDepth)).pipe(schema);
}

function isEmptyObject(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 0
  );
}

/** A collection: a list of records; `{}` (how some dumps write an empty one) reads as `[]`. */
function collection<T extends z.ZodType>(item: T) {
  return z.preprocess(
    (value) => (isEmptyObject(value) ? [] : value),
    z.array(item, { error: 'must be a list' }),
  );
}

/**
 * The record schema of each typed collection, by property name (the file's stem camelCased). A
 * folder may hold other files (`protocols.json`, `suspect_hccs.json`, a collection a newer Canvas
 * adds): those are read as lists of loose records.
 */
export const PATIENT_COLLECTION_RECORDS = {
  allergyIntolerances: AllergyIntoleranceSchema,
  appointments: AppointmentSchema,
  billingLineItems: BillingLineItemSchema,
  conditions: ConditionSchema,
  consents: ConsentSchema,
  coverages: CoverageSchema,
  imagingOrders: OrderSchema,
  imagingReports: ReportSchema,
  immunizations: ImmunizationSchema,
  inpatientStay: LooseRecordSchema,
  instructions: InstructionSchema,
  interviews: InterviewSchema,
  labOrders: OrderSchema,
  labReports: LabReportSchema,
  medications: MedicationSchema,
  messages: MessageSchema,
  prescriptions: PrescriptionSchema,
  procedures: ProcedureSchema,
  protocolOverrides: ProtocolOverrideSchema,
  protocols: LooseRecordSchema,
  reasonForVisits: LooseRecordSchema,
  referralReports: ReportSchema,
  referrals: ReferralSchema,
  suspectHccs: LooseRecordSchema,
  tasks: TaskRecordSchema,
  upcomingAppointmentNotes: UpcomingAppointmentNoteSchema,
  upcomingAppointments: UpcomingAppointmentSchema,
  vitalSigns: VitalSignSchema,
} as const;

type CollectionRecords = typeof PATIENT_COLLECTION_RECORDS;
/** The typed collections' property names. */
export type PatientCollection = keyof CollectionRecords;
export const PATIENT_COLLECTIONS = Object.keys(PATIENT_COLLECTION_RECORDS) as PatientCollection[];

const collectionShape = Object.fromEntries(
  PATIENT_COLLECTIONS.map((name) => [
    name,
    collection(PATIENT_COLLECTION_RECORDS[name]).default([]),
  ]),
) as {
  [K in PatientCollection]: z.ZodDefault<
    z.ZodPipe<z.ZodTransform<unknown, unknown>, z.ZodArray<CollectionRecords[K]>>
  >;
};

/** A collection we do not type: a list of loose records. */
const LooseCollectionSchema = collection(LooseRecordSchema);

/**
 * Whether `name` can be a collection's property: a camelCase identifier that is not `patient`
 * and not a property every object inherits (`constructor`, `toString`, `__proto__`, ...).
 */
export function isCollectionName(name: string): boolean {
  return (
    /^[a-z][a-zA-Z0-9]*$/.test(name) && name !== 'patient' && !Object.hasOwn(Object.prototype, name)
  );
}

/** One file of a fixture folder, with the structure guard: `patient.json`. */
export const PatientFileSchema = guarded(PatientRecordSchema);

/** One file of a fixture folder, with the structure guard: a collection (typed or not). */
export function collectionFileSchema(name: string) {
  const item = Object.hasOwn(PATIENT_COLLECTION_RECORDS, name)
    ? (PATIENT_COLLECTION_RECORDS as Record<string, z.ZodType>)[name]
    : undefined;
  return guarded(collection(item ?? LooseRecordSchema));
}

/**
 * The patient object: `patient` is `patient.json` (`this.patient.patient.key`, as in the kit);
 * every typed collection is always present (`[]` when the platform has none). A collection we do
 * not type is kept as it came: a list of loose records under a collection name, like an unknown
 * field.
 */
export const PatientSchema = guarded(
  z
    .looseObject(
      { patient: PatientRecordSchema, ...collectionShape },
      { error: 'must be an object' },
    )
    .transform((patient, ctx) => {
      // A collection we do not type is read like a typed one (`{}` is `[]`), as loose records.
      for (const [name, value] of Object.entries(patient)) {
        if (name === 'patient' || Object.hasOwn(collectionShape, name)) continue;
        if (!isCollectionName(name)) {
          ctx.issues.push({
            code: 'custom',
            path: [name],
            message: 'not a collection name',
            input: value,
          });
          continue;
        }
        const parsed = LooseCollectionSchema.safeParse(value);
        if (parsed.success) (patient as Record<string, unknown>)[name] = parsed.data;
        else
          for (const issue of parsed.error.issues)
            ctx.issues.push({
              code: 'custom',
              path: [name, ...issue.path],
              message: issue.message,
              input: value,
            });
      }
      return patient;
    }),
  MAX_NESTING_DEPTH + 1,
);
/** The parsed patient: every typed collection present. */
export type Patient = z.output<typeof PatientSchema>;
/** What a producer may send (a test, the seed, the bench): collections may be left out. */
export type PatientInput = { patient: z.input<typeof PatientRecordSchema> } & {
  [K in PatientCollection]?: z.input<CollectionRecords[K]>[];
};
