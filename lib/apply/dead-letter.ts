import type { SQSRecord } from 'aws-lambda';
import { UPDATE_ATTRIBUTE } from '../../schemas';
import type { DeadLetter, QueueMessageAttribute } from '../ports';
import type { Rejection } from './outcomes';
import { clipDetail, type ReadMetadata } from './parse-update-record';

/** Attributes the applier adds to a rejected message (docs/queue-contract.md). */
export const REJECTION_ATTRIBUTE = {
  reason: 'rejection-reason',
  detail: 'rejection-detail',
  rejectedAt: 'rejected-at',
  sourceQueue: 'source-queue',
  originalMessageId: 'original-message-id',
} as const;

/** SQS refuses a message with more attributes than this. */
export const MAX_MESSAGE_ATTRIBUTES = 10;

export interface DeadLetterInput {
  record: SQSRecord;
  rejection: Rejection;
  /** What was read of the metadata; the effective values are written so a redrive keeps them. */
  meta: ReadMetadata;
  /** Whether every metadata attribute followed the contract (always, for an apply rejection). */
  attributesValid: boolean;
  rejectedAt: Date;
}

function stringAttribute(value: string): QueueMessageAttribute {
  return { dataType: 'String', stringValue: value };
}

/**
 * The DLQ message for a rejected record: the body unchanged; the original attributes, with
 * `update-id` and `computed-at` pinned to the values the applier used (a message that had none
 * would get a new SQS id and sent time on redrive, and could then be applied twice or out of
 * order), or kept as sent when any of them broke the contract; and the rejection attributes.
 * SQS allows 10 attributes: ours come first, other producers' attributes fill what is left in
 * name order, and the detail names any dropped.
 */
export function buildDeadLetter({
  record,
  rejection,
  meta,
  attributesValid,
  rejectedAt,
}: DeadLetterInput): DeadLetter {
  const original: Record<string, QueueMessageAttribute> = {};
  for (const [name, attribute] of Object.entries(record.messageAttributes ?? {})) {
    original[name] = {
      dataType: attribute.dataType,
      ...(attribute.stringValue === undefined ? {} : { stringValue: attribute.stringValue }),
      ...(attribute.binaryValue === undefined ? {} : { binaryValue: attribute.binaryValue }),
    };
  }

  const ours: Record<string, QueueMessageAttribute> = {};
  const pinned = (value: string | number | undefined) =>
    value === undefined ? undefined : stringAttribute(String(value));
  // When any attribute broke the contract, all are kept as sent (the operator must see what was
  // sent, and a valid update-id keeps its identity); only an absent one is pinned to its default.
  const updateId = attributesValid
    ? pinned(meta.updateId)
    : (original[UPDATE_ATTRIBUTE.updateId] ?? pinned(meta.updateId));
  const computedAt = attributesValid
    ? pinned(meta.version)
    : (original[UPDATE_ATTRIBUTE.computedAt] ?? pinned(meta.version));
  if (updateId) ours[UPDATE_ATTRIBUTE.updateId] = updateId;
  if (computedAt) ours[UPDATE_ATTRIBUTE.computedAt] = computedAt;
  const protocol = original[UPDATE_ATTRIBUTE.protocol];
  if (protocol) ours[UPDATE_ATTRIBUTE.protocol] = protocol;
  ours[REJECTION_ATTRIBUTE.reason] = stringAttribute(rejection.code);
  ours[REJECTION_ATTRIBUTE.rejectedAt] = stringAttribute(rejectedAt.toISOString());
  ours[REJECTION_ATTRIBUTE.sourceQueue] = stringAttribute(record.eventSourceARN);
  ours[REJECTION_ATTRIBUTE.originalMessageId] = stringAttribute(record.messageId);

  const reserved = new Set<string>([
    ...Object.values(UPDATE_ATTRIBUTE),
    ...Object.values(REJECTION_ATTRIBUTE),
  ]);
  const others = Object.keys(original)
    .filter((name) => !reserved.has(name))
    .sort();
  // One slot stays for the detail.
  const room = Math.max(0, MAX_MESSAGE_ATTRIBUTES - Object.keys(ours).length - 1);
  const kept = others.slice(0, room);
  const dropped = others.slice(room);

  const attributes: Record<string, QueueMessageAttribute> = { ...ours };
  for (const name of kept) attributes[name] = original[name] as QueueMessageAttribute;
  const droppedNote =
    dropped.length > 0
      ? ` [attributes dropped for the 10-attribute limit: ${dropped.join(', ')}]`
      : '';
  attributes[REJECTION_ATTRIBUTE.detail] = stringAttribute(
    `${clipDetail(rejection.detail)}${droppedNote}`,
  );
  return { body: record.body, attributes };
}
