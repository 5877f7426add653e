import { PROTOCOLS } from '../../protocols';
import type {
  ChangeBatchDeps,
  ComputeJobDeps,
  ComputeRecorder,
  PlannerDeps,
  RecomputeDeps,
} from '../compute';
import type { ProtocolClass } from '../protocol';
import { type AwsClients, awsClients } from './clients';
import {
  type ChangeComputeConfig,
  type PlannerConfig,
  readChangeComputeConfig,
  readPlannerConfig,
  readSegmentComputeConfig,
  type SegmentComputeConfig,
} from './compute-config';
import { powertoolsComputeRecorder } from './compute-telemetry';
import { DynamoDbPatientSource } from './dynamodb-patient-source';
import { DynamoDbProtocolResultStore } from './dynamodb-protocol-result-store';
import { SqsBatchSender } from './sqs-batch-sender';
import { SqsComputeJobQueue, SqsUpdateQueue } from './sqs-update-queue';

/**
 * The compute side's composition root: each compute function's dependencies (SDK clients, the
 * DynamoDB and SQS adapters, the Powertools recorder, the protocols and settings) from its parsed
 * environment. The `*Deps` builders take the config and clients (tests and the bench pass their
 * own); the `*FunctionDeps` are what the deployed handlers use, built on first use and kept for
 * the container's life (so importing a handler reads no environment).
 */

/** What a caller may choose; the defaults are the deployed functions'. */
export interface ComputeRootOptions {
  /** Default: the registered protocols (`protocols/index.ts`). */
  protocols?: readonly ProtocolClass[];
  /** Default: Powertools' logger and metrics. */
  recorder?: ComputeRecorder;
}

/** The planner's dependencies (`planRecomputation`). */
export function plannerDeps(
  config: PlannerConfig,
  clients: Pick<AwsClients, 'documents' | 'sqs'>,
  { recorder = powertoolsComputeRecorder() }: Pick<ComputeRootOptions, 'recorder'> = {},
): PlannerDeps {
  return {
    counter: new DynamoDbPatientSource(clients.documents, config.patientsTable),
    jobs: new SqsComputeJobQueue(
      new SqsBatchSender({ client: clients.sqs }),
      config.computeJobsQueueUrl,
    ),
    policy: config.segmentPolicy,
    recorder,
  };
}

/** What both recomputing functions share: the patients, the update queues, the results table. */
function recomputeDeps(
  config: SegmentComputeConfig | ChangeComputeConfig,
  clients: AwsClients,
  sender: SqsBatchSender,
  { protocols = PROTOCOLS, recorder = powertoolsComputeRecorder() }: ComputeRootOptions,
): RecomputeDeps {
  return {
    protocols,
    patients: new DynamoDbPatientSource(clients.documents, config.patientsTable),
    updates: new SqsUpdateQueue(sender, config.updateQueueUrls),
    results: new DynamoDbProtocolResultStore(clients.documents, config.protocolResultsTable),
    reassertAfterMs: config.reassertAfterMs,
    settings: config.settings,
    recorder,
  };
}

/** The segment job function's dependencies (`computeSegment`). */
export function computeJobDeps(
  config: SegmentComputeConfig,
  clients: AwsClients,
  options: ComputeRootOptions = {},
): ComputeJobDeps {
  const sender = new SqsBatchSender({ client: clients.sqs });
  return {
    ...recomputeDeps(config, clients, sender, options),
    jobs: new SqsComputeJobQueue(sender, config.computeJobsQueueUrl),
    budget: config.segmentBudget,
  };
}

/** The change function's dependencies (`computeOnChange`). */
export function changeDeps(
  config: ChangeComputeConfig,
  clients: AwsClients,
  options: ComputeRootOptions = {},
): ChangeBatchDeps {
  return recomputeDeps(config, clients, new SqsBatchSender({ client: clients.sqs }), options);
}

/** `build()` once, on the first call; the same value after. */
function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}

/** The deployed planner's dependencies, from `process.env` (PLANNER_ENVIRONMENT). */
export const plannerFunctionDeps = once(() => plannerDeps(readPlannerConfig(), awsClients()));

/** The deployed segment function's dependencies, from `process.env` (SEGMENT_COMPUTE_ENVIRONMENT). */
export const computeJobFunctionDeps = once(() =>
  computeJobDeps(readSegmentComputeConfig(), awsClients()),
);

/** The deployed change function's dependencies, from `process.env` (CHANGE_COMPUTE_ENVIRONMENT). */
export const changeFunctionDeps = once(() => changeDeps(readChangeComputeConfig(), awsClients()));
