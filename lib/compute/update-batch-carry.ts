import type { QueuedUpdate, UpdateQueue } from '../ports/compute';
// The SQS sender's own batch planner and the update queue's own messages (pure, no I/O): the
// carry cuts exactly where the sender will.
import { planBatches, SQS_LIMITS, type SqsLimits } from './message-batches';
import { updateMessage, updatesByType } from './update-messages';

/**
 * Sends updates in whole `SendMessageBatch` batches across several `add` calls: each call
 * enqueues, per message type, every batch the sender would fill (10 entries, or as many as fit the
 * 1 MiB request limit) and holds back that type's trailing partial batch, to be topped up by the
 * next call. `flush` sends what is held. So a segment of many pages makes at most one partial
 * batch per type, instead of one per page and type.
 *
 * Holding updates in memory is safe only where losing them is: the caller must flush before
 * anything that records progress (a continuation job, the job's success). See `recomputeSegment`.
 */
export class UpdateBatchCarry {
  /** Updates held back, in order; each type's are fewer than one full batch. */
  #held: QueuedUpdate[] = [];

  constructor(
    private readonly queue: UpdateQueue,
    /** The limits the queue's sender batches by (the production sender uses `SQS_LIMITS`). */
    private readonly limits: SqsLimits = SQS_LIMITS,
  ) {}

  /** Enqueues the whole batches of what is held followed by `updates`; holds the rest. */
  async add(updates: readonly QueuedUpdate[]): Promise<void> {
    const ready: QueuedUpdate[] = [];
    const held: QueuedUpdate[] = [];
    for (const list of updatesByType([...this.#held, ...updates]).values()) {
      const kept = this.#partialTailLength(list);
      ready.push(...list.slice(0, list.length - kept));
      held.push(...list.slice(list.length - kept));
    }
    // Enqueue first: on a failure the call throws and the caller's job is redelivered.
    if (ready.length > 0) await this.queue.enqueue(ready);
    this.#held = held;
  }

  /** The updates held back, not yet enqueued. */
  get held(): ReadonlySet<QueuedUpdate> {
    return new Set(this.#held);
  }

  /** Enqueues everything held (at most one partial batch per type). */
  async flush(): Promise<void> {
    if (this.#held.length === 0) return;
    await this.queue.enqueue(this.#held);
    this.#held = [];
  }

  /**
   * How many of one type's updates form the last batch the sender would plan, when it is not full.
   * The planner is greedy from the front, so the batches before the tail are planned the same
   * when sent without it. A message too large for SQS throws here, before anything is sent.
   */
  #partialTailLength(list: readonly QueuedUpdate[]): number {
    const batches = planBatches(list.map(updateMessage), this.limits);
    const last = batches.at(-1);
    return last && last.length < this.limits.maxEntriesPerBatch ? last.length : 0;
  }
}
