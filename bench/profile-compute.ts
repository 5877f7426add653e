/**
 * Profiles and compares the compute path as `bench/measure-compute.ts` measures it: every
 * registered protocol over the bench's generated Canvas-shaped patients
 * (`bench/synthetic-patients.ts`), through `computePatientUpdates` (the protocols, then each
 * update's wire JSON, id and attributes), CPU only, no I/O. Patients are generated and parsed with
 * the patient schema before the clock starts, fresh for every pass (so the runner's freeze is paid
 * every time, as in a segment).
 *
 *     npx tsx bench/profile-compute.ts [--patients 10000] [--passes 3] [--baseline DIR]
 *     npx tsx bench/profile-compute.ts --cpu-profile .local/compute.cpuprofile
 *
 * `--cpu-profile FILE`: a V8 CPU profile of this tree's last measured loop only (not the
 * patients' generation), written as FILE (open it in Chrome DevTools or VS Code).
 *
 * `--baseline DIR`: another tree's `bench/ lib/ protocols/ schemas/` (e.g. `git archive <commit>
 * bench lib protocols schemas | tar -x -C .local/baseline`); its passes alternate with this tree's
 * in the same process (ABBA), so a loaded machine weighs on both alike.
 *
 * Each pass prints evaluations per second of wall clock and per CPU second of this process (user
 * plus system: the per-core figure, the loop being single-threaded).
 *
 * `--parts`: µs per patient of each part of the computation (bench/compute-parts.ts), `--passes`
 * times.
 *
 * `--check-wire` (with `--baseline`): instead of timing, compares every message and run result of
 * both trees for the bench patients (`bench/wire-messages.ts`) line by line, and exits 1 at the
 * first difference, printing both lines.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';
import { computeParts } from './compute-parts';
import { type WireTree, wireLines } from './wire-messages';

interface Tree extends WireTree {
  name: string;
  // biome-ignore lint/suspicious/noExplicitAny: each tree's own types; only called as below
  compute: (input: any) => ReturnType<WireTree['compute']> & { counts: { protocolRuns: number } };
}

async function loadTree(name: string, root: string): Promise<Tree> {
  const from = (module: string) => import(path.resolve(root, module));
  const [updates, protocols, synthetic, updateId, ports] = await Promise.all([
    from('lib/compute/compute-patient-updates'),
    from('protocols'),
    from('bench/synthetic-patients'),
    from('lib/compute/update-id'),
    // Ports moved to lib/ports in issue 12; a baseline tree from before has them in lib/compute.
    from('lib/ports/compute').catch(() => from('lib/compute/ports')),
  ]);
  return {
    name,
    compute: updates.computePatientUpdates,
    protocols: protocols.PROTOCOLS,
    patients: synthetic.benchPatients,
    origin: updateId.runOrigin,
    silentLog: ports.SILENT_LOG,
  };
}

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name}: a positive integer`);
  return value;
}

/** The inspector's CPU profiler, started and stopped around each measured loop only. */
let profiler: Session | undefined;
let lastProfile: unknown;
const post = (method: string, params?: object) =>
  new Promise<unknown>((resolve, reject) =>
    profiler?.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
  );

async function pass(tree: Tree, patients: number, profiled: boolean) {
  const list = tree.patients(patients);
  if (profiled && profiler) await post('Profiler.start');
  const computedAt = new Date('2026-12-01T10:00:00Z');
  const origin = tree.origin('profile-compute');
  let evaluations = 0;
  let updates = 0;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  for (const patient of list) {
    const result = tree.compute({
      protocols: tree.protocols,
      patient,
      change: null,
      computedAt,
      origin,
      log: tree.silentLog,
    });
    evaluations += result.counts.protocolRuns;
    updates += result.updates.length;
  }
  const cpu = process.cpuUsage(cpuBefore);
  const seconds = (performance.now() - started) / 1000;
  if (profiled && profiler) {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    lastProfile = profile;
  }
  return {
    tree: tree.name,
    evaluationsPerSecond: Math.round(evaluations / seconds),
    evaluationsPerCoreSecond: Math.round(evaluations / ((cpu.user + cpu.system) / 1e6)),
    evaluations,
    updates,
  };
}

/** Both trees' wire lines, compared one by one; true when all are equal. */
function checkWire(baseline: Tree, current: Tree, patients: number): boolean {
  const expected: string[] = [];
  wireLines(baseline, patients, (text) => expected.push(text));
  let index = 0;
  let firstDifference: { index: number; expected: string; actual: string } | undefined;
  wireLines(current, patients, (text) => {
    if (!firstDifference && text !== expected[index])
      firstDifference = { index, expected: expected[index] ?? '(none)', actual: text };
    index += 1;
  });
  if (!firstDifference && index !== expected.length)
    firstDifference = { index, expected: expected[index] ?? '(none)', actual: '(none)' };
  if (firstDifference) {
    console.error(`line ${firstDifference.index + 1} differs`);
    console.error(`baseline: ${firstDifference.expected}`);
    console.error(`current:  ${firstDifference.actual}`);
    return false;
  }
  console.log(JSON.stringify({ wireCheck: 'identical', patients, lines: index }));
  return true;
}

async function main() {
  const patients = option('--patients', 10_000);
  const passes = option('--passes', 3);
  const baselineAt = process.argv.indexOf('--baseline');
  const trees = [await loadTree('current', path.resolve(__dirname, '..'))];
  if (baselineAt >= 0) {
    const dir = process.argv[baselineAt + 1];
    if (!dir) throw new Error('--baseline: a directory');
    trees.unshift(await loadTree('baseline', dir));
  }
  if (process.argv.includes('--parts')) {
    // This tree only: µs per patient, part by part (bench/compute-parts.ts).
    for (let round = 0; round < passes; round += 1)
      console.log(JSON.stringify({ round: round + 1, ...computeParts(patients) }));
    return;
  }
  if (process.argv.includes('--check-wire')) {
    const [baseline, current] = trees;
    if (!baseline || !current || trees.length !== 2)
      throw new Error('--check-wire: give --baseline');
    if (!checkWire(baseline, current, patients)) process.exitCode = 1;
    return;
  }
  const profileAt = process.argv.indexOf('--cpu-profile');
  const profileFile = profileAt >= 0 ? process.argv[profileAt + 1] : undefined;
  if (profileFile) {
    profiler = new Session();
    profiler.connect();
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 100 });
  }
  for (const tree of trees) await pass(tree, 1_000, false); // warm-up
  for (let round = 0; round < passes; round += 1) {
    const order = round % 2 === 0 ? trees : [...trees].reverse();
    for (const tree of order) {
      const figures = await pass(tree, patients, tree.name === 'current');
      console.log(JSON.stringify({ round: round + 1, ...figures }));
    }
  }
  if (profileFile) {
    writeFileSync(profileFile, JSON.stringify(lastProfile));
    console.error(`CPU profile of the last measured loop: ${profileFile}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
