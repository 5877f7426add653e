import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type ChangeEvent,
  computeProtocols,
  loadPatientFixture,
  type Patient,
  type PatientInput,
  parseChangeShorthand,
  readChangeMessage,
} from '../../../lib';
import {
  AppointmentReminder,
  nowOnWallClockOf,
  reminderDedupeKey,
} from '../../../protocols/appointment-reminder';
import { syntheticChange, syntheticPatient } from '../support/patients';

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
  (patient: Patient): ChangeEvent => {
    const change = parseChangeShorthand(`appointment:updated:${id}`, patient.patient.key);
    return { ...change, fieldChanges: { ...change.fieldChanges, fields: { status: [from, to] } } };
  };

const created = (id: string) => (patient: Patient) =>
  parseChangeShorthand(`appointment:created:${id}`, patient.patient.key);

const scheduled = () => null;

/** The change with no canvas_id, only an external_id. */
const byExternal = (change: ChangeEvent, externalId: string): ChangeEvent => ({
  ...change,
  fieldChanges: { ...change.fieldChanges, canvas_id: null, external_id: externalId },
});

type Appointments = NonNullable<PatientInput['upcomingAppointments']>;

/**
 * Runs the reminder over a synthetic patient with these upcoming appointments, each with its note
 * naming the provider `test-staff-0001` (as Canvas's dumps pair them, by `currentAppointmentId`).
 */
function runWithAppointments(
  appointments: Appointments,
  change: ChangeEvent | null = null,
  now = NOW,
) {
  const [run] = computeProtocols({
    protocols: [AppointmentReminder],
    patient: syntheticPatient({
      upcomingAppointments: appointments,
      upcomingAppointmentNotes: appointments.map((a, i) => ({
        id: i + 1,
        stateHistory: [{ state: 'BKD' }],
        providerDisplay: { key: 'test-staff-0001' },
        appointments: [a.id],
        currentAppointmentId: a.id,
      })),
    }),
    change,
    now,
  });
  if (!run) throw new Error('no run');
  return run;
}

const appointment = (id: string, startTime: string, status = 'confirmed') => ({
  id,
  startTime,
  status,
  state: { state: 'BKD' },
});

const dueOf = (update: unknown) =>
  (update as { integration_payload: { due?: string } }).integration_payload.due;
const dedupeKeyOf = (update: unknown) =>
  (update as { integration_payload: { dedupe_key?: string } }).integration_payload.dedupe_key;

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
    const byExternalId = await runFor('diabetic-with-appointment', (patient) =>
      byExternal(created('x')(patient), 'appt-0001'),
    );
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
    [
      'a scheduled computation of a patient without upcoming appointments',
      'no-conditions',
      scheduled,
    ],
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

describe('AppointmentReminder on a scheduled recomputation (no change)', () => {
  it('sends the task its creation sends: same payload, same dedupe key', async () => {
    const onCreation = await runFor('diabetic-with-appointment', created('appt-0001'));

    const run = await runFor('diabetic-with-appointment', scheduled);

    expect(run.status).toBe('computed');
    expect(run.result?.status).toBe('not_applicable');
    // appt-0002 is in the past: only appt-0001.
    expect(run.updates).toEqual(onCreation.updates);
    expect(run.result?.narratives).toEqual(['Reminder task sent for appointment appt-0001.']);
  });

  it('sends one task per appointment that still takes place, skipping cancelled, no-showed and started ones', () => {
    const run = runWithAppointments([
      appointment('a-upcoming', '2024-03-01T09:00:00-05:00'),
      appointment('a-cancelled', '2024-03-02T09:00:00-05:00', 'cancelled'),
      appointment('a-noshowed', '2024-03-03T09:00:00-05:00', 'noshowed'),
      appointment('a-past', '2024-01-15T09:00:00-05:00'),
      appointment('a-starting-now', '2024-02-01T12:00:00Z'),
      appointment('a-unconfirmed', '2024-04-01T16:15:00Z', 'unconfirmed'),
    ]);

    expect(run.status).toBe('computed');
    expect(run.updates.map(dedupeKeyOf)).toEqual([
      reminderDedupeKey('a-upcoming'),
      reminderDedupeKey('a-unconfirmed'),
    ]);
    expect(run.updates.map(dueOf)).toEqual(['2024-02-27T09:00:00', '2024-03-29T16:15:00']);
    expect(run.updates[1]).toMatchObject({
      integration_type: 'Task',
      patient_identifier: { identifier: { key: 'test-patient-0001' } },
      integration_payload: {
        creator: { identifier: { key: 'test-staff-0001' } },
        assignee: { identifier: { key: 'test-staff-0001' } },
        title: 'Appointment reminder for 2024-04-01',
        labels: ['Urgent'],
        status: 'OPEN',
      },
    });
  });

  it('sends the same updates on every run (the applier makes them one task each)', () => {
    const appointments = [
      appointment('a-1', '2024-03-01T09:00:00-05:00'),
      appointment('a-2', '2024-03-05T09:00:00+02:00'),
    ];

    const first = runWithAppointments(appointments, null, '2024-02-01T12:00:00Z');
    const later = runWithAppointments(appointments, null, '2024-02-10T12:00:00Z');

    expect(first.updates).toHaveLength(2);
    expect(later.updates).toEqual(first.updates);
  });

  it('sends nothing for a cancelled appointment, not even a close (that is sent on the cancelling change)', async () => {
    // 1201 is cancelled, 1202 upcoming: only 1202's task, and no TaskUpdate.
    const run = await runFor('resolved-diabetes-cancelled-appointment', scheduled);

    expect(run.updates.map((u) => u.integration_type)).toEqual(['Task']);
    expect(dedupeKeyOf(run.updates[0])).toBe(reminderDedupeKey(1202));
  });
});

describe('AppointmentReminder when an appointment is rescheduled', () => {
  /** An update of the appointment's start time, as the platform sends it. */
  const moved = (id: string, from: string, to: string): ChangeEvent =>
    syntheticChange({
      model_name: 'appointment',
      canvas_id: id,
      created: false,
      fields: { start_time: [from, to] },
    });

  it('moves the task (TaskUpdate: title and due) and resends its creation in case it was missed', () => {
    const run = runWithAppointments(
      [appointment('a-1', '2024-03-10T09:00:00-05:00')],
      moved('a-1', '2024-03-01T09:00:00', '2024-03-10T09:00:00'),
    );

    expect(run.updates.map((u) => u.integration_type)).toEqual(['Task', 'TaskUpdate']);
    expect(run.updates.map(dueOf)).toEqual(['2024-03-07T09:00:00', '2024-03-07T09:00:00']);
    expect(run.updates[1]).toMatchObject({
      integration_payload: {
        task: { dedupe_key: reminderDedupeKey('a-1') },
        title: 'Appointment reminder for 2024-03-10',
      },
    });
    expect(dedupeKeyOf(run.updates[0])).toBe(reminderDedupeKey('a-1'));
    expect(run.result?.narratives).toEqual([
      'Reminder task sent for appointment a-1.',
      'Reminder task moved for appointment a-1, due 2024-03-07T09:00:00.',
    ]);
  });

  it('brings the moved task forward to now when the new date is less than 3 days away', () => {
    const run = runWithAppointments(
      [appointment('a-1', '2024-02-02T09:00:00Z')],
      moved('a-1', '2024-03-01T09:00:00', '2024-02-02T09:00:00'),
    );

    expect(run.updates.map(dueOf)).toEqual(['2024-02-01T12:00:00', '2024-02-01T12:00:00']);
  });

  it('sends nothing when the appointment was moved into the past or is not in the data', () => {
    const past = runWithAppointments(
      [appointment('a-1', '2024-01-10T09:00:00Z')],
      moved('a-1', '2024-03-01T09:00:00', '2024-01-10T09:00:00'),
    );
    const unknown = runWithAppointments(
      [appointment('a-1', '2024-03-10T09:00:00Z')],
      moved('a-2', '2024-03-01T09:00:00', '2024-03-10T09:00:00'),
    );

    expect(past.updates).toEqual([]);
    expect(unknown.updates).toEqual([]);
  });
});

describe('AppointmentReminder due date', () => {
  it.each([
    // [start, expected due]: now is 2024-02-01T12:00:00Z, on the appointment's own wall clock.
    ['2024-02-02T09:30:00-05:00', '2024-02-01T07:00:00'],
    ['2024-02-02T09:30:00+05:30', '2024-02-01T17:30:00'],
    ['2024-02-02T09:30:00Z', '2024-02-01T12:00:00'],
    ['2024-02-02T09:30:00', '2024-02-01T12:00:00'],
    ['2024-02-02T09:30:00.750-05:00', '2024-02-01T07:00:00'],
  ])('is now, not in the past, for an appointment at %s (less than 3 days away)', (start, due) => {
    const run = runWithAppointments([appointment('a-soon', start)]);

    expect(run.updates.map(dueOf)).toEqual([due]);
    expect(run.result?.narratives).toEqual([
      'Reminder task sent for appointment a-soon.',
      `Reminder for appointment a-soon due now (${due}), not 3 days before: the appointment is sooner than that.`,
    ]);
  });

  it('is brought forward on the creation path too', () => {
    const run = runWithAppointments(
      [appointment('a-soon', '2024-02-02T09:30:00-05:00')],
      syntheticChange({ canvas_id: 'a-soon' }),
    );

    expect(run.updates.map(dueOf)).toEqual(['2024-02-01T07:00:00']);
    expect(run.result?.narratives).toHaveLength(2);
  });

  it('stays 3 days before when that is exactly now, without a narrative about it', () => {
    const run = runWithAppointments([appointment('a-edge', '2024-02-04T07:00:00-05:00')]);

    expect(run.updates.map(dueOf)).toEqual(['2024-02-01T07:00:00']);
    expect(run.result?.narratives).toEqual(['Reminder task sent for appointment a-edge.']);
  });
});

describe('nowOnWallClockOf', () => {
  it.each([
    ['2024-06-01T08:00:00-07:00', '2024-02-01T05:00:00'],
    ['2024-06-01T08:00:00+09:45', '2024-02-01T21:45:00'],
    ['2024-06-01T08:00:00+00:00', '2024-02-01T12:00:00'],
    ['2024-06-01T08:00', '2024-02-01T12:00:00'],
  ])('reads now on the wall clock of %s', (start, expected) => {
    expect(nowOnWallClockOf(start, new Date('2024-02-01T12:00:00.400Z'))).toBe(expected);
  });
});

describe('AppointmentReminder narratives', () => {
  it('says when the created appointment is not in the patient data, by id only', async () => {
    const byCanvasId = await runFor('diabetic-with-appointment', created('appt-9999'));
    const byExternalId = await runFor('diabetic-with-appointment', (patient) =>
      byExternal(created('x')(patient), 'ext-4242'),
    );

    expect(byCanvasId.updates).toEqual([]);
    expect(byCanvasId.result?.narratives).toEqual([
      "Appointment appt-9999 not found in the patient's appointments; no reminder sent.",
    ]);
    expect(byExternalId.result?.narratives).toEqual([
      "Appointment ext-4242 not found in the patient's appointments; no reminder sent.",
    ]);
  });

  it('says nothing for an update that neither cancels nor deletes', async () => {
    const run = await runFor(
      'diabetic-with-appointment',
      statusChanged('appt-0001', 'unconfirmed', 'confirmed'),
    );

    expect(run.updates).toEqual([]);
    expect(run.result?.narratives).toEqual([]);
  });
});

describe("AppointmentReminder on Canvas's data (upcoming appointments and their notes)", () => {
  /** The kit's own dumps (canvas-medical/open-source-sdk), beside the clone as in CI. */
  const KIT = join(__dirname, '../../../..', 'shared', 'kit-fixtures');
  const KIT_NOW = '2022-02-20T12:00:00Z';
  const KIT_PROVIDER = 'dbf184ad28a1408bbed184fc8fd2b029';

  it("creates the task for the kit's appointment-created change, the provider from the note", async () => {
    const patient = await loadPatientFixture(join(KIT, 'full_detailed_patient'));
    // The kit's field_changes object unchanged, in the changes queue's envelope.
    const fieldChanges = JSON.parse(
      await readFile(join(KIT, 'changes', 'appointment-created.json'), 'utf8'),
    );
    const read = readChangeMessage({
      patient_key: patient.patient.key,
      field_changes: fieldChanges,
    });
    if (!read.ok) throw new Error(`the kit's change was refused: ${read.detail}`);
    const change = read.change;

    const [run] = computeProtocols({
      protocols: [AppointmentReminder],
      patient,
      change,
      now: KIT_NOW,
    });

    expect(run?.status).toBe('computed');
    expect(run?.updates).toEqual([
      expect.objectContaining({
        integration_type: 'Task',
        integration_payload: expect.objectContaining({
          creator: { identifier_type: 'key', identifier: { key: KIT_PROVIDER } },
          assignee: { identifier_type: 'key', identifier: { key: KIT_PROVIDER } },
          title: 'Appointment reminder for 2022-02-28',
          due: '2022-02-25T05:20:00',
          dedupe_key: reminderDedupeKey(14),
        }),
      }),
    ]);
  });

  it('on a scheduled run, reminds of every upcoming appointment of a kit dump', async () => {
    const patient = await loadPatientFixture(join(KIT, 'patient_has_appointments'));

    const [run] = computeProtocols({
      protocols: [AppointmentReminder],
      patient,
      change: null,
      now: KIT_NOW,
    });

    expect(run?.updates.map(dedupeKeyOf)).toEqual([9, 8, 5, 6].map(reminderDedupeKey));
  });

  it('finds the appointment by its externallyExposableId (external_id)', async () => {
    const run = await runFor('resolved-diabetes-cancelled-appointment', (patient) => ({
      ...created('x')(patient),
      fieldChanges: {
        ...created('x')(patient).fieldChanges,
        canvas_id: null,
        external_id: '6f1b2c3d-1202-4a5b-8c9d-000000001202',
      },
    }));

    expect(run.updates.map(dedupeKeyOf)).toEqual([reminderDedupeKey(1202)]);
  });

  it("skips an appointment whose note is cancelled or no-showed, whatever the appointment's status", () => {
    const run = runWithAppointments([
      { ...appointment('a-note-cancelled', '2024-03-01T09:00:00Z'), state: { state: 'CLD' } },
      { ...appointment('a-note-noshow', '2024-03-01T10:00:00Z'), state: { state: 'NSW' } },
      { ...appointment('a-booked', '2024-03-01T11:00:00Z'), state: { state: 'BKD' } },
      { ...appointment('a-no-state', '2024-03-01T12:00:00Z'), state: null },
    ]);

    expect(run.updates.map(dedupeKeyOf)).toEqual(['a-booked', 'a-no-state'].map(reminderDedupeKey));
  });

  it('sends nothing for an appointment without a note naming its provider, and says so by id', () => {
    const [run] = computeProtocols({
      protocols: [AppointmentReminder],
      patient: syntheticPatient({
        upcomingAppointments: [appointment('a-1', '2024-03-01T09:00:00Z')],
        upcomingAppointmentNotes: [
          { id: 1, currentAppointmentId: 'a-other', providerDisplay: { key: 's' } },
        ],
      }),
      change: null,
      now: NOW,
    });

    expect(run?.updates).toEqual([]);
    expect(run?.result?.narratives).toContain(
      'Appointment a-1 has no provider on its note; no reminder sent.',
    );
  });

  it('reads a start time written with a space and microseconds', () => {
    const run = runWithAppointments([appointment('a-1', '2024-03-01 09:00:00.123456+00:00')]);

    expect(run.updates.map(dueOf)).toEqual(['2024-02-27T09:00:00']);
  });
});
