import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { DeleteQueueCommand } from '@aws-sdk/client-sqs';
import type { UpdateQueueUrls } from '../lib/aws/sqs-update-queue';
import { UPDATE_TYPES } from '../lib/message-types';
import type { OfflineStack } from '../local/offline-stack';
import { PROJECT_ROOT } from '../local/serverless-config';
import { createSinkQueue } from './bench-stack';
import type { SegmentChildInput, SegmentChildResult } from './segment-child';

export interface SegmentFigures {
  enqueue: { payloads: number; sqsRequests: number; requestsPerPayload: number };
  peakRssMb: number;
  baselineRssMb: number;
  patients: number;
  durationMs: number;
  requestsByCommand: Record<string, number>;
}

/** The child in flight, so Ctrl-C can stop it. */
let running: ChildProcess | undefined;

export function stopSegmentChild(): void {
  running?.kill('SIGKILL');
}

/**
 * One recomputation segment over every patient of the stack's table (one Scan segment of one),
 * through the real segment handler in a child process: SQS requests are counted at its client
 * (enqueue figures) and its peak RSS is the segment's memory. Its updates go to queues made for
 * the bench, which no function polls, so the appliers stay idle meanwhile.
 */
export async function measureSegment(
  stack: OfflineStack,
  expectedPatients: number,
): Promise<SegmentFigures> {
  const suffix = `${process.pid}-${Date.now()}`;
  const sink = (name: string) => createSinkQueue(stack.sqs, `bench-sink-${name}-${suffix}`);
  const updateSinks = await Promise.all(UPDATE_TYPES.map((type) => sink(type.toLowerCase())));
  const jobs = await sink('jobs');
  const sinks = [...updateSinks, jobs];
  const input: SegmentChildInput = {
    dynamodbEndpoint: stack.dynamodbEndpoint,
    sqsEndpoint: stack.sqsEndpoint,
    patientsTable: String(stack.resources.tables.PatientsTable),
    updateQueueUrls: Object.fromEntries(
      UPDATE_TYPES.map((type, i) => [type, updateSinks[i]?.url ?? '']),
    ) as UpdateQueueUrls,
    computeJobsQueueUrl: jobs.url,
    computeJobsQueueArn: jobs.arn,
    job: {
      runId: `bench-segment-${suffix}`,
      computedAt: new Date().toISOString(),
      segment: 0,
      totalSegments: 1,
    },
  };
  try {
    const result = await runChild(input);
    if (result.failedRecords > 0) throw new Error('the segment job failed in the child process');
    if (result.patients !== expectedPatients)
      throw new Error(
        `the segment computed ${result.patients} patients, expected ${expectedPatients}`,
      );
    return {
      enqueue: {
        payloads: result.payloads,
        sqsRequests: result.sqsRequests,
        requestsPerPayload: result.sqsRequests / result.payloads,
      },
      peakRssMb: result.peakRssMb,
      baselineRssMb: result.baselineRssMb,
      patients: result.patients,
      durationMs: result.durationMs,
      requestsByCommand: result.requestsByCommand,
    };
  } finally {
    // The sinks hold every update of the segment: free local SQS's memory.
    for (const queue of sinks)
      await stack.sqs.send(new DeleteQueueCommand({ QueueUrl: queue.url }));
  }
}

function runChild(input: SegmentChildInput): Promise<SegmentChildResult> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, 'segment-child.ts'), [], {
      cwd: PROJECT_ROOT,
      execArgv: ['--import', 'tsx'],
      env: {
        ...process.env,
        BENCH_SEGMENT_INPUT: JSON.stringify(input),
        POWERTOOLS_METRICS_DISABLED: 'true',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    running = child;
    let stderr = '';
    let settled: { ok: boolean; result?: SegmentChildResult; error?: string } | undefined;
    child.stderr?.on('data', (chunk) => {
      stderr = `${stderr}${chunk}`.slice(-4_000);
    });
    child.on('message', (message) => {
      settled = message as typeof settled;
    });
    child.on('exit', (code, signal) => {
      running = undefined;
      if (settled?.ok && settled.result) resolve(settled.result);
      else
        reject(
          new Error(
            `the segment process failed (${signal ?? `exit ${code}`}): ${settled?.error ?? stderr.trim()}`,
          ),
        );
    });
  });
}
