import { UPDATE_ATTRIBUTE } from '../../schemas';
import { REJECTION_ATTRIBUTE } from '../apply/dead-letter';
import type {
  QueueAdmin,
  QueueDepth,
  QueueLocator,
  ReceivedMessage,
} from '../ports/dead-letter-admin';
import type { QueueMessageAttribute } from '../ports/dead-letter-queue';
import { OperatorError } from './operator-error';
import type { DeadLetterRoute, DeclaredQueue } from './queue-topology';

export type { QueueDepth, QueueLocator } from '../ports/dead-letter-admin';

/**
 * The reason shown for a DLQ message without `rejection-reason`: SQS's redrive policy moved it
 * after maxReceiveCount failed receives (the same name the demo counts under).
 */
export const MAX_RECEIVES_REASON = 'max-receive-count-exceeded';

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

function stringAttribute(message: ReceivedMessage, name: string): string | undefined {
  return message.attributes[name]?.stringValue;
}

function deadLetterMessage(message: ReceivedMessage, includeBody: boolean): DeadLetterMessage {
  const sent = message.sentTimestamp;
  const summary: DeadLetterMessage = {
    messageId: message.messageId,
    reason: stringAttribute(message, REJECTION_ATTRIBUTE.reason) ?? MAX_RECEIVES_REASON,
    receiveCount: message.receiveCount,
  };
  const optional = {
    updateId: stringAttribute(message, UPDATE_ATTRIBUTE.updateId),
    detail: stringAttribute(message, REJECTION_ATTRIBUTE.detail),
    sentAt:
      sent !== undefined && Number.isFinite(sent) && sent > 0
        ? new Date(sent).toISOString()
        : undefined,
    rejectedAt: stringAttribute(message, REJECTION_ATTRIBUTE.rejectedAt),
    protocol: stringAttribute(message, UPDATE_ATTRIBUTE.protocol),
    originalMessageId: stringAttribute(message, REJECTION_ATTRIBUTE.originalMessageId),
    body: includeBody ? message.body : undefined,
  };
  for (const [key, value] of Object.entries(optional))
    if (value !== undefined) (summary as unknown as Record<string, unknown>)[key] = value;
  return summary;
}

/**
 * A peek keeps what it received hidden this long, so the loop does not see a message twice; every
 * message is then made visible again at once. Should the process die in between, they reappear
 * by themselves after this.
 */
const PEEK_VISIBILITY_SECONDS = 30;

/** A redrive holds a message this long between receiving it and deleting it after the send. */
const MOVE_VISIBILITY_SECONDS = 120;

export interface PeekResult {
  route: DeadLetterRoute;
  depth: QueueDepth;
  messages: DeadLetterMessage[];
}

/**
 * Reads up to `limit` messages of a DLQ without consuming them. SQS has no peek: each message is
 * received with a short visibility timeout and made visible again (visibility 0) before
 * returning, errors included. Nothing is deleted; each peek adds one to a message's receive count
 * (DLQs have no redrive policy, so that has no consequence).
 */
export async function peekDeadLetters(
  queues: QueueAdmin,
  route: DeadLetterRoute,
  options: { limit: number; includeBody?: boolean },
): Promise<PeekResult> {
  const queueUrl = await requireQueueUrl(queues, route.deadLetter);
  const depth = await queues.depth(queueUrl);
  const seen = new Map<string, ReceivedMessage>();
  const receipts: string[] = [];
  try {
    while (seen.size < options.limit) {
      const received = await queues.receive(queueUrl, {
        max: options.limit - seen.size,
        visibilitySeconds: PEEK_VISIBILITY_SECONDS,
      });
      for (const message of received) receipts.push(message.receiptHandle);
      const fresh = received.filter((m) => !seen.has(m.messageId));
      if (fresh.length === 0) break;
      for (const message of fresh) seen.set(message.messageId, message);
    }
  } finally {
    await queues.release(queueUrl, receipts);
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
  attributes: Readonly<Record<string, QueueMessageAttribute>> | undefined,
): Record<string, QueueMessageAttribute> {
  const kept: Record<string, QueueMessageAttribute> = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (REJECTION_ATTRIBUTE_NAMES.has(name)) continue;
    kept[name] = {
      dataType: value.dataType,
      ...(value.stringValue === undefined ? {} : { stringValue: value.stringValue }),
      ...(value.binaryValue === undefined ? {} : { binaryValue: value.binaryValue }),
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
 * body with the original attributes (minus the rejection ones), and only once the queue accepted
 * the send delete it from the DLQ. A failed send stops the redrive and makes the message visible
 * again in the DLQ: nothing is lost, nothing is sent twice by this command. At most as many
 * messages as were visible at the start are moved, so messages rejected again during the redrive
 * are not cycled round.
 */
export async function redriveDeadLetters(
  queues: QueueAdmin,
  route: DeadLetterRoute,
  options: { max?: number } = {},
): Promise<RedriveResult> {
  const deadLetterUrl = await requireQueueUrl(queues, route.deadLetter);
  const sourceUrl = await requireQueueUrl(queues, route.source);
  const found = (await queues.depth(deadLetterUrl)).visible;
  const budget = Math.min(options.max ?? Number.POSITIVE_INFINITY, found);
  const result: RedriveResult = { route, moved: 0, movedNotDeleted: 0, found };
  while (result.moved + result.movedNotDeleted < budget) {
    const remaining = budget - result.moved - result.movedNotDeleted;
    const received = await queues.receive(deadLetterUrl, {
      max: remaining,
      visibilitySeconds: MOVE_VISIBILITY_SECONDS,
    });
    if (received.length === 0) break;
    for (let i = 0; i < received.length; i++) {
      const message = received[i] as ReceivedMessage;
      try {
        await queues.send(sourceUrl, {
          body: message.body ?? '',
          attributes: redriveAttributes(message.attributes),
        });
      } catch (error) {
        const unsent = received.slice(i).map((m) => m.receiptHandle);
        await queues.release(deadLetterUrl, unsent).catch(() => undefined);
        throw error;
      }
      try {
        await queues.delete(deadLetterUrl, message.receiptHandle);
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
 * Deletes up to `max` visible messages of a DLQ (receive, then delete them in a batch). Not SQS's
 * PurgeQueue: that one may take 60 s, is allowed once a minute and would also destroy messages
 * that arrived after the operator confirmed a count; this deletes at most the confirmed number.
 * Messages in flight (being peeked or redriven by someone else) are left alone.
 */
export async function purgeDeadLetters(
  queues: QueueAdmin,
  route: DeadLetterRoute,
  options: { max: number },
): Promise<PurgeResult> {
  const queueUrl = await requireQueueUrl(queues, route.deadLetter);
  const result: PurgeResult = { route, deleted: 0 };
  while (result.deleted < options.max) {
    const received = await queues.receive(queueUrl, {
      max: options.max - result.deleted,
      visibilitySeconds: MOVE_VISIBILITY_SECONDS,
    });
    if (received.length === 0) break;
    const deleted = await queues.deleteMany(
      queueUrl,
      received.map((m) => m.receiptHandle),
    );
    result.deleted += deleted;
    if (deleted < received.length) break;
  }
  return result;
}

/** The DLQ's visible count, for a purge confirmation. */
export async function deadLetterDepth(
  queues: QueueAdmin,
  route: DeadLetterRoute,
): Promise<QueueDepth> {
  return queues.depth(await requireQueueUrl(queues, route.deadLetter));
}
