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
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';

interface Tree {
  name: string;
  // biome-ignore lint/suspicious/noExplicitAny: each tree's own types; only called as below
  compute: (input: any) => { counts: { protocolRuns: number }; updates: unknown[] };
  protocols: readonly unknown[];
  patients: (count: number) => unknown[];
  origin: (runId: string) => string;
  silentLog: unknown;
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
