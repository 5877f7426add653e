/**
 * What an hourly recomputation of a population costs on AWS, from units measured per update or per
 * patient times published on-demand prices (docs/cost.md). Pure: no I/O, no clock.
 */

/** On-demand prices in US dollars, with where and when they were published. */
export interface Prices {
  region: string;
  /** When the prices were read (the sources' dates are in docs/cost.md). */
  asOf: string;
  /** DynamoDB on demand, per write request unit and per read request unit. */
  dynamodbWriteUnit: number;
  dynamodbReadUnit: number;
  /** SQS standard queue, per request (each 64 KB chunk of a request is one). */
  sqsRequest: number;
  /** Lambda (x86_64), per GB-second of duration and per invocation. */
  lambdaGbSecond: number;
  lambdaRequest: number;
}

/**
 * us-east-1, on demand, without free tiers or volume tiers (the first tiers apply at this scale:
 * SQS's first 100 billion requests a month, Lambda's first 6 billion GB-seconds).
 */
export const US_EAST_1: Prices = {
  region: 'us-east-1',
  asOf: '2026-12-01',
  dynamodbWriteUnit: 0.625 / 1e6,
  dynamodbReadUnit: 0.125 / 1e6,
  sqsRequest: 0.4 / 1e6,
  lambdaGbSecond: 0.0000166667,
  lambdaRequest: 0.2 / 1e6,
};

/** What one run consumes per patient, all functions together. */
export interface UsagePerPatient {
  writeUnits: number;
  readUnits: number;
  sqsRequests: number;
  lambdaGbSeconds: number;
  lambdaRequests: number;
}

export interface CostLine {
  writeUnits: number;
  readUnits: number;
  sqsRequests: number;
  lambdaGbSeconds: number;
  lambdaRequests: number;
  dollars: {
    dynamodbWrites: number;
    dynamodbReads: number;
    sqs: number;
    lambdaDuration: number;
    lambdaRequests: number;
    total: number;
  };
}

/** Hours in an average month (365.25 × 24 / 12). */
export const HOURS_PER_MONTH = 730.5;

/** One run of `patients` patients: the units, and their price. */
export function runCost(usage: UsagePerPatient, patients: number, prices: Prices): CostLine {
  const writeUnits = usage.writeUnits * patients;
  const readUnits = usage.readUnits * patients;
  const sqsRequests = usage.sqsRequests * patients;
  const lambdaGbSeconds = usage.lambdaGbSeconds * patients;
  const lambdaRequests = usage.lambdaRequests * patients;
  const dollars = {
    dynamodbWrites: writeUnits * prices.dynamodbWriteUnit,
    dynamodbReads: readUnits * prices.dynamodbReadUnit,
    sqs: sqsRequests * prices.sqsRequest,
    lambdaDuration: lambdaGbSeconds * prices.lambdaGbSecond,
    lambdaRequests: lambdaRequests * prices.lambdaRequest,
    total: 0,
  };
  dollars.total =
    dollars.dynamodbWrites +
    dollars.dynamodbReads +
    dollars.sqs +
    dollars.lambdaDuration +
    dollars.lambdaRequests;
  return { writeUnits, readUnits, sqsRequests, lambdaGbSeconds, lambdaRequests, dollars };
}

/** The same line `times` over (e.g. the runs of a month). */
export function scaleCost(line: CostLine, times: number): CostLine {
  const d = line.dollars;
  return {
    writeUnits: line.writeUnits * times,
    readUnits: line.readUnits * times,
    sqsRequests: line.sqsRequests * times,
    lambdaGbSeconds: line.lambdaGbSeconds * times,
    lambdaRequests: line.lambdaRequests * times,
    dollars: {
      dynamodbWrites: d.dynamodbWrites * times,
      dynamodbReads: d.dynamodbReads * times,
      sqs: d.sqs * times,
      lambdaDuration: d.lambdaDuration * times,
      lambdaRequests: d.lambdaRequests * times,
      total: d.total * times,
    },
  };
}

/** What the bench measured that the estimate is built from. */
export interface MeasuredRun {
  /** Updates a scheduled run sends per patient (the segment's payloads / patients), by type. */
  membershipUpdatesPerPatient: number;
  taskUpdatesPerPatient: number;
  /** SQS send requests per update (the segment, counted at its client). */
  sendRequestsPerUpdate: number;
  /** Units per update at the appliers. */
  wcuPerMembership: number;
  wcuPerTaskResent: number;
  rcuPerTaskResent: number;
  /** The applier's throughput and the batches it had in flight (each batch an invocation). */
  applierMessagesPerSecond: number;
  applierConcurrency: number;
  /** The compute segment's wall time per patient (Scan, protocols, enqueue), in ms. */
  segmentMsPerPatient: number;
  /** Patients per compute invocation (one segment job). */
  patientsPerSegment: number;
  /** Lambda memory of every function, in MB (serverless.yml's default). */
  memoryMb: number;
  /** Records per applier invocation (the event source's batch size). */
  batchSize: number;
}

/**
 * A steady-state run where every update is sent again and applied, from the measured figures.
 * The appliers' SQS side is modelled, not measured: per batch one ReceiveMessage and one
 * DeleteMessageBatch (the event source's), so 2 / batchSize requests per update. Lambda duration
 * of an applier batch is the bench's: with `applierConcurrency` batches in flight at
 * `applierMessagesPerSecond`, each record holds an invocation for concurrency / rate seconds.
 */
export function resendUsage(m: MeasuredRun): UsagePerPatient {
  const updates = m.membershipUpdatesPerPatient + m.taskUpdatesPerPatient;
  const gb = m.memoryMb / 1024;
  const applierSecondsPerUpdate = m.applierConcurrency / m.applierMessagesPerSecond;
  return {
    writeUnits:
      m.membershipUpdatesPerPatient * m.wcuPerMembership +
      m.taskUpdatesPerPatient * m.wcuPerTaskResent,
    readUnits: m.taskUpdatesPerPatient * m.rcuPerTaskResent,
    sqsRequests: updates * (m.sendRequestsPerUpdate + 2 / m.batchSize),
    lambdaGbSeconds: gb * (updates * applierSecondsPerUpdate + m.segmentMsPerPatient / 1000),
    lambdaRequests: updates / m.batchSize + 1 / m.patientsPerSegment,
  };
}

/** The other engineer's `steadyState` figure (issue 13 item 4), per patient. */
export interface SteadyStateFigure {
  patients: number;
  sqsRequestsPerPatient: number;
  writeUnitsPerPatient: number;
  readUnitsPerPatient: number;
}

/**
 * A steady-state run with unchanged updates not re-sent: the units and SQS requests as measured
 * at the clients (`steadyState`), Lambda duration the compute segment's (what is still sent is
 * applied at the bench's rate; its share is counted like `resendUsage`'s).
 */
export function steadyStateUsage(steady: SteadyStateFigure, m: MeasuredRun): UsagePerPatient {
  const gb = m.memoryMb / 1024;
  // Updates still sent, inferred from the send requests (at most one update per request's slot).
  const sentUpdates = steady.sqsRequestsPerPatient * m.batchSize;
  return {
    writeUnits: steady.writeUnitsPerPatient,
    readUnits: steady.readUnitsPerPatient,
    sqsRequests: steady.sqsRequestsPerPatient + sentUpdates * (2 / m.batchSize),
    lambdaGbSeconds:
      gb *
      ((sentUpdates * m.applierConcurrency) / m.applierMessagesPerSecond +
        m.segmentMsPerPatient / 1000),
    lambdaRequests: sentUpdates / m.batchSize + 1 / m.patientsPerSegment,
  };
}

const dollars = (value: number) =>
  value >= 100
    ? `$${value.toFixed(0)}`
    : value >= 1
      ? `$${value.toFixed(2)}`
      : `$${value.toFixed(3)}`;
const millions = (value: number) =>
  `${(value / 1e6).toLocaleString('en-US', { maximumFractionDigits: 2 })}M`;

/** One readable line: the hourly run and the month, and what they are made of. */
export function describeCost(label: string, hourly: CostLine): string {
  const month = scaleCost(hourly, HOURS_PER_MONTH);
  const d = hourly.dollars;
  return (
    `${label}: ${dollars(d.total)}/run, ${dollars(month.dollars.total)}/month ` +
    `(WRU ${millions(hourly.writeUnits)} ${dollars(d.dynamodbWrites)}, RRU ${millions(hourly.readUnits)} ${dollars(d.dynamodbReads)}, ` +
    `SQS ${millions(hourly.sqsRequests)} ${dollars(d.sqs)}, Lambda ${Math.round(hourly.lambdaGbSeconds).toLocaleString('en-US')} GB-s ${dollars(d.lambdaDuration)} + ${millions(hourly.lambdaRequests)} invocations ${dollars(d.lambdaRequests)})`
  );
}

/** Lambda memory the functions run with: serverless.yml sets none, so the framework's 1,024 MB. */
export const FUNCTION_MEMORY_MB = 1024;
/** The appliers' event source batch size (serverless.yml). */
export const APPLIER_BATCH_SIZE = 10;

/** What `npm run bench` hands the estimate: its own figures, nothing assumed but the split. */
export interface BenchCostInput {
  patients: number;
  /** Updates the segment enqueued (every protocol's, all types). */
  payloads: number;
  sqsSendRequests: number;
  segmentMs: number;
  wcuPerMembership: number;
  /** The creation transaction (what a re-sent task cost before: a cancelled one, the same units). */
  wcuPerTaskCreated: number;
  wcuPerTaskSteady: number;
  rcuPerTaskSteady: number;
  applierMessagesPerSecond: number;
  applierConcurrency: number;
  /** Patients per segment job on AWS (the planner's segment size). */
  patientsPerSegment: number;
  steadyState?: SteadyStateFigure;
}

export interface BenchCostEstimate {
  patients: number;
  prices: Prices;
  /** Every update re-sent, a re-sent task a cancelled transaction (before issue 13). */
  before: CostLine;
  /** Every update re-sent, a re-sent task one read (item 1 of issue 13). */
  resentAfter: CostLine;
  /** Unchanged updates not re-sent (`steadyState`), when the bench measured it. */
  steadyState?: CostLine;
}

/**
 * The 1M-patient estimate from one bench run. The scheduled run's updates are split as the
 * registered protocols send them: one membership update per patient (the diabetes group's), the
 * rest reminder tasks.
 */
export function benchCostEstimate(
  input: BenchCostInput,
  patients = 1_000_000,
  prices: Prices = US_EAST_1,
): BenchCostEstimate {
  const perPatient = input.payloads / input.patients;
  const membershipUpdatesPerPatient = Math.min(1, perPatient);
  const measured: MeasuredRun = {
    membershipUpdatesPerPatient,
    taskUpdatesPerPatient: perPatient - membershipUpdatesPerPatient,
    sendRequestsPerUpdate: input.payloads > 0 ? input.sqsSendRequests / input.payloads : 0,
    wcuPerMembership: input.wcuPerMembership,
    wcuPerTaskResent: input.wcuPerTaskCreated,
    rcuPerTaskResent: 0,
    applierMessagesPerSecond: input.applierMessagesPerSecond,
    applierConcurrency: input.applierConcurrency,
    segmentMsPerPatient: input.segmentMs / input.patients,
    patientsPerSegment: input.patientsPerSegment,
    memoryMb: FUNCTION_MEMORY_MB,
    batchSize: APPLIER_BATCH_SIZE,
  };
  const after = {
    ...measured,
    wcuPerTaskResent: input.wcuPerTaskSteady,
    rcuPerTaskResent: input.rcuPerTaskSteady,
  };
  return {
    patients,
    prices,
    before: runCost(resendUsage(measured), patients, prices),
    resentAfter: runCost(resendUsage(after), patients, prices),
    ...(input.steadyState
      ? { steadyState: runCost(steadyStateUsage(input.steadyState, after), patients, prices) }
      : {}),
  };
}

/** The estimate as the bench prints it, one line per case. */
export function renderCostEstimate(estimate: BenchCostEstimate): string {
  const n = estimate.patients.toLocaleString('en-US');
  const lines = [
    `Estimated AWS cost of one hourly run of ${n} patients (${estimate.prices.region} on-demand prices as of ${estimate.prices.asOf}; docs/cost.md):`,
    `  ${describeCost('before (every update re-sent, a re-sent task a cancelled transaction)', estimate.before)}`,
    `  ${describeCost('re-sent, a re-sent task one read', estimate.resentAfter)}`,
  ];
  if (estimate.steadyState)
    lines.push(
      `  ${describeCost('steady state (unchanged updates not re-sent)', estimate.steadyState)}`,
    );
  return `${lines.join('\n')}\n`;
}
