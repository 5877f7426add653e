import {
  benchCostEstimate,
  describeCost,
  HOURS_PER_MONTH,
  type MeasuredRun,
  type Prices,
  renderCostEstimate,
  resendUsage,
  runCost,
  scaleCost,
  steadyStateUsage,
} from '../../../bench/cost-estimate';

/** Round prices, so every expected figure can be worked out by hand. */
const PRICES: Prices = {
  region: 'test-region',
  asOf: '2026-01-01',
  dynamodbWriteUnit: 1 / 1e6,
  dynamodbReadUnit: 0.5 / 1e6,
  sqsRequest: 0.25 / 1e6,
  lambdaGbSecond: 0.001,
  lambdaRequest: 2 / 1e6,
};

/** The measured run: 1 membership and 2 reminder tasks per patient. */
const MEASURED: MeasuredRun = {
  membershipUpdatesPerPatient: 1,
  taskUpdatesPerPatient: 2,
  sendRequestsPerUpdate: 0.1,
  wcuPerMembership: 1,
  wcuPerTaskResent: 6,
  rcuPerTaskResent: 0,
  applierMessagesPerSecond: 2_000,
  applierConcurrency: 4,
  segmentMsPerPatient: 0.5,
  patientsPerSegment: 10_000,
  memoryMb: 1024,
  batchSize: 10,
};

describe('resendUsage', () => {
  it('adds the appliers’ units per update type, SQS sends and the modelled receives and deletes', () => {
    const usage = resendUsage(MEASURED);

    expect(usage.writeUnits).toBe(1 + 2 * 6);
    expect(usage.readUnits).toBe(0);
    // 3 updates x (0.1 send + 0.2 receive/delete per record in batches of 10).
    expect(usage.sqsRequests).toBeCloseTo(0.9, 10);
    // 1 GB x (3 updates x 4/2000 s + 0.5 ms of segment).
    expect(usage.lambdaGbSeconds).toBeCloseTo(3 * 0.002 + 0.0005, 10);
    expect(usage.lambdaRequests).toBeCloseTo(0.3 + 1 / 10_000, 10);
  });

  it('counts a re-sent task by its read once the task applier reads first', () => {
    const usage = resendUsage({ ...MEASURED, wcuPerTaskResent: 0, rcuPerTaskResent: 1 });

    expect(usage.writeUnits).toBe(1);
    expect(usage.readUnits).toBe(2);
  });

  it('scales Lambda duration with the configured memory', () => {
    const half = resendUsage({ ...MEASURED, memoryMb: 512 });

    expect(half.lambdaGbSeconds).toBeCloseTo(resendUsage(MEASURED).lambdaGbSeconds / 2, 10);
  });
});

describe('runCost', () => {
  it('multiplies per-patient usage by the population and each unit by its price', () => {
    const line = runCost(
      { writeUnits: 2, readUnits: 4, sqsRequests: 1, lambdaGbSeconds: 0.01, lambdaRequests: 0.5 },
      1_000_000,
      PRICES,
    );

    expect(line.writeUnits).toBe(2_000_000);
    expect(line.dollars).toEqual({
      dynamodbWrites: 2,
      dynamodbReads: 2,
      sqs: 0.25,
      lambdaDuration: 10,
      lambdaRequests: 1,
      total: 15.25,
    });
  });

  it('gives a month as the hourly run times the hours of a month', () => {
    const hourly = runCost(
      { writeUnits: 1, readUnits: 0, sqsRequests: 0, lambdaGbSeconds: 0, lambdaRequests: 0 },
      1_000_000,
      PRICES,
    );

    expect(scaleCost(hourly, HOURS_PER_MONTH).dollars.total).toBeCloseTo(730.5, 6);
    expect(HOURS_PER_MONTH).toBe((365.25 * 24) / 12);
  });
});

describe('steadyStateUsage', () => {
  it('takes units and sends as measured, and applies only what was still sent', () => {
    const usage = steadyStateUsage(
      {
        patients: 10_000,
        sqsRequestsPerPatient: 0.01,
        writeUnitsPerPatient: 0.05,
        readUnitsPerPatient: 0.3,
      },
      MEASURED,
    );

    expect(usage.writeUnits).toBe(0.05);
    expect(usage.readUnits).toBe(0.3);
    // 0.01 sends carry at most 0.1 updates, received and deleted in 0.02 requests.
    expect(usage.sqsRequests).toBeCloseTo(0.03, 10);
    expect(usage.lambdaGbSeconds).toBeCloseTo(0.1 * 0.002 + 0.0005, 10);
  });
});

describe('describeCost', () => {
  it('names the run, the month and each part', () => {
    const hourly = runCost(
      {
        writeUnits: 13,
        readUnits: 0,
        sqsRequests: 0.9,
        lambdaGbSeconds: 0.0065,
        lambdaRequests: 0.3,
      },
      1_000_000,
      PRICES,
    );

    const text = describeCost('before', hourly);

    expect(text).toMatch(/^before: \$\d+\.\d\d\/run, \$\d+\/month \(WRU 13M \$13\.00, RRU 0M/);
    expect(text).toContain('SQS 0.9M');
    expect(text).toContain('Lambda 6,500 GB-s $6.50');
  });
});

describe('benchCostEstimate', () => {
  const input = {
    patients: 200,
    payloads: 600,
    sqsSendRequests: 60,
    segmentMs: 100,
    wcuPerMembership: 1,
    wcuPerTaskCreated: 6,
    wcuPerTaskSteady: 0,
    rcuPerTaskSteady: 1,
    applierMessagesPerSecond: 2_000,
    applierConcurrency: 4,
    patientsPerSegment: 10_000,
  };

  it('prices a run of 1M patients before and after, one membership per patient and the rest tasks', () => {
    const estimate = benchCostEstimate(input, 1_000_000, PRICES);

    // Before: 1 + 2 x 6 units; after: 1 unit and 2 reads.
    expect(estimate.before.writeUnits).toBeCloseTo(13_000_000, 0);
    expect(estimate.before.readUnits).toBe(0);
    expect(estimate.resentAfter.writeUnits).toBeCloseTo(1_000_000, 0);
    expect(estimate.resentAfter.readUnits).toBeCloseTo(2_000_000, 0);
    expect(estimate.resentAfter.sqsRequests).toBeCloseTo(estimate.before.sqsRequests, 6);
    expect(estimate.steadyState).toBeUndefined();
    expect(renderCostEstimate(estimate)).not.toContain('steady state');
  });

  it('adds the steady state when the bench measured it', () => {
    const estimate = benchCostEstimate(
      {
        ...input,
        steadyState: {
          patients: 200,
          sqsRequestsPerPatient: 0,
          writeUnitsPerPatient: 0.02,
          readUnitsPerPatient: 0.5,
        },
      },
      1_000_000,
      PRICES,
    );

    expect(estimate.steadyState?.writeUnits).toBeCloseTo(20_000, 0);
    expect(estimate.steadyState?.sqsRequests).toBe(0);
    expect(renderCostEstimate(estimate)).toMatch(
      /\n {2}steady state \(unchanged updates not re-sent\): \$/,
    );
  });
});
