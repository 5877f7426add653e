import type { QueueMessageAttribute } from './dead-letter-queue';

/**
 * What the operator's queue commands (peek, redrive, purge, recompute; `lib/operator`) do with
 * queues, as one small interface; `lib/aws/sqs-dead-letter-admin.ts` implements it over SQS.
 */

/** Queue URLs by name; undefined for a queue that does not exist. */
export interface QueueLocator {
  urlOf(queueName: string): Promise<string | undefined>;
}

export interface QueueDepth {
  /** Visible: what a peek, redrive or purge can receive now. */
  visible: number;
  /** Received by someone and not yet deleted or released (e.g. another operator's peek). */
  inFlight: number;
}

/** A received message: what SQS says of it, its body and its message attributes. */
export interface ReceivedMessage {
  messageId: string;
  /** Needed to release or delete it. */
  receiptHandle: string;
  body?: string;
  /** Binary values base64-encoded, as Lambda hands them over. */
  attributes: Record<string, QueueMessageAttribute>;
  /** Receives so far, this one included. */
  receiveCount: number;
  /** When SQS accepted the message (epoch ms); absent when not reported. */
  sentTimestamp?: number;
}

export interface OutgoingMessage {
  body: string;
  attributes: Record<string, QueueMessageAttribute>;
}

export interface QueueAdmin extends QueueLocator {
  depth(queueUrl: string): Promise<QueueDepth>;
  /**
   * One short poll for up to `max` messages (SQS returns at most 10 a call, possibly fewer while
   * more are visible), each hidden for `visibilitySeconds`.
   */
  receive(
    queueUrl: string,
    options: { max: number; visibilitySeconds: number },
  ): Promise<ReceivedMessage[]>;
  /** Makes received messages visible again at once. */
  release(queueUrl: string, receiptHandles: readonly string[]): Promise<void>;
  /** Resolves to the message id once the queue holds the message. */
  send(queueUrl: string, message: OutgoingMessage): Promise<string>;
  delete(queueUrl: string, receiptHandle: string): Promise<void>;
  /** Deletes received messages; resolves to how many were deleted. */
  deleteMany(queueUrl: string, receiptHandles: readonly string[]): Promise<number>;
}
