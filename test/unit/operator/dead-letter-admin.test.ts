import {
  type DeadLetterRoute,
  deadLetterDepth,
  MAX_RECEIVES_REASON,
  OperatorError,
  peekDeadLetters,
  purgeDeadLetters,
  recomputePatientNow,
  redriveAttributes,
  redriveDeadLetters,
} from '../../../lib/operator';
import { fakeDirectory, fakeQueues } from './fakes';

// The operator's DLQ logic over an in-memory QueueAdmin (fakes.ts); the SQS adapter is proven
// against local SQS in test/integration/operator/dead-letters.test.ts.

const ROUTE: DeadLetterRoute = {
  name: 'Group',
  updateType: 'Group',
  source: { logicalId: 'GroupQueue', queueName: 'svc-group' },
  deadLetter: { logicalId: 'GroupDeadLetterQueue', queueName: 'svc-group-dlq' },
};

const REJECTED = {
  'update-id': 'u-1',
  'computed-at': '1700000000000',
  protocol: 'diabetes-care-group',
  'rejection-reason': 'unknown-group',
  'rejection-detail': 'group does not exist',
  'rejected-at': '2024-01-01T00:00:00.000Z',
  'source-queue': 'arn:aws:sqs:eu-west-1:1:svc-group',
  'original-message-id': 'orig-1',
};

function setup() {
  return fakeQueues(['svc-group', 'svc-group-dlq']);
}

describe('peekDeadLetters', () => {
  it('shows reasons and ids without the body, and leaves every message visible', async () => {
    const q = setup();
    q.put('svc-group-dlq', '{"secret":1}', REJECTED);
    q.put('svc-group-dlq', '{"n":2}', { 'update-id': 'u-2' });

    const peek = await peekDeadLetters(q.admin, ROUTE, { limit: 10 });

    expect(peek.depth).toEqual({ visible: 2, inFlight: 0 });
    expect(peek.messages).toEqual([
      {
        messageId: expect.any(String),
        updateId: 'u-1',
        reason: 'unknown-group',
        detail: 'group does not exist',
        receiveCount: 1,
        sentAt: '2023-11-14T22:13:20.000Z',
        rejectedAt: '2024-01-01T00:00:00.000Z',
        protocol: 'diabetes-care-group',
        originalMessageId: 'orig-1',
      },
      expect.objectContaining({ updateId: 'u-2', reason: MAX_RECEIVES_REASON }),
    ]);
    expect(await q.admin.depth('url:svc-group-dlq')).toEqual({ visible: 2, inFlight: 0 });
    expect(
      (await peekDeadLetters(q.admin, ROUTE, { limit: 1, includeBody: true })).messages,
    ).toEqual([expect.objectContaining({ body: '{"secret":1}', receiveCount: 2 })]);
  });

  it('reads across receives up to the limit (SQS gives at most 10 a call)', async () => {
    const q = setup();
    for (let i = 0; i < 25; i++) q.put('svc-group-dlq', `{"n":${i}}`);

    const peek = await peekDeadLetters(q.admin, ROUTE, { limit: 23 });

    expect(peek.messages).toHaveLength(23);
    expect(new Set(peek.messages.map((m) => m.messageId)).size).toBe(23);
    expect(q.calls.filter((c) => c.startsWith('receive'))).toHaveLength(3);
    expect(await q.admin.depth('url:svc-group-dlq')).toEqual({ visible: 25, inFlight: 0 });
  });

  it('makes what it received visible again when a receive fails halfway', async () => {
    const q = setup();
    for (let i = 0; i < 15; i++) q.put('svc-group-dlq', `{"n":${i}}`);
    // The first receive works, the second throws.
    const receive = q.admin.receive;
    let receives = 0;
    q.admin.receive = (url, options) => {
      receives += 1;
      if (receives === 2) return Promise.reject(new Error('network'));
      return receive(url, options);
    };

    await expect(peekDeadLetters(q.admin, ROUTE, { limit: 15 })).rejects.toThrow('network');
    expect(await q.admin.depth('url:svc-group-dlq')).toEqual({ visible: 15, inFlight: 0 });
  });

  it('says which queue is missing (unavailable)', async () => {
    const q = fakeQueues(['svc-group']);
    const error = await peekDeadLetters(q.admin, ROUTE, { limit: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperatorError);
    expect(error).toMatchObject({
      kind: 'unavailable',
      message: 'queue svc-group-dlq does not exist on this SQS endpoint (wrong --stage?)',
    });
  });
});

describe('redriveAttributes', () => {
  it('drops the rejection attributes and keeps the rest, binary values included', () => {
    const attributes = Object.fromEntries(
      Object.entries(REJECTED).map(([k, v]) => [k, { dataType: 'String', stringValue: v }]),
    );
    expect(
      redriveAttributes({ ...attributes, blob: { dataType: 'Binary', binaryValue: 'AAE=' } }),
    ).toEqual({
      'update-id': { dataType: 'String', stringValue: 'u-1' },
      'computed-at': { dataType: 'String', stringValue: '1700000000000' },
      protocol: { dataType: 'String', stringValue: 'diabetes-care-group' },
      blob: { dataType: 'Binary', binaryValue: 'AAE=' },
    });
    expect(redriveAttributes(undefined)).toEqual({});
  });
});

describe('redriveDeadLetters', () => {
  it('sends each body back without the rejection attributes, then deletes it', async () => {
    const q = setup();
    q.put('svc-group-dlq', '{"a":1}', REJECTED);

    const result = await redriveDeadLetters(q.admin, ROUTE);

    expect(result).toMatchObject({ found: 1, moved: 1, movedNotDeleted: 0 });
    expect(q.messages('svc-group-dlq')).toEqual([]);
    expect(q.messages('svc-group')).toEqual([
      expect.objectContaining({
        body: '{"a":1}',
        attributes: {
          'update-id': { dataType: 'String', stringValue: 'u-1' },
          'computed-at': { dataType: 'String', stringValue: '1700000000000' },
          protocol: { dataType: 'String', stringValue: 'diabetes-care-group' },
        },
      }),
    ]);
    // Deleted only after the send.
    expect(q.calls.filter((c) => /^(send|delete) /.test(c))).toEqual([
      'send url:svc-group',
      'delete url:svc-group-dlq',
    ]);
  });

  it('moves at most --max, and never more than were visible at the start', async () => {
    const q = setup();
    for (let i = 0; i < 3; i++) q.put('svc-group-dlq', `{"n":${i}}`);
    expect(await redriveDeadLetters(q.admin, ROUTE, { max: 2 })).toMatchObject({
      found: 3,
      moved: 2,
    });
    expect(q.messages('svc-group-dlq')).toHaveLength(1);

    // A message rejected again during the redrive (back in the DLQ) is not cycled round.
    const cycling = setup();
    cycling.put('svc-group-dlq', '{"n":0}');
    const send = cycling.admin.send;
    cycling.admin.send = async (url, message) => {
      const id = await send(url, message);
      cycling.put('svc-group-dlq', message.body);
      return id;
    };
    expect(await redriveDeadLetters(cycling.admin, ROUTE)).toMatchObject({ found: 1, moved: 1 });
    expect(cycling.messages('svc-group-dlq')).toHaveLength(1);
  });

  it('stops at a failed send: the unsent messages are visible again, none deleted', async () => {
    const q = setup();
    for (let i = 0; i < 4; i++) q.put('svc-group-dlq', `{"n":${i}}`);
    const send = q.admin.send;
    let sends = 0;
    q.admin.send = (url, message) => {
      sends += 1;
      return sends === 3 ? Promise.reject(new Error('send refused')) : send(url, message);
    };

    await expect(redriveDeadLetters(q.admin, ROUTE)).rejects.toThrow('send refused');

    expect(q.messages('svc-group')).toHaveLength(2);
    expect(await q.admin.depth('url:svc-group-dlq')).toEqual({ visible: 2, inFlight: 0 });
  });

  it('counts a failed delete as moved-not-deleted and carries on', async () => {
    const q = setup();
    for (let i = 0; i < 3; i++) q.put('svc-group-dlq', `{"n":${i}}`);
    q.fail('delete', 'svc-group-dlq');

    const result = await redriveDeadLetters(q.admin, ROUTE);

    expect(result).toMatchObject({ found: 3, moved: 2, movedNotDeleted: 1 });
    expect(q.messages('svc-group')).toHaveLength(3);
    expect(q.messages('svc-group-dlq')).toHaveLength(1);
  });
});

describe('purgeDeadLetters', () => {
  it('deletes at most the confirmed number and leaves messages in flight alone', async () => {
    const q = setup();
    for (let i = 0; i < 14; i++) q.put('svc-group-dlq', `{"n":${i}}`);
    // Someone else is looking at two of them.
    await q.admin.receive('url:svc-group-dlq', { max: 2, visibilitySeconds: 30 });

    expect((await deadLetterDepth(q.admin, ROUTE)).visible).toBe(12);
    expect((await purgeDeadLetters(q.admin, ROUTE, { max: 11 })).deleted).toBe(11);
    expect(await q.admin.depth('url:svc-group-dlq')).toEqual({ visible: 1, inFlight: 2 });
    expect((await purgeDeadLetters(q.admin, ROUTE, { max: 5 })).deleted).toBe(1);
  });

  it('stops when a batch deletes fewer than it received', async () => {
    const q = setup();
    for (let i = 0; i < 12; i++) q.put('svc-group-dlq', `{"n":${i}}`);
    const deleteMany = q.admin.deleteMany;
    q.admin.deleteMany = async (url, handles) => deleteMany(url, handles.slice(1));

    expect((await purgeDeadLetters(q.admin, ROUTE, { max: 12 })).deleted).toBe(9);
    expect(q.calls.filter((c) => c.startsWith('deleteMany'))).toHaveLength(1);
  });
});

describe('recomputePatientNow', () => {
  const changes = () => {
    const q = fakeQueues(['changes']);
    const { directory } = fakeDirectory({ patients: ['p-1'] });
    return {
      q,
      deps: { patients: directory.patients, queues: q.admin, changesQueueUrl: 'url:changes' },
    };
  };

  it('sends the flat change event, with the reassert attribute only when asked', async () => {
    const { q, deps } = changes();
    const plain = await recomputePatientNow(deps, { patientKey: 'p-1' });
    const forced = await recomputePatientNow(deps, {
      patientKey: 'p-1',
      changeType: 'condition',
      reassert: true,
    });

    expect(plain).toEqual({ changeType: 'patient', reassert: false, messageId: 'm1' });
    expect(forced).toMatchObject({ changeType: 'condition', reassert: true });
    const [first, second] = q.messages('changes');
    expect(JSON.parse(String(first?.body))).toEqual({
      patient_key: 'p-1',
      model_name: 'patient',
      created: false,
      deleted: false,
      fields: {},
      canvas_id: null,
      external_id: null,
    });
    expect(first?.attributes).toEqual({});
    expect(second?.attributes).toEqual({ reassert: { dataType: 'String', stringValue: 'true' } });
  });

  it('sends nothing for an unknown patient or change type', async () => {
    const { q, deps } = changes();
    await expect(recomputePatientNow(deps, { patientKey: 'p-2' })).rejects.toMatchObject({
      kind: 'not-found',
      message: 'no patient with the given patientKey',
    });
    await expect(
      recomputePatientNow(deps, { patientKey: 'p-1', changeType: 'nonsense' }),
    ).rejects.toMatchObject({ kind: 'invalid-argument' });
    expect(q.messages('changes')).toEqual([]);
  });
});
