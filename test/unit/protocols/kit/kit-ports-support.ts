import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ChangeEvent,
  computeProtocols,
  loadPatientFixture,
  type Patient,
  type ProtocolClass,
  type ProtocolResultData,
  type ProtocolRun,
  ProtocolSettings,
  parseChangeShorthand,
  toResultData,
  type Update,
} from '../../../../lib';

/** Shared helpers of the kit port tests (not a test file itself). */

export const REPO_ROOT = join(__dirname, '../../../..');
/** The kit's own dumps (CI has `shared/` beside its clone). */
export const KIT_FIXTURES = join(REPO_ROOT, '..', 'shared', 'kit-fixtures');
/** Ours, in the same format. */
export const OWN_FIXTURES = join(REPO_ROOT, 'fixtures', 'patients');
export const OWN_CHANGES = join(REPO_ROOT, 'fixtures', 'changes');

export const KIT_PATIENTS = [
  'full_detailed_patient',
  'no_details_patient',
  'patient_has_appointments',
] as const;

export function kitPatient(name: (typeof KIT_PATIENTS)[number]): Promise<Patient> {
  return loadPatientFixture(join(KIT_FIXTURES, name));
}

export function ownPatient(name: string): Promise<Patient> {
  return loadPatientFixture(join(OWN_FIXTURES, name));
}

/**
 * The kit's model names whose change type is another (the change-event work's mapping):
 * an appointment note's state change is an `appointment` change.
 */
const CHANGE_TYPE_OF_MODEL: Readonly<Record<string, string>> = {
  notestatechangeevent: 'appointment',
};

/**
 * The runner's change event for a kit `field_changes` object, for the patient. Built through
 * `parseChangeShorthand` so it has the runner's own shape, whichever that is: flat
 * (`patient_key` beside the field_changes keys) or an envelope (`fieldChanges` with its
 * `changeTypes`); the field_changes object is then the one given, unchanged.
 */
export function asChangeEvent(
  patient: Patient,
  fieldChanges: Record<string, unknown>,
): ChangeEvent {
  const model = String(fieldChanges.model_name);
  const changeType = CHANGE_TYPE_OF_MODEL[model] ?? model;
  const base = parseChangeShorthand(
    `${changeType}:created:1`,
    patient.patient.key,
  ) as unknown as Record<string, unknown>;
  if ('fieldChanges' in base) return { ...base, fieldChanges } as unknown as ChangeEvent;
  return { patient_key: patient.patient.key, ...fieldChanges } as unknown as ChangeEvent;
}

/** A change event file in the kit's `field_changes` form (the patient comes from the fixture). */
export function changeFile(path: string, patient: Patient): ChangeEvent {
  return asChangeEvent(patient, JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>);
}

export function ownChange(name: string, patient: Patient): ChangeEvent {
  return changeFile(join(OWN_CHANGES, `${name}.json`), patient);
}

export function kitChange(name: string, patient: Patient): ChangeEvent {
  return changeFile(join(KIT_FIXTURES, 'changes', `${name}.json`), patient);
}

/**
 * A field_changes object built in the test, for the patient. `model_name` is the Canvas model
 * (`notestatechangeevent` too), `fields` maps a field to `[old, new]`.
 */
export function fieldChanges(
  patient: Patient,
  change: {
    model_name: string;
    created: boolean;
    deleted: boolean;
    fields: Record<string, readonly unknown[]>;
    canvas_id: string | number | null;
    external_id?: string | number | null;
  },
): ChangeEvent {
  return asChangeEvent(patient, { external_id: null, external_identifiers: null, ...change });
}

/** One protocol run through the pure runner, as the compute Lambda runs it. */
export function runPort(
  protocol: ProtocolClass,
  patient: Patient,
  options: { change?: ChangeEvent | null; now: string; settings?: Record<string, string> },
): ProtocolRun {
  const [run] = computeProtocols({
    protocols: [protocol],
    patient,
    change: options.change ?? null,
    now: options.now,
    settings: new ProtocolSettings(options.settings ?? {}, 'test'),
  });
  if (!run) throw new Error('no run');
  return run;
}

/**
 * The protocol's `computeResults()` called directly, past the runner's relevance check: for a
 * change whose model the runner cannot map to a change type on this branch (the kit's
 * `notestatechangeevent`, an appointment's note changing state, is mapped to `appointment` by the
 * change-event work), so the port's own logic is tested over it.
 */
export function computeDirectly(
  protocol: ProtocolClass,
  patient: Patient,
  options: { change?: ChangeEvent | null; now: string; settings?: Record<string, string> },
): { result: ProtocolResultData; updates: Update[] } {
  const instance = new protocol({
    patient: structuredClone(patient),
    change: options.change ?? null,
    now: options.now,
    settings: new ProtocolSettings(options.settings ?? {}, 'test'),
  });
  const result = instance.computeResults();
  return { result: toResultData(result, instance.now), updates: instance.updates() };
}

/** Each update as the compact body that goes on its queue. */
export function bodies(run: { updates: readonly Update[] }): string[] {
  return run.updates.map((update) => JSON.stringify(update));
}

/** A patient's data with some of its record replaced (a deep copy; the fixture is untouched). */
export function withPatientRecord(patient: Patient, record: Record<string, unknown>): Patient {
  const copy = structuredClone(patient);
  Object.assign(copy.patient, record);
  return copy;
}
