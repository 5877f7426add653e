import { parseUpdateRecord } from '../../../lib/apply/parse-update-record';
import { createTaskPayload, ensurePatientInGroup } from '../../../lib/update-helpers';
import { ComputedAtSchema, encodeUpdateAttributes } from '../../../schemas';
import { sqsRecord } from '../../support/apply-fakes';

const groupUpdate = ensurePatientInGroup('patient-1', 'group-1');

describe('parseUpdateRecord', () => {
  it('reads a valid update with its attributes', () => {
    const record = sqsRecord(groupUpdate, {
      'update-id': 'u-1',
      'computed-at': '2024-01-31T09:00:00Z',
      protocol: 'diabetes-a1c',
    });

    const parsed = parseUpdateRecord(record, 'Group');

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

    const parsed = parseUpdateRecord(record, 'Group');

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
    const parsed = parseUpdateRecord(sqsRecord(body), 'Group');

    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.rejection.code).toBe(code);
  });

  it('rejects an update of another type as wrong-queue', () => {
    const task = createTaskPayload({ patientKey: 'patient-1', createdByKey: 'staff-1' });

    const parsed = parseUpdateRecord(sqsRecord(task), 'Group');

    expect(!parsed.ok && parsed.rejection).toEqual({
      code: 'wrong-queue',
      detail: 'a "Task" update on the "Group" queue; send it to the "Task" queue',
    });
  });

  it('names the field at fault without quoting its value', () => {
    const secret = 'Jane Doe 1970-01-01';
    const body = { ...groupUpdate, integration_source: secret };

    const parsed = parseUpdateRecord(sqsRecord(body), 'Group');

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

    const parsed = parseUpdateRecord(sqsRecord(body), 'Group');

    expect(!parsed.ok && parsed.rejection).toEqual({
      code: 'schema',
      detail:
        'integration_payload: 2 unknown fields (names withheld, see the message body); ' +
        '(message): 1 unknown field (names withheld, see the message body)',
    });
  });

  it('does not quote an invalid JSON body', () => {
    const parsed = parseUpdateRecord(sqsRecord('{"name": "Jane Doe"'), 'Task');

    expect(!parsed.ok && parsed.rejection.detail).not.toContain('Jane');
  });

  it.each([
    ['computed-at', 'yesterday'],
    ['computed-at', '1700000000'],
    ['computed-at', '2024-01-31T09:00:00'],
    ['update-id', '   '],
  ])('rejects the attribute %s = %j as invalid-attributes', (name, value) => {
    const parsed = parseUpdateRecord(sqsRecord(groupUpdate, { [name]: value }), 'Group');

    expect(!parsed.ok && parsed.rejection.code).toBe('invalid-attributes');
    expect(!parsed.ok && parsed.rejection.detail).toContain(name);
  });
});

describe('ComputedAtSchema', () => {
  it.each([
    ['1700000000000', 1700000000000],
    ['2024-01-31T09:00:00.250Z', Date.parse('2024-01-31T09:00:00.250Z')],
    ['2024-01-31T10:00:00+01:00', Date.parse('2024-01-31T09:00:00Z')],
  ])('reads %s as %d ms', (text, ms) => {
    expect(ComputedAtSchema.parse(text)).toBe(ms);
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

    const parsed = parseUpdateRecord(record, 'Group');

    expect(parsed.ok && parsed.meta).toEqual({
      updateId: 'u-9',
      version: at.getTime(),
      protocol: 'p',
    });
  });
});
