import { type BenchResult, checkTargets } from '../../../bench/report';

const RESULT: BenchResult = {
  apply: {
    messagesPerSecond: 520,
    rawWritesPerSecond: 557,
    ratio: 0.933,
    wcuPerMembership: 1,
    wcuPerTask: 6,
    wcuPerTaskSteady: 0,
    rcuPerTaskSteady: 1,
  },
  peer: { messagesPerSecond: 229, wcuPerMembership: 3, throughputRatio: 2.27 },
  enqueue: { payloads: 600, sqsRequests: 60, requestsPerPayload: 0.1 },
  compute: {
    evaluationsPerSecond: 40_000,
    evaluationsPerCoreSecond: 40_000,
    patients: 200,
    protocols: 2,
    peakRssMb: 120,
  },
  endToEnd: { messagesPerSecond: 40, p50Ms: 3000, p99Ms: 4800 },
  steadyState: {
    patients: 1000,
    sqsRequestsPerPatient: 0.001,
    writeUnitsPerPatient: 0,
    readUnitsPerPatient: 1.1,
  },
};

const verdicts = (result: BenchResult) =>
  Object.fromEntries(checkTargets(result).map((c) => [c.figure, c.met]));

describe('the issue 13 targets', () => {
  it('pass for a re-sent task read, not written, and a peer slower and costlier by the margins', () => {
    expect(verdicts(RESULT)).toMatchObject({
      'apply.wcuPerTaskSteady': true,
      'peer.throughputRatio': true,
      'peer.wcuPerMembership': true,
    });
  });

  it('miss a re-sent task above 1 write unit, a peer under 1.3x slower, or under twice our units', () => {
    expect(
      verdicts({
        ...RESULT,
        apply: { ...RESULT.apply, wcuPerTaskSteady: 6, wcuPerMembership: 2 },
        peer: { messagesPerSecond: 450, wcuPerMembership: 3, throughputRatio: 1.29 },
      }),
    ).toMatchObject({
      'apply.wcuPerTaskSteady': false,
      'peer.throughputRatio': false,
      'peer.wcuPerMembership': false,
    });
  });

  it('take exactly 1.3x and exactly twice as met', () => {
    expect(
      verdicts({
        ...RESULT,
        apply: { ...RESULT.apply, wcuPerTaskSteady: 1 },
        peer: { messagesPerSecond: 400, wcuPerMembership: 2, throughputRatio: 1.3 },
      }),
    ).toMatchObject({
      'apply.wcuPerTaskSteady': true,
      'peer.throughputRatio': true,
      'peer.wcuPerMembership': true,
    });
  });
});
