import { type CodeSystem, type CodingLike, SYSTEM_URLS } from './value-set';

/**
 * How each patient collection behaves as a record set, after the kit's recordsets
 * (canvas_workflow_kit/patient_recordset.py): which field dates a record, where its codes are,
 * which code systems `find(valueSet)` looks at, and its kind:
 *
 * - `event`: records dated by `dateField`; the set holds only dated records, oldest first (so
 *   `last()` is the most recent), as the kit's `PatientEventRecordSet`.
 * - `period`: records with `periods[] {from, to}` (conditions, medications); records whose
 *   `periods` list is empty are left out, as the kit's `PatientPeriodRecordSet`; `intersects` and
 *   `startsBefore` read them.
 * - `plain`: the records as the dump lists them.
 */
export type CollectionKind = 'event' | 'period' | 'plain';

export interface CollectionSpec {
  /** The collection's property name (camelCased dump file stem), for error messages. */
  readonly name: string;
  readonly kind: CollectionKind;
  /** The field `before`, `after` and `within` read (the kit's `DATE_FIELD`). */
  readonly dateField?: string;
  /** The code systems `find` matches in (the kit's `VALID_SYSTEMS`); absent: any. */
  readonly systems?: readonly CodeSystem[];
  /** The codings of one record (the kit's `item_to_codes`). */
  readonly codes: (record: unknown) => readonly CodingLike[];
}

/** An own property of a plain object; never one inherited from a prototype. */
export function ownField(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

function list(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

function codings(value: unknown): CodingLike[] {
  return list(value).filter(
    (item): item is CodingLike => typeof item === 'object' && item !== null,
  ) as CodingLike[];
}

/** `code.coding`, else `coding`, else `substance.coding` (the kit's default). */
export function defaultCodes(record: unknown): readonly CodingLike[] {
  const code = ownField(record, 'code');
  if (code !== undefined) return codings(ownField(code, 'coding'));
  const coding = ownField(record, 'coding');
  if (coding !== undefined) return codings(coding);
  return codings(ownField(ownField(record, 'substance'), 'coding'));
}

/** `{code, codeSystem}` entries (interview results, questions, responses) as codings. */
function codeSystemEntries(value: unknown): CodingLike[] {
  return list(value).map((entry) => ({
    system: ownField(entry, 'codeSystem'),
    code: ownField(entry, 'code'),
  }));
}

function single(system: string, code: unknown): readonly CodingLike[] {
  return code === undefined || code === null ? [] : [{ system, code }];
}

const CODED_REPORT: readonly CodeSystem[] = ['SNOMEDCT', 'LOINC', 'CPT'];
const ICD10 = ['ICD10CM', 'ICD10PCS'] as const;

const SPECS: Readonly<Record<string, Omit<CollectionSpec, 'name'>>> = {
  conditions: {
    kind: 'period',
    systems: [...ICD10, 'SNOMEDCT'],
    // The kit finds only active or resolved conditions by code (ConditionRecordSet).
    codes: (record) => {
      const status = ownField(record, 'clinicalStatus');
      return status === 'active' || status === 'resolved'
        ? codings(ownField(record, 'coding'))
        : [];
    },
  },
  medications: {
    kind: 'period',
    systems: ['RXNORM', 'FDB'],
    codes: (r) => codings(ownField(r, 'coding')),
  },
  prescriptions: {
    kind: 'plain',
    systems: ['RXNORM', 'FDB', 'NDC'],
    codes: (r) => codings(ownField(r, 'coding')),
  },
  labReports: {
    kind: 'event',
    dateField: 'originalDate',
    systems: ['LOINC'],
    codes: (r) =>
      list(ownField(r, 'loincCodes')).map((entry) => ({
        system: SYSTEM_URLS.LOINC,
        code: ownField(entry, 'code'),
      })),
  },
  labOrders: { kind: 'event', dateField: 'dateOrdered', codes: defaultCodes },
  vitalSigns: {
    kind: 'event',
    dateField: 'dateRecorded',
    systems: ['LOINC'],
    codes: (r) => single(SYSTEM_URLS.LOINC, ownField(r, 'loincNum')),
  },
  immunizations: {
    kind: 'event',
    dateField: 'dateOrdered',
    systems: ['CVX'],
    codes: (r) => codings(ownField(r, 'coding')),
  },
  instructions: {
    kind: 'event',
    dateField: 'noteTimestamp',
    systems: [...ICD10, 'SNOMEDCT', 'CPT', 'HCPCS'],
    codes: defaultCodes,
  },
  interviews: {
    kind: 'event',
    dateField: 'noteTimestamp',
    systems: ['LOINC', 'SNOMEDCT', 'RXNORM', 'CANVAS', 'INTERNAL'],
    codes: (r) => [
      ...codeSystemEntries(ownField(r, 'results')).filter((c) => c.code !== '' && c.system !== ''),
      ...codeSystemEntries(ownField(r, 'questionnaires')),
      ...codeSystemEntries(ownField(r, 'questions')),
      ...codeSystemEntries(ownField(r, 'responses')),
    ],
  },
  referralReports: {
    kind: 'event',
    dateField: 'originalDate',
    systems: CODED_REPORT,
    codes: (r) => codings(ownField(r, 'codings')),
  },
  imagingReports: {
    kind: 'event',
    dateField: 'originalDate',
    systems: CODED_REPORT,
    codes: (r) => codings(ownField(r, 'codings')),
  },
  referrals: { kind: 'event', dateField: 'timestamp', systems: CODED_REPORT, codes: defaultCodes },
  inpatientStay: {
    kind: 'event',
    dateField: 'noteTimestamp',
    systems: CODED_REPORT,
    codes: defaultCodes,
  },
  reasonForVisits: {
    kind: 'event',
    dateField: 'datetimeOfService',
    systems: CODED_REPORT,
    codes: defaultCodes,
  },
  billingLineItems: {
    kind: 'event',
    dateField: 'datetimeOfService',
    systems: ['CPT', 'HCPCS', 'SNOMEDCT'],
    codes: (r) => single(SYSTEM_URLS.CPT, ownField(r, 'cpt')),
  },
  procedures: {
    kind: 'event',
    dateField: 'datetimeOfService',
    systems: ['CPT', 'SNOMEDCT'],
    codes: (r) => codings(ownField(r, 'coding')),
  },
  allergyIntolerances: {
    kind: 'event',
    dateField: 'onsetDate',
    systems: ['FDB'],
    codes: defaultCodes,
  },
  administrativeDocuments: {
    kind: 'event',
    dateField: 'originalDate',
    systems: ['CANVAS', 'INTERNAL'],
    codes: defaultCodes,
  },
  externalEvents: { kind: 'event', dateField: 'eventDatetime', codes: defaultCodes },
  protocolOverrides: {
    kind: 'plain',
    systems: ['SNOMEDCT'],
    codes: (r) => {
      const snooze = ownField(r, 'snooze');
      return single(
        String(ownField(snooze, 'reasonCodeSystem') ?? ''),
        ownField(snooze, 'reasonCode') || undefined,
      );
    },
  },
  consents: { kind: 'plain', systems: ['CANVAS', 'INTERNAL'], codes: defaultCodes },
  upcomingAppointments: {
    kind: 'plain',
    dateField: 'startTime',
    systems: ['CANVAS', 'INTERNAL'],
    codes: defaultCodes,
  },
  appointments: {
    kind: 'plain',
    dateField: 'startTime',
    systems: ['CANVAS', 'INTERNAL'],
    codes: defaultCodes,
  },
  upcomingAppointmentNotes: { kind: 'plain', systems: ['CANVAS', 'INTERNAL'], codes: defaultCodes },
  messages: { kind: 'plain', systems: ['CANVAS', 'INTERNAL'], codes: defaultCodes },
  tasks: { kind: 'plain', systems: ['CANVAS', 'INTERNAL'], codes: defaultCodes },
};

/** Built once per known collection; unknown names (data) are never cached. */
const cache = new Map<string, CollectionSpec>();

/** The spec of a collection by property name; a collection we do not know is `plain`. */
export function collectionSpec(name: string): CollectionSpec {
  const cached = cache.get(name);
  if (cached) return cached;
  const known = Object.hasOwn(SPECS, name) ? SPECS[name] : undefined;
  if (!known) return { name, kind: 'plain', codes: defaultCodes };
  const spec: CollectionSpec = Object.freeze({ name, ...known });
  cache.set(name, spec);
  return spec;
}

/** The collections with kit recordset behaviour, by property name. */
export const KNOWN_COLLECTIONS: readonly string[] = Object.keys(SPECS);
