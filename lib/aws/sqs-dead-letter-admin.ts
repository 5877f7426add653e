import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type {
  OutgoingMessage,
  QueueAdmin,
  QueueDepth,
  QueueMessageAttribute,
  ReceivedMessage,
} from '../ports';
import { SqsQueueLocator } from './sqs-queue-locator';

/** SQS returns at most 10 messages per receive and takes 10 entries per batch call. */
const SQS_BATCH = 10;

function fromSqsAttributes(
  attributes: Record<string, MessageAttributeValue> | undefined,
): Record<string, QueueMessageAttribute> {
  const converted: Record<string, QueueMessageAttribute> = {};
  for (const [name, value] of Object.entries(attributes ?? {}))
    converted[name] = {
      dataType: String(value.DataType),
      ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
      ...(value.BinaryValue === undefined
        ? {}
        : { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
    };
  return converted;
}

/** Message attributes as SendMessage takes them (binary values arrive base64-encoded). */
export function toSqsAttributes(
  attributes: Readonly<Record<string, QueueMessageAttribute>>,
): Record<string, MessageAttributeValue> {
  const converted: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes))
    converted[name] = {
      DataType: value.dataType,
      ...(value.stringValue === undefined ? {} : { StringValue: value.stringValue }),
      ...(value.binaryValue === undefined
        ? {}
        : { BinaryValue: Buffer.from(value.binaryValue, 'base64') }),
    };
  return converted;
}

/** The operator's queue commands over SQS; queue URLs looked up by name (GetQueueUrl, cached). */
export class SqsQueueAdmin implements QueueAdmin {
  readonly #locator: SqsQueueLocator;

  constructor(private readonly sqs: SQSClient) {
    this.#locator = new SqsQueueLocator(sqs);
  }

  urlOf(queueName: string): Promise<string | undefined> {
    return this.#locator.urlOf(queueName);
  }

  async depth(queueUrl: string): Promise<QueueDepth> {
    const { Attributes } = await this.sqs.send(
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

  /** A message without a receipt handle (SQS always gives one) could be neither released nor deleted: left out. */
  async receive(
    queueUrl: string,
    options: { max: number; visibilitySeconds: number },
  ): Promise<ReceivedMessage[]> {
    const { Messages = [] } = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.max(1, Math.min(SQS_BATCH, options.max)),
        VisibilityTimeout: options.visibilitySeconds,
        // Short polls: local-aws-sqs answers a long poll only once the whole batch is there.
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
        // The older, deprecated name of the same field; local-aws-sqs reads only this one.
        AttributeNames: ['All'],
      }),
    );
    return Messages.filter((m) => m.ReceiptHandle !== undefined).map((m) => {
      const sent = m.Attributes?.SentTimestamp;
      return {
        messageId: String(m.MessageId),
        receiptHandle: m.ReceiptHandle as string,
        ...(m.Body === undefined ? {} : { body: m.Body }),
        attributes: fromSqsAttributes(m.MessageAttributes),
        receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 0),
        ...(sent === undefined ? {} : { sentTimestamp: Number(sent) }),
      };
    });
  }

  async release(queueUrl: string, receiptHandles: readonly string[]): Promise<void> {
    for (let i = 0; i < receiptHandles.length; i += SQS_BATCH) {
      await this.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: receiptHandles.slice(i, i + SQS_BATCH).map((ReceiptHandle, n) => ({
            Id: String(n),
            ReceiptHandle,
            VisibilityTimeout: 0,
          })),
        }),
      );
    }
  }

  async send(queueUrl: string, message: OutgoingMessage): Promise<string> {
    const attributes = toSqsAttributes(message.attributes);
    const { MessageId } = await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: message.body,
        ...(Object.keys(attributes).length === 0 ? {} : { MessageAttributes: attributes }),
      }),
    );
    return String(MessageId);
  }

  async delete(queueUrl: string, receiptHandle: string): Promise<void> {
    await this.sqs.send(
      new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle }),
    );
  }

  async deleteMany(queueUrl: string, receiptHandles: readonly string[]): Promise<number> {
    let deleted = 0;
    for (let i = 0; i < receiptHandles.length; i += SQS_BATCH) {
      const { Successful = [] } = await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: receiptHandles
            .slice(i, i + SQS_BATCH)
            .map((ReceiptHandle, n) => ({ Id: String(n), ReceiptHandle })),
        }),
      );
      deleted += Successful.length;
    }
    return deleted;
  }
}
