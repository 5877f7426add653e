/**
 * Child process of the bench: one segment job through the real compute-segment handler
 * (`createComputeSegmentHandler`: Scan of DynamoDB Local page by page, the protocols, SQS
 * `SendMessageBatch` to local queues), in a process of its own so its peak memory is the segment's
 * and not the bench's. Input in `BENCH_SEGMENT_INPUT` (JSON), result over IPC.
 */

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { PowertoolsComputeRecorder } from '../lib/aws/compute-telemetry';
import { DynamoDbPatientSource } from '../lib/aws/dynamodb-patient-source';
import { SqsBatchSender } from '../lib/aws/sqs-batch-sender';
import {
  SqsComputeJobQueue,
  SqsUpdateQueue,
  type UpdateQueueUrls,
} from '../lib/aws/sqs-update-queue';
import {
  createComputeSegmentHandler,
  DEFAULT_SEGMENT_BUDGET,
  type PatientSource,
  type UpdateQueue,
} from '../lib/compute';
import { PROTOCOLS } from '../protocols';
import type { ComputeJob } from '../schemas';
import { countedClients } from './counted-clients';
import { benchLambdaContext } from './lambda-context';
import { sqsRecord } from './sqs-records';

export interface SegmentChildInput {
  dynamodbEndpoint: string;
  sqsEndpoint: string;
  patientsTable: string;
  /** Per message type: queues made for the bench, which no function polls. */
  updateQueueUrls: UpdateQueueUrls;
  computeJobsQueueUrl: string;
  computeJobsQueueArn: string;
  job: ComputeJob;
}

export interface SegmentChildResult {
  patients: number;
  invalidPatients: number;
  payloads: number;
  sqsRequests: number;
  requestsByCommand: Record<string, number>;
  failedRecords: number;
  durationMs: number;
  /** RSS once everything is loaded, before the segment. */
  baselineRssMb: number;
  /** The process's peak RSS (`resourceUsage().maxRSS`). */
  peakRssMb: number;
}

const MB = 1024 * 1024;

async function main(): Promise<SegmentChildResult> {
  const input = JSON.parse(process.env.BENCH_SEGMENT_INPUT ?? '') as SegmentChildInput;
  const clients = countedClients({ dynamodb: input.dynamodbEndpoint, sqs: input.sqsEndpoint });
  const counted = { patients: 0, invalidPatients: 0, payloads: 0 };
  // Thin counting wrappers around the production adapters: the handler's own counts go to a log
  // line, and the bench keeps stdout for the report.
  const source = new DynamoDbPatientSource(clients.documents, input.patientsTable);
  const patients: PatientSource = {
    getPatient: (key) => source.getPatient(key),
    async readSegmentPage(request) {
      const page = await source.readSegmentPage(request);
      for (const record of page.records) {
        if (record.kind === 'valid') counted.patients += 1;
        else counted.invalidPatients += 1;
      }
      return page;
    },
  };
  const sender = new SqsBatchSender({ client: clients.sqs });
  const queue = new SqsUpdateQueue(sender, input.updateQueueUrls);
  const updates: UpdateQueue = {
    enqueue(list) {
      counted.payloads += list.length;
      return queue.enqueue(list);
    },
  };
  const handler = createComputeSegmentHandler(() => ({
    protocols: PROTOCOLS,
    patients,
    updates,
    jobs: new SqsComputeJobQueue(sender, input.computeJobsQueueUrl),
    budget: DEFAULT_SEGMENT_BUDGET,
    recorder: new PowertoolsComputeRecorder(
      new Logger({ serviceName: 'bench', logLevel: 'ERROR' }),
      new Metrics({ namespace: 'bench', serviceName: 'bench' }),
    ),
  }));
  // As the compute function's timeout allows (300 s): no continuation for one segment.
  const context = benchLambdaContext('computeSegment');
  const event = {
    Records: [
      sqsRecord({
        messageId: 'bench-segment-job',
        body: JSON.stringify(input.job),
        queueArn: input.computeJobsQueueArn,
      }),
    ],
  };
  const baselineRssMb = process.memoryUsage().rss / MB;
  const started = performance.now();
  const response = await handler(event, context);
  const durationMs = performance.now() - started;
  clients.destroy();
  return {
    ...counted,
    sqsRequests: clients.requests.sendRequests(),
    requestsByCommand: clients.requests.byCommand,
    failedRecords: response.batchItemFailures.length,
    durationMs,
    baselineRssMb,
    // maxRSS is in kilobytes.
    peakRssMb: (process.resourceUsage().maxRSS * 1024) / MB,
  };
}

main().then(
  (result) => {
    process.send?.({ ok: true, result }, () => process.exit(0));
  },
  (error: unknown) => {
    process.send?.({ ok: false, error: (error as Error).message }, () => process.exit(1));
  },
);
