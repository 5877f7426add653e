import '../support/quiet-sdk-warning';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { handler } from '../../handlers/apply-group-membership';
import { awsClients } from '../../lib/aws/clients';
import { ensurePatientInGroup } from '../../lib/update-helpers';
import type { TestStack } from '../support/local-stack';
import { seedGroup, seedPatient } from '../support/seed';
import { drain, receiveEvent, sendUpdate, settle, takeAll } from '../support/sqs-driver';
import { useApplierQueue } from '../support/use-applier-queue';

// File-backed so the data survives stopping the process.
const applier = useApplierQueue('Group', { fileBacked: true });
let stack: TestStack;

beforeAll(async () => {
  stack = applier().stack;
});

describe('DynamoDB stopped in the middle of a batch', () => {
  it('reports the failed records, then applies every record once DynamoDB is back', async () => {
    const { queue, dlq } = applier();
    const patients = Array.from({ length: 8 }, (_, i) => `p-outage-${i}`);
    await seedGroup(stack, 'group-1', 'Outage group');
    for (const p of patients) await seedPatient(stack, p);
    for (const p of patients)
      await sendUpdate(stack.sqs, queue, ensurePatientInGroup(p, 'group-1'));

    // The handler's own DynamoDB client: on its third request, DynamoDB Local is stopped, so the
    // rest of the batch meets a database that is really down (connection refused).
    const { dynamodb } = awsClients();
    let requests = 0;
    dynamodb.middlewareStack.add(
      (next) => async (args) => {
        requests += 1;
        if (requests === 3) await stack.stopDynamoDb();
        return next(args);
      },
      { step: 'initialize', name: 'stopDynamoDbMidBatch' },
    );
    const event = await receiveEvent(stack.sqs, queue);
    const during = await handler(event);
    await settle(stack.sqs, queue, event, during);
    dynamodb.middlewareStack.remove('stopDynamoDbMidBatch');

    await stack.startDynamoDb();
    const after = await drain(stack.sqs, queue, handler);

    expect(event.Records).toHaveLength(8);
    expect(during.batchItemFailures.length).toBeGreaterThan(0);
    expect(after.flatMap((r) => r.batchItemFailures)).toEqual([]);
    for (const p of patients) {
      const { Item } = await stack.documents.send(
        new GetCommand({
          TableName: stack.tables.MembershipsTable,
          Key: { groupId: 'group-1', patientKey: p },
          ConsistentRead: true,
        }),
      );
      expect(Item?.active).toBe(true);
    }
    expect(await takeAll(stack.sqs, dlq)).toEqual([]);
  });
});
