import type { SQSRecord } from 'aws-lambda';
import type { StringAttribute } from '../lib/ports/compute';
import { LOCAL_REGION } from '../local/credentials';

/**
 * An SQS record as the event source mapping hands it to a function: the bench feeds the appliers
 * and the segment handler in process, without a queue in between, so only their own work is timed.
 */
export function sqsRecord(input: {
  messageId: string;
  body: string;
  attributes?: Record<string, StringAttribute>;
  queueArn: string;
  sentAt?: number;
}): SQSRecord {
  const messageAttributes: SQSRecord['messageAttributes'] = {};
  for (const [name, value] of Object.entries(input.attributes ?? {})) {
    messageAttributes[name] = {
      dataType: value.DataType,
      stringValue: value.StringValue,
      stringListValues: [],
      binaryListValues: [],
    };
  }
  const sent = String(input.sentAt ?? Date.now());
  return {
    messageId: input.messageId,
    receiptHandle: `bench-${input.messageId}`,
    body: input.body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: sent,
      SenderId: 'bench',
      ApproximateFirstReceiveTimestamp: sent,
    },
    messageAttributes,
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: input.queueArn,
    awsRegion: LOCAL_REGION,
  };
}
