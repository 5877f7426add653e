/**
 * The wire-identity check of the compute path: every message `computePatientUpdates` makes for the
 * bench's Canvas-shaped patients (`bench/synthetic-patients.ts`), one line per message (type, body,
 * attributes, exactly as enqueued), plus one line per protocol run (status, version, result), at a
 * few fixed instants chosen to reach every branch of the reminder's date path (far ahead; within
 * three days of some appointments, so the due date is brought forward, at a fractional second;
 * exactly at some appointments' start, so they are no longer upcoming). `test/unit/compute/wire-identity.test.ts` pins their digest;
 * `npx tsx bench/profile-compute.ts --baseline DIR --check-wire` compares them line by line with
 * another tree's.
 */
import { createHash } from 'node:crypto';

/** The instants of the check. */
export const WIRE_CHECK_INSTANTS = [
  '2026-12-01T10:00:00.000Z',
  '2035-03-08T16:00:00.123Z',
  '2035-02-10T14:30:00.000Z',
] as const;

/** What is needed of a tree (this one or a baseline's), typed loosely so both fit. */
export interface WireTree {
  // biome-ignore lint/suspicious/noExplicitAny: each tree's own types; only called as below
  compute: (input: any) => {
    runs: readonly { protocol: string; version: string; status: string; result?: unknown }[];
    updates: readonly { type: string; body: string; attributes: unknown }[];
  };
  protocols: readonly unknown[];
  patients: (count: number) => unknown[];
  origin: (runId: string) => string;
  silentLog: unknown;
}

/** Calls `line` with every line of the check, in order. */
export function wireLines(tree: WireTree, patients: number, line: (text: string) => void): void {
  for (const instant of WIRE_CHECK_INSTANTS) {
    const computedAt = new Date(instant);
    const origin = tree.origin(`wire-check-${instant}`);
    // Fresh patients per instant: the runner freezes them.
    for (const patient of tree.patients(patients)) {
      const computed = tree.compute({
        protocols: tree.protocols,
        patient,
        change: null,
        computedAt,
        origin,
        log: tree.silentLog,
      });
      for (const run of computed.runs)
        line(`run ${JSON.stringify([run.protocol, run.version, run.status, run.result ?? null])}`);
      for (const update of computed.updates)
        line(`${update.type} ${update.body} ${JSON.stringify(update.attributes)}`);
    }
  }
}

/** The sha256 of every line (each followed by a newline), and how many there were. */
export function wireDigest(tree: WireTree, patients: number): { digest: string; lines: number } {
  const hash = createHash('sha256');
  let lines = 0;
  wireLines(tree, patients, (text) => {
    hash.update(text);
    hash.update('\n');
    lines += 1;
  });
  return { digest: hash.digest('hex'), lines };
}
