import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
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

  it('creates the update queues with a redrive to their DLQ after maxReceiveCount', async () => {
    const config = await loadServerlessConfig(TEST_STAGE);
    const maxReceiveCount = (config.custom as { maxReceiveCount: number }).maxReceiveCount;

    for (const [queue, dlq] of [
      ['GroupUpdatesQueue', 'GroupUpdatesDeadLetterQueue'],
      ['TaskUpdatesQueue', 'TaskUpdatesDeadLetterQueue'],
      ['TaskLifecycleQueue', 'TaskLifecycleDeadLetterQueue'],
      ['TaskCommentsQueue', 'TaskCommentsDeadLetterQueue'],
    ] as const) {
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
    expect(stack.env.GROUP_UPDATES_DLQ_URL).toBe(stack.queues.GroupUpdatesDeadLetterQueue?.url);
    expect(stack.env.PATIENTS_TABLE).toBe(`protocol-updates-${TEST_STAGE}-patients`);
    expect(stack.env.TASK_LIFECYCLE_QUEUE_URL).toBe(stack.queues.TaskLifecycleQueue?.url);
    expect(stack.env.TASK_COMMENTS_DLQ_URL).toBe(stack.queues.TaskCommentsDeadLetterQueue?.url);
    expect(stack.env.TASK_COMMENTS_TABLE).toBe(`protocol-updates-${TEST_STAGE}-task-comments`);
  });
});
