import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { MESSAGE_TYPES, TABLES } from '../../lib/message-types';
import { loadServerlessConfig, resourcesOfType } from '../../local/serverless-config';
import { startTestStack, TEST_STAGE, type TestStack } from '../support/local-stack';

describe('the embedded local stack', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('creates every table serverless.yml declares, with its keys', async () => {
    const config = await loadServerlessConfig(TEST_STAGE);
    const declared = resourcesOfType(config, 'AWS::DynamoDB::Table');
    expect(declared.length).toBeGreaterThan(0);

    for (const [logicalId, props] of declared) {
      const { Table } = await stack.dynamodb.send(
        new DescribeTableCommand({ TableName: stack.tables[logicalId] }),
      );
      expect(Table?.TableName).toBe(props.TableName);
      expect(Table?.KeySchema).toEqual(props.KeySchema);
    }
  });

  it("creates every message type's queue with a redrive to its DLQ after maxReceiveCount", async () => {
    const config = await loadServerlessConfig(TEST_STAGE);
    const maxReceiveCount = (config.custom as { maxReceiveCount: number }).maxReceiveCount;

    for (const entry of MESSAGE_TYPES) {
      const { logicalId: queue, deadLetterLogicalId: dlq } = entry.queue;
      expect(stack.queues[queue]?.name).toBe(`protocol-updates-${TEST_STAGE}-${entry.queueName}`);
      expect(stack.queues[dlq]?.name).toBe(`protocol-updates-${TEST_STAGE}-${entry.queueName}-dlq`);
      const { Attributes } = await stack.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: stack.queues[queue]?.url,
          AttributeNames: ['All'],
        }),
      );
      expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual({
        deadLetterTargetArn: stack.queues[dlq]?.arn,
        maxReceiveCount,
      });
      expect(Number(Attributes?.VisibilityTimeout)).toBeGreaterThanOrEqual(6 * 30);
    }
  });

  it('resolves the functions environment to local names and URLs', () => {
    expect(stack.env.GROUP_DLQ_URL).toBe(stack.queues.GroupDeadLetterQueue?.url);
    expect(stack.env.PATIENTS_TABLE).toBe(`protocol-updates-${TEST_STAGE}-patients`);
    expect(stack.env.TASK_UPDATE_QUEUE_URL).toBe(stack.queues.TaskUpdateQueue?.url);
    expect(stack.env.TASK_COMMENT_DLQ_URL).toBe(stack.queues.TaskCommentDeadLetterQueue?.url);
    expect(stack.env.TASK_COMMENTS_TABLE).toBe(`protocol-updates-${TEST_STAGE}-task-comments`);
  });

  it("gives every message type's queue and DLQ URL variables, and every table's, from the registry", () => {
    for (const entry of MESSAGE_TYPES) {
      expect(stack.env[entry.env.queueUrl]).toBe(stack.queues[entry.queue.logicalId]?.url);
      expect(stack.env[entry.env.deadLetterQueueUrl]).toBe(
        stack.queues[entry.queue.deadLetterLogicalId]?.url,
      );
    }
    for (const table of Object.values(TABLES)) {
      expect(stack.env[table.env]).toBe(`protocol-updates-${TEST_STAGE}-${table.name}`);
      expect(stack.tables[table.logicalId]).toBe(`protocol-updates-${TEST_STAGE}-${table.name}`);
    }
  });
});
