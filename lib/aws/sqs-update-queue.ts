import { type ComputeJob, ComputeJobSchema, type UpdateType } from '../../schemas';
import { updateMessage, updatesByType } from '../compute/update-messages';
import type { ComputeJobQueue, QueuedUpdate, UpdateQueue } from '../ports/compute';
import type { SqsBatchSender } from './sqs-batch-sender';

/** The update queues, one per message type (env: `UPDATE_QUEUE_URL_ENV` in compute-config.ts). */
export type UpdateQueueUrls = Record<UpdateType, string>;

/** `UpdateQueue` on SQS: each update goes to its type's queue with the contract's attributes. */
export class SqsUpdateQueue implements UpdateQueue {
  constructor(
    private readonly sender: SqsBatchSender,
    private readonly queueUrls: UpdateQueueUrls,
  ) {}

  async enqueue(updates: readonly QueuedUpdate[]): Promise<void> {
    await Promise.all(
      [...updatesByType(updates)].map(([type, list]) =>
        this.sender.send(this.queueUrls[type], list.map(updateMessage)),
      ),
    );
  }
}

/** `ComputeJobQueue` on SQS (env `COMPUTE_JOBS_QUEUE_URL`); each job is validated before sending. */
export class SqsComputeJobQueue implements ComputeJobQueue {
  constructor(
    private readonly sender: SqsBatchSender,
    private readonly queueUrl: string,
  ) {}

  async enqueue(jobs: readonly ComputeJob[]): Promise<void> {
    await this.sender.send(
      this.queueUrl,
      jobs.map((job) => ({
        body: JSON.stringify(ComputeJobSchema.parse(job)),
        label: `job ${job.runId} segment ${job.segment}/${job.totalSegments}`,
      })),
    );
  }
}
