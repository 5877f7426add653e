import '../support/quiet-sdk-warning';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { handler } from '../../handlers/apply-group-membership';
import { ensurePatientInGroup } from '../../lib/update-helpers';
import type { TestStack } from '../support/local-stack';
import {
  consume,
  type Outgoing,
  queueDepth,
  seedPatients,
  sendAll,
  size,
} from '../support/reliability';
import { seedGroup } from '../support/seed';
import { takeAll } from '../support/sqs-driver';
import { typeDeadLetterQueue, typeQueue } from '../support/type-queues';
import { useTestStack } from '../support/use-test-stack';

// Property: for any set of in/not-in updates over a few patients (several entries per message,
// ties on computed-at broken by update id, computed-at written as epoch ms or ISO with Z or an
// offset), delivered in any interleaving, some more than once, by concurrent pollers with any
// batch size, the newest update wins for every patient. Through local SQS, the real handler and
// DynamoDB Local (the pure logic's property is in test/unit/apply).

const RUNS = size(10, 100);
const T0 = 1_706_691_600_000; // 2024-01-31T09:00:00Z
const PATIENTS = 3;

const testStack = useTestStack();
let stack: TestStack;

beforeAll(async () => {
  stack = testStack();
  await seedGroup(stack, 'g-order', 'Ordering group');
});

type Format = 'epoch' | 'iso-z' | 'iso-offset';

function computedAt(version: number, format: Format): string {
  const ms = T0 + version * 1000;
  if (format === 'epoch') return String(ms);
  if (format === 'iso-z') return new Date(ms).toISOString();
  // The same instant at +02:00.
  const local = new Date(ms + 2 * 3_600_000).toISOString().slice(0, 19);
  return `${local}+02:00`;
}

const message = fc.record({
  version: fc.integer({ min: 0, max: 8 }),
  updateId: fc.constantFrom('u-a', 'u-b', 'u-C', 'u-10', 'u-9'),
  format: fc.constantFrom<Format>('epoch', 'iso-z', 'iso-offset'),
  // Entries in message order; a patient may appear twice (the last entry counts).
  entries: fc.array(fc.record({ patient: fc.nat({ max: PATIENTS - 1 }), active: fc.boolean() }), {
    minLength: 1,
    maxLength: 4,
  }),
});

describe(`reordering (${RUNS} runs through SQS, the handler and DynamoDB Local)`, () => {
  it('ends, for every patient, in the state of the newest update that names them', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(message, {
          minLength: 1,
          maxLength: 10,
          selector: (m) => `${m.version}/${m.updateId}`,
        }),
        fc.array(fc.integer({ min: 1, max: 2 }), { minLength: 10, maxLength: 10 }),
        fc.infiniteStream(fc.nat()),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 10 }),
        async (messages, copies, order, concurrency, batchSize) => {
          run += 1;
          const patientKey = (p: number) => `p-order-${run}-${p}`;
          await seedPatients(
            stack.documents,
            stack.tables.PatientsTable as string,
            Array.from({ length: PATIENTS }, (_, p) => patientKey(p)),
          );
          const deliveries: Outgoing[] = messages
            .flatMap((m, i) => Array.from({ length: copies[i] ?? 1 }, () => m))
            .map((m) => ({ m, k: order.next().value as number }))
            .sort((a, b) => a.k - b.k)
            .map(({ m }) => {
              const body = ensurePatientInGroup(patientKey(0), 'g-order');
              body.integration_payload.members.entries = m.entries.map((e) =>
                e.active
                  ? { uuid: patientKey(e.patient) }
                  : { uuid: patientKey(e.patient), inactive: true },
              );
              return {
                body,
                metadata: {
                  updateId: `${run}-${m.updateId}`,
                  computedAt: computedAt(m.version, m.format),
                },
              };
            });
          const queue = typeQueue(stack, 'Group');

          await sendAll(stack.sqs, queue, deliveries, 1);
          const stats = await consume(stack.sqs, queue, handler, { concurrency, batchSize });

          expect(stats.handlerErrors).toBe(0);
          expect(await queueDepth(stack.sqs, queue)).toEqual({
            visible: 0,
            inFlight: 0,
            delayed: 0,
          });
          expect(await takeAll(stack.sqs, typeDeadLetterQueue(stack, 'Group'))).toEqual([]);
          for (let p = 0; p < PATIENTS; p++) {
            // The newest message naming p; within it, p's last entry.
            const naming = messages.filter((m) => m.entries.some((e) => e.patient === p));
            const newest = naming.sort((a, b) =>
              a.version !== b.version ? b.version - a.version : a.updateId < b.updateId ? 1 : -1,
            )[0];
            const { Item } = await stack.documents.send(
              new GetCommand({
                TableName: stack.tables.MembershipsTable,
                Key: { groupId: 'g-order', patientKey: patientKey(p) },
                ConsistentRead: true,
              }),
            );
            if (!newest) {
              expect(Item).toBeUndefined();
              continue;
            }
            const last = newest.entries.filter((e) => e.patient === p).at(-1);
            expect({
              active: Item?.active,
              version: Item?.version,
              lastUpdateId: Item?.lastUpdateId,
            }).toEqual({
              active: last?.active,
              version: T0 + newest.version * 1000,
              lastUpdateId: `${run}-${newest.updateId}`,
            });
          }
        },
      ),
      { numRuns: RUNS, seed: Number(process.env.RELIABILITY_SEED ?? 4_242) },
    );
  }, 600_000);
});
