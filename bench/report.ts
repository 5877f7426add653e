import Table from 'cli-table3';
import type { ApplyFigures } from './measure-apply';
import type { ComputeFigures } from './measure-compute';
import type { EndToEndFigures } from './measure-end-to-end';
import type { SegmentFigures } from './measure-segment';

/** The `--json` line (issue 5): every figure of one run. */
export interface BenchResult {
  apply: {
    messagesPerSecond: number;
    rawWritesPerSecond: number;
    ratio: number;
    wcuPerMembership: number;
    wcuPerTask: number;
  };
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
}

export interface BenchFigures {
  apply: ApplyFigures;
  compute: ComputeFigures;
  segment: SegmentFigures;
  endToEnd: EndToEndFigures;
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
      `${n(f.apply.measured.tasks)} tasks, one label each (one transaction)`,
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
  );
  const targets = new Table({
    head: ['target', 'wanted', 'measured', 'result'],
    style: { head: [], border: [] },
  });
  const measured: Record<string, number> = {
    'apply.ratio': result.apply.ratio,
    'apply.wcuPerMembership': result.apply.wcuPerMembership,
    'enqueue.requestsPerPayload': result.enqueue.requestsPerPayload,
    'compute.evaluationsPerCoreSecond': result.compute.evaluationsPerCoreSecond,
    'compute.peakRssMb': result.compute.peakRssMb,
  };
  for (const check of checkTargets(result))
    targets.push([
      check.figure,
      check.target,
      String(measured[check.figure]),
      check.met ? 'pass' : 'MISSED',
    ]);
  return `${figures.toString()}\n${targets.toString()}\n`;
}
