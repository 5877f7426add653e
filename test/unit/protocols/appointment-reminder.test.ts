import { join } from 'node:path';
import {
  type ChangeEvent,
  computeProtocols,
  loadPatientFixture,
  type Patient,
  parseChangeShorthand,
} from '../../../lib';
import { AppointmentReminder } from '../../../protocols/appointment-reminder';

const FIXTURES = join(__dirname, '../../../fixtures/patients');
const NOW = '2024-02-01T12:00:00Z';

async function runFor(
  fixture: string,
  change: (patient: Patient) => ChangeEvent | null,
  now = NOW,
) {
  const patient = await loadPatientFixture(join(FIXTURES, fixture));
  const [run] = computeProtocols({
    protocols: [AppointmentReminder],
    patient,
    change: change(patient),
    now,
  });
  if (!run) throw new Error('no run');
  return run;
}

/** An update of the appointment's status, as the platform sends it. */
const statusChanged =
  (id: string, from: string, to: string) =>
  (patient: Patient): ChangeEvent => ({
    ...parseChangeShorthand(`appointment:updated:${id}`, patient.patient.key),
    fields: { status: [from, to] },
  });

const created = (id: string) => (patient: Patient) =>
  parseChangeShorthand(`appointment:created:${id}`, patient.patient.key);

describe('AppointmentReminder', () => {
  it("creates an Urgent task for the provider, due 3 days before, on the appointment's creation", async () => {
    const run = await runFor('diabetic-with-appointment', created('appt-0001'));

    expect(run.status).toBe('computed');
    expect(run.result?.status).toBe('not_applicable');
    expect(run.result?.narratives).toEqual(['Reminder task sent for appointment appt-0001.']);
    expect(run.updates).toEqual([
      {
        integration_type: 'Task',
        integration_source: 'SDK',
        handling_options: { respond_async: true },
        patient_identifier: { identifier_type: 'key', identifier: { key: 'fixture-patient-0001' } },
        integration_payload: {
          creator: { identifier_type: 'key', identifier: { key: 'fixture-staff-0001' } },
          status: 'OPEN',
          title: 'Appointment reminder for 2024-02-09',
          due: '2024-02-06T09:30:00',
          labels: ['Urgent'],
          assignee: { identifier_type: 'key', identifier: { key: 'fixture-staff-0001' } },
          dedupe_key: 'appointment-reminder:appt-0001',
        },
      },
    ]);
  });

  it('sends the same task (same dedupe key) when the computation is repeated', async () => {
    const first = await runFor('diabetic-with-appointment', created('appt-0001'));
    const again = await runFor(
      'diabetic-with-appointment',
      created('appt-0001'),
      '2024-02-02T08:00:00Z',
    );

    expect(again.updates).toEqual(first.updates);
  });

  it('finds the appointment by external_id and by a numeric id', async () => {
    const byExternalId = await runFor('diabetic-with-appointment', (patient) => ({
      ...created('x')(patient),
      canvas_id: null,
      external_id: 'appt-0001',
    }));
    const numeric = await runFor('resolved-diabetes-cancelled-appointment', created('1202'));

    expect(byExternalId.updates).toHaveLength(1);
    expect(numeric.updates[0]).toMatchObject({
      integration_payload: {
        title: 'Appointment reminder for 2024-02-20',
        due: '2024-02-17T15:45:00',
        dedupe_key: 'appointment-reminder:1202',
      },
    });
  });

  it.each([
    ['a scheduled computation (no change)', 'diabetic-with-appointment', () => null],
    [
      'an update of an appointment',
      'diabetic-with-appointment',
      (p: Patient) => parseChangeShorthand('appointment:updated:appt-0001', p.patient.key),
    ],
    [
      'an update of an appointment that does not cancel it',
      'diabetic-with-appointment',
      statusChanged('appt-0001', 'unconfirmed', 'confirmed'),
    ],
    ['an appointment not in the data', 'diabetic-with-appointment', created('appt-9999')],
    ['an appointment in the past', 'diabetic-with-appointment', created('appt-0002')],
    ['a cancelled appointment', 'resolved-diabetes-cancelled-appointment', created('1201')],
    ['a patient without appointments', 'no-conditions', created('appt-0001')],
  ])('sends nothing for %s, status not_applicable', async (_, fixture, change) => {
    const run = await runFor(fixture, change);

    expect(run.status).toBe('computed');
    expect(run.result?.status).toBe('not_applicable');
    expect(run.updates).toEqual([]);
  });

  it.each([
    [
      'cancelled (status becomes cancelled)',
      'resolved-diabetes-cancelled-appointment',
      statusChanged('1201', 'confirmed', 'cancelled'),
      'fixture-patient-0002',
      'appointment-reminder:1201',
    ],
    [
      'deleted, found in the data',
      'diabetic-with-appointment',
      (p: Patient) => parseChangeShorthand('appointment:deleted:appt-0001', p.patient.key),
      'fixture-patient-0001',
      'appointment-reminder:appt-0001',
    ],
    [
      'deleted and gone from the data (the change id is used)',
      'diabetic-with-appointment',
      (p: Patient) => parseChangeShorthand('appointment:deleted:appt-0777', p.patient.key),
      'fixture-patient-0001',
      'appointment-reminder:appt-0777',
    ],
  ])(
    'closes the reminder task when the appointment is %s',
    async (_, fixture, change, patientKey, dedupeKey) => {
      const run = await runFor(fixture, change);

      expect(run.status).toBe('computed');
      expect(run.result?.status).toBe('not_applicable');
      expect(run.updates).toEqual([
        {
          integration_type: 'TaskUpdate',
          integration_source: 'SDK',
          handling_options: { respond_async: true },
          patient_identifier: { identifier_type: 'key', identifier: { key: patientKey } },
          integration_payload: { task: { dedupe_key: dedupeKey }, status: 'CLOSED' },
        },
      ]);
      // The exact wire JSON: the key order of the helpers.
      expect(JSON.stringify(run.updates[0])).toBe(
        `{"integration_type":"TaskUpdate","integration_source":"SDK","handling_options":{"respond_async":true},"patient_identifier":{"identifier_type":"key","identifier":{"key":"${patientKey}"}},"integration_payload":{"task":{"dedupe_key":"${dedupeKey}"},"status":"CLOSED"}}`,
      );
    },
  );

  it('closes the task its creation made: the same dedupe key, so the same task id', async () => {
    const created = await runFor('resolved-diabetes-cancelled-appointment', (p) =>
      parseChangeShorthand('appointment:created:1202', p.patient.key),
    );
    const cancelled = await runFor(
      'resolved-diabetes-cancelled-appointment',
      statusChanged('1202', 'unconfirmed', 'cancelled'),
    );

    expect(created.updates[0]).toMatchObject({
      integration_payload: { dedupe_key: 'appointment-reminder:1202' },
    });
    expect(cancelled.updates[0]).toMatchObject({
      integration_payload: { task: { dedupe_key: 'appointment-reminder:1202' }, status: 'CLOSED' },
    });
  });

  it('is not relevant for a change of another type', async () => {
    const run = await runFor('diabetic-with-appointment', (p) =>
      parseChangeShorthand('condition:created:cond-0001', p.patient.key),
    );

    expect(run.status).toBe('not_relevant');
    expect(run.updates).toEqual([]);
  });
});
