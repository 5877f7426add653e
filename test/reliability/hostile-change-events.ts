import { CHANGE_TYPES } from '../../schemas';

/**
 * Generated changes-queue bodies for the hostile change events suite, valid ones among them. Each
 * has the outcome its kind determines: computed, or rejected with a reason code (and so, after
 * the redeliveries, in the changes DLQ). Deterministic for a seed.
 */
export interface HostileChangeEvent {
  kind: string;
  /** The raw SQS body (JSON text, not always valid JSON). */
  body: string;
  expected: 'computed' | 'invalid-change-event' | 'unknown-change-type' | 'unknown-patient';
}

/** Unknown keys and unknown model names start with these: the logs must never show them. */
export const CANARY_KEY = 'CanaryKeyJaneDoe';
export const CANARY_MODEL = 'canarymodeljanedoe';

/** Seeded patients the valid events concern. */
export const HOSTILE_CHANGE_PATIENTS = ['p-hc-0', 'p-hc-1', 'p-hc-2'];

/** The documented change event (Canvas's "Field Changes"), as a base. */
const KIT = {
  model_name: 'appointment',
  created: true,
  deleted: false,
  fields: {
    id: [null, 14],
    externally_exposable_id: [null, '00ccf34f-b501-4a36-877b-6a64856c413a'],
    start_time: [null, '2022-09-09T23:00:00+00:00'],
  },
  canvas_id: 14,
  external_id: '00ccf34f-b501-4a36-877b-6a64856c413a',
  external_identifiers: null,
};

const MAPPED_MODELS = [
  ...CHANGE_TYPES,
  'notestatechangeevent',
  'patientaddress',
  'patientcontactpoint',
  'careteammembership',
  'billinglineitem',
  'labreport',
];

const PROTOTYPE_NAMES = ['constructor', '__proto__', 'prototype', 'toString', 'hasOwnProperty'];

/** mulberry32: small, seeded, good enough to spread the kinds. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** JSON text of `depth` nested lists around a value. */
function deep(depth: number, inner = '1'): string {
  return `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;
}

/** The JSON text of an object with raw members appended (so `__proto__` stays an own key). */
function withRawMembers(value: object, members: readonly string[]): string {
  const text = JSON.stringify(value);
  if (members.length === 0) return text;
  return `${text.slice(0, -1)}${text.length > 2 ? ',' : ''}${members.join(',')}}`;
}

export function generateHostileChangeEvents(count: number, seed: number): HostileChangeEvent[] {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const int = (max: number) => Math.floor(next() * max);
  const patient = () => pick(HOSTILE_CHANGE_PATIENTS);
  const maxDepth = count > 2_000 ? 100_000 : 20_000;

  type Maker = (i: number) => HostileChangeEvent;
  const makers: Maker[] = [
    // Valid: the kit object in the envelope, a mapped model.
    () => ({
      kind: 'kit-envelope',
      expected: 'computed',
      body: JSON.stringify({
        patient_key: patient(),
        field_changes: { ...KIT, model_name: pick(MAPPED_MODELS), created: next() < 0.5 },
      }),
    }),
    // Valid: the flat form.
    () => ({
      kind: 'kit-flat',
      expected: 'computed',
      body: JSON.stringify({ patient_key: patient(), ...KIT, model_name: pick(MAPPED_MODELS) }),
    }),
    // Valid: unknown keys, prototype names among them, written raw so `__proto__` is an own key.
    (i) => ({
      kind: 'unknown-keys',
      expected: 'computed',
      body: `{"patient_key":"${patient()}","field_changes":${withRawMembers(KIT, [
        `"${CANARY_KEY}-${i}": {"polluted": true}`,
        `"${pick(PROTOTYPE_NAMES)}": {"polluted": true, "prototype": {"polluted": true}}`,
        '"__proto__": {"polluted": true}',
      ])}}`,
    }),
    // Valid: prototype names as field names of `fields`.
    () => ({
      kind: 'prototype-fields',
      expected: 'computed',
      body: `{"patient_key":"${patient()}","model_name":"appointment","created":false,"deleted":false,"fields":{"__proto__":[null,{"polluted":true}],"constructor":[{"prototype":{"polluted":true}},1],"toString":[1,2]},"canvas_id":1,"external_id":null}`,
    }),
    // Valid: deep nesting in an unknown key and in a pair's values.
    (i) => {
      const depth = 1 + int(maxDepth);
      return {
        kind: 'deep-unknown',
        expected: 'computed',
        body: `{"patient_key":"${patient()}","field_changes":{"model_name":"condition","created":false,"deleted":false,"fields":{"x":[${deep(50)},${deep(50)}]},"canvas_id":${i},"external_id":null,"${CANARY_KEY}-deep":${deep(depth)}}}`,
      };
    },
    // Valid: a huge string in an unknown key and in `fields`.
    () => ({
      kind: 'huge-unknown',
      expected: 'computed',
      body: JSON.stringify({
        patient_key: patient(),
        field_changes: {
          ...KIT,
          fields: { note: [null, 'x'.repeat(50_000 + int(50_000))] },
          [`${CANARY_KEY}-huge`]: 'y'.repeat(50_000 + int(50_000)),
        },
      }),
    }),
    // Valid: an unknown model with the change types named.
    () => ({
      kind: 'named-types',
      expected: 'computed',
      body: JSON.stringify({
        patient_key: patient(),
        change_types: [pick(CHANGE_TYPES), pick(CHANGE_TYPES)],
        field_changes: { ...KIT, model_name: `${CANARY_MODEL}x` },
      }),
    }),
    // Unknown models: nothing computed.
    (i) => ({
      kind: 'unknown-model',
      expected: 'unknown-change-type',
      body: JSON.stringify({
        patient_key: patient(),
        field_changes: {
          ...KIT,
          model_name: pick([
            `${CANARY_MODEL}${i}`,
            ...PROTOTYPE_NAMES,
            'Appointment',
            'appointments',
            'appointment ',
            '\u202eappointment',
            'x'.repeat(256),
          ]),
        },
      }),
    }),
    () => ({
      kind: 'unknown-model-flat',
      expected: 'unknown-change-type',
      body: JSON.stringify({ patient_key: patient(), ...KIT, model_name: pick(PROTOTYPE_NAMES) }),
    }),
    // Wrong types of known keys, deep nesting and huge strings where a value is expected.
    () => {
      const depth = 1 + int(maxDepth);
      const [key, value] = pick<[string, string]>([
        ['created', '"yes"'],
        ['deleted', '1'],
        ['fields', '[]'],
        ['fields', '{"a":[1]}'],
        ['fields', '{"__proto__":[1,2],"a":"x"}'],
        ['canvas_id', '-1'],
        ['canvas_id', '{}'],
        ['canvas_id', '1.5'],
        ['external_id', '[]'],
        ['external_identifiers', '"x"'],
        ['model_name', '7'],
        ['model_name', '""'],
        ['model_name', `"${'m'.repeat(100_000)}"`],
        ['model_name', '{"__proto__":{"polluted":true}}'],
        ['created', deep(depth)],
        ['fields', deep(depth)],
      ]);
      const members = Object.entries(KIT)
        .filter(([k]) => k !== key)
        .map(([k, v]) => `"${k}":${JSON.stringify(v)}`);
      return {
        kind: 'wrong-type',
        expected: 'invalid-change-event',
        body: `{"patient_key":"${patient()}","field_changes":{${[...members, `"${key}":${value}`].join(',')}}}`,
      };
    },
    // The envelope is strict and needs the patient; change_types must be kit change types.
    (i) => ({
      kind: 'bad-envelope',
      expected: 'invalid-change-event',
      body: pick([
        JSON.stringify({ field_changes: KIT }),
        JSON.stringify({ patient_key: '', field_changes: KIT }),
        JSON.stringify({ patient_key: { __proto__: null }, field_changes: KIT }),
        JSON.stringify({ patient_key: patient(), field_changes: KIT, change_type: 'appointment' }),
        JSON.stringify({ patient_key: patient(), field_changes: KIT, [`${CANARY_KEY}-${i}`]: 1 }),
        JSON.stringify({ patient_key: patient(), field_changes: KIT, change_types: [] }),
        JSON.stringify({
          patient_key: patient(),
          field_changes: KIT,
          change_types: ['appointments'],
        }),
        JSON.stringify({ patient_key: patient(), field_changes: KIT, change_types: 'appointment' }),
        JSON.stringify({ patient_key: patient(), field_changes: 'appointment' }),
        JSON.stringify({ patient_key: patient(), field_changes: [KIT] }),
        `{"patient_key":"${patient()}","field_changes":${JSON.stringify(KIT)},"__proto__":{"polluted":true}}`,
        `{"patient_key":"${patient()}","field_changes":${JSON.stringify(KIT)},"constructor":{"prototype":{"polluted":true}}}`,
      ]),
    }),
    // Not a change event at all.
    () => ({
      kind: 'not-an-event',
      expected: 'invalid-change-event',
      body: pick([
        '[]',
        'null',
        '42',
        '"appointment"',
        '{',
        `{"patient_key":"${patient()}","field_changes":{"model_name":"appoint`,
        deep(1 + int(maxDepth)),
        `{"__proto__":{"polluted":true}}`,
        JSON.stringify(KIT),
      ]),
    }),
    // A valid event for a patient nobody knows.
    (i) => ({
      kind: 'unknown-patient',
      expected: 'unknown-patient',
      body: JSON.stringify({ patient_key: `p-nobody-${i}`, field_changes: KIT }),
    }),
  ];

  return Array.from({ length: count }, (_, i) => {
    // Every kind at least once, then at random (valid ones more often).
    const maker =
      i < makers.length ? makers[i] : next() < 0.4 ? pick(makers.slice(0, 7)) : pick(makers);
    return (maker as Maker)(i);
  });
}
