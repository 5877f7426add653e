import '../support/quiet-sdk-warning';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import fc from 'fast-check';
import { handler } from '../../handlers/apply-task-update';
import { changeVersion } from '../../lib/apply/change-version';
import {
  createTaskPayload,
  ensurePatientInGroup,
  type UpdateTaskInput,
  updateTaskPayload,
} from '../../lib/update-helpers';
import { sqsRecord } from '../support/apply-fakes';
import { createTaskThroughQueue } from '../support/lifecycle-task';
import type { TestStack } from '../support/local-stack';
import { seedLabel, seedPatient } from '../support/seed';
import {
  deliverAtReceiveCounts,
  drain,
  type QueueRef,
  receiveEvent,
  rejectionReasons,
  sendUpdate,
  settle,
  takeAll,
} from '../support/sqs-driver';
import { storedItem } from '../support/table-reads';
import { useApplierQueue } from '../support/use-applier-queue';

const T0 = 1_700_000_000_000;

const applier = useApplierQueue('TaskUpdate');
let stack: TestStack;
let queue: QueueRef;
let dlq: QueueRef;

beforeAll(async () => {
  ({ stack, queue, dlq } = applier());
  await seedLabel(stack, 'Retired', false);
});

/** Creates the task through the real Task applier, at `T0` with update id `create`. */
async function createTask(patientKey: string, dedupeKey: string, labels = ['Urgent']) {
  return createTaskThroughQueue(
    applier(),
    { patientKey, createdByKey: 's1', title: 'Call', labels, dedupeKey },
    { updateId: 'create', computedAt: T0 },
  );
}

const taskItem = (key: { patientKey: string; taskId: string }) =>
  storedItem(stack, 'TasksTable', key);

/** One update delivered as an SQS record straight to the handler (no queue in between). */
function event(body: unknown, updateId: string, version: number, receiveCount = 1): SQSEvent {
  const record = sqsRecord(
    body,
    { 'update-id': updateId, 'computed-at': String(version) },
    { eventSourceARN: queue.arn },
  );
  record.attributes.ApproximateReceiveCount = String(receiveCount);
  return { Records: [record] };
}

/** The real applier and stores with a recorder the test reads (the handler logs instead). */
const recordingApplier = () => applier().recordingApplier();

describe('TaskUpdate applier (DynamoDB Local, local SQS)', () => {
  it('applies every field, records versions per field and a revision; a redelivery is a no-op', async () => {
    const key = await createTask('p-full', 'reminder:1');
    await sendUpdate(
      stack.sqs,
      queue,
      updateTaskPayload({
        patientKey: 'p-full',
        dedupeKey: 'reminder:1',
        status: 'COMPLETED',
        title: 'Called',
        teamIdentifier: 'team-2',
        due: '2024-02-05T09:00:00',
        addLabels: ['Done'],
        removeLabels: ['urgent'],
        assigneeIdentifier: 's2',
      }),
      { updateId: 'u1', computedAt: T0 + 1, protocol: 'reminder' },
    );
    const delivered = await receiveEvent(stack.sqs, queue);

    const { recorder, handle } = recordingApplier();
    const first = await handle(delivered);
    const again = await handle(delivered);
    await settle(stack.sqs, queue, delivered, again);

    expect([...first.batchItemFailures, ...again.batchItemFailures]).toEqual([]);
    expect(recorder.results.map((r) => r.outcome)).toEqual(['applied', 'no-op']);
    const v1 = changeVersion(T0 + 1, 'u1');
    expect(await taskItem(key)).toEqual(
      expect.objectContaining({
        status: 'COMPLETED',
        title: 'Called',
        teamId: 'team-2',
        due: '2024-02-05T09:00:00',
        labels: ['Done'],
        assigneeKey: 's2',
        revision: 1,
        lastUpdateId: 'u1',
        lastProtocol: 'reminder',
        sourceUpdateId: 'create',
        fieldVersions: {
          status: v1,
          title: v1,
          team_identifier: v1,
          due: v1,
          assignee: v1,
          'label:done': v1,
          'label:urgent': v1,
        },
      }),
    );
    const { Item: label } = await stack.documents.send(
      new GetCommand({ TableName: stack.tables.LabelsTable, Key: { nameKey: 'done' } }),
    );
    expect(label).toMatchObject({ name: 'Done', active: true, createdByUpdateId: 'u1' });
  });

  it('keeps newer fields from an older update, applies its others, and is stale when all are newer', async () => {
    const key = await createTask('p-order', 'reminder:2');
    const newer = updateTaskPayload({ patientKey: 'p-order', taskId: key.taskId, title: 'Newest' });
    const older = updateTaskPayload({
      patientKey: 'p-order',
      taskId: key.taskId,
      title: 'Older',
      status: 'COMPLETED',
    });
    const oldest = updateTaskPayload({
      patientKey: 'p-order',
      taskId: key.taskId,
      title: 'Oldest',
    });

    const { recorder, handle } = recordingApplier();
    await handle(event(newer, 'u-new', T0 + 30));
    await handle(event(older, 'u-old', T0 + 20));
    await handle(event(oldest, 'u-oldest', T0 + 10));
    await handle(event(older, 'u-old', T0 + 20));

    expect(recorder.results.map((r) => [r.updateId, r.outcome, r.detail])).toEqual([
      ['u-new', 'applied', undefined],
      ['u-old', 'applied', 'newer values kept for: title'],
      ['u-oldest', 'stale', 'newer values kept for: title'],
      // A redelivery of the partly stale update: its own field is its version, the other newer.
      ['u-old', 'no-op', 'newer values kept for: title'],
    ]);
    expect(recorder.results.map((r) => r.subject)).toEqual(Array(4).fill({ taskId: key.taskId }));
    expect(await taskItem(key)).toMatchObject({
      title: 'Newest',
      status: 'COMPLETED',
      revision: 2,
    });
    expect(await takeAll(stack.sqs, dlq)).toEqual([]);
  });

  it('retries a TaskUpdate whose task is missing, then dead-letters it as unknown-task', async () => {
    await seedPatient(stack, 'p-early');
    await sendUpdate(
      stack.sqs,
      queue,
      updateTaskPayload({ patientKey: 'p-early', dedupeKey: 'never-created', status: 'CLOSED' }),
      { updateId: 'early-1' },
    );
    const delivered = await receiveEvent(stack.sqs, queue);

    // The same message on its 1st, 2nd and 3rd delivery.
    const responses = await deliverAtReceiveCounts(stack.sqs, queue, delivered, handler, [1, 2, 3]);

    // Deliveries 1 and 2 are retried (the creation may be on its way), the 3rd is refused.
    expect(responses.map((r) => r.batchItemFailures.length)).toEqual([1, 1, 0]);
    const dead = await takeAll(stack.sqs, dlq);
    expect(rejectionReasons(dead)).toEqual(['unknown-task']);
    expect(dead[0]?.MessageAttributes?.['rejection-detail']?.StringValue).toBe(
      'the task does not exist (not found on 3 deliveries); nothing was written',
    );
    expect(dead[0]?.MessageAttributes?.['update-id']?.StringValue).toBe('early-1');
  });

  it('applies a TaskUpdate that arrived before its task once the task exists', async () => {
    await sendUpdate(
      stack.sqs,
      queue,
      updateTaskPayload({ patientKey: 'p-late', dedupeKey: 'late', status: 'CLOSED' }),
      { updateId: 'late-1', computedAt: T0 + 5 },
    );
    const early = await receiveEvent(stack.sqs, queue);
    const retried = await handler(early);
    await settle(stack.sqs, queue, early, retried);
    const key = await createTask('p-late', 'late');

    const responses = await drain(stack.sqs, queue, handler);

    expect(retried.batchItemFailures).toHaveLength(1);
    expect(responses.flatMap((r) => r.batchItemFailures)).toEqual([]);
    expect(await taskItem(key)).toMatchObject({ status: 'CLOSED' });
  });

  it.each([
    [
      'inactive-label',
      updateTaskPayload({
        patientKey: 'p-reject',
        dedupeKey: 'reject',
        status: 'CLOSED',
        addLabels: ['Brand new', 'retired'],
      }),
    ],
    [
      'schema',
      {
        ...updateTaskPayload({ patientKey: 'p-reject', dedupeKey: 'reject', status: 'CLOSED' }),
        integration_payload: { task: { dedupe_key: 'reject' } },
      },
    ],
    ['wrong-queue', ensurePatientInGroup('p-reject', 'g-1')],
    ['wrong-queue', createTaskPayload({ patientKey: 'p-reject', createdByKey: 's' })],
  ])('dead-letters %s and writes nothing', async (code, body) => {
    const key = await createTask('p-reject', 'reject');
    const before = await taskItem(key);
    await sendUpdate(stack.sqs, queue, body);

    const responses = await drain(stack.sqs, queue, handler);

    expect(responses.flatMap((r) => r.batchItemFailures)).toEqual([]);
    expect(rejectionReasons(await takeAll(stack.sqs, dlq))).toEqual([code]);
    expect(await taskItem(key)).toEqual(before);
    const { Item } = await stack.documents.send(
      new GetCommand({ TableName: stack.tables.LabelsTable, Key: { nameKey: 'brand new' } }),
    );
    expect(Item).toBeUndefined();
  });

  it('lands concurrent updates of one task, each on its own field (optimistic retries)', async () => {
    const key = await createTask('p-race', 'race');
    const changes: Omit<UpdateTaskInput, 'patientKey' | 'dedupeKey' | 'taskId'>[] = [
      { status: 'COMPLETED' },
      { title: 'Raced' },
      { teamIdentifier: 'team-r' },
      { due: '2024-03-01T08:00:00' },
      { assigneeIdentifier: 's-r' },
      { addLabels: ['Raced label'] },
    ];

    const responses = await Promise.all(
      changes.map((change, i) =>
        handler(
          event(
            updateTaskPayload({
              patientKey: 'p-race',
              dedupeKey: 'race',
              ...change,
            } as UpdateTaskInput),
            `race-${i}`,
            T0 + 1 + i,
          ),
        ),
      ),
    );

    expect(responses.flatMap((r) => r.batchItemFailures)).toEqual([]);
    expect(await taskItem(key)).toMatchObject({
      status: 'COMPLETED',
      title: 'Raced',
      teamId: 'team-r',
      due: '2024-03-01T08:00:00',
      assigneeKey: 's-r',
      labels: ['Urgent', 'Raced label'],
      revision: changes.length,
    });
  });

  it('ends with each field at its newest value for any delivery order with duplicates', async () => {
    const titles = ['A', 'B', 'C', 'D'];
    const statuses = ['OPEN', 'COMPLETED', 'CLOSED'] as const;
    const update = fc.record({
      version: fc.integer({ min: 1, max: 6 }),
      title: fc.option(fc.constantFrom(...titles), { nil: undefined }),
      status: fc.option(fc.constantFrom(...statuses), { nil: undefined }),
      label: fc.option(
        fc.record({ add: fc.boolean(), name: fc.constantFrom('X', 'y', 'Urgent') }),
        {
          nil: undefined,
        },
      ),
    });
    let run = 0;

    await fc.assert(
      fc.asyncProperty(
        fc
          .array(update, { minLength: 1, maxLength: 5 })
          .filter((list) => list.some((u) => u.title ?? u.status ?? u.label)),
        fc.array(fc.nat(), { minLength: 1, maxLength: 10 }),
        async (list, order) => {
          run += 1;
          const patientKey = `p-prop-${run}`;
          const key = await createTask(patientKey, 'prop');
          const updates = list
            .map((u, i) => ({ ...u, id: `u${i}` }))
            .filter((u) => u.title !== undefined || u.status !== undefined || u.label);
          // Every update at least once, then the random extra deliveries, shuffled by `order`.
          const deliveries = [...updates, ...order.map((n) => updates[n % updates.length])];
          const shuffled = deliveries
            .map((u, i) => ({ u, sortKey: order[i % order.length] ?? 0, i }))
            .sort((a, b) => a.sortKey - b.sortKey || b.i - a.i)
            .map((d) => d.u);

          for (const u of shuffled) {
            if (!u) continue;
            const body = updateTaskPayload({
              patientKey,
              dedupeKey: 'prop',
              ...(u.title === undefined ? {} : { title: u.title }),
              ...(u.status === undefined ? {} : { status: u.status }),
              ...(u.label === undefined
                ? {}
                : u.label.add
                  ? { addLabels: [u.label.name] }
                  : { removeLabels: [u.label.name] }),
            } as UpdateTaskInput);
            const response = await handler(event(body, u.id, T0 + u.version));
            expect(response.batchItemFailures).toEqual([]);
          }

          // The model: per field, the value of the newest update (by version, then id) touching it.
          const newest = <T>(pick: (u: (typeof updates)[number]) => T | undefined, initial: T) => {
            let best: { v: string; value: T } = { v: changeVersion(T0, 'create'), value: initial };
            for (const u of updates) {
              const value = pick(u);
              const v = changeVersion(T0 + u.version, u.id);
              if (value !== undefined && v > best.v) best = { v, value };
            }
            return best.value;
          };
          const labelOn = (nameKey: string, initially: boolean) =>
            newest(
              (u) => (u.label && u.label.name.toLowerCase() === nameKey ? u.label.add : undefined),
              initially,
            );
          const item = await taskItem(key);
          expect(item?.title).toBe(newest((u) => u.title, 'Call'));
          expect(item?.status).toBe(newest((u) => u.status, 'OPEN'));
          const expectedLabels = ['urgent', 'x', 'y'].filter((k) => labelOn(k, k === 'urgent'));
          expect(
            ((item?.labels as string[] | undefined) ?? []).map((l) => l.toLowerCase()).sort(),
          ).toEqual(expectedLabels);
        },
      ),
      { numRuns: 15 },
    );
    expect(await takeAll(stack.sqs, dlq)).toEqual([]);
  });

  it('moves due as sent with its UTC instant; an older due arriving later stays stale', async () => {
    const key = await createTask('p-due', 'reminder:due');
    const send = (due: string, id: string, version: number) =>
      handler(
        event(updateTaskPayload({ patientKey: 'p-due', taskId: key.taskId, due }), id, version),
      );

    // Newest first: what the kit's arrow writes (offset, microseconds).
    expect(
      (await send('2024-02-05T09:30:00.123456-05:00', 'due-new', T0 + 20)).batchItemFailures,
    ).toEqual([]);
    expect((await send('2024-02-04T09:00:00Z', 'due-old', T0 + 10)).batchItemFailures).toEqual([]);
    expect(await taskItem(key)).toEqual(
      expect.objectContaining({
        due: '2024-02-05T09:30:00.123456-05:00',
        dueInstant: '2024-02-05T14:30:00.123456Z',
        fieldVersions: { due: changeVersion(T0 + 20, 'due-new') },
        revision: 1,
      }),
    );

    // The same instant written another way is a newer value as sent: stored, with its instant.
    expect(
      (await send('2024-02-05T14:30:00.123456+00:00', 'due-same', T0 + 30)).batchItemFailures,
    ).toEqual([]);
    expect(await taskItem(key)).toMatchObject({
      due: '2024-02-05T14:30:00.123456+00:00',
      dueInstant: '2024-02-05T14:30:00.123456Z',
      revision: 2,
    });
  });
});
