import { readFileSync } from 'node:fs';
import {
  type MessageAttributeValue,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { ProvisionedResources } from './provision';
import { UPDATE_QUEUES, UPDATE_TYPES, type UpdateType } from './run-metrics';

/** One message to put on a type's queue as another producer (or a replay) would. */
export interface InjectedMessage {
  type: UpdateType;
  /** Sent unchanged, even when it is not valid JSON. */
  body: string;
  attributes: Record<string, MessageAttributeValue>;
}

function attributeValue(name: string, value: unknown, where: string): MessageAttributeValue {
  if (typeof value === 'string' || typeof value === 'number') {
    return {
      DataType: typeof value === 'number' ? 'Number' : 'String',
      StringValue: String(value),
    };
  }
  const v = (value ?? {}) as Record<string, unknown>;
  const dataType = v.DataType ?? v.dataType;
  const stringValue = v.StringValue ?? v.stringValue;
  if (typeof dataType === 'string' && typeof stringValue === 'string') {
    return { DataType: dataType, StringValue: stringValue };
  }
  throw new Error(
    `${where}: attribute ${name} must be a string or {"DataType": "...", "StringValue": "..."}`,
  );
}

/**
 * Reads a JSON-lines file of `{"type": "<update type>", "body": "<raw string>", "attributes": {...}}`
 * (type: one of UPDATE_TYPES, e.g. "Group", "TaskUpdate"; attributes optional; blank lines skipped). Errors name the line, never its content.
 */
export function readInjectFile(path: string): InjectedMessage[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the inject file ${path}: ${(error as Error).message}`);
  }
  const messages: InjectedMessage[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const where = `${path}:${index + 1}`;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new Error(`${where}: not a JSON object`);
    }
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      throw new Error(`${where}: not a JSON object`);
    }
    if (!UPDATE_TYPES.includes(entry.type as UpdateType)) {
      throw new Error(`${where}: "type" must be one of ${UPDATE_TYPES.join(', ')}`);
    }
    if (typeof entry.body !== 'string') {
      throw new Error(`${where}: "body" must be a string (the raw message body)`);
    }
    const attributes: Record<string, MessageAttributeValue> = {};
    if (entry.attributes !== undefined) {
      if (entry.attributes === null || typeof entry.attributes !== 'object') {
        throw new Error(`${where}: "attributes" must be an object`);
      }
      for (const [name, value] of Object.entries(entry.attributes)) {
        attributes[name] = attributeValue(name, value, where);
      }
    }
    messages.push({ type: entry.type as UpdateType, body: entry.body, attributes });
  });
  return messages;
}

/** Puts each message, body unchanged, on its type's queue. */
export async function injectMessages(
  sqs: SQSClient,
  resources: ProvisionedResources,
  messages: readonly InjectedMessage[],
): Promise<void> {
  for (const message of messages) {
    const queue = resources.queues[UPDATE_QUEUES[message.type].queue];
    if (!queue) throw new Error(`no ${message.type} queue declared`);
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: message.body,
        ...(Object.keys(message.attributes).length > 0
          ? { MessageAttributes: message.attributes }
          : {}),
      }),
    );
  }
}
