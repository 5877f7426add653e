import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './credentials';
import { assertJavaAvailable, type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local';
import { assertPortFree, freePort } from './ports';
import { type ProvisionedResources, provisionLocalResources } from './provision';
import { seedDemoData } from './seed-demo-data';
import {
  loadServerlessConfig,
  PROJECT_ROOT,
  type ResolvedServerlessConfig,
  resourcesOfType,
} from './serverless-config';
import {
  invokeOfflineFunction,
  type ServerlessOfflineProcess,
  startServerlessOffline,
} from './serverless-offline-process';
import { type SqsLocal, startSqsLocal } from './sqs-local';

export interface OfflineStackPorts {
  dynamodb?: number;
  sqs?: number;
  /** serverless-offline's Lambda API (invoke). */
  lambda?: number;
  /** serverless-offline's HTTP server (no HTTP events here, but it listens). */
  http?: number;
}

export interface OfflineStackOptions {
  /** The serverless stage (names of tables and queues); `local` for npm start and the demo. */
  stage: string;
  /** Fixed ports; a port left out is a free one. */
  ports?: OfflineStackPorts;
  /** Demo patients to seed (0: none). */
  patients: number;
  /**
   * Visibility timeout for every queue with a redrive policy, seconds. serverless.yml's values
   * (6x the consumer's timeout) make a retried message wait minutes; locally a few seconds do.
   */
  visibilityTimeoutSeconds?: number;
  /** serverless `--param` values (recomputeRate, recomputeScheduleEnabled, logLevel). */
  params?: Record<string, string>;
  /** Every line serverless prints (the functions' logs included). */
  onLine?(line: string): void;
  /** Progress messages for a human. */
  onProgress?(message: string): void;
  /**
   * Aborting it during startup stops whatever has started so far (emulators, serverless and its
   * process group, the run folder) and rejects with the abort reason. `launchOfflineStack` wires
   * it for the launchers.
   */
  signal?: AbortSignal;
}

export interface OfflineStack {
  stage: string;
  config: ResolvedServerlessConfig;
  resources: ProvisionedResources;
  dynamodbEndpoint: string;
  sqsEndpoint: string;
  lambdaPort: number;
  dynamodb: DynamoDBClient;
  documents: DynamoDBDocumentClient;
  sqs: SQSClient;
  /** One JSON line per batch the local SQS event source delivered (see BatchOutcome). */
  reportFile: string;
  /** The deployed name of a function (`<service>-<stage>-<key>`). */
  functionName(functionKey: string): string;
  /** Invokes a function through serverless-offline (RequestResponse). */
  invoke(functionKey: string, payload?: unknown): Promise<unknown>;
  /** Stops serverless-offline (its whole process group), local SQS and DynamoDB Local. */
  stop(): Promise<void>;
}

/**
 * The whole local stack: DynamoDB Local and local SQS with every table and queue serverless.yml
 * declares, the demo data, and `serverless offline start` running the real functions (bundled by
 * serverless-esbuild) with their SQS events served by local/offline-sqs-event-source.
 */
export async function startOfflineStack(options: OfflineStackOptions): Promise<OfflineStack> {
  const progress = options.onProgress ?? (() => {});
  const ports = options.ports ?? {};
  const { signal } = options;
  signal?.throwIfAborted();
  assertJavaAvailable();
  // Every fixed port up front, so nothing starts when one is taken.
  for (const [what, port] of [
    ['DynamoDB Local', ports.dynamodb],
    ['local SQS', ports.sqs],
    ['the offline Lambda API', ports.lambda],
    ['the offline HTTP server', ports.http],
  ] as const) {
    if (port !== undefined) await assertPortFree(port, what);
  }

  const cleanups: (() => Promise<void> | void)[] = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch {
        // Keep stopping the rest.
      }
    }
  };

  try {
    progress('starting DynamoDB Local and local SQS');
    const ddb: DynamoDbLocal = await startDynamoDbLocal({ port: ports.dynamodb });
    cleanups.push(() => ddb.stop());
    signal?.throwIfAborted();
    const sqsLocal: SqsLocal = await startSqsLocal({ port: ports.sqs });
    cleanups.push(() => sqsLocal.stop());
    signal?.throwIfAborted();

    const clientConfig = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
    const dynamodb = new DynamoDBClient({ ...clientConfig, endpoint: ddb.endpoint });
    const documents = DynamoDBDocumentClient.from(dynamodb);
    const sqs = new SQSClient({ ...clientConfig, endpoint: sqsLocal.endpoint });
    cleanups.push(() => {
      dynamodb.destroy();
      sqs.destroy();
    });

    progress('creating the tables and queues serverless.yml declares');
    const config = await loadServerlessConfig(options.stage, signal);
    const resources = await provisionLocalResources({
      dynamodbEndpoint: ddb.endpoint,
      sqsEndpoint: sqsLocal.endpoint,
      stage: options.stage,
      config,
    });
    signal?.throwIfAborted();
    if (options.visibilityTimeoutSeconds !== undefined) {
      for (const [logicalId, props] of resourcesOfType(config, 'AWS::SQS::Queue')) {
        const queue = resources.queues[logicalId];
        if (!queue || !props.RedrivePolicy) continue;
        await sqs.send(
          new SetQueueAttributesCommand({
            QueueUrl: queue.url,
            Attributes: { VisibilityTimeout: String(options.visibilityTimeoutSeconds) },
          }),
        );
      }
    }

    if (options.patients > 0) {
      progress(`seeding ${options.patients} demo patients`);
      const tables = resources.tables;
      if (!tables.PatientsTable || !tables.GroupsTable) {
        throw new Error('serverless.yml declares no PatientsTable or GroupsTable to seed');
      }
      await seedDemoData(
        documents,
        { patients: tables.PatientsTable, groups: tables.GroupsTable },
        options.patients,
      );
    }
    signal?.throwIfAborted();

    // Per run: the esbuild output and the event source's report, so runs never share files.
    const runDir = join(
      PROJECT_ROOT,
      '.local',
      'runs',
      `${options.stage}-${process.pid}-${Date.now()}`,
    );
    mkdirSync(runDir, { recursive: true });
    cleanups.push(() => rmSync(runDir, { recursive: true, force: true }));
    const reportFile = join(runDir, 'sqs-event-source.jsonl');
    writeFileSync(reportFile, '');

    const lambdaPort = ports.lambda ?? (await freePort());
    const httpPort = ports.http ?? (await freePort());
    progress('starting serverless offline (bundling the functions)');
    const offline: ServerlessOfflineProcess = await startServerlessOffline({
      stage: options.stage,
      lambdaPort,
      httpPort,
      params: options.params,
      onLine: options.onLine,
      signal,
      env: {
        // AWS_* variables reach the functions (serverless-offline copies them); the SDK clients
        // pick up the endpoints from them.
        AWS_REGION: LOCAL_REGION,
        AWS_DEFAULT_REGION: LOCAL_REGION,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
        AWS_ENDPOINT_URL_SQS: sqsLocal.endpoint,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ESBUILD_WORK_FOLDER: join('.local', 'runs', runDir.split('/').at(-1) ?? 'run', 'esbuild'),
        OFFLINE_SQS_REPORT_FILE: reportFile,
      },
    });
    // Stopped before the emulators, so no poller sees them go away.
    cleanups.push(() => offline.stop());
    signal?.throwIfAborted();

    const functionName = (functionKey: string) =>
      String(
        config.functions?.[functionKey]?.name ??
          `${config.service}-${options.stage}-${functionKey}`,
      );
    return {
      stage: options.stage,
      config,
      resources,
      dynamodbEndpoint: ddb.endpoint,
      sqsEndpoint: sqsLocal.endpoint,
      lambdaPort,
      dynamodb,
      documents,
      sqs,
      reportFile,
      functionName,
      invoke: (functionKey, payload) =>
        invokeOfflineFunction(lambdaPort, functionName(functionKey), payload ?? {}),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** A stack being started, which can be stopped at any moment of its life. */
export interface OfflineStackLaunch {
  /** The running stack; rejects when startup fails or is stopped (nothing is left running then). */
  started: Promise<OfflineStack>;
  /**
   * Stops whatever has started so far: aborts a startup in progress (which stops what it had
   * started) or stops the running stack. Once; later calls return the same promise.
   */
  stop(): Promise<void>;
  /** Whether `stop` has been called. */
  readonly stopping: boolean;
}

/**
 * Starts the stack for a launcher (`npm start`, the demo) whose Ctrl-C handler, installed before
 * this call, calls `stop()`: during startup as well as after it, nothing is left running and no
 * run folder stays behind.
 */
export function launchOfflineStack(
  options: Omit<OfflineStackOptions, 'signal'>,
): OfflineStackLaunch {
  const controller = new AbortController();
  const started = startOfflineStack({ ...options, signal: controller.signal });
  // The launcher awaits `started` itself; this only keeps an early failure from being reported
  // as unhandled before it does.
  started.catch(() => {});
  let stopping: Promise<void> | undefined;
  return {
    started,
    get stopping() {
      return stopping !== undefined;
    },
    stop() {
      stopping ??= (async () => {
        controller.abort();
        const stack = await started.catch(() => undefined);
        await stack?.stop();
      })();
      return stopping;
    },
  };
}
