import { computePatientUpdates } from '../lib/compute/compute-patient-updates';
import { runOrigin } from '../lib/compute/update-id';
import { SILENT_LOG } from '../lib/ports/compute';
import { PROTOCOLS } from '../protocols';
import { benchPatients } from './synthetic-patients';

export interface ComputeFigures {
  evaluationsPerSecond: number;
  /**
   * Evaluations per second of this process's CPU time (user + system) over the measured loop:
   * the per-core figure, since the loop is single-threaded. On a loaded machine the wall-clock
   * figure also counts the time other processes held the core; this one does not.
   */
  evaluationsPerCoreSecond: number;
  patients: number;
  protocols: number;
  evaluations: number;
  updates: number;
}

const WARM_UP_PATIENTS = 1_000;

/**
 * CPU only: every registered protocol over `patients` generated patients, as a scheduled
 * recomputation runs them (`computePatientUpdates`: the protocols, then each update's wire JSON,
 * id and attributes). Patients are parsed with the patient schema before the clock starts: that
 * is the reading side's cost, not the protocols'.
 */
export function measureCompute(patients: number): ComputeFigures {
  const parsed = benchPatients(patients);
  const computedAt = new Date();
  const run = (list: typeof parsed, origin: string) => {
    let evaluations = 0;
    let updates = 0;
    for (const patient of list) {
      const result = computePatientUpdates({
        protocols: PROTOCOLS,
        patient,
        change: null,
        computedAt,
        origin,
        log: SILENT_LOG,
      });
      evaluations += result.counts.protocolRuns;
      updates += result.updates.length;
    }
    return { evaluations, updates };
  };
  run(parsed.slice(0, WARM_UP_PATIENTS), runOrigin('bench-warm-up'));
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const measured = run(parsed, runOrigin('bench-compute'));
  const cpu = process.cpuUsage(cpuBefore);
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return {
    evaluationsPerSecond: measured.evaluations / seconds,
    evaluationsPerCoreSecond: measured.evaluations / cpuSeconds,
    patients,
    protocols: PROTOCOLS.length,
    evaluations: measured.evaluations,
    updates: measured.updates,
  };
}
