/**
 * Packing messages into `SendMessageBatch` requests within SQS's limits. Pure: no I/O, no SDK. The
 * core plans with it (the update batch carry) and the SQS adapter sends with it
 * (`SqsBatchSender`), so both cut batches at the same places.
 * SQS counts a message's size as its body plus, for each attribute, the name, the data type and
 * the value, all in UTF-8 bytes.
 */

export interface SqsLimits {
  maxEntriesPerBatch: number;
  maxMessageBytes: number;
  maxBatchBytes: number;
}

/** 10 entries; 256 KiB per message; 1 MiB per batch request. */
export const SQS_LIMITS: SqsLimits = {
  maxEntriesPerBatch: 10,
  maxMessageBytes: 262_144,
  maxBatchBytes: 1_048_576,
};

export interface SqsAttribute {
  DataType: string;
  StringValue?: string;
}

export interface OutgoingMessage {
  body: string;
  attributes?: Record<string, SqsAttribute>;
  /** Names the message in errors (an update id, a job's segment): never the body. */
  label?: string;
}

export function messageBytes(message: OutgoingMessage): number {
  let bytes = Buffer.byteLength(message.body, 'utf8');
  for (const [name, value] of Object.entries(message.attributes ?? {})) {
    bytes += Buffer.byteLength(name, 'utf8');
    bytes += Buffer.byteLength(value.DataType, 'utf8');
    bytes += Buffer.byteLength(value.StringValue ?? '', 'utf8');
  }
  return bytes;
}

/** A message SQS would refuse for its size. Refused before anything is sent, never dropped. */
export class MessageTooLargeError extends Error {
  override readonly name = 'MessageTooLargeError';
  constructor(
    readonly label: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`message ${label} is ${bytes} bytes; SQS accepts at most ${limit} per message`);
  }
}

/**
 * Splits messages, in order, into batches of at most `maxEntriesPerBatch` entries and
 * `maxBatchBytes` bytes. Throws `MessageTooLargeError` (before any batch is formed) when one
 * message exceeds `maxMessageBytes`, or could not fit a batch on its own.
 */
export function planBatches(
  messages: readonly OutgoingMessage[],
  limits: SqsLimits = SQS_LIMITS,
): OutgoingMessage[][] {
  const perMessageLimit = Math.min(limits.maxMessageBytes, limits.maxBatchBytes);
  const sizes = messages.map((message, index) => {
    const bytes = messageBytes(message);
    if (bytes > perMessageLimit)
      throw new MessageTooLargeError(message.label ?? `#${index}`, bytes, perMessageLimit);
    return bytes;
  });

  const batches: OutgoingMessage[][] = [];
  let current: OutgoingMessage[] = [];
  let currentBytes = 0;
  messages.forEach((message, index) => {
    const bytes = sizes[index] ?? 0;
    const full =
      current.length >= limits.maxEntriesPerBatch || currentBytes + bytes > limits.maxBatchBytes;
    if (full && current.length > 0) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(message);
    currentBytes += bytes;
  });
  if (current.length > 0) batches.push(current);
  return batches;
}
