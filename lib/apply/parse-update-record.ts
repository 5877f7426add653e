import type { SQSRecord } from 'aws-lambda';
import type { z } from 'zod';
import {
  UPDATE_ATTRIBUTE,
  UPDATE_SCHEMA_BY_TYPE,
  UPDATE_TYPES,
  UpdateMessageAttributesSchema,
  type UpdateOfType,
  type UpdateType,
} from '../../schemas';
import { describeProblems, formatPath, problemsFromZod } from '../validation-error';
import type { Rejection } from './outcomes';
import type { UpdateMetadata } from './update-metadata';

export type ParsedRecord<T extends UpdateType> =
  | { ok: true; update: UpdateOfType<T>; meta: UpdateMetadata }
  /** `meta` holds what could be read, for logs and for the DLQ message. */
  | { ok: false; rejection: Rejection; meta: Partial<UpdateMetadata> & { updateId: string } };

/** Longest `rejection-detail` we write; it rides in a message attribute. */
export const MAX_DETAIL_LENGTH = 1000;

export function clipDetail(detail: string): string {
  return detail.length <= MAX_DETAIL_LENGTH ? detail : `${detail.slice(0, MAX_DETAIL_LENGTH - 1)}…`;
}

function attributeStrings(record: SQSRecord): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.values(UPDATE_ATTRIBUTE)) {
    const value = record.messageAttributes?.[name]?.stringValue;
    if (value !== undefined) out[name] = value;
  }
  return out;
}

type MetadataResult =
  | { ok: true; meta: UpdateMetadata }
  | { ok: false; rejection: Rejection; meta: Partial<UpdateMetadata> & { updateId: string } };

/** The update's metadata from the message attributes, with the SQS defaults. */
export function readUpdateMetadata(record: SQSRecord): MetadataResult {
  const parsed = UpdateMessageAttributesSchema.safeParse(attributeStrings(record));
  const fallbackId = record.messageId;
  if (!parsed.success) {
    const detail = describeProblems(problemsFromZod(parsed.error, (path) => `attribute ${path}`));
    return {
      ok: false,
      rejection: { code: 'invalid-attributes', detail: clipDetail(detail) },
      meta: { updateId: fallbackId },
    };
  }
  const attributes = parsed.data;
  const updateId = attributes[UPDATE_ATTRIBUTE.updateId] ?? fallbackId;
  const protocol = attributes[UPDATE_ATTRIBUTE.protocol];
  const sent = Number(record.attributes?.SentTimestamp);
  const version =
    attributes[UPDATE_ATTRIBUTE.computedAt] ?? (Number.isSafeInteger(sent) ? sent : undefined);
  if (version === undefined) {
    return {
      ok: false,
      rejection: {
        code: 'invalid-attributes',
        detail: 'no computed-at attribute and no SentTimestamp to default it to',
      },
      meta: { updateId, protocol },
    };
  }
  return {
    ok: true,
    meta: protocol === undefined ? { updateId, version } : { updateId, version, protocol },
  };
}

/**
 * The schema rejection's detail. Unknown keys are counted, not named: a key is text from the
 * message and may carry PHI (a producer keying a map by patient name). The DLQ keeps the body for
 * whoever needs the names.
 */
export function schemaDetail(error: z.ZodError): string {
  return describeProblems(
    error.issues.map((issue) => {
      if (issue.code !== 'unrecognized_keys')
        return { field: formatPath(issue.path), message: issue.message };
      const count = issue.keys.length;
      return {
        field: formatPath(issue.path),
        message: `${count} unknown field${count === 1 ? '' : 's'} (names withheld, see the message body)`,
      };
    }),
  );
}

function isUpdateType(value: unknown): value is UpdateType {
  return typeof value === 'string' && (UPDATE_TYPES as readonly string[]).includes(value);
}

/**
 * Reads one SQS record for the queue of `queueType`: the body must be JSON, an update of this
 * queue's type, valid under the shared schema; the attributes must follow the queue contract.
 */
export function parseUpdateRecord<T extends UpdateType>(
  record: SQSRecord,
  queueType: T,
): ParsedRecord<T> {
  const metadata = readUpdateMetadata(record);
  const reject = (rejection: Rejection): ParsedRecord<T> => ({
    ok: false,
    rejection,
    meta: metadata.meta,
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

  const parsed = UPDATE_SCHEMA_BY_TYPE[queueType].safeParse(body);
  if (!parsed.success) {
    return reject({ code: 'schema', detail: clipDetail(schemaDetail(parsed.error)) });
  }
  if (!metadata.ok) return reject(metadata.rejection);
  return { ok: true, update: parsed.data as UpdateOfType<T>, meta: metadata.meta };
}
