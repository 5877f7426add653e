import {
  MessageTooLargeError,
  messageBytes,
  type OutgoingMessage,
  planBatches,
  SQS_LIMITS,
} from '../../../lib/compute/message-batches';

function message(bodyBytes: number, label?: string): OutgoingMessage {
  return { body: 'x'.repeat(bodyBytes), label };
}

describe('messageBytes', () => {
  it('counts the body and every attribute name, data type and value, in UTF-8 bytes', () => {
    expect(
      messageBytes({
        body: 'é',
        attributes: { 'update-id': { DataType: 'String', StringValue: 'abc' } },
      }),
    ).toBe(2 + 9 + 6 + 3);
  });
});

describe('planBatches', () => {
  it('puts at most 10 entries in a batch', () => {
    const batches = planBatches(Array.from({ length: 21 }, () => message(10)));
    expect(batches.map((b) => b.length)).toEqual([10, 10, 1]);
    expect(planBatches(Array.from({ length: 10 }, () => message(10))).map((b) => b.length)).toEqual(
      [10],
    );
    expect(planBatches([])).toEqual([]);
  });

  it('keeps each batch within 1 MiB in total', () => {
    // Five messages of 250,000 bytes: four fit in 1,048,576, the fifth starts a new batch.
    const batches = planBatches(Array.from({ length: 5 }, () => message(250_000)));
    expect(batches.map((b) => b.length)).toEqual([4, 1]);
    for (const batch of batches) {
      const total = batch.reduce((sum, m) => sum + messageBytes(m), 0);
      expect(total).toBeLessThanOrEqual(SQS_LIMITS.maxBatchBytes);
    }
  });

  it('accepts a batch of exactly 1 MiB and a message of exactly 256 KiB', () => {
    const exact = Array.from({ length: 4 }, () => message(262_144));
    expect(planBatches(exact).map((b) => b.length)).toEqual([4]);
  });

  it('refuses an oversized message with a clear error, before any batch is formed', () => {
    const messages = [message(10), message(262_145, 'update abc123'), message(10)];
    expect(() => planBatches(messages)).toThrow(MessageTooLargeError);
    expect(() => planBatches(messages)).toThrow(
      'message update abc123 is 262145 bytes; SQS accepts at most 262144 per message',
    );
  });

  it('keeps the order of the messages', () => {
    const messages = Array.from({ length: 25 }, (_, i) => ({ body: String(i) }));
    expect(planBatches(messages).flat()).toEqual(messages);
  });
});
