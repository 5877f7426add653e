import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchPutItems, groupItem, patientItem } from '../lib/aws/table-items';
import { DIABETES_CARE_GROUP_ID } from '../protocols/diabetes-care-group';
import type { PatientInput } from '../schemas';

/**
 * Deterministic, obviously synthetic demo data: patient `i` is the same on every run. Staff exist
 * only as keys (care teams, appointment providers, task creators): there is no staff table.
 */

export const DEMO_STAFF = [
  { key: 'demo-staff-0001', name: 'Synthetic Clinician-One' },
  { key: 'demo-staff-0002', name: 'Synthetic Clinician-Two' },
  { key: 'demo-staff-0003', name: 'Synthetic Clinician-Three' },
] as const;

/** Groups staff created: the one the example protocols use, and an inactive one. */
export const DEMO_GROUPS = [
  { groupId: DIABETES_CARE_GROUP_ID, name: 'Diabetes care', active: true },
  { groupId: '00000000-0000-4000-8000-00000000dead', name: 'Retired demo group', active: false },
] as const;

const pad = (n: number) => String(n).padStart(4, '0');

export function demoPatientKey(index: number): string {
  return `demo-patient-${pad(index)}`;
}

/** The appointment id of patient `index`, when that patient has one (every third patient). */
export function demoAppointmentId(index: number): string | undefined {
  return index % 3 === 0 ? `demo-appt-${pad(index)}` : undefined;
}

/** Whether patient `index` has an active diabetes condition (odd indexes). */
export function hasActiveDiabetes(index: number): boolean {
  return index % 2 === 1;
}

/**
 * Patient `index` (1-based): odd ones have active type 2 diabetes, every fourth even one a resolved
 * diabetes, every third an appointment far in the future: every scheduled run sends it a reminder
 * task (one task, by its dedupe key), due three days before it, never brought forward.
 */
export function demoPatient(index: number): PatientInput {
  const key = demoPatientKey(index);
  const staff = DEMO_STAFF[index % DEMO_STAFF.length] ?? DEMO_STAFF[0];
  const [staffFirstName, staffLastName] = staff.name.split(' ');
  const conditions: NonNullable<PatientInput['conditions']> = [];
  if (hasActiveDiabetes(index)) {
    conditions.push({
      id: `demo-cond-${pad(index)}`,
      created: '2015-01-01T10:00:00.000000Z',
      clinicalStatus: 'active',
      coding: [{ system: 'ICD-10', code: 'E119', display: 'Type 2 diabetes mellitus' }],
      periods: [{ from: '2015-01-01', to: null }],
    });
  } else if (index % 4 === 0) {
    conditions.push({
      id: `demo-cond-${pad(index)}`,
      created: '2015-01-01T10:00:00.000000Z',
      clinicalStatus: 'resolved',
      coding: [{ system: 'ICD-10', code: 'E119' }],
      periods: [{ from: '2015-01-01', to: '2020-01-01' }],
    });
  }
  const appointmentId = demoAppointmentId(index);
  return {
    patient: {
      id: index,
      key,
      created: '2020-01-01T09:00:00.000000Z',
      firstName: 'Synthetic',
      lastName: `Demo-${pad(index)}`,
      birthDate: `${1940 + (index % 60)}-${String(1 + (index % 12)).padStart(2, '0')}-15`,
      sexAtBirth: (['F', 'M', 'O', 'UNK'] as const)[index % 4] ?? 'UNK',
      active: true,
      deceased: false,
      deceasedDatetime: null,
      timezone: 'America/New_York',
      coverages: [],
      contacts: [],
      externalIdentifiers: [],
      careTeamMemberships: [
        {
          staff: { key: staff.key, firstName: staffFirstName, lastName: staffLastName },
          role: { code: 'PCP', display: 'Primary care provider' },
          status: 'active',
          lead: true,
        },
      ],
    },
    upcomingAppointments: appointmentId
      ? [
          {
            id: appointmentId,
            startTime: `2035-${String(1 + (index % 12)).padStart(2, '0')}-10T09:30:00-05:00`,
            durationMinutes: 20,
            appointmentType: 'office',
            status: 'confirmed',
            state: { state: 'BKD' },
          },
        ]
      : [],
    upcomingAppointmentNotes: appointmentId
      ? [
          {
            id: `demo-note-${pad(index)}`,
            isLocked: false,
            stateHistory: [{ state: 'SCH' }, { state: 'BKD' }],
            providerDisplay: { key: staff.key, firstName: staffFirstName, lastName: staffLastName },
            appointments: [appointmentId],
            currentAppointmentId: appointmentId,
          },
        ]
      : [],
    conditions,
    consents: [
      { id: `demo-consent-${pad(index)}`, category: { code: 'HIPAA' }, state: 'accepted' },
    ],
  };
}

export interface DemoSeedTables {
  patients: string;
  groups: string;
}

/**
 * Writes the demo groups and patients 1..`patients` in the table layout the functions read
 * (docs/data-model.md, built by lib/aws/table-items.ts).
 */
export async function seedDemoData(
  documents: DynamoDBDocumentClient,
  tables: DemoSeedTables,
  patients: number,
): Promise<{ patients: number; groups: number; staff: number }> {
  await batchPutItems(
    documents,
    tables.groups,
    DEMO_GROUPS.map((group) => groupItem(group)),
  );
  const items = Array.from({ length: patients }, (_, i) => patientItem(demoPatient(i + 1)));
  await batchPutItems(documents, tables.patients, items);
  return { patients, groups: DEMO_GROUPS.length, staff: DEMO_STAFF.length };
}
