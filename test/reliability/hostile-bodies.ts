import fc from 'fast-check';
import type { RejectionCode } from '../../lib/apply/outcomes';
import { createTaskPayload, ensurePatientInGroup } from '../../lib/update-helpers';
import type { UpdateType } from '../../schemas';

/**
 * Generated message bodies for the hostile-input suite: each is sent to one queue with a known
 * expectation, either applied (`valid`) or dead-lettered with a determined reason code.
 */
export interface HostileMessage {
  kind: string;
  queue: UpdateType;
  body: string;
  expected: 'valid' | RejectionCode;
  /** An invalid `computed-at` attribute (kinds `invalid-attributes`, `invalid-body-and-attributes`). */
  badComputedAt?: string;
  /** For valid messages: the effect to look for. */
  effect?:
    | { type: 'membership'; groupId: string; patientKey: string; active: boolean }
    | { type: 'task'; patientKey: string; title: string | undefined };
}

export const HOSTILE_GROUP = 'g-hostile';
export const HOSTILE_TASK_PATIENT = 'p-hostile-task';

/** Characters that break naive code: NUL, lone surrogates, bidi controls, BOM, emoji, ZWJ. */
export const ODD = [
  '\u0000',
  '\ud800',
  '\udfff',
  '\u202e',
  '\u200f',
  '\u2066',
  '\ufeff',
  '\uffff',
  '😀',
  '👩‍👩‍👧',
  'e\u0301',
  '\u0085',
  '\t\n',
  '"\\',
  '$x {{x}}',
  '%s%n',
] as const;

const oddText = fc
  .array(fc.oneof(fc.constantFrom(...ODD), fc.string({ maxLength: 6, unit: 'grapheme' })), {
    minLength: 1,
    maxLength: 8,
  })
  .map((parts) => `t${parts.join('')}`);

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'] as const;
const POLLUTION = [
  { polluted: 'yes' },
  { prototype: { polluted: 'yes' } },
  { __proto__: { polluted: 'yes' } },
  'polluted',
  null,
] as const;

type Path = readonly (string | number)[];

const GROUP_LEVELS: Path[] = [
  [],
  ['handling_options'],
  ['integration_payload'],
  ['integration_payload', 'members'],
  ['integration_payload', 'members', 'entries', 0],
];
const TASK_LEVELS: Path[] = [
  [],
  ['handling_options'],
  ['patient_identifier'],
  ['patient_identifier', 'identifier'],
  ['integration_payload'],
  ['integration_payload', 'creator'],
  ['integration_payload', 'creator', 'identifier'],
];

type JsonType = 'string' | 'boolean' | 'array' | 'object';
const GROUP_FIELDS: [Path, JsonType][] = [
  [['integration_source'], 'string'],
  [['handling_options'], 'object'],
  [['handling_options', 'respond_async'], 'boolean'],
  [['integration_payload'], 'object'],
  [['integration_payload', 'externally_exposable_id'], 'string'],
  [['integration_payload', 'group_type'], 'string'],
  [['integration_payload', 'members'], 'object'],
  [['integration_payload', 'members', 'mode'], 'string'],
  [['integration_payload', 'members', 'entries'], 'array'],
  [['integration_payload', 'members', 'entries', 0], 'object'],
  [['integration_payload', 'members', 'entries', 0, 'uuid'], 'string'],
];
const TASK_FIELDS: [Path, JsonType][] = [
  [['integration_source'], 'string'],
  [['handling_options', 'respond_async'], 'boolean'],
  [['patient_identifier'], 'object'],
  [['patient_identifier', 'identifier_type'], 'string'],
  [['patient_identifier', 'identifier', 'key'], 'string'],
  [['integration_payload'], 'object'],
  [['integration_payload', 'creator'], 'object'],
  [['integration_payload', 'status'], 'string'],
  [['integration_payload', 'title'], 'string'],
  [['integration_payload', 'due'], 'string'],
  [['integration_payload', 'labels'], 'array'],
];

const scalar = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
function wrongValue(type: JsonType): fc.Arbitrary<unknown> {
  switch (type) {
    case 'string':
      return fc.oneof(scalar, fc.constant([]), fc.constant({}), fc.constant(['x']));
    case 'boolean':
      return fc.oneof(
        fc.integer(),
        fc.constant(null),
        fc.constantFrom('true', 'false', ''),
        fc.constant([]),
      );
    case 'array':
      return fc.oneof(scalar, fc.string({ minLength: 1 }), fc.constant({ 0: 'x' }));
    case 'object':
      return fc.oneof(scalar, fc.string(), fc.constant([]), fc.constant([{}]));
  }
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function at(root: unknown, path: Path): Record<string | number, unknown> {
  let node = root as Record<string | number, unknown>;
  for (const part of path) node = node[part] as Record<string | number, unknown>;
  return node;
}

/** Sets an own property, even `__proto__` (plain assignment would set the prototype instead). */
function defineKey(target: object, key: string | number, value: unknown) {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function withValue(body: object, path: Path, value: unknown): object {
  const copy = clone(body);
  defineKey(at(copy, path.slice(0, -1)), path[path.length - 1] as string | number, value);
  return copy;
}

function withKey(body: object, level: Path, key: string, value: unknown): object {
  const copy = clone(body);
  defineKey(at(copy, level), key, value);
  return copy;
}

/** Cuts a JSON text at a code-point boundary (SQS refuses lone surrogates in a body). */
function truncate(text: string, fraction: number): string {
  const points = Array.from(text);
  const cut = Math.min(points.length - 1, Math.max(1, Math.floor(points.length * fraction)));
  return points.slice(0, cut).join('');
}

/** Replaces the JSON value `"__DEEP__"` with `depth` nested arrays or objects. */
function deepen(body: object, path: Path, depth: number, objects: boolean): string {
  const text = JSON.stringify(withValue(body, path, '__DEEP__'));
  const open = objects ? '{"a":'.repeat(depth) : '['.repeat(depth);
  const close = objects ? '}'.repeat(depth) : ']'.repeat(depth);
  return text.replace('"__DEEP__"', `${open}1${close}`);
}

const KNOWN_KEYS = new Set([
  'integration_type',
  'integration_source',
  'handling_options',
  'respond_async',
  'integration_payload',
  'externally_exposable_id',
  'group_type',
  'members',
  'mode',
  'entries',
  'uuid',
  'inactive',
  'patient_identifier',
  'identifier_type',
  'identifier',
  'key',
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
]);

const groupBase = (patientKey: string, groupId = HOSTILE_GROUP) =>
  ensurePatientInGroup(patientKey, groupId) as object;
const taskBase = (patientKey: string = HOSTILE_TASK_PATIENT) =>
  createTaskPayload({ patientKey, createdByKey: 'staff-1', title: 'Hostile' }) as object;
const base = (queue: UpdateType) => (queue === 'Group' ? groupBase('p-any') : taskBase());
const otherQueue = (queue: UpdateType): UpdateType => (queue === 'Group' ? 'Task' : 'Group');
const queueArb = fc.constantFrom<UpdateType>('Group', 'Task');

/** A 250 KB string: below SQS's 256 KiB limit with the envelope, far above any field's limit. */
export const HUGE = 250_000;

/**
 * One generated message; `index` makes valid group messages' patients fresh (each is seeded) so
 * every valid effect can be found on its own.
 */
export function hostileMessage(index: number): fc.Arbitrary<HostileMessage> {
  const validGroup = fc
    .record({
      active: fc.boolean(),
      odd: fc.option(oddText, { nil: undefined }),
      person: fc.boolean(),
    })
    .map(({ active, odd, person }): HostileMessage => {
      const patientKey = `p-hostile-${index}${odd ?? ''}`.slice(0, 200);
      const body = ensurePatientInGroup(patientKey, HOSTILE_GROUP) as {
        integration_payload: { group_type: string; members: { entries: { inactive?: boolean }[] } };
      };
      if (!active)
        (body.integration_payload.members.entries[0] as { inactive?: boolean }).inactive = true;
      if (person) body.integration_payload.group_type = 'person';
      return {
        kind: 'valid-group',
        queue: 'Group',
        body: JSON.stringify(body),
        expected: 'valid',
        effect: { type: 'membership', groupId: HOSTILE_GROUP, patientKey, active },
      };
    });
  const validTask = fc
    .record({
      title: fc.option(oddText, { nil: undefined }),
      labels: fc.option(fc.array(oddText, { minLength: 1, maxLength: 3 }), { nil: undefined }),
      tag: fc.option(oddText, { nil: undefined }),
    })
    .map(({ title, labels, tag }): HostileMessage => {
      const body = createTaskPayload({
        patientKey: HOSTILE_TASK_PATIENT,
        createdByKey: 'staff-1',
        ...(title === undefined ? {} : { title }),
        ...(labels === undefined ? {} : { labels }),
        ...(tag === undefined ? {} : { tag }),
      });
      return {
        kind: 'valid-task',
        queue: 'Task',
        body: JSON.stringify(body),
        expected: 'valid',
        effect: { type: 'task', patientKey: HOSTILE_TASK_PATIENT, title },
      };
    });
  const truncated = fc
    .record({ queue: queueArb, fraction: fc.double({ min: 0, max: 1, noNaN: true }) })
    .map(
      ({ queue, fraction }): HostileMessage => ({
        kind: 'truncated',
        queue,
        body: truncate(JSON.stringify(base(queue)), fraction),
        expected: 'invalid-json',
      }),
    );
  const garbage = fc
    .record({
      queue: queueArb,
      text: fc.oneof(
        fc.string({ minLength: 1, unit: 'grapheme' }),
        fc.constantFrom(
          ' ',
          '\n',
          '{',
          '}',
          "{'a': 1}",
          'undefined',
          'NaN',
          '{"a":1,}',
          '[1,]',
          '\ufeff{}',
        ),
      ),
    })
    .filter(({ text }) => {
      if (SQS_INVALID.test(text)) return false;
      try {
        JSON.parse(text);
        return false;
      } catch {
        return true;
      }
    })
    .map(
      ({ queue, text }): HostileMessage => ({
        kind: 'not-json',
        queue,
        body: text,
        expected: 'invalid-json',
      }),
    );
  const wrongType = queueArb.chain((queue) =>
    fc
      .constantFrom(...(queue === 'Group' ? GROUP_FIELDS : TASK_FIELDS))
      .chain(([path, type]) => wrongValue(type).map((value) => ({ path, value })))
      // A Task's `"status": null` is the kit's status=None, applied as OPEN: not a wrong type.
      .filter(({ path, value }) => !(value === null && path.at(-1) === 'status'))
      .map(
        ({ path, value }): HostileMessage => ({
          kind: 'wrong-type',
          queue,
          body: JSON.stringify(withValue(base(queue), path, value)),
          expected: 'schema',
        }),
      ),
  );
  const numberForString = fc
    .record({
      queue: queueArb,
      n: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
    })
    .map(({ queue, n }): HostileMessage => {
      const path: Path =
        queue === 'Group'
          ? ['integration_payload', 'members', 'entries', 0, 'uuid']
          : ['patient_identifier', 'identifier', 'key'];
      return {
        kind: 'number-for-string',
        queue,
        body: JSON.stringify(withValue(base(queue), path, n)),
        expected: 'schema',
      };
    });
  const huge = fc
    .record({ queue: queueArb, where: fc.constantFrom('field', 'unknown') })
    .map(({ queue, where }): HostileMessage => {
      const big = 'x'.repeat(HUGE);
      const body =
        where === 'unknown'
          ? withKey(base(queue), [], 'notes', big)
          : withValue(
              base(queue),
              queue === 'Group'
                ? ['integration_payload', 'members', 'entries', 0, 'uuid']
                : ['integration_payload', 'title'],
              big,
            );
      return { kind: 'huge-string', queue, body: JSON.stringify(body), expected: 'schema' };
    });
  const oddKeys = fc
    .record({ queue: queueArb, odd: oddText, inGroupId: fc.boolean() })
    .map(({ queue, odd, inGroupId }): HostileMessage => {
      if (queue === 'Task') {
        return {
          kind: 'odd-unicode-key',
          queue,
          body: JSON.stringify(taskBase(`nobody-${odd}`.slice(0, 200))),
          expected: 'unknown-patient',
        };
      }
      return inGroupId
        ? {
            kind: 'odd-unicode-key',
            queue,
            body: JSON.stringify(groupBase(HOSTILE_TASK_PATIENT, `g-${odd}`.slice(0, 200))),
            expected: 'unknown-group',
          }
        : {
            kind: 'odd-unicode-key',
            queue,
            body: JSON.stringify(groupBase(`nobody-${odd}`.slice(0, 200))),
            expected: 'unknown-patient',
          };
    });
  const protoKeys = queueArb.chain((queue) =>
    fc
      .record({
        level: fc.constantFrom(...(queue === 'Group' ? GROUP_LEVELS : TASK_LEVELS)),
        key: fc.constantFrom(...PROTO_KEYS),
        value: fc.constantFrom(...POLLUTION),
      })
      .map(
        ({ level, key, value }): HostileMessage => ({
          kind: 'proto-key',
          queue,
          body: JSON.stringify(withKey(base(queue), level, key, value)),
          expected: 'schema',
        }),
      ),
  );
  const unknownField = queueArb.chain((queue) =>
    fc
      .record({
        level: fc.constantFrom(...(queue === 'Group' ? GROUP_LEVELS : TASK_LEVELS)),
        key: fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), oddText),
        value: fc.jsonValue({ maxDepth: 2 }),
      })
      .filter(({ key }) => !KNOWN_KEYS.has(key))
      .map(
        ({ level, key, value }): HostileMessage => ({
          kind: 'unknown-field',
          queue,
          body: JSON.stringify(withKey(base(queue), level, key, value)),
          expected: 'schema',
        }),
      ),
  );
  const wrongQueue = queueArb.map(
    (queue): HostileMessage => ({
      kind: 'wrong-queue',
      queue,
      body: JSON.stringify(base(otherQueue(queue))),
      expected: 'wrong-queue',
    }),
  );
  const deep = queueArb.chain((queue) =>
    fc
      .record({
        path: fc.constantFrom<Path>(
          ['integration_payload'],
          queue === 'Group'
            ? ['integration_payload', 'members', 'entries']
            : ['integration_payload', 'title'],
          ['handling_options'],
        ),
        depth: fc.integer({ min: 100, max: 20_000 }),
        objects: fc.boolean(),
        root: fc.boolean(),
      })
      .map(
        ({ path, depth, objects, root }): HostileMessage => ({
          kind: 'deep-nesting',
          queue,
          body: root
            ? `${'['.repeat(depth)}${']'.repeat(depth)}`
            : deepen(base(queue), path, depth, objects),
          expected: 'schema',
        }),
      ),
  );
  const notAnObject = fc
    .record({
      queue: queueArb,
      body: fc.constantFrom('null', '42', '"Group"', '[]', 'true', '{}', '[{}]', '-0'),
    })
    .map(
      ({ queue, body }): HostileMessage => ({
        kind: 'not-an-object',
        queue,
        body,
        expected: 'schema',
      }),
    );
  const unknownType = fc
    .record({
      queue: queueArb,
      type: fc.constantFrom('Patient', 'group', 'TASK', '', 'Group ', null, 1),
    })
    .map(
      ({ queue, type }): HostileMessage => ({
        kind: 'unknown-type',
        queue,
        body: JSON.stringify(withValue(base(queue), ['integration_type'], type)),
        expected: 'schema',
      }),
    );
  // Out of format, out of range (seconds, microseconds, year 9999) and in range but in the future
  // (which would make every later correct update stale).
  const badComputedAt = fc.constantFrom(
    'yesterday',
    '1700000000',
    '2024-01-31T09:00:00',
    '-1',
    '1e13',
    'NaN',
    '1706691600000000',
    '9999999999999999',
    '9999-12-31T23:59:59Z',
    '2200-01-01T00:00:00Z',
  );
  const badAttributes = fc.record({ queue: queueArb, computedAt: badComputedAt }).map(
    ({ queue, computedAt }): HostileMessage => ({
      kind: 'invalid-attributes',
      queue,
      body: JSON.stringify(base(queue)),
      expected: 'invalid-attributes',
      badComputedAt: computedAt,
    }),
  );
  // The body's problem is the reason; the valid update-id must survive the bad computed-at.
  const badBodyAndAttributes = fc
    .record({
      queue: queueArb,
      fraction: fc.double({ min: 0, max: 1, noNaN: true }),
      computedAt: badComputedAt,
    })
    .map(
      ({ queue, fraction, computedAt }): HostileMessage => ({
        kind: 'invalid-body-and-attributes',
        queue,
        body: truncate(JSON.stringify(base(queue)), fraction),
        expected: 'invalid-json',
        badComputedAt: computedAt,
      }),
    );

  return fc.oneof(
    { arbitrary: validGroup, weight: 12 },
    { arbitrary: validTask, weight: 12 },
    { arbitrary: truncated, weight: 8 },
    { arbitrary: garbage, weight: 5 },
    { arbitrary: wrongType, weight: 10 },
    { arbitrary: numberForString, weight: 4 },
    { arbitrary: huge, weight: 1 },
    { arbitrary: oddKeys, weight: 6 },
    { arbitrary: protoKeys, weight: 10 },
    { arbitrary: unknownField, weight: 8 },
    { arbitrary: wrongQueue, weight: 6 },
    { arbitrary: deep, weight: 4 },
    { arbitrary: notAnObject, weight: 4 },
    { arbitrary: unknownType, weight: 4 },
    { arbitrary: badAttributes, weight: 4 },
    { arbitrary: badBodyAndAttributes, weight: 3 },
  );
}

/** Characters SQS refuses in a body (#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | astral). */
const SQS_INVALID = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;
const SQS_INVALID_ALL = new RegExp(SQS_INVALID.source, 'gu');

/**
 * A JSON text SQS accepts: characters it refuses can only sit inside JSON strings here, so they
 * are written as `\uXXXX` escapes, which parse back to the same string (NUL, lone surrogates...).
 */
export function sqsSafe(json: string): string {
  return json.replace(
    SQS_INVALID_ALL,
    (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
  );
}

/** `count` messages from a fixed seed (RELIABILITY_SEED overrides it to explore). */
export function generateHostileMessages(count: number, seed: number): HostileMessage[] {
  return Array.from({ length: count }, (_, index) => {
    const [message] = fc.sample(hostileMessage(index), { numRuns: 1, seed: seed + index });
    if (!message) throw new Error('fast-check produced no sample');
    return message.kind === 'not-json' ? message : { ...message, body: sqsSafe(message.body) };
  });
}
