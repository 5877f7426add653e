import type { SQSRecord } from 'aws-lambda';
import type { z } from 'zod';
import { UPDATE_ATTRIBUTE, UpdateMessageAttributesSchema } from '../../schemas';
import {
  MESSAGE_TYPES,
  messageType,
  type UpdateOf as UpdateOfType,
  type MessageTypeName as UpdateType,
} from '../message-types';
import { sentTimestampMs } from '../sqs-record';
import {
  describeProblems,
  problemsFromZod,
  rejectionDetail,
  type ValidationProblem,
} from '../validation-error';
import type { Rejection } from './outcomes';
import { COMPUTED_AT_FUTURE_TOLERANCE_MS, type UpdateMetadata } from './update-metadata';

/** What could be read of the metadata; the update id always has a value (else the message id). */
export type ReadMetadata = Partial<UpdateMetadata> & { updateId: string };

export type ParsedRecord<T extends UpdateType> =
  | { ok: true; update: UpdateOfType<T>; meta: UpdateMetadata }
  | {
      ok: false;
      rejection: Rejection;
      /** What could be read, for logs and for the DLQ message. */
      meta: ReadMetadata;
      /** False when an attribute broke the contract: the DLQ copy then keeps them as sent. */
      attributesValid: boolean;
    };

/** Longest `rejection-detail` we write; it rides in a message attribute. */
export const MAX_DETAIL_LENGTH = 1000;

export function clipDetail(detail: string): string {
  return detail.length <= MAX_DETAIL_LENGTH ? detail : `${detail.slice(0, MAX_DETAIL_LENGTH - 1)}…`;
}

function hasAttribute(record: SQSRecord, name: string): boolean {
  return record.messageAttributes?.[name] !== undefined;
}

type MetadataResult =
  | { ok: true; meta: UpdateMetadata }
  | { ok: false; rejection: Rejection; meta: ReadMetadata };

const ATTRIBUTE_SCHEMAS = UpdateMessageAttributesSchema.shape;
const TOLERANCE_MINUTES = COMPUTED_AT_FUTURE_TOLERANCE_MS / 60_000;

/**
 * The update's metadata from the message attributes, with the SQS defaults. Each attribute is
 * read on its own, so a bad one does not cost the others: a valid `update-id` stays the log's
 * correlation id and the DLQ copy's identity when `computed-at` is refused. `now` is the
 * applier's clock, for refusing a `computed-at` in the future.
 */
export function readUpdateMetadata(record: SQSRecord, now: Date): MetadataResult {
  const problems: ValidationProblem[] = [];
  const read = <S extends z.ZodType>(name: string, schema: S): z.output<S> | undefined => {
    const value = record.messageAttributes?.[name]?.stringValue;
    if (hasAttribute(record, name) && value === undefined) {
      // A Binary attribute: not absent, so no default may stand in for it.
      problems.push({
        field: `attribute ${name}`,
        message: 'must be a String or Number attribute',
      });
      return undefined;
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    problems.push(...problemsFromZod(parsed.error, () => `attribute ${name}`));
    return undefined;
  };
  const updateId =
    read(UPDATE_ATTRIBUTE.updateId, ATTRIBUTE_SCHEMAS[UPDATE_ATTRIBUTE.updateId]) ??
    record.messageId;
  const protocol = read(UPDATE_ATTRIBUTE.protocol, ATTRIBUTE_SCHEMAS[UPDATE_ATTRIBUTE.protocol]);
  let version = read(UPDATE_ATTRIBUTE.computedAt, ATTRIBUTE_SCHEMAS[UPDATE_ATTRIBUTE.computedAt]);
  if (version !== undefined && version > now.getTime() + COMPUTED_AT_FUTURE_TOLERANCE_MS) {
    // It would win over every correct update computed until then.
    problems.push({
      field: `attribute ${UPDATE_ATTRIBUTE.computedAt}`,
      message: `is in the future (more than ${TOLERANCE_MINUTES} minutes after the applier's clock)`,
    });
    version = undefined;
  }
  if (!hasAttribute(record, UPDATE_ATTRIBUTE.computedAt)) {
    const sent = sentTimestampMs(record);
    if (sent !== undefined) version = sent;
    else {
      problems.push({
        field: `attribute ${UPDATE_ATTRIBUTE.computedAt}`,
        message: 'absent, and no SentTimestamp to default it to',
      });
    }
  }

  const meta = {
    updateId,
    ...(version === undefined ? {} : { version }),
    ...(protocol === undefined ? {} : { protocol }),
  };
  if (problems.length > 0 || version === undefined) {
    return {
      ok: false,
      rejection: { code: 'invalid-attributes', detail: clipDetail(describeProblems(problems)) },
      meta,
    };
  }
  return { ok: true, meta: { ...meta, version } };
}

function isUpdateType(value: unknown): value is UpdateType {
  return typeof value === 'string' && MESSAGE_TYPES.some((entry) => entry.wireName === value);
}

/**
 * Reads one SQS record for the queue of `queueType`: the body must be JSON, an update of this
 * queue's type, valid under the shared schema; the attributes must follow the queue contract.
 * A body problem is the rejection's code; an attribute problem found as well is added to its
 * detail, so a fixed body is not refused again for a reason nobody was told. `now` is the
 * applier's clock.
 */
export function parseUpdateRecord<T extends UpdateType>(
  record: SQSRecord,
  queueType: T,
  now: Date,
): ParsedRecord<T> {
  const metadata = readUpdateMetadata(record, now);
  const reject = (rejection: Rejection): ParsedRecord<T> => ({
    ok: false,
    rejection:
      metadata.ok || rejection.code === 'invalid-attributes'
        ? rejection
        : {
            code: rejection.code,
            detail: clipDetail(
              `${rejection.detail} (and invalid-attributes: ${metadata.rejection.detail})`,
            ),
          },
    meta: metadata.meta,
    attributesValid: metadata.ok,
  });

  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    // JSON.parse's message quotes the body; the detail must not.
    return reject({ code: 'invalid-json', detail: 'the message body is not valid JSON' });
  }

  const type = (body as { integration_type?: unknown } | null)?.integration_type;
  if (isUpdateType(type) && type !== queueType) {
    return reject({
      code: 'wrong-queue',
      detail: `a "${type}" update on the "${queueType}" queue; send it to the "${type}" queue`,
    });
  }

  const parsed = messageType(queueType).schema.safeParse(body);
  if (!parsed.success) {
    return reject({ code: 'schema', detail: clipDetail(rejectionDetail(parsed.error)) });
  }
  if (!metadata.ok) return reject(metadata.rejection);
  return { ok: true, update: parsed.data as UpdateOfType<T>, meta: metadata.meta };
}
