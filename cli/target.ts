import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  dynamoDbOperatorDirectory,
  type OperatorTables,
  TABLE_LOGICAL_IDS,
} from '../lib/aws/dynamodb-operator-directory';
import { SqsQueueAdmin } from '../lib/aws/sqs-dead-letter-admin';
import { type DeadLetterRoute, deadLetterRoutes } from '../lib/operator';
import type { OperatorDirectory, QueueAdmin } from '../lib/ports';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/credentials';
import {
  loadServerlessConfig,
  type ResolvedServerlessConfig,
  resourcesOfType,
} from '../local/serverless-config';

/** Where `npm start` serves the local stack. */
export const LOCAL_DYNAMODB_ENDPOINT = 'http://127.0.0.1:8000';
export const LOCAL_SQS_ENDPOINT = 'http://127.0.0.1:9324';
export const DEFAULT_STAGE = 'local';

export interface TargetOptions {
  stage: string;
  aws: boolean;
  dynamodbEndpoint?: string;
  sqsEndpoint?: string;
}

/** Which service a failed request went to, so the error can say what did not answer. */
export interface ServiceEndpoint {
  service: 'DynamoDB' | 'SQS';
  /** The endpoint URL, or `AWS` for the SDK's default endpoint. */
  endpoint: string;
  local: boolean;
}

/** An SDK error tagged with the service it came from (see `tagErrors`). */
export type TaggedError = Error & { operatorService?: ServiceEndpoint };

export interface Target {
  stage: string;
  config: ResolvedServerlessConfig;
  tables: OperatorTables;
  routes: DeadLetterRoute[];
  /** The operator's ports over the target's tables and queues (lib/aws adapters). */
  directory: OperatorDirectory;
  queues: QueueAdmin;
  /** The clients themselves, for the compute adapters `recompute --all` reuses. */
  documents: DynamoDBDocumentClient;
  sqs: SQSClient;
  dynamodbEndpoint: ServiceEndpoint;
  sqsEndpoint: ServiceEndpoint;
  close(): void;
}

/** A problem with the target itself (config, missing table): exit 4 with this message. */
export class TargetError extends Error {
  override readonly name = 'TargetError';
}

interface SendMiddlewareClient {
  middlewareStack: {
    add(
      middleware: (
        next: (args: unknown) => Promise<unknown>,
      ) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

/** Marks every error of a client with its service, so the message can name what failed. */
function tagErrors(client: SendMiddlewareClient, endpoint: ServiceEndpoint) {
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (error instanceof Error) (error as TaggedError).operatorService = endpoint;
        throw error;
      }
    },
    { step: 'initialize', name: 'operatorServiceTag' },
  );
}

function endpointFor(
  service: ServiceEndpoint['service'],
  flag: string | undefined,
  envName: string,
  localDefault: string,
  aws: boolean,
): ServiceEndpoint {
  const chosen = flag ?? process.env[envName];
  if (aws) return { service, endpoint: chosen ?? 'AWS', local: false };
  return { service, endpoint: chosen ?? localDefault, local: true };
}

function tablesOf(config: ResolvedServerlessConfig, stage: string): OperatorTables {
  const declared = new Map(
    resourcesOfType(config, 'AWS::DynamoDB::Table').map(([id, props]) => [id, props.TableName]),
  );
  const tables = {} as OperatorTables;
  for (const [entity, logicalId] of Object.entries(TABLE_LOGICAL_IDS) as [
    keyof OperatorTables,
    string,
  ][]) {
    const name = declared.get(logicalId);
    if (typeof name !== 'string')
      throw new TargetError(`serverless.yml (stage ${stage}) declares no ${logicalId}`);
    tables[entity] = name;
  }
  return tables;
}

/**
 * The stack to work on. Names come from serverless.yml resolved for the stage (`serverless
 * print`, cached under .local/), so they are the deployed ones. Local (default): the endpoints of
 * `npm start` or the flags or `AWS_ENDPOINT_URL_*`, with the local dummy credentials. `--aws`:
 * the SDK's default credential chain and region (it reads `AWS_ENDPOINT_URL_*` itself).
 */
export async function openTarget(options: TargetOptions): Promise<Target> {
  let config: ResolvedServerlessConfig;
  try {
    config = await loadServerlessConfig(options.stage);
  } catch (error) {
    const first = ((error as Error).message ?? '').split('\n')[0];
    throw new TargetError(`cannot resolve serverless.yml for stage ${options.stage}: ${first}`);
  }
  const tables = tablesOf(config, options.stage);
  const dynamodbEndpoint = endpointFor(
    'DynamoDB',
    options.dynamodbEndpoint,
    'AWS_ENDPOINT_URL_DYNAMODB',
    LOCAL_DYNAMODB_ENDPOINT,
    options.aws,
  );
  const sqsEndpoint = endpointFor(
    'SQS',
    options.sqsEndpoint,
    'AWS_ENDPOINT_URL_SQS',
    LOCAL_SQS_ENDPOINT,
    options.aws,
  );
  const clientConfig = (endpoint: ServiceEndpoint) => ({
    ...(options.aws ? {} : { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }),
    ...(endpoint.endpoint === 'AWS' ? {} : { endpoint: endpoint.endpoint }),
    // A stack that is down should fail fast, not after the SDK's backoff.
    maxAttempts: endpoint.local ? 1 : 3,
  });
  const dynamodb = new DynamoDBClient(clientConfig(dynamodbEndpoint));
  const sqs = new SQSClient(clientConfig(sqsEndpoint));
  tagErrors(dynamodb as unknown as SendMiddlewareClient, dynamodbEndpoint);
  tagErrors(sqs as unknown as SendMiddlewareClient, sqsEndpoint);
  const documents = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return {
    stage: options.stage,
    config,
    tables,
    routes: deadLetterRoutes(config),
    directory: dynamoDbOperatorDirectory(documents, tables),
    queues: new SqsQueueAdmin(sqs),
    documents,
    sqs,
    dynamodbEndpoint,
    sqsEndpoint,
    close() {
      dynamodb.destroy();
      sqs.destroy();
    },
  };
}
