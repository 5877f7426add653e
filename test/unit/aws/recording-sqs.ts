import type { SendMessageBatchCommand, SendMessageBatchCommandOutput } from '@aws-sdk/client-sqs';
import { type SendMessageBatchClient, SqsBatchSender } from '../../../lib/aws/sqs-batch-sender';
import { SqsUpdateQueue, type UpdateQueueUrls } from '../../../lib/aws/sqs-update-queue';
import type { SqsLimits } from '../../../lib/compute/message-batches';
import { UPDATE_TYPES } from '../../../lib/message-types';

/** One `SendMessageBatch` request as the client received it. */
export interface RecordedRequest {
  queueUrl: string;
  bodies: string[];
}

/**
 * An SQS client that records every `SendMessageBatch` request and accepts it, or throws where
 * `failWhen` says so. A fake so unit tests count requests without I/O and fail a chosen request on
 * demand (local SQS fails none); test/e2e/bench.test.ts counts the same requests on local SQS.
 */
export class RecordingSqs implements SendMessageBatchClient {
  readonly requests: RecordedRequest[] = [];
  constructor(
    private readonly failWhen: (request: RecordedRequest) => Error | undefined = () => undefined,
  ) {}

  async send(command: SendMessageBatchCommand): Promise<SendMessageBatchCommandOutput> {
    const request = {
      queueUrl: command.input.QueueUrl ?? '',
      bodies: (command.input.Entries ?? []).map((entry) => entry.MessageBody ?? ''),
    };
    const failure = this.failWhen(request);
    if (failure) throw failure;
    this.requests.push(request);
    return { $metadata: {}, Successful: [], Failed: [] };
  }

  /** The requests made to one type's queue (see `QUEUE_URLS`). */
  requestsTo(queueUrl: string): RecordedRequest[] {
    return this.requests.filter((request) => request.queueUrl === queueUrl);
  }
}

/** One fake queue URL per message type. */
export const QUEUE_URLS = Object.fromEntries(
  UPDATE_TYPES.map((type) => [type, `queue-${type}`]),
) as UpdateQueueUrls;

/**
 * The production update queue and sender over a `RecordingSqs`: one batch in flight at a time, so
 * requests are recorded in the order the sender plans them; no retries, so a failure throws.
 */
export function recordedUpdateQueue(sqs: RecordingSqs, limits?: SqsLimits) {
  const sender = new SqsBatchSender({ client: sqs, concurrency: 1, maxAttempts: 1, limits });
  return { sender, queue: new SqsUpdateQueue(sender, QUEUE_URLS) };
}
