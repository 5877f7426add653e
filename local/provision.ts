import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './credentials';
import {
  loadServerlessConfig,
  type ResolvedServerlessConfig,
  resourcesOfType,
} from './serverless-config';

export interface ProvisionedQueue {
  name: string;
  url: string;
  arn: string;
}

export interface ProvisionedResources {
  /** Table name by CloudFormation logical id. */
  tables: Record<string, string>;
  /** Queue by CloudFormation logical id. */
  queues: Record<string, ProvisionedQueue>;
}

export interface ProvisionOptions {
  dynamodbEndpoint: string;
  sqsEndpoint: string;
  /** The serverless stage whose names are used. */
  stage: string;
  /** Already resolved config; default `serverless print` for the stage. */
  config?: ResolvedServerlessConfig;
}

/** CloudFormation table properties that DynamoDB's CreateTable also takes. */
function createTableInput(props: Record<string, unknown>): CreateTableCommandInput {
  const input = {
    TableName: props.TableName,
    AttributeDefinitions: props.AttributeDefinitions,
    KeySchema: props.KeySchema,
    BillingMode: props.BillingMode ?? 'PAY_PER_REQUEST',
    GlobalSecondaryIndexes: props.GlobalSecondaryIndexes,
    LocalSecondaryIndexes: props.LocalSecondaryIndexes,
    ProvisionedThroughput: props.ProvisionedThroughput,
  } as CreateTableCommandInput;
  return input;
}

type Intrinsic = { 'Fn::GetAtt'?: [string, string]; Ref?: string };

/** Queue attributes as strings; a redrive target given as `Fn::GetAtt [Queue, Arn]` is resolved. */
function queueAttributes(
  props: Record<string, unknown>,
  arnOf: (logicalId: string) => string,
): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const key of [
    'VisibilityTimeout',
    'MessageRetentionPeriod',
    'DelaySeconds',
    'ReceiveMessageWaitTimeSeconds',
    'MaximumMessageSize',
  ]) {
    if (props[key] !== undefined) attributes[key] = String(props[key]);
  }
  const redrive = props.RedrivePolicy as
    | { deadLetterTargetArn: string | Intrinsic; maxReceiveCount: number }
    | undefined;
  if (redrive) {
    const target = redrive.deadLetterTargetArn;
    const arn =
      typeof target === 'string' ? target : arnOf(target['Fn::GetAtt']?.[0] ?? target.Ref ?? '');
    attributes.RedrivePolicy = JSON.stringify({
      deadLetterTargetArn: arn,
      maxReceiveCount: Number(redrive.maxReceiveCount),
    });
  }
  return attributes;
}

function redriveTarget(props: Record<string, unknown>): string | undefined {
  const target = (props.RedrivePolicy as { deadLetterTargetArn?: string | Intrinsic } | undefined)
    ?.deadLetterTargetArn;
  if (!target || typeof target === 'string') return undefined;
  return target['Fn::GetAtt']?.[0] ?? target.Ref;
}

/**
 * Creates in the local emulators every DynamoDB table and SQS queue that serverless.yml declares,
 * DLQs before the queues that redrive to them. Existing tables and queues are left as they are.
 * Other resources (IAM roles, CloudWatch alarms, conditions) have no local counterpart: ignored.
 */
export async function provisionLocalResources(
  options: ProvisionOptions,
): Promise<ProvisionedResources> {
  const config = options.config ?? (await loadServerlessConfig(options.stage));
  const dynamodb = new DynamoDBClient({
    endpoint: options.dynamodbEndpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const sqs = new SQSClient({
    endpoint: options.sqsEndpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const result: ProvisionedResources = { tables: {}, queues: {} };
  try {
    for (const [logicalId, props] of resourcesOfType(config, 'AWS::DynamoDB::Table')) {
      const input = createTableInput(props);
      try {
        await dynamodb.send(new CreateTableCommand(input));
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
      }
      result.tables[logicalId] = String(input.TableName);
    }

    const pending = new Map(resourcesOfType(config, 'AWS::SQS::Queue'));
    while (pending.size > 0) {
      const ready = [...pending].filter(([, props]) => {
        const target = redriveTarget(props);
        return target === undefined || result.queues[target] !== undefined;
      });
      if (ready.length === 0)
        throw new Error(`queues redrive to undeclared queues: ${[...pending.keys()].join(', ')}`);
      for (const [logicalId, props] of ready) {
        const name = String(props.QueueName ?? logicalId);
        const attributes = queueAttributes(props, (id) => {
          const queue = result.queues[id];
          if (!queue) throw new Error(`queue ${logicalId} redrives to unknown queue ${id}`);
          return queue.arn;
        });
        const { QueueUrl } = await sqs.send(
          new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
        );
        if (!QueueUrl) throw new Error(`local SQS returned no URL for ${name}`);
        const { Attributes } = await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
        );
        result.queues[logicalId] = { name, url: QueueUrl, arn: String(Attributes?.QueueArn) };
        pending.delete(logicalId);
      }
    }
    return result;
  } finally {
    dynamodb.destroy();
    sqs.destroy();
  }
}
