import type { FixtureErrorCode } from '../../lib/fixtures';
import { ODD } from './hostile-bodies';

/**
 * Generated hostile patient records for the hostile-patient-records suite, in Canvas's dump
 * shape: a fixture folder (file name -> file text) and the same patient as a patients-table
 * document. Each comes with what must happen to it: computed, or refused at a known file and
 * field (by the fixture loader) and with a known logged problem (by the compute handlers).
 *
 * Every generated value that could be patient data carries the record's canary, so a message or
 * log line that quotes a value is caught.
 */

export type LoaderExpectation =
  | { outcome: 'computed'; check?: (patient: Record<string, unknown>) => void }
  | { outcome: 'refused'; code: FixtureErrorCode; file: string; field?: string };

export type HandlerExpectation =
  | { outcome: 'computed' }
  /** `problems` as logged: exactly this text, or (ending in `…`) starting with it. */
  | { outcome: 'refused'; problems: string };

export interface HostilePatient {
  kind: string;
  key: string;
  canary: string;
  /** The fixture folder: file name -> file text. */
  files: Record<string, string>;
  loader: LoaderExpectation;
  /**
   * The patients-table document (`data`), as JSON text (so `__proto__` keys stay own keys), and
   * what the compute handlers must do with it. Absent for what a table cannot hold (invalid JSON,
   * nesting deeper than DynamoDB's 32 levels).
   */
  table?: { document: string; expected: HandlerExpectation };
}

/** A small seeded generator (mulberry32): the same seed gives the same records. */
export function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    int: (max: number) => Math.floor(next() * max),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
  };
}
type Random = ReturnType<typeof random>;

/** Odd characters DynamoDB can store (its strings are UTF-8: no lone surrogates). */
const STORABLE_ODD = ODD.filter((c) => !/[\ud800-\udfff]/.test(c) || c.length > 1);

const HUGE = 250_000;
/** Names every object inherits, written as fields (a variable: TS would type the inherited ones). */
const CONSTRUCTOR: string = 'constructor';
const HAS_OWN_PROPERTY: string = 'hasOwnProperty';

type Json = unknown;
type Files = Record<string, Json>;

/** A valid patient in Canvas's dump shape, one collection per file. */
function basePatient(key: string, canary: string, index: number): Files {
  return {
    'patient.json': {
      id: index,
      key,
      created: '2022-02-16T23:17:36.917592Z',
      firstName: `First ${canary}`,
      lastName: `Last ${canary}`,
      birthDate: '1950-03-09',
      sexAtBirth: 'F',
      active: true,
      deceased: false,
      deceasedDatetime: null,
      contacts: [{ name: `Contact ${canary}`, relationship: 'Sister', id: 1 }],
      externalIdentifiers: [{ value: canary }],
      careTeamMemberships: [
        { staff: { key: 'staff-hostile' }, role: { code: 'PCP', display: canary }, lead: true },
      ],
    },
    'conditions.json': [
      {
        id: 1,
        created: '2022-02-16 23:17:37.082929+00:00',
        clinicalStatus: 'active',
        coding: [{ system: 'ICD-10', code: index % 2 ? 'E119' : 'I10', display: canary }],
        periods: [{ from: '2016-07-22', to: null }],
      },
    ],
    'upcoming_appointments.json': [
      {
        id: 9,
        startTime: '2099-02-21T20:30:00Z',
        status: 'unconfirmed',
        reasonForVisit: canary,
        state: { state: 'BKD' },
      },
    ],
    'upcoming_appointment_notes.json': [
      {
        id: 18,
        stateHistory: [{ state: 'SCH' }, { state: 'BKD' }],
        providerDisplay: { key: 'staff-hostile', firstName: canary },
        currentAppointmentId: 9,
      },
    ],
    'interviews.json': [
      {
        id: 2,
        name: canary,
        noteTimestamp: '2022-02-16 23:17:37.082929+00:00',
        questions: [{ id: 3, code: 'Q1', codeSystem: 'INTERNAL', questionResponseId: 5 }],
        responses: [
          { id: 4, code: 'R1', codeSystem: 'INTERNAL', questionResponseId: 5, value: canary },
        ],
      },
    ],
  };
}

/** The file's collection as the patient document names it. */
function collectionOf(file: string): string {
  return file
    .replace(/\.json$/, '')
    .replace(/[_-]+([a-zA-Z0-9])/g, (_, next: string) => next.toUpperCase());
}

/** `[0].coding` in conditions.json -> `conditions[0].coding`; `key` in patient.json -> `patient.key`. */
function documentField(file: string, field: string): string {
  const collection = collectionOf(file);
  if (field === '(top level)') return collection;
  return field.startsWith('[') ? `${collection}${field}` : `${collection}.${field}`;
}

function nested(depth: number, leaf: Json): Json {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** JSON text with `"__proto__": {...}` put into the object at `path` (an own key, as JSON.parse keeps it). */
function withProtoKey(content: Json, path: (string | number)[], canary: string): string {
  const marker = `"__marker_${canary}__":0`;
  const copy = structuredClone(content) as Record<string, unknown>;
  let target: Record<string | number, unknown> = copy;
  for (const part of path) target = target[part] as Record<string | number, unknown>;
  target[`__marker_${canary}__`] = 0;
  return JSON.stringify(copy).replace(
    marker,
    `"__proto__":{"polluted":"yes ${canary}","toString":"${canary}"}`,
  );
}

interface Mutation {
  kind: string;
  /** Changes the files in place; returns the files' JSON text overrides (for `__proto__`). */
  apply(files: Files, r: Random, canary: string): Record<string, string> | undefined;
  loader: LoaderExpectation;
  /** What the handlers must do with the document; `null`: a table cannot hold it. */
  handler: HandlerExpectation | null;
}

const list = (files: Files, file: string) => files[file] as Record<string, unknown>[];
const first = (files: Files, file: string) => list(files, file)[0] as Record<string, unknown>;
const patientFile = (files: Files) => files['patient.json'] as Record<string, unknown>;

function refusedAt(
  file: string,
  field: string,
  logged: string,
  apply: Mutation['apply'],
  kind: string,
): Mutation {
  return {
    kind,
    apply,
    loader: { outcome: 'refused', code: 'invalid', file, field },
    handler: { outcome: 'refused', problems: `${documentField(file, field)}: ${logged}` },
  };
}

/** The mutations, one per generated record in turn. */
function mutations(r: Random): Mutation[] {
  const oddText = (canary: string) =>
    `${Array.from({ length: 1 + r.int(4) }, () => r.pick(STORABLE_ODD)).join('')}${canary}`;
  const depthComputed = 5 + r.int(18); // 5..22 arrays: within the limit
  const depthRefused = 23 + r.int(6); // 23..28: refused, still storable in DynamoDB
  const depthHuge = r.pick([100, 2_000, 20_000]); // refused; DynamoDB cannot hold it
  return [
    {
      kind: 'unknown fields at every level (kept)',
      apply: (files, _r, canary) => {
        patientFile(files)[`extra ${oddText(canary)}`] = { nested: [canary, { deep: canary }] };
        first(files, 'conditions.json')[`newField${oddText(canary)}`] = canary;
        (first(files, 'conditions.json').coding as Record<string, unknown>[])[0] = {
          system: 'ICD-10',
          code: 'E119',
          userSelected: true,
          [`odd ${oddText(canary)}`]: [canary],
        };
        files['care_gaps.json'] = [{ id: 1, [`note ${canary}`]: oddText(canary) }];
        files['suspect_hccs.json'] = {};
        return undefined;
      },
      loader: {
        outcome: 'computed',
        check: (patient) => {
          const record = patient.patient as Record<string, unknown>;
          if (!Object.keys(record).some((k) => k.startsWith('extra ')))
            throw new Error('unknown patient field lost');
          if (!Array.isArray(patient.careGaps) || patient.careGaps.length !== 1)
            throw new Error('untyped collection lost');
        },
      },
      handler: { outcome: 'computed' },
    },
    {
      kind: 'constructor and prototype keys (kept as fields)',
      apply: (files, _r, canary) => {
        first(files, 'conditions.json')[CONSTRUCTOR] = { prototype: { polluted: `yes ${canary}` } };
        first(files, 'upcoming_appointments.json').prototype = { polluted: canary };
        patientFile(files)[HAS_OWN_PROPERTY] = canary;
        return undefined;
      },
      loader: {
        outcome: 'computed',
        check: (patient) => {
          const [condition] = patient.conditions as Record<string, unknown>[];
          if (!Object.hasOwn(condition ?? {}, 'constructor'))
            throw new Error('constructor field lost');
        },
      },
      handler: { outcome: 'computed' },
    },
    {
      kind: '__proto__ key in a record',
      apply: (files, r, canary) => {
        const file = r.pick(['conditions.json', 'upcoming_appointment_notes.json']);
        return { [file]: withProtoKey(files[file], [0], canary) };
      },
      // The field depends on the file picked: checked by its ending.
      loader: { outcome: 'refused', code: 'invalid', file: '*', field: '[0].__proto__' },
      handler: { outcome: 'refused', problems: '*[0]: field name not allowed (path withheld)' },
    },
    {
      kind: '__proto__ key deep in patient.json',
      apply: (files, _r, canary) => {
        patientFile(files).extraInfo = { inner: { id: 1 } };
        return {
          'patient.json': withProtoKey(files['patient.json'], ['extraInfo', 'inner'], canary),
        };
      },
      loader: {
        outcome: 'refused',
        code: 'invalid',
        file: 'patient.json',
        field: 'extraInfo.inner.__proto__',
      },
      handler: { outcome: 'refused', problems: 'patient: field name not allowed (path withheld)' },
    },
    {
      kind: `nesting within the limit (${depthComputed} levels)`,
      apply: (files, _r, canary) => {
        first(files, 'conditions.json').extra = nested(depthComputed, canary);
        return undefined;
      },
      loader: { outcome: 'computed' },
      handler: { outcome: 'computed' },
    },
    {
      kind: `nesting too deep (${depthRefused} levels)`,
      apply: (files, _r, canary) => {
        first(files, 'conditions.json').extra = nested(depthRefused, canary);
        return undefined;
      },
      loader: {
        outcome: 'refused',
        code: 'invalid',
        file: 'conditions.json',
        field: `[0].extra${'[0]'.repeat(22)}`,
      },
      handler: {
        outcome: 'refused',
        problems: 'conditions[0]: nested deeper than 24 levels (path withheld)',
      },
    },
    {
      kind: `nesting far too deep (${depthHuge} levels)`,
      apply: (files, _r, canary) => {
        // As text: JSON.stringify itself recurses too deep for this.
        patientFile(files).extra = 'DEEP';
        const deep = `${'['.repeat(depthHuge)}${JSON.stringify(canary)}${']'.repeat(depthHuge)}`;
        return { 'patient.json': JSON.stringify(files['patient.json']).replace('"DEEP"', deep) };
      },
      loader: {
        outcome: 'refused',
        code: 'invalid',
        file: 'patient.json',
        field: `extra${'[0]'.repeat(23)}`,
      },
      handler: null,
    },
    {
      kind: 'huge strings in free text and unknown fields',
      apply: (files, r, canary) => {
        const huge = canary.repeat(Math.ceil(HUGE / canary.length)).slice(0, HUGE);
        const where = r.int(3);
        if (where === 0) first(files, 'upcoming_appointments.json').reasonForVisit = huge;
        else if (where === 1) patientFile(files).note = huge;
        else
          first(files, 'interviews.json').responses = [{ code: 'R', codeSystem: 'I', value: huge }];
        return undefined;
      },
      loader: { outcome: 'computed' },
      handler: { outcome: 'computed' },
    },
    {
      kind: 'null wherever Canvas may send one',
      apply: (files) => {
        Object.assign(patientFile(files), {
          firstName: null,
          lastName: null,
          birthDate: null,
          sexAtBirth: null,
          created: null,
          contacts: null,
          careTeamMemberships: null,
          externalIdentifiers: null,
        });
        Object.assign(first(files, 'conditions.json'), {
          created: null,
          periods: [{ from: null, to: null }],
          lastTimestamps: null,
        });
        Object.assign(first(files, 'upcoming_appointments.json'), { status: null, state: null });
        Object.assign(first(files, 'upcoming_appointment_notes.json'), {
          providerDisplay: null,
          stateHistory: null,
        });
        return undefined;
      },
      loader: { outcome: 'computed' },
      handler: { outcome: 'computed' },
    },
    {
      kind: '{} for empty collections, and timestamps in every form',
      apply: (files, r) => {
        files['conditions.json'] = {};
        files['interviews.json'] = {};
        first(files, 'upcoming_appointments.json').startTime = r.pick([
          '2099-02-21T20:30:00Z',
          '2099-02-21 20:30:00.123456+00:00',
          '2099-02-21T20:30:00.1-05:00',
          '2099-02-21T20:30',
          '2099-02-21T20:30Z',
          '2099-02-21 20:30+05:30',
          '2099-02-21T20:30:00',
        ]);
        return undefined;
      },
      loader: { outcome: 'computed' },
      handler: { outcome: 'computed' },
    },
    refusedAt(
      'patient.json',
      'key',
      'must be a string',
      (files) => {
        patientFile(files).key = r.pick([12345, null, true]);
        return undefined;
      },
      'patient key of the wrong type',
    ),
    refusedAt(
      'patient.json',
      'birthDate',
      'must be a real date formatted YYYY-MM-DD',
      (files, r, canary) => {
        patientFile(files).birthDate = r.pick([canary, '1970-02-30', '1970-13-01', '19700101']);
        return undefined;
      },
      'birth date not a date',
    ),
    refusedAt(
      'patient.json',
      'careTeamMemberships[0].staff.key',
      'must be a string',
      (files, _r, canary) => {
        patientFile(files).careTeamMemberships = [{ staff: { key: [canary] }, lead: true }];
        return undefined;
      },
      'care team staff key of the wrong type',
    ),
    refusedAt(
      'conditions.json',
      '[0].coding',
      'must be a list',
      (files, _r, canary) => {
        first(files, 'conditions.json').coding = canary;
        return undefined;
      },
      'coding not a list',
    ),
    refusedAt(
      'conditions.json',
      '[0].clinicalStatus',
      'must be a string',
      (files, _r, canary) => {
        first(files, 'conditions.json').clinicalStatus = { [canary]: canary };
        return undefined;
      },
      'clinical status of the wrong type',
    ),
    refusedAt(
      'conditions.json',
      '[0].created',
      'must be a timestamp YYYY-MM-DD[T| ]hh:mm[:ss[.ffffff]][Z|±hh:mm]',
      (files, r, canary) => {
        first(files, 'conditions.json').created = r.pick([
          '2022-13-16T23:17:37Z',
          '2022-02-30T23:17:37Z',
          '2022-02-16T25:17:37Z',
          '2022-02-16T23:17:37+0000',
          canary,
        ]);
        return undefined;
      },
      'timestamp not a timestamp',
    ),
    refusedAt(
      'upcoming_appointments.json',
      '[0].startTime',
      'must be a timestamp YYYY-MM-DD[T| ]hh:mm[:ss[.ffffff]][Z|±hh:mm]',
      (files, _r, canary) => {
        first(files, 'upcoming_appointments.json').startTime = `2099-01-01 ${canary}`;
        return undefined;
      },
      'appointment start not a timestamp',
    ),
    refusedAt(
      'upcoming_appointment_notes.json',
      '[0].stateHistory',
      'must be a list',
      (files) => {
        first(files, 'upcoming_appointment_notes.json').stateHistory = 5;
        return undefined;
      },
      'state history not a list',
    ),
    refusedAt(
      'interviews.json',
      '[0].responses[0].value',
      'must be a string, a number or a boolean',
      (files, _r, canary) => {
        first(files, 'interviews.json').responses = [
          { code: 'R', codeSystem: 'I', value: { [canary]: canary } },
        ];
        return undefined;
      },
      'interview response value of the wrong type',
    ),
    refusedAt(
      'conditions.json',
      '(top level)',
      'must be a list',
      (files, r, canary) => {
        files['conditions.json'] = r.pick([42, canary, { [canary]: 1 }, true]);
        return undefined;
      },
      'collection not a list',
    ),
    {
      kind: 'a collection we do not type, holding a non-record',
      apply: (files, _r, canary) => {
        files['care_gaps.json'] = [canary];
        return undefined;
      },
      loader: { outcome: 'refused', code: 'invalid', file: 'care_gaps.json', field: '[0]' },
      handler: {
        outcome: 'refused',
        problems: '(message): a collection we do not type: must be an object (name withheld)',
      },
    },
    {
      kind: 'patient.json not an object',
      apply: (files, r, canary) => {
        files['patient.json'] = r.pick([[canary], canary, 7]);
        return undefined;
      },
      loader: { outcome: 'refused', code: 'invalid', file: 'patient.json', field: '(top level)' },
      handler: { outcome: 'refused', problems: 'patient: must be an object' },
    },
    {
      kind: 'a file that cannot name a collection',
      apply: (files) => {
        files[r.pick(['constructor.json', 'to_string.json', 'value_of.json'])] = [];
        return undefined;
      },
      loader: { outcome: 'refused', code: 'unknown-collection', file: '*' },
      handler: {
        outcome: 'refused',
        problems: '(message): a collection we do not type: not a collection name (name withheld)',
      },
    },
    {
      kind: 'invalid JSON',
      apply: (files, _r, canary) => ({
        'conditions.json': `${JSON.stringify(files['conditions.json']).slice(0, 20)}"${canary}`,
      }),
      loader: { outcome: 'refused', code: 'invalid-json', file: 'conditions.json' },
      handler: null,
    },
  ];
}

export const HOSTILE_PATIENT_KINDS = mutations(random(1)).length;

/** `count` hostile patients (every kind in turn), deterministic for a seed. */
export function generateHostilePatients(count: number, seed: number): HostilePatient[] {
  const r = random(seed);
  const out: HostilePatient[] = [];
  for (let i = 0; i < count; i++) {
    const all = mutations(r);
    const mutation = all[i % all.length] as Mutation;
    const key = `p-hostile-record-${String(i).padStart(5, '0')}`;
    const canary = `Secretvalue${i}x`;
    const files = basePatient(key, canary, i);
    const overrides = mutation.apply(files, r, canary) ?? {};
    const texts: Record<string, string> = {};
    for (const [file, content] of Object.entries(files))
      texts[file] = overrides[file] ?? JSON.stringify(content);
    // Kinds that pick their file: the file whose text was overridden, or the added name.
    const picked =
      Object.keys(overrides)[0] ??
      Object.keys(files).find((f) =>
        ['constructor.json', 'to_string.json', 'value_of.json'].includes(f),
      );
    const loader: LoaderExpectation =
      mutation.loader.outcome === 'refused' && mutation.loader.file === '*'
        ? { ...mutation.loader, file: picked ?? '?' }
        : mutation.loader;
    let handler = mutation.handler;
    if (handler?.outcome === 'refused' && handler.problems.startsWith('*'))
      handler = {
        ...handler,
        problems: `${collectionOf(picked ?? '?')}${handler.problems.slice(1)}`,
      };
    const record: HostilePatient = { kind: mutation.kind, key, canary, files: texts, loader };
    if (handler) {
      // The document as JSON text built from the file texts, so own `__proto__` keys survive.
      const parts = Object.entries(texts).map(
        ([file, text]) => `${JSON.stringify(collectionOf(file))}:${text}`,
      );
      record.table = { document: `{${parts.join(',')}}`, expected: handler };
    }
    out.push(record);
  }
  return out;
}
