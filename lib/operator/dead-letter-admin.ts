import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { UPDATE_ATTRIBUTE } from '../../schemas';
import { REJECTION_ATTRIBUTE } from '../apply/dead-letter';
import { OperatorError } from './operator-error';
import type { DeadLetterRoute, DeclaredQueue } from './queue-topology';

/**
 * The reason shown for a DLQ message without `rejection-reason`: SQS's redrive policy moved it
 * after maxReceiveCount failed receives (the same name the demo counts under).
 */
export const MAX_RECEIVES_REASON = 'max-receive-count-exceeded';

/** Queue URLs by name (`SqsQueueLocator` on AWS or the local SQS). */
export interface QueueLocator {
  urlOf(queueName: string): Promise<string | undefined>;
}

export async function requireQueueUrl(
  locator: QueueLocator,
  queue: DeclaredQueue,
): Promise<string> {
  const url = await locator.urlOf(queue.queueName);
  if (!url)
    throw new OperatorError(
      'unavailable',
      `queue ${queue.queueName} does not exist on this SQS endpoint (wrong --stage?)`,
    );
  return url;
}

export interface QueueDepth {
  /** Visible: what a peek, redrive or purge can receive now. */
  visible: number;
  /** Received by someone and not yet deleted or released (e.g. another operator's peek). */
  inFlight: number;
}

export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<QueueDepth> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes?.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

/** One dead-lettered message as an operator sees it: ids, reason and times, never the body. */
export interface DeadLetterMessage {
  messageId: string;
  updateId?: string;
  /** `rejection-reason`, or MAX_RECEIVES_REASON when SQS's redrive policy moved it. */
  reason: string;
  detail?: string;
  /** Receives of this message, counting those in the work queue and every peek of the DLQ. */
  receiveCount: number;
  /** When SQS accepted it (ISO): the DLQ send for a rejection, the original send otherwise. */
  sentAt?: string;
  rejectedAt?: string;
  protocol?: string;
  originalMessageId?: string;
  /** Only when asked for (`includeBody`): the body can hold patient data. */
  body?: string;
}

function stringAttribute(message: Message, name: string): string | undefined {
  return message.MessageAttributes?.[name]?.StringValue;
}

function deadLetterMessage(message: Message, includeBody: boolean): DeadLetterMessage {
  const sent = Number(message.Attributes?.SentTimestamp);
  const summary: DeadLetterMessage = {
    messageId: String(message.MessageId),
    reason: stringAttribute(message, REJECTION_ATTRIBUTE.reason) ?? MAX_RECEIVES_REASON,
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
  };
  const optional = {
    updateId: stringAttribute(message, UPDATE_ATTRIBUTE.updateId),
    detail: stringAttribute(message, REJECTION_ATTRIBUTE.detail),
    sentAt: Number.isFinite(sent) && sent > 0 ? new Date(sent).toISOString() : undefined,
    rejectedAt: stringAttribute(message, REJECTION_ATTRIBUTE.rejectedAt),
    protocol: stringAttribute(message, UPDATE_ATTRIBUTE.protocol),
    originalMessageId: stringAttribute(message, REJECTION_ATTRIBUTE.originalMessageId),
    body: includeBody ? message.Body : undefined,
  };
  for (const [key, value] of Object.entries(optional))
    if (value !== undefined) (summary as unknown as Record<string, unknown>)[key] = value;
  return summary;
}

/** SQS returns at most 10 messages per receive and takes 10 entries per batch call. */
const SQS_BATCH = 10;

/**
 * A peek keeps what it received hidden this long, so the loop does not see a message twice; every
 * message is then made visible again at once. Should the process die in between, they reappear
 * by themselves after this.
 */
const PEEK_VISIBILITY_SECONDS = 30;

/** A redrive holds a message this long between receiving it and deleting it after the send. */
const MOVE_VISIBILITY_SECONDS = 120;

function receive(sqs: SQSClient, queueUrl: string, max: number, visibility: number) {
  return sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: Math.max(1, Math.min(SQS_BATCH, max)),
      VisibilityTimeout: visibility,
      // Short polls: local-aws-sqs answers a long poll only once the whole batch is there.
      WaitTimeSeconds: 0,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
      // The older, deprecated name of the same field; local-aws-sqs reads only this one.
      AttributeNames: ['All'],
    }),
  );
}

async function releaseAll(sqs: SQSClient, queueUrl: string, receipts: readonly string[]) {
  for (let i = 0; i < receipts.length; i += SQS_BATCH) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: receipts.slice(i, i + SQS_BATCH).map((ReceiptHandle, n) => ({
          Id: String(n),
          ReceiptHandle,
          VisibilityTimeout: 0,
        })),
      }),
    );
  }
}

export interface PeekResult {
  route: DeadLetterRoute;
  depth: QueueDepth;
  messages: DeadLetterMessage[];
}

/**
 * Reads up to `limit` messages of a DLQ without consuming them. SQS has no peek: each message is
 * received with a short visibility timeout and made visible again (ChangeMessageVisibility 0)
 * before returning, errors included. Nothing is deleted; each peek adds one to a message's
 * receive count (DLQs have no redrive policy, so that has no consequence).
 */
export async function peekDeadLetters(
  sqs: SQSClient,
  locator: QueueLocator,
  route: DeadLetterRoute,
  options: { limit: number; includeBody?: boolean },
): Promise<PeekResult> {
  const queueUrl = await requireQueueUrl(locator, route.deadLetter);
  const depth = await queueDepth(sqs, queueUrl);
  const seen = new Map<string, Message>();
  const receipts: string[] = [];
  try {
    while (seen.size < options.limit) {
      const { Messages = [] } = await receive(
        sqs,
        queueUrl,
        options.limit - seen.size,
        PEEK_VISIBILITY_SECONDS,
      );
      for (const message of Messages)
        if (message.ReceiptHandle) receipts.push(message.ReceiptHandle);
      const fresh = Messages.filter((m) => !seen.has(String(m.MessageId)));
      if (fresh.length === 0) break;
      for (const message of fresh) seen.set(String(message.MessageId), message);
    }
  } finally {
    await releaseAll(sqs, queueUrl, receipts);
  }
  const messages = [...seen.values()]
    .slice(0, options.limit)
    .map((m) => deadLetterMessage(m, options.includeBody === true));
  return { route, depth, messages };
}

const REJECTION_ATTRIBUTE_NAMES = new Set<string>(Object.values(REJECTION_ATTRIBUTE));

/**
 * The attributes a redriven message goes back with: the DLQ message's, minus the rejection ones
 * (the applier writes fresh ones if it rejects the message again). `update-id` and `computed-at`
 * stay, so the redriven update keeps its identity and its order.
 */
export function redriveAttributes(
  attributes: Record<string, MessageAttributeValue> | undefined,
): Record<string, MessageAttributeValue> {
  const kept: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (REJECTION_ATTRIBUTE_NAMES.has(name)) continue;
    kept[name] = {
      DataType: value.DataType,
      ...(value.StringValue === undefined ? {} : { StringValue: value.StringValue }),
      ...(value.BinaryValue === undefined ? {} : { BinaryValue: value.BinaryValue }),
    };
  }
  return kept;
}

export interface RedriveResult {
  route: DeadLetterRoute;
  /** Sent to the source queue and deleted from the DLQ. */
  moved: number;
  /** Sent, but the DLQ delete failed: the DLQ shows them again later (a redelivery is harmless). */
  movedNotDeleted: number;
  /** Visible in the DLQ when the redrive started. */
  found: number;
}

/**
 * Moves up to `max` DLQ messages back to their source queue, one at a time: receive, send the same
 * body with the original attributes (minus the rejection ones), and only once SQS accepted the send
 * delete it from the DLQ. A failed send stops the redrive and makes the message visible again in
 * the DLQ: nothing is lost, nothing is sent twice by this command. At most as many messages as
 * were visible at the start are moved, so messages rejected again during the redrive are not
 * cycled round.
 */
export async function redriveDeadLetters(
  sqs: SQSClient,
  locator: QueueLocator,
  route: DeadLetterRoute,
  options: { max?: number } = {},
): Promise<RedriveResult> {
  const deadLetterUrl = await requireQueueUrl(locator, route.deadLetter);
  const sourceUrl = await requireQueueUrl(locator, route.source);
  const found = (await queueDepth(sqs, deadLetterUrl)).visible;
  const budget = Math.min(options.max ?? Number.POSITIVE_INFINITY, found);
  const result: RedriveResult = { route, moved: 0, movedNotDeleted: 0, found };
  while (result.moved + result.movedNotDeleted < budget) {
    const remaining = budget - result.moved - result.movedNotDeleted;
    const { Messages = [] } = await receive(sqs, deadLetterUrl, remaining, MOVE_VISIBILITY_SECONDS);
    if (Messages.length === 0) break;
    for (let i = 0; i < Messages.length; i++) {
      const message = Messages[i] as Message;
      try {
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: sourceUrl,
            MessageBody: message.Body ?? '',
            MessageAttributes: redriveAttributes(message.MessageAttributes),
          }),
        );
      } catch (error) {
        const unsent = Messages.slice(i)
          .map((m) => m.ReceiptHandle)
          .filter((r): r is string => r !== undefined);
        await releaseAll(sqs, deadLetterUrl, unsent).catch(() => undefined);
        throw error;
      }
      try {
        await sqs.send(
          new DeleteMessageCommand({
            QueueUrl: deadLetterUrl,
            ReceiptHandle: message.ReceiptHandle,
          }),
        );
        result.moved += 1;
      } catch {
        result.movedNotDeleted += 1;
      }
    }
  }
  return result;
}

export interface PurgeResult {
  route: DeadLetterRoute;
  deleted: number;
}

/**
 * Deletes up to `max` visible messages of a DLQ (receive, then DeleteMessageBatch). Not SQS's
 * PurgeQueue: that one may take 60 s, is allowed once a minute and would also destroy messages
 * that arrived after the operator confirmed a count; this deletes at most the confirmed number.
 * Messages in flight (being peeked or redriven by someone else) are left alone.
 */
export async function purgeDeadLetters(
  sqs: SQSClient,
  locator: QueueLocator,
  route: DeadLetterRoute,
  options: { max: number },
): Promise<PurgeResult> {
  const queueUrl = await requireQueueUrl(locator, route.deadLetter);
  const result: PurgeResult = { route, deleted: 0 };
  while (result.deleted < options.max) {
    const { Messages = [] } = await receive(
      sqs,
      queueUrl,
      options.max - result.deleted,
      MOVE_VISIBILITY_SECONDS,
    );
    if (Messages.length === 0) break;
    const { Successful = [] } = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, n) => ({ Id: String(n), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
    result.deleted += Successful.length;
    if (Successful.length < Messages.length) break;
  }
  return result;
}

/** The DLQ's visible count, for a purge confirmation. */
export async function deadLetterDepth(
  sqs: SQSClient,
  locator: QueueLocator,
  route: DeadLetterRoute,
): Promise<QueueDepth> {
  return queueDepth(sqs, await requireQueueUrl(locator, route.deadLetter));
}
