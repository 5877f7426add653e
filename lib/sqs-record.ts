import type { SQSRecord } from 'aws-lambda';

/**
 * When SQS received the message (`SentTimestamp`, epoch ms), or undefined when the record carries
 * none or a value that is not one: only digits count (`Number('')` is 0), as a safe integer after
 * the epoch. Lambda's SQS events always carry it; the same on every redelivery.
 */
export function sentTimestampMs(record: SQSRecord): number | undefined {
  const raw = record.attributes?.SentTimestamp;
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  const ms = Number(raw);
  return Number.isSafeInteger(ms) && ms > 0 ? ms : undefined;
}
