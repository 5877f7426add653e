import '../support/quiet-sdk-warning';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { handler as applyGroup } from '../../handlers/apply-group-membership';
import { handler as applyTask } from '../../handlers/apply-task';
import { encodeUpdateAttributes } from '../../schemas';
import { type KitBodyEntry, readKitBodies } from '../support/kit-bodies';
import type { TestStack } from '../support/local-stack';
import { seedGroup, seedPatient } from '../support/seed';
import { drain, takeAll } from '../support/sqs-driver';
import { storedItem } from '../support/table-reads';
import { useApplierQueue } from '../support/use-applier-queue';

/**
 * Bodies exactly as a Python producer of the kit sends them (fixtures/kit-bodies, written by
 * scripts/kit-bodies.py), put on the local queues and applied by the real handlers against
 * DynamoDB Local. Nothing is mocked.
 */

const DIABETES_CARE_GROUP_ID = '5f0c4a52-3c1e-4b8e-9d3a-2f6b1e0d9a11';
const T0 = 1_700_000_000_000;

// The kit's bodies are Task and Group messages: the Task queue's stack, and the Group queue on it.
const applier = useApplierQueue('Task');
let stack: TestStack;

const applied = readKitBodies('applied.jsonl');
const refused = readKitBodies('refused.jsonl');
const queueOf = (type: KitBodyEntry['type']) => applier().queueOf(type);

/** The update id each body is sent with: a Task without dedupe key is stored as `update:<id>`. */
const updateIdOf = (set: string, index: number) => `kit-${set}-${index + 1}`;

beforeAll(async () => {
  stack = applier().stack;
  for (let n = 1; n <= 5; n++)
    await seedPatient(stack, `demo-patient-${String(n).padStart(4, '0')}`);
  await seedGroup(stack, DIABETES_CARE_GROUP_ID, 'Diabetes care');
  const send = async (set: string, entries: KitBodyEntry[]) => {
    for (const [index, entry] of entries.entries()) {
      await stack.sqs.send(
        new SendMessageCommand({
          QueueUrl: queueOf(entry.type).url,
          MessageBody: entry.body,
          MessageAttributes: encodeUpdateAttributes({
            updateId: updateIdOf(set, index),
            computedAt: T0 + index,
          }),
        }),
      );
    }
  };
  await send('applied', applied);
  await send('refused', refused);
  await drain(stack.sqs, queueOf('Task'), applyTask);
  await drain(stack.sqs, queueOf('Group'), applyGroup);
});

const storedTask = (patientKey: string, taskId: string) =>
  storedItem(stack, 'TasksTable', { patientKey, taskId });

const tasks = applied
  .map((entry, index) => [`${index + 1} ${entry.source}`, entry, index] as const)
  .filter(([, entry]) => entry.type === 'Task');

describe('kit bodies on the local queues (DynamoDB Local, local SQS)', () => {
  it.each(tasks)(
    'applies the Task body %s, storing its datetimes as sent and their UTC instants',
    async (_, entry, index) => {
      const body = JSON.parse(entry.body);
      const item = await storedTask(
        body.patient_identifier.identifier.key,
        `update:${updateIdOf('applied', index)}`,
      );
      const { expect: expected } = entry;
      expect(item).toMatchObject({
        status: expected.status,
        title: body.integration_payload.title,
        creatorKey: body.integration_payload.creator.identifier.key,
      });
      // Exactly the strings sent, byte for byte, and the instants Python computes for them.
      for (const field of ['due', 'dueInstant', 'created', 'createdInstant'] as const)
        expect(item?.[field]).toBe(expected[field]);
      expect(item?.due).toBe(body.integration_payload.due);
      expect(item?.created).toBe(body.integration_payload.created);
    },
  );

  it('stores a non-ASCII title decoded from its \\u escape', async () => {
    const index = applied.findIndex((e) => e.body.includes('\\u00eb'));
    const item = await storedTask('demo-patient-0001', `update:${updateIdOf('applied', index)}`);
    expect(item?.title).toBe("Reschedule Zoë's no-show appointment");
  });

  it('applies the Group bodies in Python serialization', async () => {
    for (const entry of applied.filter((e) => e.type === 'Group')) {
      const patientKey = String(entry.arguments?.patient_key);
      const { Item } = await stack.documents.send(
        new GetCommand({
          TableName: stack.tables.MembershipsTable,
          Key: { groupId: DIABETES_CARE_GROUP_ID, patientKey },
          ConsistentRead: true,
        }),
      );
      expect({ patientKey, active: Item?.active }).toEqual({
        patientKey,
        active: entry.expect.active,
      });
    }
  });

  it('dead-letters the free-text due with its reason, body unchanged, and writes no task', async () => {
    const dead = await applier().deadLetters();
    expect(
      dead.map((m) => ({
        body: m.Body,
        reason: m.MessageAttributes?.['rejection-reason']?.StringValue,
        detail: m.MessageAttributes?.['rejection-detail']?.StringValue,
      })),
    ).toEqual(
      refused.map((entry) => ({
        body: entry.body,
        reason: entry.expect.reason,
        detail: entry.expect.detail,
      })),
    );
    expect(
      await storedTask('demo-patient-0003', `update:${updateIdOf('refused', 0)}`),
    ).toBeUndefined();
    expect(await takeAll(stack.sqs, applier().deadLetterQueueOf('Group'))).toEqual([]);
  });
});
