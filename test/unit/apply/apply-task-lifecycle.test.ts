import { applyTaskComment } from '../../../lib/apply/apply-task-comment';
import { applyTaskUpdate } from '../../../lib/apply/apply-task-update';
import { classifyFailure } from '../../../lib/apply/failure-reason';
import { dedupeTaskId } from '../../../lib/apply/task-id';
import { DynamoDbTaskCommentStore } from '../../../lib/aws/dynamodb-task-comment-store';
import { DynamoDbTaskLifecycleStore } from '../../../lib/aws/dynamodb-task-lifecycle-store';
import type { TaskCommentStore } from '../../../lib/ports';
import { taskCommentPayload, updateTaskPayload } from '../../../lib/update-helpers';
import { FakeTaskLifecycleStore } from '../../support/apply-fakes';
import { clientThrowing } from '../../support/cancelling-client';

const T0 = 1_700_000_000_000;
const now = () => new Date('2024-02-01T10:00:00Z');
const key = { patientKey: 'p1', taskId: dedupeTaskId('p1', 'reminder:1') };
const first = { receiveCount: 1 };

function world(): FakeTaskLifecycleStore {
  const store = new FakeTaskLifecycleStore();
  store.put(key, { status: 'OPEN', computedAt: T0, sourceUpdateId: 'create' });
  return store;
}

const close = updateTaskPayload({ patientKey: 'p1', dedupeKey: 'reminder:1', status: 'CLOSED' });
const deps = (tasks: FakeTaskLifecycleStore) => ({ tasks, now, unknownTaskAttempts: 3 });

describe('applyTaskUpdate', () => {
  it('re-reads and merges again when the task changed between read and write', async () => {
    const store = world();
    let raced = false;
    store.beforeWrite = () => {
      if (raced) return;
      raced = true;
      // Another applier changes the title in between: our write must not undo it.
      const task = store.get(key);
      if (task) Object.assign(task, { title: 'Theirs', revision: 1 });
    };

    const result = await applyTaskUpdate(
      close,
      { updateId: 'u1', version: T0 + 1 },
      first,
      deps(store),
    );

    expect(result).toEqual({ outcome: 'applied', subject: { taskId: key.taskId } });
    expect(store.get(key)).toMatchObject({ status: 'CLOSED', title: 'Theirs', revision: 2 });
  });

  // DynamoDB Local cannot be made to return a TransactionConflict on demand: the fake reports it.
  it('retries a transaction conflict, then gives up with a transient contention error', async () => {
    const store = world();
    store.conflictsLeft = 4;
    const meta = { updateId: 'u1', version: T0 + 1 };

    await expect(applyTaskUpdate(close, meta, first, deps(store))).resolves.toMatchObject({
      outcome: 'applied',
    });

    const busy = world();
    busy.conflictsLeft = 5;
    const error = await applyTaskUpdate(close, meta, first, deps(busy)).catch((e: unknown) => e);
    expect(classifyFailure(error)).toBe('contention');
    expect(busy.writes).toBe(0);
  });

  it('retries a missing task before the last attempt, then rejects it as unknown-task', async () => {
    const store = new FakeTaskLifecycleStore();
    const meta = { updateId: 'u1', version: T0 };

    const early = await applyTaskUpdate(close, meta, { receiveCount: 2 }, deps(store)).catch(
      (e: unknown) => e,
    );
    const last = await applyTaskUpdate(close, meta, { receiveCount: 3 }, deps(store));

    expect(classifyFailure(early)).toBe('task-not-found');
    expect(last).toEqual({
      outcome: 'rejected',
      subject: { taskId: key.taskId },
      rejection: {
        code: 'unknown-task',
        detail: 'the task does not exist (not found on 3 deliveries); nothing was written',
      },
    });
  });

  it('refuses a whole update that adds an inactive label, naming its position', async () => {
    const store = world();
    store.labels.set('retired', { name: 'Retired', active: false });
    const update = updateTaskPayload({
      patientKey: 'p1',
      dedupeKey: 'reminder:1',
      status: 'CLOSED',
      addLabels: ['Fresh', 'retired'],
    });

    const result = await applyTaskUpdate(
      update,
      { updateId: 'u1', version: T0 + 1 },
      first,
      deps(store),
    );

    expect(result).toMatchObject({
      outcome: 'rejected',
      rejection: { code: 'inactive-label', detail: expect.stringMatching(/^labels_added\[1\]/) },
    });
    expect(store.get(key)).toMatchObject({ status: 'OPEN' });
    expect(store.labels.has('fresh')).toBe(false);
  });
});

describe('applyTaskComment', () => {
  const comment = taskCommentPayload({
    patientKey: 'p1',
    taskId: 'update:u-0',
    createdByKey: 's1',
    body: 'Called.',
  });
  const store = (result: Awaited<ReturnType<TaskCommentStore['add']>>) => {
    const added: unknown[] = [];
    return {
      added,
      add: async (item: unknown) => {
        added.push(item);
        return result;
      },
    };
  };

  it('stores the comment under its update version, body and keys as given', async () => {
    const comments = store('added');

    const result = await applyTaskComment(
      comment,
      { updateId: 'c1', version: T0, protocol: 'x' },
      first,
      { comments, now, unknownTaskAttempts: 3 },
    );

    expect(result).toEqual({ outcome: 'applied', subject: { taskId: 'update:u-0' } });
    expect(comments.added).toEqual([
      {
        taskKey: expect.stringMatching(/^[0-9a-f]{64}$/),
        commentId: `000${T0}#c1`,
        patientKey: 'p1',
        taskId: 'update:u-0',
        creatorKey: 's1',
        body: 'Called.',
        updateId: 'c1',
        computedAt: T0,
        protocol: 'x',
        appliedAt: '2024-02-01T10:00:00.000Z',
      },
    ]);
  });

  it('is a no-op for an existing comment and retries, then rejects, a missing task', async () => {
    const meta = { updateId: 'c1', version: T0 };
    const deps = (result: 'exists' | 'unknown-task') => ({
      comments: store(result),
      now,
      unknownTaskAttempts: 2,
    });

    await expect(applyTaskComment(comment, meta, first, deps('exists'))).resolves.toMatchObject({
      outcome: 'no-op',
    });
    const early = await applyTaskComment(comment, meta, first, deps('unknown-task')).catch(
      (e: unknown) => e,
    );
    expect(classifyFailure(early)).toBe('task-not-found');
    await expect(
      applyTaskComment(comment, meta, { receiveCount: 2 }, deps('unknown-task')),
    ).resolves.toMatchObject({ outcome: 'rejected', rejection: { code: 'unknown-task' } });
  });
});

// DynamoDB Local cannot cancel a transaction for a conflict or throttling on demand: the client's
// `send` is stubbed with the exception DynamoDB returns (clientThrowing).
describe('lifecycle stores: cancellations DynamoDB Local cannot produce', () => {
  const change = {
    expectedRevision: 1,
    values: { status: 'CLOSED' as const },
    fieldVersions: {},
    labelsToEnsure: [{ name: 'Urgent', nameKey: 'urgent' }],
    updateId: 'u',
    appliedAt: '2024-01-01T00:00:00.000Z',
  };
  const tables = { tasksTable: 't', labelsTable: 'l', taskCommentsTable: 'c' };

  it('reports a transaction conflict on a task change as a conflict to re-read', async () => {
    const store = new DynamoDbTaskLifecycleStore(
      clientThrowing('None', 'TransactionConflict'),
      tables,
    );

    await expect(store.write(key, change)).resolves.toEqual({ status: 'conflict' });
  });

  it('turns throttling into a transient error', async () => {
    const tasks = new DynamoDbTaskLifecycleStore(clientThrowing('ThrottlingError', 'None'), tables);
    const comments = new DynamoDbTaskCommentStore(
      clientThrowing('None', 'ThrottlingError'),
      tables,
    );

    expect(classifyFailure(await tasks.write(key, change).catch((e: unknown) => e))).toBe(
      'throttled',
    );
    const item = {
      taskKey: 'k',
      commentId: 'c',
      patientKey: 'p1',
      taskId: 't',
      creatorKey: 's',
      body: 'b',
      updateId: 'u',
      computedAt: T0,
      appliedAt: change.appliedAt,
    };
    expect(classifyFailure(await comments.add(item).catch((e: unknown) => e))).toBe('throttled');
  });
});
