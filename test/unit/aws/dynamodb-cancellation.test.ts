import { classifyFailure } from '../../../lib/apply/failure-reason';
import { DynamoDbMembershipStore } from '../../../lib/aws/dynamodb-membership-store';
import { DynamoDbTaskStore } from '../../../lib/aws/dynamodb-task-store';
import { clientThrowing } from '../../support/cancelling-client';

// DynamoDB Local cannot be made to cancel a transaction for a conflict or throttling on demand,
// so these cases stub the client's `send` with the exception DynamoDB returns. The decoding of
// real cancellations (conditions) is covered against DynamoDB Local in test/integration.

const task = {
  patientKey: 'p',
  taskId: 't',
  creatorKey: 's',
  status: 'OPEN' as const,
  sourceUpdateId: 'u',
  computedAt: 1,
  appliedAt: '2024-01-01T00:00:00.000Z',
};
const tables = {
  patientsTable: 'p',
  tasksTable: 't',
  labelsTable: 'l',
  groupsTable: 'g',
  membershipsTable: 'm',
};
const label = { name: 'Urgent', nameKey: 'urgent' };

describe('DynamoDbTaskStore cancellation decoding', () => {
  it('turns a transaction conflict into a transient error', async () => {
    const store = new DynamoDbTaskStore(
      clientThrowing('None', 'None', 'TransactionConflict'),
      tables,
    );

    const error = await store.create(task, [label]).catch((e: unknown) => e);

    expect(classifyFailure(error)).toBe('transaction-conflict');
  });

  it('turns a throttled item into a transient error', async () => {
    const store = new DynamoDbTaskStore(clientThrowing('None', 'ThrottlingError'), tables);

    const error = await store.create(task, []).catch((e: unknown) => e);

    expect(classifyFailure(error)).toBe('throttled');
  });

  it('treats an existing task as a duplicate even if a label was deactivated since', async () => {
    const store = new DynamoDbTaskStore(
      clientThrowing('None', 'ConditionalCheckFailed', 'ConditionalCheckFailed'),
      tables,
    );

    await expect(store.create(task, [label])).resolves.toEqual({ status: 'exists' });
  });
});

describe('DynamoDbMembershipStore cancellation decoding', () => {
  it('turns a transaction conflict into a transient error', async () => {
    const store = new DynamoDbMembershipStore(
      clientThrowing('None', 'None', 'TransactionConflict'),
      tables,
    );
    const stamp = { version: 1, updateId: 'u', at: '2024-01-01T00:00:00.000Z' };

    const error = await store
      .create({ groupId: 'g', patientKey: 'p' }, true, stamp)
      .catch((e: unknown) => e);

    expect(classifyFailure(error)).toBe('transaction-conflict');
  });
});
