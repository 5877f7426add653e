import {
  type MessageAttributeValue,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { DeadLetter, DeadLetterQueue } from '../ports';

/** The type's DLQ on SQS. */
export class SqsDeadLetterQueue implements DeadLetterQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(message: DeadLetter): Promise<void> {
    const attributes: Record<string, MessageAttributeValue> = {};
    for (const [name, a] of Object.entries(message.attributes)) {
      attributes[name] = {
        DataType: a.dataType,
        ...(a.stringValue === undefined ? {} : { StringValue: a.stringValue }),
        // Lambda hands binary attributes over base64-encoded.
        ...(a.binaryValue === undefined
          ? {}
          : { BinaryValue: Buffer.from(a.binaryValue, 'base64') }),
      };
    }
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: message.body,
        MessageAttributes: attributes,
      }),
    );
  }
}
