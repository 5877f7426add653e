import { type Patient, type PatientInput, PatientSchema } from '../schemas';

/**
 * Deterministic, obviously synthetic patients for the bench: patient `i` is the same on every run.
 * In Canvas's dump shape, heavier than the demo's (several conditions, upcoming appointments with
 * their notes, a medication, a consent), closer to a real chart.
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
  const conditions: NonNullable<PatientInput['conditions']> = OTHER_CODES.slice(
    0,
    1 + (index % 4),
  ).map((code, c) => ({
    id: `bench-cond-${pad(index)}-${c}`,
    created: `20${10 + (c % 10)}-${month(index + c)}-01T10:00:00.000000Z`,
    clinicalStatus: c % 3 === 2 ? 'resolved' : 'active',
    coding: [{ id: c, system: 'ICD-10', version: '', code, display: 'Synthetic condition' }],
    periods: [{ from: `20${10 + (c % 10)}-${month(index + c)}-01`, to: null }],
    lastTimestamps: { assessed: null, billed: null, assessedAndBilled: null },
  }));
  if (hasBenchDiabetes(index)) {
    conditions.push({
      id: `bench-cond-${pad(index)}-dm`,
      created: '2015-01-01T10:00:00.000000Z',
      clinicalStatus: 'active',
      coding: [{ system: 'ICD-10', code: 'E119', display: 'Type 2 diabetes mellitus' }],
      periods: [{ from: '2015-01-01', to: null }],
    });
  }
  const appointmentIds = Array.from(
    { length: 1 + (index % 3) },
    (_, a) => `bench-appt-${pad(index)}-${a}`,
  );
  return {
    patient: {
      id: index,
      key,
      created: '2020-01-01 09:00:00.000000+00:00',
      firstName: 'Synthetic',
      lastName: `Bench-${pad(index)}`,
      birthDate: `${1940 + (index % 60)}-${month(index)}-15`,
      sexAtBirth: (['F', 'M', 'O', 'UNK'] as const)[index % 4] ?? 'UNK',
      active: true,
      deceased: false,
      deceasedDatetime: null,
      timezone: 'America/Chicago',
      coverages: [{ id: index, idNumber: `BENCH${pad(index)}`, transactorName: 'Synthetic Plan' }],
      contacts: [],
      externalIdentifiers: [{ value: `bench-mrn-${pad(index)}` }],
      careTeamMemberships: [
        {
          staff: { key: staff },
          role: { code: 'PCP', display: 'Primary care provider' },
          lead: true,
        },
      ],
    },
    upcomingAppointments: appointmentIds.map((id, a) => ({
      id,
      startTime: `2035-${month(index + a)}-10T09:30:00-05:00`,
      durationMinutes: 20,
      appointmentType: 'office',
      status: 'confirmed',
      state: { state: 'BKD', created: '2030-01-01T10:00:00.000000Z' },
    })),
    upcomingAppointmentNotes: appointmentIds.map((id, a) => ({
      id: `bench-note-${pad(index)}-${a}`,
      isLocked: false,
      stateHistory: [{ state: 'SCH' }, { state: 'BKD' }],
      providerDisplay: { key: staff },
      appointments: [id],
      currentAppointmentId: id,
    })),
    conditions,
    medications: [
      {
        id: `bench-med-${pad(index)}`,
        status: 'active',
        coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '860975' }],
        periods: [{ from: null, to: null }],
      },
    ],
    consents: [
      { id: `bench-consent-${pad(index)}`, category: { code: 'HIPAA' }, state: 'accepted' },
    ],
  };
}

/** Patients 1..count, parsed with the patient schema (as the compute path reads them). */
export function benchPatients(count: number): Patient[] {
  return Array.from({ length: count }, (_, i) => PatientSchema.parse(benchPatientInput(i + 1)));
}
