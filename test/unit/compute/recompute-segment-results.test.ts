import {
  DEFAULT_REASSERT_AFTER_MS,
  type ProtocolResultStore,
  type QueuedUpdate,
  type RecordedResult,
  recomputeSegment,
  resultKeyId,
  SILENT_LOG,
  type StoredResult,
  segmentJobs,
} from '../../../lib/compute';
import { GroupEveryone, InMemoryJobQueue, InMemoryPatientSource } from './fakes';

/** An in-memory results store that logs every call beside the queue's, in order. */
class InMemoryResults implements ProtocolResultStore {
  readonly items = new Map<string, RecordedResult>();
  constructor(private readonly events: string[]) {}
  async getMany(keys: readonly { patientKey: string; protocol: string }[]) {
    this.events.push(`read ${keys.length}`);
    const found = new Map<string, StoredResult>();
    for (const key of keys) {
      const item = this.items.get(resultKeyId(key));
      if (item) found.set(resultKeyId(key), item);
    }
    return found;
  }
  async putMany(results: readonly RecordedResult[]) {
    this.events.push(`write ${results.map((r) => r.patientKey).join(',')}`);
    for (const r of results) this.items.set(resultKeyId(r), r);
    return results.length;
  }
}

const keys = Array.from({ length: 13 }, (_, i) => `p${String(i).padStart(2, '0')}`);

function setup() {
  const events: string[] = [];
  const sent: QueuedUpdate[] = [];
  const updates = {
    async enqueue(list: readonly QueuedUpdate[]) {
      events.push(
        `enqueue ${list.map((u) => JSON.parse(u.body).integration_payload.members.entries[0].uuid).join(',')}`,
      );
      sent.push(...list);
    },
  };
  return { events, sent, updates, results: new InMemoryResults(events) };
}

describe('recomputeSegment with protocol results', () => {
  const at = (hours: number) => ({
    runId: `run-${hours}`,
    computedAt: new Date(Date.parse('2030-01-01T00:00:00Z') + hours * 3_600_000),
  });

  async function run(deps: ReturnType<typeof setup>, hours: number, reassert = false) {
    const [job] = segmentJobs({ ...at(hours), reassert }, 1);
    if (!job) throw new Error('no job');
    return recomputeSegment({
      job,
      protocols: [GroupEveryone],
      patients: InMemoryPatientSource.of(keys),
      updates: deps.updates,
      jobs: new InMemoryJobQueue(),
      results: { store: deps.results, reassertAfterMs: DEFAULT_REASSERT_AFTER_MS },
      remainingTimeMs: () => 900_000,
      budget: { pageSize: 4, reserveMs: 1_000 },
      log: SILENT_LOG,
    });
  }

  it('writes a result only after its update was enqueued, also when the carry held it across pages', async () => {
    const deps = setup();
    const outcome = await run(deps, 0);
    // Pages of 4: the Group updates are held (a batch is 10) until the 10th, then until the flush.
    const names = (from: number, to: number) => keys.slice(from, to).join(',');
    expect(deps.events).toEqual([
      'read 4',
      'read 4',
      'read 4',
      `enqueue ${names(0, 10)}`,
      `write ${names(0, 10)}`,
      'read 1',
      `enqueue ${names(10, 13)}`,
      `write ${names(10, 13)}`,
    ]);
    expect(outcome.counts).toMatchObject({ unchangedUpdates: 0, resultsWritten: 13 });
    expect(outcome.counts.updates.Group).toBe(13);
  });

  it('enqueues and writes nothing the second time; everything with reassert', async () => {
    const deps = setup();
    await run(deps, 0);
    deps.events.length = 0;
    const second = await run(deps, 1);
    expect(deps.events).toEqual(['read 4', 'read 4', 'read 4', 'read 1']);
    expect(second.counts).toMatchObject({ unchangedUpdates: 13, resultsWritten: 0 });
    expect(second.counts.updates.Group).toBe(0);

    const forced = await run(deps, 2, true);
    expect(forced.counts.updates.Group).toBe(13);
    expect(forced.counts.unchangedUpdates).toBe(0);
  });

  it('a failed enqueue writes no result: the next run sends again', async () => {
    const deps = setup();
    const failing = {
      ...deps,
      updates: {
        async enqueue() {
          throw new Error('SQS down');
        },
      },
    };
    await expect(run(failing, 0)).rejects.toThrow('SQS down');
    expect(deps.results.items.size).toBe(0);
    const retried = await run(deps, 0);
    expect(retried.counts.updates.Group).toBe(13);
  });
});
