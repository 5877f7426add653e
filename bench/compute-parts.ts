/**
 * Where a computation's time goes, part by part, in CPU µs per bench patient (this tree only):
 * each part timed alone over the same fresh patients, as `computePatientUpdates` does it.
 *
 *     npx tsx bench/profile-compute.ts --parts [--patients 10000]
 *
 * - `total`: `computePatientUpdates` (the measured loop of `compute.evaluationsPerCoreSecond`).
 * - `freeze`: the runner's `deepFreeze` of the patient.
 * - `protocols`: `computeProtocols` over already frozen patients: the two protocols' logic, the
 *   helpers (`helpers` below), the runner's checks and its take of each helper's message.
 * - `helpers`: the helpers alone, rebuilding the same messages (each with its schema check and
 *   brand); part of `protocols`.
 * - `json`, `ids`, `attributes`: each update's wire JSON, update id and SQS attributes.
 * - `rest`: `total` minus the parts above it (the runner's per-patient lists and counts).
 */
import { computePatientUpdates } from '../lib/compute/compute-patient-updates';
import { runOrigin, updateIdFor } from '../lib/compute/update-id';
import { SILENT_LOG } from '../lib/ports/compute';
import { computeProtocols, deepFreeze } from '../lib/protocol/compute-protocols';
import {
  createTaskPayload,
  ensurePatientInGroup,
  ensurePatientNotInGroup,
} from '../lib/update-helpers';
import { PROTOCOLS } from '../protocols';
import { encodeUpdateAttributes, PatientSchema, type Update } from '../schemas';
import { benchPatientInput, benchPatients } from './synthetic-patients';

/** Bench patients `from + 1` to `from + count`, parsed (as `benchPatients` makes 1 to count). */
const patientsFrom = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => PatientSchema.parse(benchPatientInput(from + i + 1)));

const cpuMicros = (fn: () => void): number => {
  const before = process.cpuUsage();
  fn();
  const used = process.cpuUsage(before);
  return used.user + used.system;
};

/** Rebuilds a message with its helper, from the message's own fields. */
function rebuild(update: Update): unknown {
  if (update.integration_type === 'Group') {
    const { externally_exposable_id: group, members } = update.integration_payload;
    const entry = members.entries[0];
    if (!entry) return undefined;
    return entry.inactive
      ? ensurePatientNotInGroup(entry.uuid, group)
      : ensurePatientInGroup(entry.uuid, group);
  }
  if (update.integration_type === 'Task') {
    const p = update.integration_payload;
    return createTaskPayload({
      patientKey: update.patient_identifier.identifier.key,
      createdByKey: p.creator.identifier.key,
      assigneeIdentifier: p.assignee?.identifier.key,
      title: p.title,
      due: p.due,
      labels: p.labels,
      dedupeKey: p.dedupe_key,
    });
  }
  return undefined;
}

export function computeParts(patients: number): Record<string, number> {
  const computedAt = new Date('2026-12-01T10:00:00Z');
  const origin = runOrigin('compute-parts');
  const input = (patient: unknown) => ({
    protocols: PROTOCOLS,
    patient,
    change: null,
    computedAt,
    origin,
    log: SILENT_LOG,
  });
  // Warm-up of every path.
  for (const patient of benchPatients(1_000)) computePatientUpdates(input(patient) as never);

  // In chunks of fresh patients, so that what a part keeps for the next (runs, updates) stays
  // small, as in a segment's page; patients are made outside the clock.
  const CHUNK = 500;
  let total = 0;
  let freeze = 0;
  let protocols = 0;
  let helpers = 0;
  let json = 0;
  let ids = 0;
  let attributes = 0;
  let updateCount = 0;
  const computedAtText = computedAt.toISOString();
  for (let done = 0; done < patients; done += CHUNK) {
    const size = Math.min(CHUNK, patients - done);
    const forTotal = patientsFrom(done, size);
    total += cpuMicros(() => {
      for (const patient of forTotal) computePatientUpdates(input(patient) as never);
    });
    const chunk = patientsFrom(done, size);
    freeze += cpuMicros(() => {
      for (const patient of chunk) deepFreeze(patient);
    });
    const runs: ReturnType<typeof computeProtocols>[] = [];
    protocols += cpuMicros(() => {
      for (const patient of chunk)
        runs.push(computeProtocols({ protocols: PROTOCOLS, patient, now: computedAt }));
    });
    const updates = runs.flatMap((patientRuns, i) =>
      patientRuns.flatMap((run) =>
        run.updates.map((update, position) => ({
          update,
          protocol: run.protocol,
          position,
          patientKey: chunk[i]?.patient.key ?? '',
        })),
      ),
    );
    updateCount += updates.length;
    helpers += cpuMicros(() => {
      for (const { update } of updates) rebuild(update);
    });
    json += cpuMicros(() => {
      for (const { update } of updates) JSON.stringify(update);
    });
    ids += cpuMicros(() => {
      for (const u of updates)
        updateIdFor({
          origin,
          protocol: u.protocol,
          patientKey: u.patientKey,
          position: u.position,
        });
    });
    attributes += cpuMicros(() => {
      for (const u of updates)
        encodeUpdateAttributes({
          updateId: 'x'.repeat(32),
          computedAt: computedAtText,
          protocol: u.protocol,
        });
    });
  }
  const perPatient = (micros: number) => Math.round((micros / patients) * 10) / 10;
  const parts = {
    total: perPatient(total),
    freeze: perPatient(freeze),
    protocols: perPatient(protocols),
    helpers: perPatient(helpers),
    json: perPatient(json),
    ids: perPatient(ids),
    attributes: perPatient(attributes),
    rest: perPatient(total - freeze - protocols - json - ids - attributes),
  };
  return { patients, updatesPerPatient: updateCount / patients, ...parts };
}
