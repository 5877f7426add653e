import fc from 'fast-check';
import {
  CreateTaskUpdateSchema,
  GroupMembershipUpdateSchema,
  MAX_GROUP_ENTRIES,
  MAX_KEY_LENGTH,
  MAX_TASK_LABELS,
  MAX_TEXT_LENGTH,
} from '../../../schemas';
import { isKitDateTime, kitDateTimeUtc } from '../../../schemas/kit-datetime';
import { acceptsCreateTask, acceptsGroupMembership } from '../../../schemas/update-fast-checks';

/**
 * The helpers' written-out schema checks (schemas/update-fast-checks.ts) must answer exactly as
 * the zod schemas do: same accept or refuse, on valid messages and on hostile ones (every field
 * replaced, removed, added, wrong types, edge lengths, inherited keys, holes). A schema change
 * that the fast check does not follow fails here.
 */

const validTask = () => ({
  integration_type: 'Task',
  integration_source: 'SDK',
  handling_options: { respond_async: true },
  patient_identifier: { identifier_type: 'key', identifier: { key: 'p1' } },
  integration_payload: {
    creator: { identifier_type: 'key', identifier: { key: 's1' } },
    status: 'OPEN',
    title: 'Appointment reminder for 2035-01-10',
    team_identifier: 'team-1',
    created: '2026-12-01T08:20:11.123456+00:00',
    due: '2035-01-07T09:30:00',
    tag: 'tag',
    labels: ['Urgent'],
    assignee: { identifier_type: 'key', identifier: { key: 's1' } },
    dedupe_key: 'appointment-reminder:a1',
  },
});

const validGroup = () => ({
  integration_type: 'Group',
  integration_source: 'SDK',
  handling_options: { respond_async: true },
  integration_payload: {
    externally_exposable_id: 'g1',
    group_type: 'patientgroup',
    members: { mode: 'appendOrRemove', entries: [{ uuid: 'p1' }, { uuid: 'p2', inactive: true }] },
  },
});

const inherited = Object.create({ inheritedKey: 'x' }) as object;
const withProtoKey = JSON.parse('{"__proto__": 1}') as object;

/** Values a hostile producer might put anywhere. */
const hostile = fc.constantFrom<unknown>(
  undefined,
  null,
  '',
  ' ',
  '\u00a0\t',
  'x',
  'x'.repeat(200),
  'x'.repeat(201),
  'x'.repeat(MAX_KEY_LENGTH),
  'x'.repeat(MAX_KEY_LENGTH + 1),
  'x'.repeat(MAX_TEXT_LENGTH),
  'x'.repeat(MAX_TEXT_LENGTH + 1),
  0,
  1,
  Number.NaN,
  true,
  false,
  {},
  [],
  ['Urgent'],
  [''],
  [' '],
  ['Urgent', 1],
  ['x'.repeat(200)],
  ['x'.repeat(201)],
  [' x '],
  Array.from({ length: MAX_TASK_LABELS }, (_, i) => `l${i}`),
  Array.from({ length: MAX_TASK_LABELS + 1 }, (_, i) => `l${i}`),
  // A hole before 'a'.
  Object.assign(new Array(2), { 1: 'a' }),
  'OPEN',
  'COMPLETED',
  'CLOSED',
  'open',
  'Task',
  'Group',
  'SDK',
  'key',
  'patientgroup',
  'person',
  'staffgroup',
  'appendOrRemove',
  '2024-02-06T09:30:00',
  '2024-02-06T09:30:00-05:00',
  '2024-02-06T09:30:00.000Z',
  '2024-02-30T09:30:00',
  '2024-02-06T24:00:00',
  '2024-02-06T09:30:00+24:00',
  '0000-01-01T00:00:00',
  'three days before',
  { identifier_type: 'key', identifier: { key: 's2' } },
  { identifier_type: 'key', identifier: { key: ' ' } },
  { identifier_type: 'id', identifier: { key: 's2' } },
  { identifier_type: 'key', identifier: { key: 's2', extra: 1 } },
  { respond_async: false },
  { respond_async: 'true' },
  { uuid: 'p3' },
  { uuid: 'p3', inactive: 'yes' },
  Array.from({ length: MAX_GROUP_ENTRIES }, (_, i) => ({ uuid: `p${i}` })),
  Array.from({ length: MAX_GROUP_ENTRIES + 1 }, (_, i) => ({ uuid: `p${i}` })),
  inherited,
  withProtoKey,
  new String('x'),
  new Date(0),
);

const KEYS = [
  'integration_type',
  'integration_source',
  'handling_options',
  'patient_identifier',
  'integration_payload',
  'creator',
  'status',
  'title',
  'team_identifier',
  'created',
  'due',
  'tag',
  'labels',
  'assignee',
  'dedupe_key',
  'identifier_type',
  'identifier',
  'key',
  'respond_async',
  'externally_exposable_id',
  'group_type',
  'members',
  'mode',
  'entries',
  'uuid',
  'inactive',
  'extra',
  '0',
  'constructor',
];

/** A key name, or (a number) one of the target's own keys, so most edits hit a real field. */
type EditKey = string | number;
type Edit =
  | { kind: 'set'; at: number; key: EditKey; value: unknown }
  | { kind: 'delete'; at: number; key: EditKey }
  | { kind: 'inherit'; at: number; key: EditKey; value: unknown };

const editKey: fc.Arbitrary<EditKey> = fc.oneof(
  fc.noBias(fc.nat()),
  fc.noBias(fc.nat()),
  fc.constantFrom(...KEYS),
);

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({
    kind: fc.constant('set' as const),
    at: fc.noBias(fc.nat()),
    key: editKey,
    value: hostile,
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.noBias(fc.nat()), key: editKey }),
  fc.record({
    kind: fc.constant('inherit' as const),
    at: fc.noBias(fc.nat()),
    key: editKey,
    value: hostile,
  }),
);

/** Every object and array inside `root`, root first. */
function containers(root: object): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  const walk = (value: unknown) => {
    if (typeof value !== 'object' || value === null || found.includes(value as never)) return;
    if (value === inherited || value === withProtoKey || value instanceof String) return;
    found.push(value as Record<string, unknown>);
    for (const child of Object.values(value)) walk(child);
  };
  walk(root);
  return found;
}

/** Applies the edits to a fresh valid message (each edit lands in some container of it). */
function edited(make: () => object, edits: readonly Edit[]): unknown {
  let root: unknown = make();
  for (const change of edits) {
    const all = containers(root as object);
    const index = change.at % (all.length + 1);
    if (index === all.length) {
      // Replace the whole message.
      if (change.kind === 'set') root = change.value;
      continue;
    }
    const target = all[index] as Record<string, unknown>;
    const own = Object.keys(target);
    const key =
      typeof change.key === 'string'
        ? change.key
        : (own[change.key % (own.length || 1)] ?? 'extra');
    if (change.kind === 'set') target[key] = structuredCloneSafe(change.value);
    else if (change.kind === 'delete') delete target[key];
    else {
      // The same data, but the key comes from the prototype.
      const proto = { [key]: structuredCloneSafe(change.value) };
      const copy = Object.assign(Object.create(proto), target) as Record<string, unknown>;
      delete copy[key];
      const parent = containers(root as object).find((c) =>
        Object.values(c).includes(target as never),
      );
      if (!parent) root = copy;
      else for (const [k, v] of Object.entries(parent)) if (v === target) parent[k] = copy;
    }
  }
  return root;
}

/** Own copies of plain data, so edits never share objects; anything else as is. */
function structuredCloneSafe(value: unknown): unknown {
  if (Array.isArray(value)) {
    // Holes kept; an own `constructor` set by an edit is not copied (it would break Array methods).
    const copy: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i += 1)
      if (i in value) copy[i] = structuredCloneSafe(value[i]);
    return copy;
  }
  if (
    typeof value === 'object' &&
    value !== null &&
    Object.getPrototypeOf(value) === Object.prototype &&
    value !== withProtoKey
  )
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, structuredCloneSafe(v)]));
  return value;
}

describe('the helpers written-out schema checks', () => {
  it('accept the valid messages the schemas accept', () => {
    expect(acceptsCreateTask(validTask())).toBe(true);
    expect(CreateTaskUpdateSchema.safeParse(validTask()).success).toBe(true);
    expect(acceptsGroupMembership(validGroup())).toBe(true);
    const nullStatus = validTask();
    (nullStatus.integration_payload as { status: unknown }).status = null;
    expect(acceptsCreateTask(nullStatus)).toBe(true);
  });

  it.each([
    ['CreateTaskUpdateSchema', 'tasks', validTask, CreateTaskUpdateSchema, acceptsCreateTask],
    [
      'GroupMembershipUpdateSchema',
      'group updates',
      validGroup,
      GroupMembershipUpdateSchema,
      acceptsGroupMembership,
    ],
  ] as const)('answer as %s on hostile %s', (_schemaName, _what, valid, schema, accepts) => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(fc.array(edit, { minLength: 0, maxLength: 3 }), (edits) => {
        const message = edited(valid, edits);
        const expected = schema.safeParse(message).success;
        if (expected) accepted += 1;
        else refused += 1;
        expect(accepts(message)).toBe(expected);
      }),
      { numRuns: 5_000, seed: 13 },
    );
    // Both answers were exercised, many times.
    expect(accepted).toBeGreaterThan(1_000);
    expect(refused).toBeGreaterThan(1_000);
  });

  it('answer as CreateTaskUpdateSchema on tasks whose every field is drawn at random', () => {
    const strings = fc.constantFrom(
      '',
      ' ',
      'x',
      ' x ',
      'x'.repeat(200),
      'x'.repeat(201),
      'x'.repeat(MAX_KEY_LENGTH),
      'x'.repeat(MAX_KEY_LENGTH + 1),
      'x'.repeat(MAX_TEXT_LENGTH),
      'x'.repeat(MAX_TEXT_LENGTH + 1),
      '2024-02-06T09:30:00',
      '2024-02-29T23:59:59.999999-05:00',
      '2023-02-29T09:30:00',
      '2024-02-06T09:30:00.1234567',
    );
    // Mostly valid values, so that one boundary or hostile value decides the answer.
    const mostly = (valid: fc.Arbitrary<unknown>) =>
      fc.oneof(
        { arbitrary: valid, weight: 12 },
        { arbitrary: strings, weight: 1 },
        { arbitrary: hostile, weight: 1 },
      );
    const key = fc.constantFrom('k', 'x'.repeat(MAX_KEY_LENGTH), ' k ');
    const text = fc.constantFrom('t', 'x'.repeat(MAX_TEXT_LENGTH), ' ');
    const datetime = fc.constantFrom('2024-02-06T09:30:00', '2024-02-29T23:59:59.999999-05:00');
    const label = fc.constantFrom('Urgent', 'x'.repeat(200), ' u ');
    const identifier = mostly(
      fc.record({
        identifier_type: fc.constant('key'),
        identifier: fc.record({ key: mostly(key) }),
      }),
    );
    const payload = fc.record(
      {
        creator: identifier,
        status: mostly(fc.constantFrom('OPEN', 'COMPLETED', 'CLOSED', null)),
        title: mostly(text),
        team_identifier: mostly(key),
        created: mostly(datetime),
        due: mostly(datetime),
        tag: mostly(text),
        labels: mostly(fc.array(mostly(label), { minLength: 1, maxLength: 3 })),
        assignee: identifier,
        dedupe_key: mostly(key),
      },
      { requiredKeys: [] },
    );
    let accepted = 0;
    fc.assert(
      fc.property(payload, (integration_payload) => {
        const message = { ...validTask(), integration_payload };
        const expected = CreateTaskUpdateSchema.safeParse(message).success;
        if (expected) accepted += 1;
        expect(acceptsCreateTask(message)).toBe(expected);
      }),
      { numRuns: 10_000, seed: 13 },
    );
    expect(accepted).toBeGreaterThan(500);
  });

  it('read datetimes as kitDateTimeUtc does (isKitDateTime)', () => {
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
    const datetime = fc
      .tuple(
        fc.oneof(
          fc.integer({ min: 0, max: 10 }),
          fc.integer({ min: 9990, max: 9999 }),
          fc.nat(9999),
        ),
        two(13),
        two(32),
        fc.constantFrom('T', ' '),
        two(25),
        two(61),
        two(61),
        fc.constantFrom('', '.1', '.123456', '.1234567'),
        fc.oneof(
          fc.constantFrom('', 'Z', 'z', '+0530'),
          fc
            .tuple(fc.constantFrom('+', '-'), two(25), two(61))
            .map((p) => `${p[0]}${p[1]}:${p[2]}`),
        ),
      )
      .map(
        ([y, mo, d, t, h, mi, s, f, o]) =>
          `${String(y).padStart(4, '0')}-${mo}-${d}${t}${h}:${mi}:${s}${f}${o}`,
      );
    fc.assert(
      fc.property(fc.oneof(datetime, fc.string()), (text) => {
        expect(isKitDateTime(text)).toBe(kitDateTimeUtc(text) !== undefined);
      }),
      { numRuns: 20_000, seed: 13 },
    );
    expect(isKitDateTime('0001-01-01T00:30:00+01:00')).toBe(false);
    expect(isKitDateTime('9999-12-31T23:30:00-01:00')).toBe(false);
    expect(isKitDateTime(42)).toBe(false);
  });

  it('refuse each type as the other', () => {
    expect(acceptsCreateTask(validGroup())).toBe(false);
    expect(acceptsGroupMembership(validTask())).toBe(false);
  });
});
