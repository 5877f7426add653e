import { taskCommentsKey } from '../../../lib/apply/apply-task-comment';
import { changeVersion } from '../../../lib/apply/change-version';
import { classifyFailure } from '../../../lib/apply/failure-reason';
import type { RecordResult } from '../../../lib/apply/outcomes';
import { processUpdateRecord } from '../../../lib/apply/process-update-batch';
import { dedupeTaskId } from '../../../lib/apply/task-id';
import { messageType } from '../../../lib/message-types';
import type {
  DeadLetter,
  PutTaskMetadataResult,
  TaskMetadataItem,
  TaskMetadataStore,
} from '../../../lib/ports';
import type { OutcomeRecorder } from '../../../lib/ports/outcome-recorder';
import { taskMetadataPayload } from '../../../lib/update-helpers';

const T0 = 1_700_000_000_000;
const now = () => new Date('2024-02-01T10:00:00Z');
const TASK = { patientKey: 'p1', taskId: dedupeTaskId('p1', 'reminder:1') };

/** In memory, with the DynamoDB store's conditions: replace only an older version. */
class FakeTaskMetadataStore implements TaskMetadataStore {
  readonly tasks = new Set<string>([JSON.stringify([TASK.patientKey, TASK.taskId])]);
  readonly items = new Map<string, TaskMetadataItem>();
  writes = 0;

  get(key: string): TaskMetadataItem | undefined {
    return this.items.get(JSON.stringify([taskCommentsKey(TASK.patientKey, TASK.taskId), key]));
  }

  async put(item: TaskMetadataItem): Promise<PutTaskMetadataResult> {
    const id = JSON.stringify([item.taskKey, item.metadataKey]);
    const current = this.items.get(id);
    if (current && current.version >= item.version)
      return { outcome: 'not-newer', current: { value: current.value, version: current.version } };
    if (!current && !this.tasks.has(JSON.stringify([item.patientKey, item.taskId])))
      return { outcome: 'unknown-task' };
    this.items.set(id, { ...item });
    this.writes++;
    return current
      ? { outcome: 'written', previous: { value: current.value, version: current.version } }
      : { outcome: 'written' };
  }
}

const set = (key: string, value: string) =>
  taskMetadataPayload({ patientKey: 'p1', dedupeKey: 'reminder:1', key, value });
const first = { receiveCount: 1 };
const meta = (updateId: string, version: number, protocol?: string) => ({
  updateId,
  version,
  ...(protocol === undefined ? {} : { protocol }),
});

/** The applier as the registry builds it. */
function applier(store: FakeTaskMetadataStore) {
  return messageType('TaskMetadata').applier.create(store, { now, unknownTaskAttempts: 3 });
}

describe('applyTaskMetadata (the registry entry over an in-memory store)', () => {
  it('stores a new key in the task partition, under the update version', async () => {
    const store = new FakeTaskMetadataStore();

    const result = await applier(store)(set('status', 'called'), meta('u1', T0, 'reminder'), first);

    expect(result).toEqual({ outcome: 'applied', subject: { taskId: TASK.taskId } });
    expect(store.get('status')).toEqual({
      taskKey: taskCommentsKey('p1', TASK.taskId),
      metadataKey: 'status',
      patientKey: 'p1',
      taskId: TASK.taskId,
      value: 'called',
      version: changeVersion(T0, 'u1'),
      updateId: 'u1',
      computedAt: T0,
      protocol: 'reminder',
      appliedAt: '2024-02-01T10:00:00.000Z',
    });
  });

  it('writes nothing on a redelivery', async () => {
    const store = new FakeTaskMetadataStore();
    const apply = applier(store);
    await apply(set('status', 'called'), meta('u1', T0), first);

    const again = await apply(set('status', 'called'), meta('u1', T0), { receiveCount: 2 });

    expect(again).toEqual({
      outcome: 'no-op',
      subject: { taskId: TASK.taskId },
      detail: 'this update is stored already',
    });
    expect(store.writes).toBe(1);
  });

  it('overwrites with a newer value and keeps a newer value from an older message', async () => {
    const store = new FakeTaskMetadataStore();
    const apply = applier(store);
    await apply(set('status', 'called'), meta('u1', T0), first);

    const newer = await apply(set('status', 'reached'), meta('u2', T0 + 5), first);
    const older = await apply(set('status', 'voicemail'), meta('u0', T0 + 1), first);

    expect(newer.outcome).toBe('applied');
    expect(older).toEqual({
      outcome: 'stale',
      subject: { taskId: TASK.taskId },
      detail: 'a newer value is kept',
    });
    expect(store.get('status')).toMatchObject({ value: 'reached', updateId: 'u2' });
    expect(store.writes).toBe(2);
  });

  it('records the version of a newer message with the same value, so an older one stays stale', async () => {
    const store = new FakeTaskMetadataStore();
    const apply = applier(store);
    await apply(set('status', 'a'), meta('u1', T0), first);

    // A re-assertion of the same value, then a message computed in between arrives late.
    const same = await apply(set('status', 'a'), meta('u3', T0 + 3), first);
    const late = await apply(set('status', 'b'), meta('u2', T0 + 2), first);

    expect(same).toMatchObject({
      outcome: 'no-op',
      detail: 'same value; the newer version is recorded',
    });
    expect(late.outcome).toBe('stale');
    expect(store.get('status')).toMatchObject({ value: 'a', version: changeVersion(T0 + 3, 'u3') });
  });

  it('at equal computed-at: the same value is a no-op, a different one goes to the greater update id', async () => {
    const store = new FakeTaskMetadataStore();
    const apply = applier(store);
    await apply(set('status', 'a'), meta('u5', T0), first);

    const sameValue = await apply(set('status', 'a'), meta('u1', T0), first);
    const lowerId = await apply(set('status', 'b'), meta('u2', T0), first);
    const higherId = await apply(set('status', 'c'), meta('u9', T0), first);

    expect(sameValue).toMatchObject({
      outcome: 'no-op',
      detail: 'a newer update stored the same value',
    });
    expect(lowerId.outcome).toBe('stale');
    expect(higherId.outcome).toBe('applied');
    expect(store.get('status')?.value).toBe('c');
  });

  it('orders each key on its own', async () => {
    const store = new FakeTaskMetadataStore();
    const apply = applier(store);
    await apply(set('a', 'new'), meta('u2', T0 + 2), first);

    const otherKey = await apply(set('b', 'old'), meta('u1', T0 + 1), first);

    expect(otherKey.outcome).toBe('applied');
    expect([store.get('a')?.value, store.get('b')?.value]).toEqual(['new', 'old']);
  });

  it('ends at the newest value whatever the delivery order, with duplicates', async () => {
    const messages = [
      [set('k', 'v1'), meta('u1', T0 + 1)],
      [set('k', 'v2'), meta('u2', T0 + 2)],
      [set('k', 'v2'), meta('u3', T0 + 3)],
      [set('k', 'v4'), meta('u4', T0 + 4)],
      [set('k', 'v4'), meta('u4', T0 + 4)],
    ] as const;
    const orders = [
      [0, 1, 2, 3, 4],
      [4, 3, 2, 1, 0],
      [2, 4, 0, 3, 1],
      [1, 3, 0, 4, 2],
    ];
    for (const order of orders) {
      const store = new FakeTaskMetadataStore();
      const apply = applier(store);
      for (const index of order) {
        const [update, m] = messages[index] ?? messages[0];
        await apply(update, m, first);
      }
      expect(store.get('k')).toMatchObject({ value: 'v4', updateId: 'u4' });
    }
  });

  it('retries a missing task before the last attempt, then rejects it as unknown-task', async () => {
    const store = new FakeTaskMetadataStore();
    store.tasks.clear();
    const apply = applier(store);

    const early = await apply(set('k', 'v'), meta('u1', T0), { receiveCount: 2 }).catch(
      (e: unknown) => e,
    );
    const last = await apply(set('k', 'v'), meta('u1', T0), { receiveCount: 3 });

    expect(classifyFailure(early)).toBe('task-not-found');
    expect(last).toEqual({
      outcome: 'rejected',
      subject: { taskId: TASK.taskId },
      rejection: {
        code: 'unknown-task',
        detail: 'the task does not exist (not found on 3 deliveries); nothing was written',
      },
    });
    expect(store.writes).toBe(0);
  });

  it('finds a task by task id within the patient only', async () => {
    const store = new FakeTaskMetadataStore();
    const apply = applier(store);
    const byId = (patientKey: string) =>
      taskMetadataPayload({ patientKey, taskId: TASK.taskId, key: 'k', value: 'v' });

    const own = await apply(byId('p1'), meta('u1', T0), first);
    const other = await apply(byId('p2'), meta('u2', T0), { receiveCount: 3 });

    expect(own.outcome).toBe('applied');
    expect(other).toMatchObject({ outcome: 'rejected', rejection: { code: 'unknown-task' } });
  });
});

describe('a TaskMetadata record through processUpdateRecord', () => {
  const record = (body: unknown) => ({
    messageId: 'm1',
    receiptHandle: 'r',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(T0),
      SenderId: 's',
      ApproximateFirstReceiveTimestamp: String(T0),
    },
    messageAttributes: {
      'update-id': { stringValue: 'u1', dataType: 'String' },
      'computed-at': { stringValue: String(T0), dataType: 'Number' },
    },
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
    awsRegion: 'us-east-1',
  });
  function deps(store: FakeTaskMetadataStore) {
    const sent: DeadLetter[] = [];
    const results: RecordResult[] = [];
    const recorder: OutcomeRecorder = { record: (result) => results.push(result) };
    const apply = applier(store);
    return {
      sent,
      results,
      deps: {
        applier: { queueType: 'TaskMetadata' as const, apply },
        deadLetters: { send: async (message: DeadLetter) => void sent.push(message) },
        recorder,
        now: () => new Date(T0 + 1000),
      },
    };
  }

  it('applies a valid record, logging the task id and never the key or value', async () => {
    const store = new FakeTaskMetadataStore();
    const { deps: d } = deps(store);

    const result = await processUpdateRecord(record(set('secret-key', 'Jane Doe')), d);

    expect(result).toEqual({
      messageId: 'm1',
      updateId: 'u1',
      outcome: 'applied',
      subject: { taskId: TASK.taskId },
    });
    expect(JSON.stringify(result)).not.toMatch(/secret-key|Jane/);
  });

  it('dead-letters a schema refusal naming the field, and another type as wrong-queue', async () => {
    const store = new FakeTaskMetadataStore();
    const { deps: d, sent } = deps(store);
    const nullValue = {
      ...set('k', 'v'),
      integration_payload: { task: { task_id: 't' }, key: 'k', value: null },
    };
    const comment = { ...set('k', 'v'), integration_type: 'TaskComment' };

    const refused = await processUpdateRecord(record(nullValue), d);
    const wrongQueue = await processUpdateRecord(record(comment), d);

    expect(refused).toMatchObject({ outcome: 'rejected', reason: 'schema' });
    expect(refused.detail).toContain('integration_payload.value');
    expect(wrongQueue).toMatchObject({ outcome: 'rejected', reason: 'wrong-queue' });
    expect(sent).toHaveLength(2);
    expect(store.writes).toBe(0);
  });
});
