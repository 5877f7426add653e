import {
  DEFAULT_REASSERT_AFTER_MS,
  gateRun,
  type QueuedUpdate,
  REASSERT_SPREAD,
  reassertDueAt,
  resultContentHash,
  type StoredResult,
  updatesDigest,
} from '../../../lib/compute';
import type { ProtocolRun } from '../../../lib/protocol';
import { ensurePatientInGroup } from '../../../lib/update-helpers';

const T0 = new Date('2030-01-01T06:00:00.000Z');
const HOUR = 3_600_000;
const at = (ms: number) => new Date(T0.getTime() + ms);

const update = (patientKey: string, groupId = 'g-1', id = 'u-1'): QueuedUpdate => ({
  type: 'Group',
  body: JSON.stringify(ensurePatientInGroup(patientKey, groupId)),
  attributes: { 'update-id': { DataType: 'String', StringValue: id } },
});

function run(overrides: Partial<ProtocolRun> = {}): ProtocolRun {
  return {
    protocol: 'p',
    version: '1.0.0',
    status: 'computed',
    result: {
      status: 'due',
      narratives: ['due'],
      dueIn: null,
      daysOfNotice: 30,
      nextReview: null,
      recommendations: [],
    },
    updates: [],
    ...overrides,
  };
}

/** What a first computation at `when` records, as the store returns it. */
function stored(when: Date, r: ProtocolRun, updates: QueuedUpdate[]): StoredResult {
  const gated = gateRun('pat-1', r, updates, undefined, {
    computedAt: when,
    reassertAfterMs: DEFAULT_REASSERT_AFTER_MS,
    reassert: false,
  });
  if (!gated.record) throw new Error('a first computation records its result');
  const { result: _result, updatesCount: _count, ...compared } = gated.record;
  return compared;
}

const options = (when: Date, reassert = false) => ({
  computedAt: when,
  reassertAfterMs: DEFAULT_REASSERT_AFTER_MS,
  reassert,
});

describe('gateRun: unchanged updates held back, results written only when changed', () => {
  const updates = [update('pat-1')];
  const first = stored(T0, run(), updates);

  it('sends and records everything the first time', () => {
    const gated = gateRun('pat-1', run(), updates, undefined, options(T0));
    expect(gated.send).toEqual(updates);
    expect(gated.record).toMatchObject({
      patientKey: 'pat-1',
      protocol: 'p',
      protocolVersion: '1.0.0',
      updatesDigest: updatesDigest(updates),
      updatesSentAt: T0.toISOString(),
      computedAt: T0.toISOString(),
      updatesCount: 1,
      result: { status: 'due', narratives: ['due'] },
    });
  });

  it('sends nothing and writes nothing when all is equal (computedAt alone moved)', () => {
    // The same bodies under another run's update ids: the digest is of the bodies.
    const again = [update('pat-1', 'g-1', 'u-2')];
    const gated = gateRun('pat-1', run(), again, first, options(at(HOUR)));
    expect(gated).toMatchObject({ send: [], skipped: 1, record: undefined });
  });

  it('sends when the updates or the protocol version changed', () => {
    const other = [update('pat-1', 'g-2')];
    expect(gateRun('pat-1', run(), other, first, options(at(HOUR))).send).toEqual(other);
    const newer = gateRun('pat-1', run({ version: '1.1.0' }), updates, first, options(at(HOUR)));
    expect(newer.send).toEqual(updates);
    expect(newer.record?.protocolVersion).toBe('1.1.0');
  });

  it('writes a changed result, keeping the last send’s digest and time, without sending', () => {
    const changed = run({
      result: {
        status: 'satisfied',
        narratives: [],
        dueIn: null,
        daysOfNotice: 30,
        nextReview: null,
        recommendations: [],
      },
    });
    const gated = gateRun('pat-1', changed, updates, first, options(at(HOUR)));
    expect(gated.send).toEqual([]);
    expect(gated.record).toMatchObject({
      updatesDigest: first.updatesDigest,
      updatesSentAt: T0.toISOString(),
      computedAt: at(HOUR).toISOString(),
      result: { status: 'satisfied' },
    });
  });

  it('re-asserts by reassertAfter at the latest, not before its last quarter; --reassert at once', () => {
    const due = reassertDueAt(
      { patientKey: 'pat-1', protocol: 'p' },
      T0,
      DEFAULT_REASSERT_AFTER_MS,
    );
    expect(due.getTime()).toBeLessThanOrEqual(at(DEFAULT_REASSERT_AFTER_MS).getTime());
    expect(due.getTime()).toBeGreaterThan(
      at(DEFAULT_REASSERT_AFTER_MS * (1 - REASSERT_SPREAD)).getTime() - 1,
    );
    expect(
      gateRun('pat-1', run(), updates, first, options(new Date(due.getTime() - 1))).send,
    ).toEqual([]);
    const reasserted = gateRun('pat-1', run(), updates, first, options(due));
    expect(reasserted.send).toEqual(updates);
    expect(reasserted.record?.updatesSentAt).toBe(due.toISOString());
    expect(gateRun('pat-1', run(), updates, first, options(at(HOUR), true)).send).toEqual(updates);
  });

  it('spreads re-assertions of a population over the last quarter of reassertAfter', () => {
    const dues = Array.from({ length: 200 }, (_, i) =>
      reassertDueAt({ patientKey: `pat-${i}`, protocol: 'p' }, T0, DEFAULT_REASSERT_AFTER_MS),
    ).map((d) => Math.floor((d.getTime() - T0.getTime()) / HOUR));
    // 18 h to 24 h after the send, over every hour of that quarter.
    expect(Math.min(...dues)).toBe(18);
    expect(Math.max(...dues)).toBe(23);
    expect(new Set(dues).size).toBe(6);
  });

  it('has nothing to re-assert when a protocol sends nothing', () => {
    const none = stored(T0, run(), []);
    expect(
      gateRun('pat-1', run(), [], none, options(at(2 * DEFAULT_REASSERT_AFTER_MS))),
    ).toMatchObject({ send: [], record: undefined });
  });

  it('records neither a not-relevant nor a failed run (the stored result stands)', () => {
    for (const status of ['not_relevant', 'failed'] as const)
      expect(
        gateRun('pat-1', run({ status }), [], first, options(at(HOUR))).record,
      ).toBeUndefined();
  });

  it('compares a nextReview derived from dueIn as derived: the clock moving it is no change', () => {
    const result = (now: Date) => ({
      status: 'due',
      narratives: [],
      dueIn: 10,
      daysOfNotice: 30,
      nextReview: new Date(now.getTime() + 10 * 24 * HOUR).toISOString(),
    });
    expect(resultContentHash('1', result(T0), T0)).toBe(
      resultContentHash('1', result(at(HOUR)), at(HOUR)),
    );
    // Set by the protocol to something else: compared as it is.
    expect(
      resultContentHash('1', { ...result(T0), nextReview: '2031-01-01T00:00:00.000Z' }, T0),
    ).not.toBe(resultContentHash('1', result(T0), T0));
  });

  it('records whatever the result data holds (recommendations included), key order aside', () => {
    const withRecommendations = run({
      result: {
        status: 'due',
        narratives: [],
        dueIn: null,
        daysOfNotice: 30,
        nextReview: null,
        recommendations: [{ title: 'A1c test', key: 'a1c' }],
      } as never,
    });
    const gated = gateRun('pat-1', withRecommendations, updates, undefined, options(T0));
    expect(gated.record?.result.recommendations).toEqual([{ title: 'A1c test', key: 'a1c' }]);
    const reordered = resultContentHash(
      '1.0.0',
      { recommendations: [{ key: 'a1c', title: 'A1c test' }], ...withRecommendations.result },
      T0,
    );
    expect(reordered).toBe(gated.record?.contentHash);
  });
});
