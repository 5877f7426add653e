import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  type Message,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { type BatchDeps, processUpdateBatch } from '../lib/apply/process-update-batch';
import { PowertoolsComputeRecorder } from '../lib/aws/compute-telemetry';
import { DynamoDbPatientSource } from '../lib/aws/dynamodb-patient-source';
import { DynamoDbProtocolResultStore } from '../lib/aws/dynamodb-protocol-result-store';
import { SqsBatchSender } from '../lib/aws/sqs-batch-sender';
import {
  SqsComputeJobQueue,
  SqsUpdateQueue,
  type UpdateQueueUrls,
} from '../lib/aws/sqs-update-queue';
import {
  type ComputeCounts,
  createComputeSegmentHandler,
  createPlanRecomputationHandler,
  DEFAULT_REASSERT_AFTER_MS,
  DEFAULT_SEGMENT_BUDGET,
  DEFAULT_SEGMENT_POLICY,
  emptyCounts,
} from '../lib/compute';
import { messageType, UPDATE_TYPES, type UpdateType } from '../lib/message-types';
import type { OutcomeRecorder } from '../lib/ports/outcome-recorder';
import { localApplierDeps } from '../local/appliers';
import { handlerEnvironment } from '../local/handler-environment';
import type { OfflineStack } from '../local/offline-stack';
import { PROTOCOLS } from '../protocols';
import { createSinkQueue } from './bench-stack';
import { capacitySince, unitsByKind } from './capacity-counter';
import { type CountedClients, countedClients } from './counted-clients';
import { benchLambdaContext } from './lambda-context';
import { sqsRecord } from './sqs-records';

export interface SteadyStateFigures {
  patients: number;
  sqsRequestsPerPatient: number;
  writeUnitsPerPatient: number;
  readUnitsPerPatient: number;
  /** The same, in totals, and where they went. */
  sqsRequests: { compute: number; appliers: number };
  writeUnits: { compute: number; appliers: number };
  readUnits: { compute: number; appliers: number };
  /** Updates the run enqueued, and those it held back (the same as the last ones sent). */
  enqueued: number;
  unchanged: number;
  resultsWritten: number;
  durationMs: number;
}

const quietLogger = () => new Logger({ serviceName: 'bench', logLevel: 'ERROR' });
/**
 * Metrics that print nothing: stdout carries the bench's report alone. Powertools reads
 * `POWERTOOLS_METRICS_DISABLED` when the instance is made (the segment child sets it for its
 * whole process; here it is set for the construction only).
 */
function quietMetrics(): Metrics {
  const saved = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  try {
    return new Metrics({ namespace: 'bench', serviceName: 'bench' });
  } finally {
    if (saved === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
    else process.env.POWERTOOLS_METRICS_DISABLED = saved;
  }
}

const NO_OUTCOMES: OutcomeRecorder = { record() {} };

/**
 * The second scheduled recomputation of the same patients with nothing changed: the run after the
 * end-to-end runs (which sent, applied and recorded every update of these patients through the
 * functions on serverless-offline), an hour's worth of nothing later. Through the real handlers
 * in process: the planner (`createPlanRecomputationHandler`), the segment job
 * (`createComputeSegmentHandler` with the production adapters: Scan, the protocol results table,
 * SQS), then whatever it enqueued through the appliers (`processUpdateBatch` with each type's
 * production deps). DynamoDB capacity and SQS requests are counted at the compute's clients and
 * at the appliers' (`countedClients`). Its updates go to queues made for the bench, which no
 * function polls.
 */
export async function measureSteadyState(
  stack: OfflineStack,
  expectedPatients: number,
): Promise<SteadyStateFigures> {
  const { tables } = stack.resources;
  const suffix = `${process.pid}-${Date.now()}`;
  const sink = (name: string) => createSinkQueue(stack.sqs, `bench-steady-${name}-${suffix}`);
  const updateSinks = Object.fromEntries(
    await Promise.all(UPDATE_TYPES.map(async (type) => [type, await sink(type.toLowerCase())])),
  ) as Record<UpdateType, { url: string; arn: string }>;
  const jobSink = await sink('jobs');
  const compute = countedClients({ dynamodb: stack.dynamodbEndpoint, sqs: stack.sqsEndpoint });
  const appliers = countedClients({ dynamodb: stack.dynamodbEndpoint, sqs: stack.sqsEndpoint });
  try {
    const patientsTable = String(tables.PatientsTable);
    const sender = new SqsBatchSender({ client: compute.sqs });
    const patientSource = new DynamoDbPatientSource(compute.documents, patientsTable);
    const jobs = new SqsComputeJobQueue(sender, jobSink.url);
    const plan = createPlanRecomputationHandler(() => ({
      counter: patientSource,
      jobs,
      policy: DEFAULT_SEGMENT_POLICY,
      recorder: new PowertoolsComputeRecorder(quietLogger(), quietMetrics()),
    }));
    const counts = emptyCounts();
    // The segment jobs' summaries carry their counts: kept; the lines and metrics stay quiet.
    const recorder = new PowertoolsComputeRecorder(quietLogger(), quietMetrics());
    const recordSegment = recorder.segmentComputed.bind(recorder);
    recorder.segmentComputed = (summary) => {
      addInto(counts, summary.counts);
      recordSegment(summary);
    };
    const segment = createComputeSegmentHandler(() => ({
      protocols: PROTOCOLS,
      patients: patientSource,
      updates: new SqsUpdateQueue(
        sender,
        Object.fromEntries(UPDATE_TYPES.map((t) => [t, updateSinks[t].url])) as UpdateQueueUrls,
      ),
      jobs,
      results: new DynamoDbProtocolResultStore(
        compute.documents,
        String(tables.ProtocolResultsTable),
      ),
      reassertAfterMs: DEFAULT_REASSERT_AFTER_MS,
      budget: DEFAULT_SEGMENT_BUDGET,
      recorder,
    }));
    const applierDeps = applierDepsFor(stack, appliers);

    const started = performance.now();
    const capacityBefore = {
      compute: compute.capacity.snapshot(),
      appliers: appliers.capacity.snapshot(),
    };
    const computedAt = new Date();
    await plan({ id: `bench-steady-${suffix}`, time: computedAt.toISOString() });
    // Every job the planner (and any continuation) enqueued, as the event source would hand it.
    for (let round = 0; ; round += 1) {
      if (round > 1_000) throw new Error('steady state: compute jobs kept coming');
      const messages = await takeAll(stack, jobSink.url);
      if (messages.length === 0) break;
      for (const message of messages) {
        const response = await segment(
          { Records: [recordOf(message, jobSink.arn)] },
          benchLambdaContext('computeSegment'),
        );
        if (response.batchItemFailures.length > 0)
          throw new Error('steady state: a segment job failed');
      }
    }
    // What the run enqueued, through the appliers (nothing, when nothing changed).
    for (const type of UPDATE_TYPES) {
      const messages = await takeAll(stack, updateSinks[type].url);
      for (let i = 0; i < messages.length; i += 10) {
        const response = await processUpdateBatch(
          { Records: messages.slice(i, i + 10).map((m) => recordOf(m, updateSinks[type].arn)) },
          applierDeps[type] as never,
        );
        if (response.batchItemFailures.length > 0)
          throw new Error(`steady state: the ${type} applier failed records`);
      }
    }
    const durationMs = performance.now() - started;
    if (counts.patients !== expectedPatients)
      throw new Error(
        `steady state: computed ${counts.patients} patients, expected ${expectedPatients}`,
      );
    const computeCapacity = capacitySince(capacityBefore.compute, compute.capacity.snapshot());
    const applierCapacity = capacitySince(capacityBefore.appliers, appliers.capacity.snapshot());
    const c = unitsByKind(computeCapacity);
    const a = unitsByKind(applierCapacity);
    const sqsRequests = {
      compute: compute.requests.sendRequests(),
      appliers: appliers.requests.total(),
    };
    const patients = counts.patients;
    const enqueued = UPDATE_TYPES.reduce((sum, type) => sum + counts.updates[type], 0);
    return {
      patients,
      sqsRequestsPerPatient: (sqsRequests.compute + sqsRequests.appliers) / patients,
      writeUnitsPerPatient: (c.write + a.write) / patients,
      readUnitsPerPatient: (c.read + a.read) / patients,
      sqsRequests,
      writeUnits: { compute: c.write, appliers: a.write },
      readUnits: { compute: c.read, appliers: a.read },
      enqueued,
      unchanged: counts.unchangedUpdates,
      resultsWritten: counts.resultsWritten,
      durationMs,
    };
  } finally {
    compute.destroy();
    appliers.destroy();
    for (const queue of [...Object.values(updateSinks), jobSink])
      await stack.sqs.send(new DeleteQueueCommand({ QueueUrl: queue.url }));
  }
}

function addInto(into: ComputeCounts, more: ComputeCounts): void {
  into.patients += more.patients;
  into.unchangedUpdates += more.unchangedUpdates;
  into.resultsWritten += more.resultsWritten;
  for (const type of UPDATE_TYPES) into.updates[type] += more.updates[type] ?? 0;
}

/** Each type's applier deps over the appliers' counted clients (the functions' own). */
function applierDepsFor(
  stack: OfflineStack,
  clients: CountedClients,
): Record<UpdateType, BatchDeps<UpdateType>> {
  // Each applier's own environment, as serverless.yml gives its function, resolved locally.
  const depsOf = (type: UpdateType) =>
    localApplierDeps(type, {
      clients,
      env: handlerEnvironment(
        stack.config,
        stack.resources,
        messageType(type).applier.functionName,
      ),
      recorder: NO_OUTCOMES,
    });
  return Object.fromEntries(UPDATE_TYPES.map((type) => [type, depsOf(type)])) as Record<
    UpdateType,
    BatchDeps<UpdateType>
  >;
}

/** Receives and deletes everything on a bench queue (the event source's part: not counted). */
async function takeAll(stack: OfflineStack, queueUrl: string): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const { Messages = [] } = await stack.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) return all;
    all.push(...Messages);
    await stack.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
}

function recordOf(message: Message, queueArn: string): SQSRecord {
  return sqsRecord({
    messageId: String(message.MessageId),
    body: String(message.Body),
    attributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        { DataType: 'String' as const, StringValue: String(value.StringValue) },
      ]),
    ),
    queueArn,
  });
}
