import type { SQSEvent } from 'aws-lambda';
import { applyGroupMembership } from '../../../lib/apply/apply-group-membership';
import { buildDeadLetter } from '../../../lib/apply/dead-letter';
import { type BatchDeps, processUpdateBatch } from '../../../lib/apply/process-update-batch';
import { COMPUTED_AT_FUTURE_TOLERANCE_MS } from '../../../lib/apply/update-metadata';
import { createTaskPayload, ensurePatientInGroup } from '../../../lib/update-helpers';
import {
  FakeDeadLetterQueue,
  FakeMembershipStore,
  FakeRecorder,
  sqsRecord,
} from '../../support/apply-fakes';

const now = () => new Date('2024-02-01T10:00:00Z');

function setup() {
  const memberships = new FakeMembershipStore();
  memberships.groups.set('group-1', { active: true });
  for (const p of ['patient-1', 'patient-2', 'patient-3']) memberships.patients.add(p);
  const deadLetters = new FakeDeadLetterQueue();
  const recorder = new FakeRecorder();
  const deps: BatchDeps<'Group'> = {
    applier: {
      queueType: 'Group',
      apply: (u, m) => applyGroupMembership(u, m, { memberships, now }),
    },
    deadLetters,
    recorder,
    now,
  };
  return { memberships, deadLetters, recorder, deps };
}

const event = (...records: SQSEvent['Records']): SQSEvent => ({ Records: records });

describe('processUpdateBatch', () => {
  it('applies the good records and dead-letters the poison one with its reason', async () => {
    const { memberships, deadLetters, recorder, deps } = setup();
    const good1 = sqsRecord(ensurePatientInGroup('patient-1', 'group-1'), { 'update-id': 'u-1' });
    const poison = sqsRecord('{"integration_type": "Group"', { 'update-id': 'u-2', protocol: 'p' });
    const good2 = sqsRecord(ensurePatientInGroup('patient-2', 'group-1'), { 'update-id': 'u-3' });

    const response = await processUpdateBatch(event(good1, poison, good2), deps);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(memberships.get('group-1', 'patient-1')?.active).toBe(true);
    expect(memberships.get('group-1', 'patient-2')?.active).toBe(true);
    expect(deadLetters.messages).toHaveLength(1);
    const [letter] = deadLetters.messages;
    expect(letter?.body).toBe(poison.body);
    expect(letter?.attributes).toMatchObject({
      'update-id': { dataType: 'String', stringValue: 'u-2' },
      protocol: { dataType: 'String', stringValue: 'p' },
      'rejection-reason': { dataType: 'String', stringValue: 'invalid-json' },
      'rejection-detail': { dataType: 'String', stringValue: 'the message body is not valid JSON' },
      'source-queue': { dataType: 'String', stringValue: poison.eventSourceARN },
      'original-message-id': { dataType: 'String', stringValue: poison.messageId },
      'rejected-at': { dataType: 'String', stringValue: '2024-02-01T10:00:00.000Z' },
    });
    expect(recorder.results.map((r) => [r.updateId, r.outcome, r.reason]).sort()).toEqual([
      ['u-1', 'applied', undefined],
      ['u-2', 'rejected', 'invalid-json'],
      ['u-3', 'applied', undefined],
    ]);
  });

  it.each([
    ['wrong-queue', createTaskPayload({ patientKey: 'patient-1', createdByKey: 's' })],
    ['unknown-group', ensurePatientInGroup('patient-1', 'group-x')],
    ['unknown-patient', ensurePatientInGroup('patient-x', 'group-1')],
  ])('dead-letters %s and acknowledges it', async (code, body) => {
    const { deadLetters, recorder, deps } = setup();

    const response = await processUpdateBatch(event(sqsRecord(body)), deps);

    expect(response.batchItemFailures).toEqual([]);
    expect(deadLetters.messages[0]?.attributes['rejection-reason']?.stringValue).toBe(code);
    expect(recorder.results[0]).toMatchObject({ outcome: 'rejected', reason: code });
  });

  it('reports a rejected record as failed when the DLQ send fails', async () => {
    const { deadLetters, recorder, deps } = setup();
    deadLetters.failing = true;
    const poison = sqsRecord('nope');

    const response = await processUpdateBatch(event(poison), deps);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: poison.messageId }] });
    expect(recorder.results[0]).toMatchObject({
      outcome: 'retried',
      reason: 'dead-letter-send-failed',
    });
  });

  it('reports a transient store failure for redelivery, not to the DLQ', async () => {
    const { memberships, deadLetters, recorder, deps } = setup();
    const ok = sqsRecord(ensurePatientInGroup('patient-1', 'group-1'));
    const unlucky = sqsRecord(ensurePatientInGroup('patient-2', 'group-1'));
    memberships.beforeWrite = (_op, key) => {
      if (key.patientKey === 'patient-2') {
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      }
    };

    const response = await processUpdateBatch(event(ok, unlucky), deps);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: unlucky.messageId }] });
    expect(deadLetters.messages).toEqual([]);
    expect(recorder.results.find((r) => r.messageId === unlucky.messageId)).toMatchObject({
      outcome: 'retried',
      reason: 'throttled',
      errorName: 'ThrottlingException',
    });
  });

  it('records stale and no-op outcomes', async () => {
    const { recorder, deps } = setup();
    const newer = sqsRecord(ensurePatientInGroup('patient-1', 'group-1'), {
      'computed-at': '1700000000002',
    });
    const older = sqsRecord(ensurePatientInGroup('patient-1', 'group-1'), {
      'computed-at': '1700000000001',
    });

    await processUpdateBatch(event(newer), deps);
    await processUpdateBatch(event(newer, older), deps);

    expect(recorder.results.map((r) => r.outcome)).toEqual(['applied', 'no-op', 'stale']);
  });
});

describe('processUpdateBatch: invalid attributes', () => {
  it('keeps a valid update-id for the log and the DLQ copy when computed-at is refused', async () => {
    const { memberships, deadLetters, recorder, deps } = setup();
    const record = sqsRecord(ensurePatientInGroup('patient-1', 'group-1'), {
      'update-id': 'u-keep',
      'computed-at': '1706691600000000',
      protocol: 'p',
    });

    const response = await processUpdateBatch(event(record), deps);

    expect(response.batchItemFailures).toEqual([]);
    expect(memberships.items.size).toBe(0);
    expect(recorder.results).toEqual([
      expect.objectContaining({
        updateId: 'u-keep',
        outcome: 'rejected',
        reason: 'invalid-attributes',
      }),
    ]);
    expect(deadLetters.messages[0]?.attributes).toMatchObject({
      'update-id': { stringValue: 'u-keep' },
      'computed-at': { stringValue: '1706691600000000' },
      protocol: { stringValue: 'p' },
      'rejection-reason': { stringValue: 'invalid-attributes' },
      'rejection-detail': { stringValue: expect.stringContaining('looks like microseconds') },
    });
  });

  it('keeps the original attributes when the body is refused and an attribute is invalid too', async () => {
    const { deadLetters, recorder, deps } = setup();
    const record = sqsRecord('{"integration_type": "Gro', {
      'update-id': 'u-keep',
      'computed-at': '2024-01-31T09:00:00',
    });

    await processUpdateBatch(event(record), deps);

    expect(recorder.results[0]).toMatchObject({
      updateId: 'u-keep',
      outcome: 'rejected',
      reason: 'invalid-json',
    });
    expect(deadLetters.messages[0]?.attributes).toMatchObject({
      'update-id': { stringValue: 'u-keep' },
      'computed-at': { stringValue: '2024-01-31T09:00:00' },
      'rejection-reason': { stringValue: 'invalid-json' },
      'rejection-detail': { stringValue: expect.stringContaining('attribute computed-at') },
    });
  });

  it("refuses a computed-at beyond the tolerance ahead of the applier's clock", async () => {
    const { memberships, deadLetters, deps } = setup();
    const aheadMs = now().getTime() + COMPUTED_AT_FUTURE_TOLERANCE_MS + 1;
    const future = sqsRecord(ensurePatientInGroup('patient-1', 'group-1'), {
      'update-id': 'u-future',
      'computed-at': String(aheadMs),
    });

    await processUpdateBatch(event(future), deps);

    expect(memberships.get('group-1', 'patient-1')).toBeUndefined();
    expect(deadLetters.messages[0]?.attributes).toMatchObject({
      'update-id': { stringValue: 'u-future' },
      'computed-at': { stringValue: String(aheadMs) },
      'rejection-reason': { stringValue: 'invalid-attributes' },
      'rejection-detail': { stringValue: expect.stringContaining('is in the future') },
    });
  });
});

describe('buildDeadLetter', () => {
  it('pins the defaulted update id and version so a redrive is applied once and in order', () => {
    const record = sqsRecord('x');

    const letter = buildDeadLetter({
      record,
      rejection: { code: 'invalid-json', detail: 'd' },
      meta: { updateId: record.messageId, version: 1700000000000 },
      attributesValid: true,
      rejectedAt: now(),
    });

    expect(letter.attributes['update-id']?.stringValue).toBe(record.messageId);
    expect(letter.attributes['computed-at']?.stringValue).toBe('1700000000000');
  });

  it('keeps within 10 attributes and names the foreign ones it dropped', () => {
    const foreign = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`x-${i}`, 'v']));
    const record = sqsRecord('x', { ...foreign, 'update-id': 'u-1', protocol: 'p' });

    const letter = buildDeadLetter({
      record,
      rejection: { code: 'invalid-json', detail: 'd' },
      meta: { updateId: 'u-1', version: 1 },
      attributesValid: true,
      rejectedAt: now(),
    });

    expect(Object.keys(letter.attributes)).toHaveLength(10);
    expect(letter.attributes['x-1']).toBeDefined();
    expect(letter.attributes['rejection-detail']?.stringValue).toBe(
      'd [attributes dropped for the 10-attribute limit: x-2, x-3, x-4, x-5, x-6, x-7]',
    );
  });

  it('keeps the attributes as sent when they are not all valid, pinning only absent ones', () => {
    const record = sqsRecord('x', { 'update-id': '  ', protocol: 'p' });

    const letter = buildDeadLetter({
      record,
      rejection: { code: 'invalid-attributes', detail: 'd' },
      meta: { updateId: record.messageId, version: 1700000000000, protocol: 'p' },
      attributesValid: false,
      rejectedAt: now(),
    });

    expect(letter.attributes['update-id']?.stringValue).toBe('  ');
    expect(letter.attributes['computed-at']?.stringValue).toBe('1700000000000');
    expect(letter.attributes.protocol?.stringValue).toBe('p');
  });

  it('pins the effective values when every attribute was valid', () => {
    const record = sqsRecord('x', { 'update-id': 'u-1', 'computed-at': '2024-01-31T09:00:00Z' });

    const letter = buildDeadLetter({
      record,
      rejection: { code: 'schema', detail: 'd' },
      meta: { updateId: 'u-1', version: Date.parse('2024-01-31T09:00:00Z') },
      attributesValid: true,
      rejectedAt: now(),
    });

    expect(letter.attributes['computed-at']?.stringValue).toBe(
      String(Date.parse('2024-01-31T09:00:00Z')),
    );
  });
});
