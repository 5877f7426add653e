import { applyTask, distinctLabels, taskIdFor } from '../../../lib/apply/apply-task';
import { createTaskPayload } from '../../../lib/update-helpers';
import { FakeTaskStore } from '../../support/apply-fakes';

const now = () => new Date('2024-02-01T10:00:00Z');
const meta = { updateId: 'u-1', version: 1_700_000_000_000, protocol: 'diabetes-a1c' };

function world(): FakeTaskStore {
  const store = new FakeTaskStore();
  store.patients.add('patient-1');
  return store;
}

const fullTask = createTaskPayload({
  patientKey: 'patient-1',
  createdByKey: 'staff-1',
  status: 'OPEN',
  title: 'Order an A1C test',
  assigneeIdentifier: 'staff-2',
  teamIdentifier: 'team-1',
  due: '2024-02-03T09:00:00',
  created: '2024-01-31T09:00:00',
  tag: 'a1c',
  labels: ['Urgent', 'Diabetes'],
});

describe('applyTask', () => {
  it('stores every field as given', async () => {
    const store = world();

    const result = await applyTask(fullTask, meta, { tasks: store, now });

    expect(result).toEqual({ outcome: 'applied', subject: { taskId: 'update:u-1' } });
    expect([...store.tasks.values()]).toEqual([
      {
        patientKey: 'patient-1',
        taskId: 'update:u-1',
        creatorKey: 'staff-1',
        assigneeKey: 'staff-2',
        teamId: 'team-1',
        status: 'OPEN',
        title: 'Order an A1C test',
        due: '2024-02-03T09:00:00',
        created: '2024-01-31T09:00:00',
        // Their UTC instants (no offset: UTC).
        dueInstant: '2024-02-03T09:00:00.000000Z',
        createdInstant: '2024-01-31T09:00:00.000000Z',
        tag: 'a1c',
        labels: ['Urgent', 'Diabetes'],
        sourceUpdateId: 'u-1',
        computedAt: meta.version,
        protocol: 'diabetes-a1c',
        appliedAt: '2024-02-01T10:00:00.000Z',
      },
    ]);
  });

  it('creates missing labels active', async () => {
    const store = world();

    await applyTask(fullTask, meta, { tasks: store, now });

    expect(store.labels.get('urgent')).toEqual({ name: 'Urgent', active: true });
    expect(store.labels.get('diabetes')).toEqual({ name: 'Diabetes', active: true });
  });

  it('creates the task once however often the update is delivered', async () => {
    const store = world();

    const outcomes = [];
    for (let i = 0; i < 5; i++)
      outcomes.push((await applyTask(fullTask, meta, { tasks: store, now })).outcome);

    expect(outcomes).toEqual(['applied', 'no-op', 'no-op', 'no-op', 'no-op']);
    expect(store.tasks.size).toBe(1);
  });

  it('makes one task per patient and dedupe key across computations', async () => {
    const store = world();
    const update = createTaskPayload({
      patientKey: 'patient-1',
      createdByKey: 'staff-1',
      dedupeKey: 'a1c-2024',
    });

    const first = await applyTask(update, { updateId: 'u-1', version: 1 }, { tasks: store, now });
    const second = await applyTask(update, { updateId: 'u-2', version: 2 }, { tasks: store, now });

    expect([first.outcome, second.outcome]).toEqual(['applied', 'no-op']);
    expect(store.tasks.size).toBe(1);
  });

  it('settles a re-sent task by one read, without the transaction', async () => {
    const store = world();
    await applyTask(fullTask, meta, { tasks: store, now });
    store.calls.length = 0;

    const again = await applyTask(fullTask, { ...meta, updateId: 'u-1' }, { tasks: store, now });

    expect(again).toEqual({
      outcome: 'no-op',
      subject: { taskId: 'update:u-1' },
      detail: 'the task exists already',
    });
    expect(store.calls).toEqual(['exists']);
  });

  it('reads, then creates, a task that does not exist yet', async () => {
    const store = world();

    await applyTask(fullTask, meta, { tasks: store, now });

    expect(store.calls).toEqual(['exists', 'create']);
  });

  it('leaves a creation racing in after the read to the write condition: no-op, one task', async () => {
    const store = world();
    const update = createTaskPayload({
      patientKey: 'patient-1',
      createdByKey: 'staff-1',
      dedupeKey: 'reminder:appt-1',
      labels: ['Urgent'],
    });
    // Another consumer creates the same task between this one's read and its transaction.
    store.afterRead = () => {
      store.afterRead = undefined;
      void applyTask(update, { updateId: 'u-other', version: 1 }, { tasks: store, now });
    };

    const result = await applyTask(update, { updateId: 'u-1', version: 2 }, { tasks: store, now });

    expect(result.outcome).toBe('no-op');
    expect([...store.tasks.values()].map((t) => t.sourceUpdateId)).toEqual(['u-other']);
  });

  it('still refuses an inactive label on a re-sent task only if the task is missing', async () => {
    const store = world();
    await applyTask(fullTask, meta, { tasks: store, now });
    store.labels.set('diabetes', { name: 'Diabetes', active: false });

    const again = await applyTask(fullTask, meta, { tasks: store, now });

    // The task exists: created when the label was active; a later deactivation does not undo it.
    expect(again.outcome).toBe('no-op');
  });

  it('refuses a task with an inactive label and writes nothing', async () => {
    const store = world();
    store.labels.set('diabetes', { name: 'Diabetes', active: false });

    const result = await applyTask(fullTask, meta, { tasks: store, now });

    expect(result.outcome === 'rejected' && result.rejection).toEqual({
      code: 'inactive-label',
      detail: 'labels[1] is an inactive label; nothing was written',
    });
    expect(store.tasks.size).toBe(0);
    expect(store.labels.has('urgent')).toBe(false);
  });

  it('refuses a task for an unknown patient and writes nothing', async () => {
    const store = new FakeTaskStore();

    const result = await applyTask(fullTask, meta, { tasks: store, now });

    expect(result.outcome === 'rejected' && result.rejection.code).toBe('unknown-patient');
    expect(store.tasks.size + store.labels.size).toBe(0);
  });
});

describe('taskIdFor', () => {
  it('derives the id from patient and dedupe key, not from the update id', () => {
    const a = createTaskPayload({ patientKey: 'p-1', createdByKey: 's', dedupeKey: 'k' });
    const b = createTaskPayload({ patientKey: 'p-2', createdByKey: 's', dedupeKey: 'k' });

    expect(taskIdFor(a, { updateId: 'u-1' })).toBe(taskIdFor(a, { updateId: 'u-2' }));
    expect(taskIdFor(a, { updateId: 'u-1' })).not.toBe(taskIdFor(b, { updateId: 'u-1' }));
    expect(taskIdFor(a, { updateId: 'u-1' })).toMatch(/^dedupe:[0-9a-f]{64}$/);
  });
});

describe('distinctLabels', () => {
  it('folds case so one transaction touches each label once, keeping payload positions', () => {
    expect(distinctLabels(['Urgent', 'urgent', 'Diabetes', 'URGENT'])).toEqual({
      labels: [
        { name: 'Urgent', nameKey: 'urgent' },
        { name: 'Diabetes', nameKey: 'diabetes' },
      ],
      payloadIndex: [0, 2],
    });
  });
});
