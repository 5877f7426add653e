import type { QueuedUpdate } from '../../../lib/compute';
import { MessageTooLargeError, SQS_LIMITS } from '../../../lib/compute/message-batches';
import { UpdateBatchCarry } from '../../../lib/compute/update-batch-carry';
import type { UpdateType } from '../../../schemas';
import { QUEUE_URLS, RecordingSqs, recordedUpdateQueue } from '../aws/recording-sqs';

/** `count` updates of one type, ids `<prefix>0`.., bodies padded to `bodyBytes`. */
function updates(type: UpdateType, prefix: string, count: number, bodyBytes = 50): QueuedUpdate[] {
  return Array.from({ length: count }, (_, i) => ({
    type,
    body: `${prefix}${i}`.padEnd(bodyBytes, '.'),
    attributes: { 'update-id': { DataType: 'String', StringValue: `${prefix}${i}` } },
  }));
}

const ids = (list: readonly { bodies: string[] }[]) =>
  list.flatMap((request) => request.bodies.map((body) => body.replace(/\.+$/, '')));
const sizes = (list: readonly { bodies: string[] }[]) => list.map((r) => r.bodies.length);

describe('UpdateBatchCarry', () => {
  it('sends only whole batches per type and carries each partial tail into the next call', async () => {
    // Arrange
    const sqs = new RecordingSqs();
    const carry = new UpdateBatchCarry(recordedUpdateQueue(sqs).queue);
    const group = updates('Group', 'g', 26);
    const task = updates('Task', 't', 14);

    // Act: two "pages" of 13 Group + 7 Task each.
    await carry.add([...group.slice(0, 13), ...task.slice(0, 7)]);
    const afterFirst = {
      group: sizes(sqs.requestsTo(QUEUE_URLS.Group)),
      task: sizes(sqs.requestsTo(QUEUE_URLS.Task)),
    };
    await carry.add([...group.slice(13), ...task.slice(7)]);
    const afterSecond = {
      group: sizes(sqs.requestsTo(QUEUE_URLS.Group)),
      task: sizes(sqs.requestsTo(QUEUE_URLS.Task)),
    };
    await carry.flush();

    // Assert
    expect(afterFirst).toEqual({ group: [10], task: [] });
    expect(afterSecond).toEqual({ group: [10, 10], task: [10] });
    expect(sizes(sqs.requestsTo(QUEUE_URLS.Group))).toEqual([10, 10, 6]);
    expect(sizes(sqs.requestsTo(QUEUE_URLS.Task))).toEqual([10, 4]);
    // Nothing lost or repeated, each type in its order.
    expect(ids(sqs.requestsTo(QUEUE_URLS.Group))).toEqual(
      group.map((u) => u.body.replace(/\.+$/, '')),
    );
    expect(ids(sqs.requestsTo(QUEUE_URLS.Task))).toEqual(
      task.map((u) => u.body.replace(/\.+$/, '')),
    );
  });

  it('cuts where the sender cuts for the request size limit, not only at 10 entries', async () => {
    // Arrange: each message is 50 + 9 ("update-id") + 6 ("String") + 2 (id) = 67 bytes; a
    // request holds 3 of them.
    const limits = { ...SQS_LIMITS, maxBatchBytes: 3 * 67 + 10 };
    const sqs = new RecordingSqs();
    const carry = new UpdateBatchCarry(recordedUpdateQueue(sqs, limits).queue, limits);
    const group = updates('Group', 'g', 7);

    // Act
    await carry.add(group);
    const beforeFlush = sizes(sqs.requests);
    await carry.flush();

    // Assert: the two requests full by size go at once; the last message waits.
    expect(beforeFlush).toEqual([3, 3]);
    expect(sizes(sqs.requests)).toEqual([3, 3, 1]);
    expect(ids(sqs.requests)).toEqual(group.map((u) => u.body.replace(/\.+$/, '')));
  });

  it('sends nothing and holds nothing when there is nothing to send', async () => {
    const sqs = new RecordingSqs();
    const carry = new UpdateBatchCarry(recordedUpdateQueue(sqs).queue);

    await carry.add([]);
    await carry.add(updates('Task', 't', 20));
    await carry.flush();
    await carry.flush();

    expect(sizes(sqs.requests)).toEqual([10, 10]);
  });

  it('throws when a send fails, on add and on flush', async () => {
    const failing = new RecordingSqs(() => new Error('AccessDenied'));
    const onAdd = new UpdateBatchCarry(recordedUpdateQueue(failing).queue);
    await expect(onAdd.add(updates('Group', 'g', 10))).rejects.toThrow('AccessDenied');

    const onFlush = new UpdateBatchCarry(recordedUpdateQueue(failing).queue);
    await onFlush.add(updates('Group', 'g', 9));
    await expect(onFlush.flush()).rejects.toThrow('AccessDenied');
  });

  it('refuses a message too large for SQS by its update id, before sending anything', async () => {
    const sqs = new RecordingSqs();
    const carry = new UpdateBatchCarry(recordedUpdateQueue(sqs).queue);
    const list = [
      ...updates('Group', 'g', 10),
      ...updates('Group', 'huge', 1, SQS_LIMITS.maxMessageBytes),
    ];

    const failure = carry.add(list);

    await expect(failure).rejects.toBeInstanceOf(MessageTooLargeError);
    await expect(failure).rejects.toThrow('update huge0');
    expect(sqs.requests).toEqual([]);
  });
});
