import { parseUpdateRecord } from '../../../lib/apply/parse-update-record';
import { COMPUTED_AT_FUTURE_TOLERANCE_MS } from '../../../lib/apply/update-metadata';
import { createTaskPayload, ensurePatientInGroup } from '../../../lib/update-helpers';
import {
  ComputedAtSchema,
  encodeUpdateAttributes,
  MAX_COMPUTED_AT_MS,
  MIN_COMPUTED_AT_MS,
} from '../../../schemas';
import { sqsRecord } from '../../support/apply-fakes';

const groupUpdate = ensurePatientInGroup('patient-1', 'group-1');
/** The applier's clock in these tests. */
const NOW = new Date('2024-02-01T10:00:00Z');

describe('parseUpdateRecord', () => {
  it('reads a valid update with its attributes', () => {
    const record = sqsRecord(groupUpdate, {
      'update-id': 'u-1',
      'computed-at': '2024-01-31T09:00:00Z',
      protocol: 'diabetes-a1c',
    });

    const parsed = parseUpdateRecord(record, 'Group', NOW);

    expect(parsed).toEqual({
      ok: true,
      update: groupUpdate,
      meta: {
        updateId: 'u-1',
        version: Date.parse('2024-01-31T09:00:00Z'),
        protocol: 'diabetes-a1c',
      },
    });
  });

  it('defaults the update id to the message id and the version to the sent timestamp', () => {
    const record = sqsRecord(groupUpdate);

    const parsed = parseUpdateRecord(record, 'Group', NOW);

    expect(parsed.ok && parsed.meta).toEqual({
      updateId: record.messageId,
      version: 1700000000000,
    });
  });

  it.each([
    ['not json', 'invalid-json'],
    ['', 'invalid-json'],
    ['{"integration_type": "Group"}', 'schema'],
    ['[1, 2]', 'schema'],
    ['null', 'schema'],
  ])('rejects the body %j as %s', (body, code) => {
    const parsed = parseUpdateRecord(sqsRecord(body), 'Group', NOW);

    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.rejection.code).toBe(code);
  });

  it('rejects an update of another type as wrong-queue', () => {
    const task = createTaskPayload({ patientKey: 'patient-1', createdByKey: 'staff-1' });

    const parsed = parseUpdateRecord(sqsRecord(task), 'Group', NOW);

    expect(!parsed.ok && parsed.rejection).toEqual({
      code: 'wrong-queue',
      detail: 'a "Task" update on the "Group" queue; send it to the "Task" queue',
    });
  });

  it('names the field at fault without quoting its value', () => {
    const secret = 'Jane Doe 1970-01-01';
    const body = { ...groupUpdate, integration_source: secret };

    const parsed = parseUpdateRecord(sqsRecord(body), 'Group', NOW);

    expect(!parsed.ok && parsed.rejection.code).toBe('schema');
    expect(!parsed.ok && parsed.rejection.detail).toContain('integration_source');
    expect(!parsed.ok && parsed.rejection.detail).not.toContain(secret);
  });

  it('counts unknown fields without naming them (a key may carry PHI)', () => {
    const secret = 'Jane Doe 1970-01-01';
    const body = {
      ...groupUpdate,
      [secret]: true,
      integration_payload: { ...groupUpdate.integration_payload, Jane: 1, Doe: 2 },
    };

    const parsed = parseUpdateRecord(sqsRecord(body), 'Group', NOW);

    expect(!parsed.ok && parsed.rejection).toEqual({
      code: 'schema',
      detail:
        'integration_payload: 2 unknown fields (names withheld, see the message body); ' +
        '(message): 1 unknown field (names withheld, see the message body)',
    });
  });

  it('does not quote an invalid JSON body', () => {
    const parsed = parseUpdateRecord(sqsRecord('{"name": "Jane Doe"'), 'Task', NOW);

    expect(!parsed.ok && parsed.rejection.detail).not.toContain('Jane');
  });

  it.each([
    ['computed-at', 'yesterday'],
    ['computed-at', '1700000000'],
    ['computed-at', '2024-01-31T09:00:00'],
    ['computed-at', '1706691600000000'],
    ['computed-at', '9999-12-31T23:59:59Z'],
    ['update-id', '   '],
  ])('rejects the attribute %s = %j as invalid-attributes', (name, value) => {
    const parsed = parseUpdateRecord(sqsRecord(groupUpdate, { [name]: value }), 'Group', NOW);

    expect(!parsed.ok && parsed.rejection.code).toBe('invalid-attributes');
    expect(!parsed.ok && parsed.rejection.detail).toContain(name);
  });
});

describe('parseUpdateRecord: attributes read one by one', () => {
  it('keeps a valid update-id and protocol when computed-at is refused', () => {
    const record = sqsRecord(groupUpdate, {
      'update-id': 'u-keep',
      'computed-at': '1706691600000000',
      protocol: 'p-1',
    });

    const parsed = parseUpdateRecord(record, 'Group', NOW);

    expect(parsed).toMatchObject({
      ok: false,
      rejection: { code: 'invalid-attributes' },
      meta: { updateId: 'u-keep', protocol: 'p-1' },
      attributesValid: false,
    });
    expect(!parsed.ok && parsed.meta.version).toBeUndefined();
  });

  it('keeps a valid update-id when the body is refused too, and names the attribute problem', () => {
    const record = sqsRecord('{"integration_type": "Gro', {
      'update-id': 'u-keep',
      'computed-at': '1700000000',
    });

    const parsed = parseUpdateRecord(record, 'Group', NOW);

    expect(parsed).toMatchObject({
      ok: false,
      rejection: { code: 'invalid-json' },
      meta: { updateId: 'u-keep' },
      attributesValid: false,
    });
    expect(!parsed.ok && parsed.rejection.detail).toBe(
      'the message body is not valid JSON (and invalid-attributes: attribute computed-at: ' +
        'must be epoch milliseconds: a number below 10^12 (before 2001-09-09) looks like seconds)',
    );
  });

  it('reports every invalid attribute, falling back to the message id for the update id', () => {
    const record = sqsRecord(groupUpdate, { 'update-id': '  ', protocol: '', 'computed-at': 'x' });

    const parsed = parseUpdateRecord(record, 'Group', NOW);

    expect(!parsed.ok && parsed.meta.updateId).toBe(record.messageId);
    const detail = !parsed.ok ? parsed.rejection.detail : '';
    for (const name of ['update-id', 'protocol', 'computed-at'])
      expect(detail).toContain(`attribute ${name}:`);
  });

  it('marks the attributes valid when only the body is refused', () => {
    const parsed = parseUpdateRecord(sqsRecord('nope', { 'update-id': 'u-1' }), 'Group', NOW);

    expect(parsed).toMatchObject({ ok: false, attributesValid: true, meta: { updateId: 'u-1' } });
    expect(!parsed.ok && parsed.rejection).toEqual({
      code: 'invalid-json',
      detail: 'the message body is not valid JSON',
    });
  });

  it('refuses a Binary computed-at rather than defaulting it to the sent timestamp', () => {
    const record = sqsRecord(groupUpdate);
    record.messageAttributes['computed-at'] = {
      dataType: 'Binary',
      binaryValue: 'AAEC',
      stringListValues: [],
      binaryListValues: [],
    };

    const parsed = parseUpdateRecord(record, 'Group', NOW);

    expect(!parsed.ok && parsed.rejection).toEqual({
      code: 'invalid-attributes',
      detail: 'attribute computed-at: must be a String or Number attribute',
    });
  });

  it('refuses a record with neither computed-at nor a sent timestamp', () => {
    const record = sqsRecord(groupUpdate, { 'update-id': 'u-1' });
    record.attributes.SentTimestamp = '';

    const parsed = parseUpdateRecord(record, 'Group', NOW);

    expect(!parsed.ok && parsed.rejection).toEqual({
      code: 'invalid-attributes',
      detail: 'attribute computed-at: absent, and no SentTimestamp to default it to',
    });
  });
});

describe('parseUpdateRecord: a computed-at in the future', () => {
  const at = (ms: number) => sqsRecord(groupUpdate, { 'update-id': 'u-f', 'computed-at': `${ms}` });
  const limit = NOW.getTime() + COMPUTED_AT_FUTURE_TOLERANCE_MS;

  it('accepts one up to the tolerance ahead of the clock (skew)', () => {
    const parsed = parseUpdateRecord(at(limit), 'Group', NOW);

    expect(parsed.ok && parsed.meta.version).toBe(limit);
  });

  it('refuses one beyond the tolerance as invalid-attributes, saying it is in the future', () => {
    const parsed = parseUpdateRecord(at(limit + 1), 'Group', NOW);

    expect(parsed).toMatchObject({
      ok: false,
      rejection: {
        code: 'invalid-attributes',
        detail:
          "attribute computed-at: is in the future (more than 15 minutes after the applier's clock)",
      },
      meta: { updateId: 'u-f' },
    });
  });

  it('measures the future against the clock it is given', () => {
    const later = new Date(NOW.getTime() + 60 * 60_000);

    const parsed = parseUpdateRecord(at(limit + 1), 'Group', later);

    expect(parsed.ok).toBe(true);
  });

  it('refuses the ISO far future that used to win for ever', () => {
    const record = sqsRecord(groupUpdate, { 'computed-at': '2286-01-01T00:00:00Z' });

    const parsed = parseUpdateRecord(record, 'Group', NOW);

    expect(!parsed.ok && parsed.rejection.detail).toContain('is in the future');
  });
});

describe('ComputedAtSchema', () => {
  it.each([
    ['1700000000000', 1700000000000],
    [' 1700000000000 ', 1700000000000],
    ['1000000000000', MIN_COMPUTED_AT_MS],
    ['9999999999999', MAX_COMPUTED_AT_MS - 1],
    ['2024-01-31T09:00:00.250Z', Date.parse('2024-01-31T09:00:00.250Z')],
    ['2024-01-31T10:00:00+01:00', Date.parse('2024-01-31T09:00:00Z')],
  ])('reads %j as %d ms', (text, ms) => {
    expect(ComputedAtSchema.parse(text)).toBe(ms);
  });

  const SECONDS =
    'must be epoch milliseconds: a number below 10^12 (before 2001-09-09) looks like seconds';
  const MICROSECONDS =
    'must be epoch milliseconds: a number of 10^13 or more (after 2286-11-20) looks like ' +
    'microseconds or is too large';
  const RANGE = 'must be a datetime from 2001-09-09 up to 2286-11-20';
  const FORMAT = 'must be an ISO datetime with Z or an offset, or epoch milliseconds';

  it.each([
    ['1700000000', SECONDS],
    ['999999999999', SECONDS],
    ['0', SECONDS],
    ['10000000000000', MICROSECONDS],
    ['1706691600000000', MICROSECONDS],
    ['9999999999999999', MICROSECONDS],
    ['17066916000000000000000', MICROSECONDS],
    ['9999-12-31T23:59:59Z', RANGE],
    ['2286-11-20T17:46:40Z', RANGE],
    ['2000-01-01T00:00:00Z', RANGE],
    ['2024-01-31T09:00:00', FORMAT],
    ['-1', FORMAT],
    ['1e13', FORMAT],
  ])('refuses %j: %s', (text, message) => {
    const parsed = ComputedAtSchema.safeParse(text);

    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.message)).toEqual([message]);
  });
});

describe('encodeUpdateAttributes', () => {
  it('writes the contract attributes a parser reads back', () => {
    const at = new Date('2024-01-31T09:00:00Z');
    const attributes = encodeUpdateAttributes({ updateId: 'u-9', computedAt: at, protocol: 'p' });
    const record = sqsRecord(groupUpdate);
    record.messageAttributes = Object.fromEntries(
      Object.entries(attributes).map(([k, v]) => [
        k,
        {
          dataType: v.DataType,
          stringValue: v.StringValue,
          stringListValues: [],
          binaryListValues: [],
        },
      ]),
    );

    const parsed = parseUpdateRecord(record, 'Group', NOW);

    expect(parsed.ok && parsed.meta).toEqual({
      updateId: 'u-9',
      version: at.getTime(),
      protocol: 'p',
    });
  });
});
