import { appendFileSync } from 'node:fs';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../credentials';
import { resolveLocalValue } from '../handler-environment';
import type { ProvisionedResources } from '../provision';
import { type BatchOutcome, QueuePoller } from './queue-poller';

/** `custom.offlineSqsEventSource` in serverless.yml; every key optional. */
export interface OfflineSqsEventSourceConfig {
  /** Local SQS endpoint; default `OFFLINE_SQS_ENDPOINT`, then `AWS_ENDPOINT_URL_SQS`. */
  endpoint?: string;
  /** Pollers per queue (AWS scales these up; locally default 1). `OFFLINE_SQS_POLLERS` overrides. */
  pollersPerQueue?: number | string;
  /** Long-poll wait per ReceiveMessage, seconds (default 0: short polls, see `idleDelayMs`). */
  waitTimeSeconds?: number | string;
  /** Pause after an empty short poll, milliseconds (default 200). */
  idleDelayMs?: number | string;
  /** Appends one JSON line per delivered batch here; `OFFLINE_SQS_REPORT_FILE` overrides. */
  reportFile?: string;
}

type Intrinsic = { Ref?: string; 'Fn::GetAtt'?: [string, string] };

interface SqsEventDefinition {
  arn: string | Intrinsic;
  batchSize?: number;
  maximumBatchingWindow?: number;
  functionResponseType?: string;
  enabled?: boolean;
}

interface FunctionDefinition {
  name?: string;
  handler?: string;
  environment?: Record<string, unknown>;
  events?: Record<string, unknown>[];
}

interface CloudFormationResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

/** The parts of osls's `serverless` object this plugin uses. */
interface Serverless {
  service: {
    service: string;
    provider: { region?: string; environment?: Record<string, unknown> };
    custom?: Record<string, unknown>;
    resources?: { Resources?: Record<string, CloudFormationResource> };
    getAllFunctions(): string[];
    getFunction(key: string): FunctionDefinition;
  };
}

interface Log {
  notice(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
}

/** serverless-offline's Lambda runner (`serverless-offline/lambda`), the API its plugins use. */
type OfflineLambda = InstanceType<typeof import('serverless-offline/lambda').default>;

/** serverless-offline's own defaults for the options its Lambda runner reads. */
const OFFLINE_RUNNER_DEFAULTS = {
  host: 'localhost',
  lambdaPort: 3002,
  localEnvironment: false,
  noTimeout: false,
  reloadHandler: false,
  terminateIdleLambdaTime: 60,
  useDocker: false,
  useInProcess: false,
};

interface SqsSubscription {
  functionKey: string;
  queueName: string;
  queueArn: string;
  event: SqsEventDefinition;
}

function queueNameFromArn(arn: string): string {
  return arn.split(':').at(-1) ?? arn;
}

/**
 * The SQS event source for serverless-offline, on `@aws-sdk/client-sqs` v3: polls every queue a
 * function subscribes to on the local SQS and honours partial batch responses, so failed messages
 * are redelivered and finally dead-lettered by the queue's redrive policy, as on AWS.
 * It also resolves the functions' `Ref`/`Fn::GetAtt` environment values to the local queues.
 * List it before serverless-offline in `plugins` so it stops before serverless-offline exits.
 */
export class OfflineSqsEventSourcePlugin {
  readonly hooks: Record<string, () => Promise<void>>;
  readonly #serverless: Serverless;
  readonly #cliOptions: Record<string, unknown>;
  readonly #log: Log;
  #sqs: SQSClient | undefined;
  /** One serverless-offline Lambda runner per function, replaced after a timeout (see #invoke). */
  #runners = new Map<string, OfflineLambda>();
  #createRunner: ((functionKey: string) => OfflineLambda) | undefined;
  #pollers: QueuePoller[] = [];
  #stopping: Promise<void> | undefined;

  constructor(serverless: Serverless, cliOptions: Record<string, unknown>, utils?: { log?: Log }) {
    this.#serverless = serverless;
    this.#cliOptions = cliOptions ?? {};
    const fallback = (message: string) => console.log(`[offline-sqs] ${message}`);
    this.#log = utils?.log ?? {
      notice: fallback,
      info: fallback,
      warning: fallback,
      error: fallback,
    };
    this.hooks = {
      // `serverless offline start` runs init/ready/end; plain `serverless offline` runs `start`.
      'offline:start:init': () => this.start(),
      'offline:start': () => this.start(),
      'offline:start:end': () => this.stop(),
    };
  }

  get #config(): OfflineSqsEventSourceConfig {
    return (this.#serverless.service.custom?.offlineSqsEventSource ??
      {}) as OfflineSqsEventSourceConfig;
  }

  get #region(): string {
    return this.#serverless.service.provider.region ?? LOCAL_REGION;
  }

  get #resources(): Record<string, CloudFormationResource> {
    return this.#serverless.service.resources?.Resources ?? {};
  }

  async start(): Promise<void> {
    const endpoint =
      process.env.OFFLINE_SQS_ENDPOINT ?? this.#config.endpoint ?? process.env.AWS_ENDPOINT_URL_SQS;
    if (!endpoint) {
      throw new Error(
        'offline SQS event source: no local SQS endpoint; set AWS_ENDPOINT_URL_SQS (npm start does) or custom.offlineSqsEventSource.endpoint',
      );
    }
    this.#sqs = new SQSClient({
      endpoint,
      region: this.#region,
      credentials:
        process.env.AWS_ACCESS_KEY_ID && process.env.AWS_SECRET_ACCESS_KEY
          ? {
              accessKeyId: process.env.AWS_ACCESS_KEY_ID,
              secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
            }
          : LOCAL_CREDENTIALS,
    });
    const resources = await this.#localResources(endpoint);
    this.#resolveEnvironment(resources);

    const subscriptions = this.#subscriptions(resources);
    if (subscriptions.length === 0) return;
    const { default: Lambda } = await import('serverless-offline/lambda');
    const offlineCustom = (this.#serverless.service.custom?.['serverless-offline'] ?? {}) as Record<
      string,
      unknown
    >;
    const runnerOptions = { ...OFFLINE_RUNNER_DEFAULTS, ...offlineCustom, ...this.#cliOptions };
    this.#createRunner = (functionKey) => {
      const runner: OfflineLambda = new Lambda(this.#serverless, runnerOptions);
      runner.create([
        { functionKey, functionDefinition: this.#serverless.service.getFunction(functionKey) },
      ]);
      return runner;
    };

    const pollersPerQueue = Math.max(
      1,
      Number(process.env.OFFLINE_SQS_POLLERS ?? this.#config.pollersPerQueue ?? 1),
    );
    const waitTimeSeconds = Number(this.#config.waitTimeSeconds ?? 0);
    const idleDelayMs = Number(this.#config.idleDelayMs ?? 200);
    for (const subscription of subscriptions) {
      const { event, functionKey, queueName } = subscription;
      const queueUrl = Object.values(resources.queues).find((q) => q.name === queueName)?.url;
      if (!queueUrl) throw new Error(`queue ${queueName} is not on the local SQS at ${endpoint}`);
      for (let i = 0; i < pollersPerQueue; i++) {
        const poller = new QueuePoller({
          sqs: this.#sqs,
          queueUrl,
          queueArn: subscription.queueArn,
          queueName,
          functionKey,
          region: this.#region,
          batchSize: Number(event.batchSize ?? 10),
          maximumBatchingWindowSeconds: Number(event.maximumBatchingWindow ?? 0),
          reportBatchItemFailures: event.functionResponseType === 'ReportBatchItemFailures',
          waitTimeSeconds,
          idleDelayMs,
          invoke: (sqsEvent) => this.#invoke(functionKey, sqsEvent),
          onBatch: (outcome) => this.#report(outcome),
          onError: (error) =>
            this.#log.warning(
              `SQS ${queueName} (λ: ${functionKey}): ${error instanceof Error ? error.message : String(error)}`,
            ),
        });
        poller.start();
        this.#pollers.push(poller);
      }
      this.#log.notice(
        `SQS ${queueName} → λ ${functionKey} (batch ${event.batchSize ?? 10}${
          event.functionResponseType === 'ReportBatchItemFailures'
            ? ', partial batch responses'
            : ''
        })`,
      );
    }
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      await Promise.all(this.#pollers.map((poller) => poller.stop()));
      this.#pollers = [];
      await Promise.all([...this.#runners.values()].map((runner) => runner.cleanup()));
      this.#runners.clear();
      this.#sqs?.destroy();
    })();
    return this.#stopping;
  }

  async #invoke(functionKey: string, event: SQSEvent): Promise<unknown> {
    if (!this.#createRunner) throw new Error('the Lambda runner is not created');
    let runner = this.#runners.get(functionKey);
    if (!runner) {
      runner = this.#createRunner(functionKey);
      this.#runners.set(functionKey, runner);
    }
    const lambdaFunction = runner.get(functionKey);
    lambdaFunction.setEvent(event);
    try {
      return await lambdaFunction.runHandler();
    } catch (error) {
      // serverless-offline 13 terminates a timed-out function's worker but keeps the instance in
      // its pool, so every later call to it would hang: start afresh with a new runner.
      if (error instanceof Error && /Lambda timeout/i.test(error.message)) {
        if (this.#runners.get(functionKey) === runner) this.#runners.delete(functionKey);
        void runner.cleanup().catch(() => {});
      }
      throw error;
    }
  }

  #report(outcome: BatchOutcome): void {
    const line = `SQS ${outcome.queueName} → λ ${outcome.functionKey}: ${outcome.records} record(s), ${outcome.deleted} deleted, ${outcome.kept} kept (${outcome.result})`;
    if (outcome.result === 'error') this.#log.warning(`${line}: ${outcome.error}`);
    else this.#log.info(line);
    const reportFile = process.env.OFFLINE_SQS_REPORT_FILE ?? this.#config.reportFile;
    if (reportFile)
      appendFileSync(reportFile, `${JSON.stringify({ at: Date.now(), ...outcome })}\n`);
  }

  /** Tables and queues serverless.yml declares, as they exist on the local emulators. */
  async #localResources(endpoint: string): Promise<ProvisionedResources> {
    const sqs = this.#sqs as SQSClient;
    const resources: ProvisionedResources = { tables: {}, queues: {} };
    for (const [logicalId, resource] of Object.entries(this.#resources)) {
      const props = resource.Properties ?? {};
      if (resource.Type === 'AWS::DynamoDB::Table') {
        resources.tables[logicalId] = String(props.TableName ?? logicalId);
      }
      if (resource.Type === 'AWS::SQS::Queue') {
        const name = String(props.QueueName ?? logicalId);
        let url: string | undefined;
        try {
          ({ QueueUrl: url } = await sqs.send(new GetQueueUrlCommand({ QueueName: name })));
        } catch (error) {
          throw new Error(
            `queue ${name} (${logicalId}) is not on the local SQS at ${endpoint}; provision the local stack first (npm start does): ${(error as Error).message}`,
          );
        }
        if (!url) throw new Error(`local SQS returned no URL for ${name}`);
        const { Attributes } = await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
        );
        resources.queues[logicalId] = { name, url, arn: String(Attributes?.QueueArn) };
      }
    }
    return resources;
  }

  /** Provider and function environments with CloudFormation references made local values. */
  #resolveEnvironment(resources: ProvisionedResources): void {
    const resolve = (environment: Record<string, unknown> | undefined) => {
      for (const [name, value] of Object.entries(environment ?? {})) {
        if (value !== null && typeof value === 'object') {
          (environment as Record<string, unknown>)[name] = resolveLocalValue(
            name,
            value,
            resources,
          );
        }
      }
    };
    resolve(this.#serverless.service.provider.environment);
    for (const key of this.#serverless.service.getAllFunctions()) {
      resolve(this.#serverless.service.getFunction(key).environment);
    }
  }

  #subscriptions(resources: ProvisionedResources): SqsSubscription[] {
    const subscriptions: SqsSubscription[] = [];
    for (const functionKey of this.#serverless.service.getAllFunctions()) {
      for (const event of this.#serverless.service.getFunction(functionKey).events ?? []) {
        if (!event.sqs) continue;
        const definition: SqsEventDefinition =
          typeof event.sqs === 'string' ? { arn: event.sqs } : (event.sqs as SqsEventDefinition);
        if (definition.enabled === false) continue;
        let queueName: string;
        let queueArn: string;
        if (typeof definition.arn === 'string') {
          queueName = queueNameFromArn(definition.arn);
          queueArn =
            Object.values(resources.queues).find((q) => q.name === queueName)?.arn ??
            definition.arn;
        } else {
          const logicalId = definition.arn['Fn::GetAtt']?.[0] ?? definition.arn.Ref;
          const queue = logicalId ? resources.queues[logicalId] : undefined;
          if (!queue) {
            throw new Error(
              `function ${functionKey}: sqs event arn ${JSON.stringify(definition.arn)} names no declared queue`,
            );
          }
          queueName = queue.name;
          queueArn = queue.arn;
        }
        subscriptions.push({ functionKey, queueName, queueArn, event: definition });
      }
    }
    return subscriptions;
  }
}
