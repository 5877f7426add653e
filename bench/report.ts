import Table from 'cli-table3';
import { DEFAULT_SEGMENT_POLICY } from '../lib/compute/plan-recomputation';
import { type BenchCostEstimate, benchCostEstimate, renderCostEstimate } from './cost-estimate';
import type { ApplyFigures } from './measure-apply';
import type { ComputeFigures } from './measure-compute';
import type { EndToEndFigures } from './measure-end-to-end';
import type { SegmentFigures } from './measure-segment';
import type { SteadyStateFigures } from './measure-steady-state';

/** The `--json` line (issue 5): every figure of one run. */
export interface BenchResult {
  apply: {
    messagesPerSecond: number;
    rawWritesPerSecond: number;
    ratio: number;
    wcuPerMembership: number;
    wcuPerTask: number;
    /** A re-sent task whose task exists (issue 13): write and read units per task. */
    wcuPerTaskSteady: number;
    rcuPerTaskSteady: number;
  };
  /** Powertools idempotency + batch on the same steady-state updates (issue 13). */
  peer: { messagesPerSecond: number; wcuPerMembership: number; throughputRatio: number };
  enqueue: { payloads: number; sqsRequests: number; requestsPerPayload: number };
  compute: {
    evaluationsPerSecond: number;
    /** Evaluations per CPU second of the bench process over the measured loop (one core's). */
    evaluationsPerCoreSecond: number;
    patients: number;
    protocols: number;
    peakRssMb: number;
  };
  endToEnd: { messagesPerSecond: number; p50Ms: number; p99Ms: number };
  steadyState: {
    patients: number;
    sqsRequestsPerPatient: number;
    writeUnitsPerPatient: number;
    readUnitsPerPatient: number;
  };
}

export interface BenchFigures {
  apply: ApplyFigures;
  compute: ComputeFigures;
  segment: SegmentFigures;
  endToEnd: EndToEndFigures;
  steadyState: SteadyStateFigures;
}

const round = (value: number, digits: number) => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

export function benchResult(f: BenchFigures): BenchResult {
  return {
    apply: {
      messagesPerSecond: round(f.apply.messagesPerSecond, 1),
      rawWritesPerSecond: round(f.apply.rawWritesPerSecond, 1),
      ratio: round(f.apply.ratio, 3),
      wcuPerMembership: round(f.apply.wcuPerMembership, 3),
      wcuPerTask: round(f.apply.wcuPerTask, 3),
      wcuPerTaskSteady: round(f.apply.taskSteady.wcuPerTask, 3),
      rcuPerTaskSteady: round(f.apply.taskSteady.rcuPerTask, 3),
    },
    peer: {
      messagesPerSecond: round(f.apply.peer.messagesPerSecond, 1),
      wcuPerMembership: round(f.apply.peer.wcuPerMembership, 3),
      throughputRatio: round(f.apply.peer.throughputRatio, 3),
    },
    enqueue: {
      payloads: f.segment.enqueue.payloads,
      sqsRequests: f.segment.enqueue.sqsRequests,
      requestsPerPayload: round(f.segment.enqueue.requestsPerPayload, 4),
    },
    compute: {
      evaluationsPerSecond: round(f.compute.evaluationsPerSecond, 0),
      evaluationsPerCoreSecond: round(f.compute.evaluationsPerCoreSecond, 0),
      patients: f.compute.patients,
      protocols: f.compute.protocols,
      peakRssMb: round(f.segment.peakRssMb, 1),
    },
    endToEnd: {
      messagesPerSecond: round(f.endToEnd.messagesPerSecond, 1),
      p50Ms: round(f.endToEnd.p50Ms, 0),
      p99Ms: round(f.endToEnd.p99Ms, 0),
    },
    steadyState: {
      patients: f.steadyState.patients,
      sqsRequestsPerPatient: round(f.steadyState.sqsRequestsPerPatient, 4),
      writeUnitsPerPatient: round(f.steadyState.writeUnitsPerPatient, 4),
      readUnitsPerPatient: round(f.steadyState.readUnitsPerPatient, 3),
    },
  };
}

export interface TargetCheck {
  figure: string;
  target: string;
  met: boolean;
}

/** The targets. The memory target is for a 10,000-patient segment. */
export function checkTargets(result: BenchResult): TargetCheck[] {
  return [
    { figure: 'apply.ratio', target: '≥ 0.9', met: result.apply.ratio >= 0.9 },
    {
      figure: 'apply.wcuPerMembership',
      target: '= 1',
      met: result.apply.wcuPerMembership === 1,
    },
    {
      figure: 'apply.wcuPerTaskSteady',
      target: '≤ 1 (or a read instead)',
      met: result.apply.wcuPerTaskSteady <= 1,
    },
    {
      figure: 'peer.throughputRatio',
      target: '≥ 1.3 (ours / the peer’s)',
      met: result.peer.throughputRatio >= 1.3,
    },
    {
      figure: 'peer.wcuPerMembership',
      target: '≥ 2 × ours',
      met: result.peer.wcuPerMembership >= 2 * result.apply.wcuPerMembership,
    },
    {
      figure: 'enqueue.requestsPerPayload',
      target: '≤ 0.1',
      met: result.enqueue.requestsPerPayload <= 0.1,
    },
    {
      figure: 'compute.evaluationsPerCoreSecond',
      target: '≥ 100,000 per core',
      met: result.compute.evaluationsPerCoreSecond >= 100_000,
    },
    {
      figure: 'compute.peakRssMb',
      target: '< 256 (10,000-patient segment)',
      met: result.compute.peakRssMb < 256,
    },
    {
      figure: 'steadyState.sqsRequestsPerPatient',
      target: '≤ 0.01',
      met: result.steadyState.sqsRequestsPerPatient <= 0.01,
    },
    {
      figure: 'steadyState.writeUnitsPerPatient',
      target: '≤ 0.05',
      met: result.steadyState.writeUnitsPerPatient <= 0.05,
    },
  ];
}

/** The readable report: every figure, then the targets. */
export function renderReport(result: BenchResult, f: BenchFigures): string {
  const figures = new Table({
    head: ['figure', 'measured', 'how'],
    style: { head: [], border: [] },
  });
  const n = (value: number) => value.toLocaleString('en-US');
  figures.push(
    [
      'apply: applier',
      `${n(result.apply.messagesPerSecond)} msg/s`,
      `${n(f.apply.measured.applierMessages)} steady-state updates, batches of 10`,
    ],
    [
      'apply: raw ceiling',
      `${n(result.apply.rawWritesPerSecond)} writes/s`,
      `${n(f.apply.measured.rawWrites)} bare conditional UpdateItems`,
    ],
    ['apply: ratio', String(result.apply.ratio), 'applier / raw'],
    [
      'apply: WCU per membership',
      String(result.apply.wcuPerMembership),
      `of which memberships indexes (byPatient, activeMembers): ${round(f.apply.indexWcuPerMembership, 3)}; raw loop: ${round(f.apply.rawWcuPerWrite, 3)}; requests per update: ${round(f.apply.requestsPerMembership, 3)}`,
    ],
    [
      'apply: WCU per task',
      String(result.apply.wcuPerTask),
      `${n(f.apply.measured.tasks)} tasks, one label each (one transaction), after a read of ${round(f.apply.rcuPerTaskCreated, 3)} RCU that found none`,
    ],
    [
      'apply: re-sent task',
      `${result.apply.wcuPerTaskSteady} WCU + ${result.apply.rcuPerTaskSteady} RCU`,
      `the same ${n(f.apply.measured.tasks)} tasks again (each exists); requests per task ${round(f.apply.taskSteady.requestsPerTask, 3)} ${JSON.stringify(f.apply.taskSteady.requestsByCommand)}, failed ${round(f.apply.taskSteady.failedRequestsPerTask, 3)}`,
    ],
    [
      'peer: Powertools idempotency',
      `${n(result.peer.messagesPerSecond)} msg/s`,
      `${n(f.apply.measured.peerMessages)} steady-state updates, passes alternating with ours; ours / peer ${result.peer.throughputRatio}`,
    ],
    [
      'peer: WCU per membership',
      String(result.peer.wcuPerMembership),
      `of which memberships indexes ${round(f.apply.peer.indexWcuPerMembership, 3)}; requests per update ${round(f.apply.peer.requestsPerMembership, 3)} ${JSON.stringify(f.apply.peer.requestsByCommand)}`,
    ],
    [
      'apply: first write',
      `${n(round(f.apply.firstWrite.messagesPerSecond, 1))} msg/s`,
      `${n(f.apply.firstWrite.memberships)} created; WCU reported ${round(f.apply.firstWrite.wcuPerMembership, 3)} (of which indexes ${round(f.apply.firstWrite.indexWcuPerMembership, 3)}), requests ${round(f.apply.firstWrite.requestsPerMembership, 3)} per membership`,
    ],
    [
      'enqueue',
      `${n(result.enqueue.sqsRequests)} requests / ${n(result.enqueue.payloads)} updates`,
      `${result.enqueue.requestsPerPayload} per update; ${JSON.stringify(f.segment.requestsByCommand)}`,
    ],
    [
      'compute',
      `${n(result.compute.evaluationsPerSecond)} evaluations/s`,
      `${n(result.compute.patients)} patients x ${result.compute.protocols} protocols, CPU only; ${n(result.compute.evaluationsPerCoreSecond)} per CPU second (per core)`,
    ],
    [
      'segment memory',
      `${result.compute.peakRssMb} MB peak RSS`,
      `${n(f.segment.patients)} patients in ${n(Math.round(f.segment.durationMs))} ms; ${round(f.segment.baselineRssMb, 1)} MB before the segment`,
    ],
    [
      'end to end',
      `${n(result.endToEnd.messagesPerSecond)} msg/s`,
      `${n(f.endToEnd.messages)} updates, steady state (warm-up run: ${n(round(f.endToEnd.warmUp.messagesPerSecond, 1))} msg/s)`,
    ],
    [
      'end to end latency',
      `p50 ${n(result.endToEnd.p50Ms)} ms, p99 ${n(result.endToEnd.p99Ms)} ms`,
      'computed-at to applied',
    ],
    [
      'steady state',
      `${result.steadyState.sqsRequestsPerPatient} SQS requests, ${result.steadyState.writeUnitsPerPatient} WCU, ${result.steadyState.readUnitsPerPatient} RCU per patient`,
      `a second scheduled run of ${n(f.steadyState.patients)} patients, nothing changed: ${n(f.steadyState.enqueued)} enqueued, ${n(f.steadyState.unchanged)} held back, ${n(f.steadyState.resultsWritten)} results written; SQS ${JSON.stringify(f.steadyState.sqsRequests)}, WCU ${JSON.stringify(f.steadyState.writeUnits)}, RCU ${JSON.stringify(f.steadyState.readUnits)} (compute, appliers); ${n(Math.round(f.steadyState.durationMs))} ms`,
    ],
  );
  const targets = new Table({
    head: ['target', 'wanted', 'measured', 'result'],
    style: { head: [], border: [] },
  });
  const measured: Record<string, number> = {
    'apply.ratio': result.apply.ratio,
    'apply.wcuPerMembership': result.apply.wcuPerMembership,
    'apply.wcuPerTaskSteady': result.apply.wcuPerTaskSteady,
    'peer.throughputRatio': result.peer.throughputRatio,
    'peer.wcuPerMembership': result.peer.wcuPerMembership,
    'enqueue.requestsPerPayload': result.enqueue.requestsPerPayload,
    'compute.evaluationsPerCoreSecond': result.compute.evaluationsPerCoreSecond,
    'compute.peakRssMb': result.compute.peakRssMb,
    'steadyState.sqsRequestsPerPatient': result.steadyState.sqsRequestsPerPatient,
    'steadyState.writeUnitsPerPatient': result.steadyState.writeUnitsPerPatient,
  };
  for (const check of checkTargets(result))
    targets.push([
      check.figure,
      check.target,
      String(measured[check.figure]),
      check.met ? 'pass' : 'MISSED',
    ]);
  return `${figures.toString()}\n${targets.toString()}\n${renderCostEstimate(costEstimate(result, f))}`;
}

/** The 1M-patient estimate from this run (bench/cost-estimate.ts), with its steady state. */
export function costEstimate(result: BenchResult, f: BenchFigures): BenchCostEstimate {
  const { steadyState } = result;
  return benchCostEstimate({
    patients: f.segment.patients,
    payloads: f.segment.enqueue.payloads,
    sqsSendRequests: f.segment.enqueue.sqsRequests,
    segmentMs: f.segment.durationMs,
    wcuPerMembership: f.apply.wcuPerMembership,
    wcuPerTaskCreated: f.apply.wcuPerTask,
    wcuPerTaskSteady: f.apply.taskSteady.wcuPerTask,
    rcuPerTaskSteady: f.apply.taskSteady.rcuPerTask,
    applierMessagesPerSecond: f.apply.messagesPerSecond,
    applierConcurrency: f.apply.measured.concurrency,
    patientsPerSegment: DEFAULT_SEGMENT_POLICY.patientsPerSegment,
    steadyState,
  });
}
