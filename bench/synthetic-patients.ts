import { type Patient, type PatientInput, PatientSchema } from '../schemas';

/**
 * Deterministic, obviously synthetic patients for the bench: patient `i` is the same on every run.
 * Heavier than the demo's (several conditions, appointments, consents), closer to a real chart.
 * Odd indexes have an active type 2 diabetes, so the diabetes care group gets both "in" and
 * "not in" updates.
 */

const pad = (n: number) => String(n).padStart(6, '0');
const month = (i: number) => String(1 + (i % 12)).padStart(2, '0');
const STAFF = ['bench-staff-01', 'bench-staff-02', 'bench-staff-03', 'bench-staff-04'];
const OTHER_CODES = ['I10', 'E78.5', 'J45.909', 'M54.5', 'K21.9'];

export function benchPatientKey(index: number): string {
  return `bench-patient-${pad(index)}`;
}

/** Whether patient `index` has an active diabetes condition (odd indexes). */
export function hasBenchDiabetes(index: number): boolean {
  return index % 2 === 1;
}

export function benchPatientInput(index: number): PatientInput {
  const key = benchPatientKey(index);
  const staff = STAFF[index % STAFF.length] ?? 'bench-staff-01';
  const conditions: PatientInput['conditions'] = OTHER_CODES.slice(0, 1 + (index % 4)).map(
    (code, c) => ({
      id: `bench-cond-${pad(index)}-${c}`,
      coding: [{ system: 'ICD-10', code }],
      clinicalStatus: c % 3 === 2 ? 'resolved' : 'active',
      onsetDate: `20${10 + (c % 10)}-${month(index + c)}-01`,
    }),
  );
  if (hasBenchDiabetes(index)) {
    conditions.push({
      id: `bench-cond-${pad(index)}-dm`,
      coding: [{ system: 'ICD-10', code: 'E11.9', display: 'Type 2 diabetes mellitus' }],
      clinicalStatus: 'active',
      onsetDate: '2015-01-01',
    });
  }
  return {
    patient: {
      key,
      firstName: 'Synthetic',
      lastName: `Bench-${pad(index)}`,
      birthDate: `${1940 + (index % 60)}-${month(index)}-15`,
      sex: (['F', 'M', 'O', 'UNK'] as const)[index % 4] ?? 'UNK',
    },
    appointments: Array.from({ length: 1 + (index % 3) }, (_, a) => ({
      id: `bench-appt-${pad(index)}-${a}`,
      startTime: `2035-${month(index + a)}-10T09:30:00-05:00`,
      providerKey: staff,
      status: 'confirmed' as const,
    })),
    conditions,
    consents: [{ id: `bench-consent-${pad(index)}`, code: 'HIPAA', state: 'accepted' }],
    careTeam: [{ staffKey: staff, role: 'Primary care provider', status: 'active', lead: true }],
  };
}

/** Patients 1..count, parsed with the patient schema (as the compute path reads them). */
export function benchPatients(count: number): Patient[] {
  return Array.from({ length: count }, (_, i) => PatientSchema.parse(benchPatientInput(i + 1)));
}
