import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/credentials';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local';
import { handlerEnvironment } from '../../local/handler-environment';
import { type ProvisionedResources, provisionLocalResources } from '../../local/provision';
import { loadServerlessConfig } from '../../local/serverless-config';
import { type SqsLocal, startSqsLocal } from '../../local/sqs-local';

export const TEST_STAGE = 'test';

export interface TestStack extends ProvisionedResources {
  dynamodbEndpoint: string;
  sqsEndpoint: string;
  /** The environment serverless.yml gives the functions, resolved locally, with the endpoints. */
  env: Record<string, string>;
  dynamodb: DynamoDBClient;
  documents: DynamoDBDocumentClient;
  sqs: SQSClient;
  /** Stops DynamoDB Local (a file-backed one keeps its data) and restarts it on the same port. */
  stopDynamoDb(): Promise<void>;
  /** Kills DynamoDB Local with SIGKILL (a crash: no shutdown); `startDynamoDb` brings it back. */
  killDynamoDb(): Promise<void>;
  startDynamoDb(): Promise<void>;
  /** Sets `env` on process.env (for handlers that read their config at import). Returns an undo. */
  applyEnv(): () => void;
  stop(): Promise<void>;
}

export interface TestStackOptions {
  /**
   * File-backed DynamoDB Local in a temporary folder (removed by `stop`), so it can be stopped or
   * killed and restarted without data loss. Default in memory.
   */
  fileBacked?: boolean;
}

/**
 * DynamoDB Local and local SQS on free ports, with the tables and queues serverless.yml declares.
 * One per test file: files run in parallel workers and must not share state.
 */
export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const dbPath = options.fileBacked ? await mkdtemp(join(tmpdir(), 'ddb-local-')) : undefined;
  let ddb: DynamoDbLocal | undefined = await startDynamoDbLocal({ dbPath });
  const port = ddb.port;
  const sqsLocal: SqsLocal = await startSqsLocal();
  const config = await loadServerlessConfig(TEST_STAGE);
  const resources = await provisionLocalResources({
    dynamodbEndpoint: ddb.endpoint,
    sqsEndpoint: sqsLocal.endpoint,
    stage: TEST_STAGE,
    config,
  });
  const clientConfig = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const dynamodb = new DynamoDBClient({ ...clientConfig, endpoint: ddb.endpoint });
  const sqs = new SQSClient({ ...clientConfig, endpoint: sqsLocal.endpoint });
  const env = {
    ...handlerEnvironment(config, resources),
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
    AWS_ENDPOINT_URL_SQS: sqsLocal.endpoint,
  };
  return {
    ...resources,
    dynamodbEndpoint: ddb.endpoint,
    sqsEndpoint: sqsLocal.endpoint,
    env,
    dynamodb,
    documents: DynamoDBDocumentClient.from(dynamodb),
    sqs,
    async stopDynamoDb() {
      await ddb?.stop();
      ddb = undefined;
    },
    async killDynamoDb() {
      await ddb?.kill();
      ddb = undefined;
    },
    async startDynamoDb() {
      if (ddb) return;
      ddb = await startDynamoDbLocal({ port, dbPath });
    },
    applyEnv() {
      const saved = new Map(Object.keys(env).map((k) => [k, process.env[k]]));
      Object.assign(process.env, env);
      return () => {
        for (const [k, v] of saved) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
      };
    },
    async stop() {
      dynamodb.destroy();
      sqs.destroy();
      await sqsLocal.stop();
      await ddb?.stop();
      if (dbPath) await rm(dbPath, { recursive: true, force: true });
    },
  };
}
