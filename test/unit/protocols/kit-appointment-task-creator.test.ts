import { join } from 'node:path';
import {
  type ChangeEvent,
  computeProtocols,
  createTaskPayload,
  loadChangeEvent,
  loadPatientFixture,
  type Patient,
  ProtocolSettings,
  parseChangeShorthand,
} from '../../../lib';
import {
  AppointmentTaskCreator,
  KIT_TEAM_IDENTIFIER,
} from '../../../protocols/kit/appointment-task-creator';

const REPO = join(__dirname, '..', '..', '..');
const KIT = join(REPO, '..', 'shared', 'kit-fixtures');
const OWN = join(REPO, 'fixtures', 'patients', 'kit-appointment-offsets');
const OWN_CHANGE = join(REPO, 'fixtures', 'changes', 'kit-appointment-2001-created.json');
const NOW = '2024-02-20T10:00:00.123Z';

/**
 * A creation of appointment 14, the one the documented change event
 * (kit-fixtures/changes/appointment-created.json) creates; as a shorthand, its id is text.
 */
function createdAppointment(patient: Patient, id = 14): ChangeEvent {
  return parseChangeShorthand(`appointment:created:${id}`, patient.patient.key);
}

function protocolFor(
  patient: Patient,
  change: ChangeEvent | null,
  now = NOW,
  settings?: ProtocolSettings,
) {
  return new AppointmentTaskCreator({ patient, change, now, ...(settings ? { settings } : {}) });
}

describe('AppointmentTaskCreator (kit port) over the kit fixtures', () => {
  it('appointment 14’s creation over full_detailed_patient: the kit’s task', async () => {
    const patient = await loadPatientFixture(join(KIT, 'full_detailed_patient'));
    const protocol = protocolFor(patient, createdAppointment(patient), '2022-02-20T10:00:00Z');
    expect(protocol.taskInput()).toEqual({
      patientKey: 'da3dffbe18cc441f9f92da4da8e1c231',
      createdByKey: 'dbf184ad28a1408bbed184fc8fd2b029',
      status: 'OPEN',
      title: 'Oluwaseyi \u{1F638}\u{FE0F} has an appointment on 2022-02-28. Please call to remind!',
      assigneeIdentifier: 'dbf184ad28a1408bbed184fc8fd2b029',
      teamIdentifier: KIT_TEAM_IDENTIFIER,
      // arrow.get('2022-02-28T05:20:00Z').shift(days=-3).isoformat()
      due: '2022-02-25T05:20:00+00:00',
      created: '2022-02-20T10:00:00+00:00',
      labels: ['Urgent'],
    });
  });

  it('a creation shorthand (id as text) over patient_has_appointments finds appointment 9', async () => {
    const patient = await loadPatientFixture(join(KIT, 'patient_has_appointments'));
    const change = parseChangeShorthand('appointment:created:9', patient.patient.key);
    const task = protocolFor(patient, change).taskInput();
    expect(task?.due).toBe('2022-02-18T20:30:00+00:00');
    expect(task?.createdByKey).toBe('dbf184ad28a1408bbed184fc8fd2b029');
    expect(task?.title).toContain('has an appointment on 2022-02-21.');
  });

  it('sends nothing for a patient without appointments, an update, or a scheduled run', async () => {
    const none = await loadPatientFixture(join(KIT, 'no_details_patient'));
    expect(protocolFor(none, createdAppointment(none)).taskInput()).toBeUndefined();
    const patient = await loadPatientFixture(join(KIT, 'full_detailed_patient'));
    const updated = parseChangeShorthand('appointment:updated:14', patient.patient.key);
    expect(protocolFor(patient, updated).taskInput()).toBeUndefined();
    expect(protocolFor(patient, null).taskInput()).toBeUndefined();
    expect(protocolFor(patient, createdAppointment(patient, 999)).taskInput()).toBeUndefined();
  });

  it('is computed only for appointment changes', async () => {
    const patient = await loadPatientFixture(join(KIT, 'full_detailed_patient'));
    const [run] = computeProtocols({
      protocols: [AppointmentTaskCreator],
      patient,
      change: parseChangeShorthand('patient:updated:1', patient.patient.key),
      now: NOW,
    });
    expect(run?.status).toBe('not_relevant');
    expect(run?.updates).toEqual([]);
  });
});

describe('AppointmentTaskCreator over a fixture of its own (offsets, microseconds)', () => {
  it('keeps the appointment’s offset and microseconds in due, and now’s in created', async () => {
    const patient = await loadPatientFixture(OWN);
    const change = await loadChangeEvent(OWN_CHANGE, patient.patient.key);
    const task = protocolFor(patient, change).taskInput();
    expect(task?.due).toBe('2024-02-27T08:15:30.250000+05:30');
    expect(task?.created).toBe('2024-02-20T10:00:00.123000+00:00');
    expect(task?.title).toBe('Synthetic has an appointment on 2024-03-01. Please call to remind!');
    expect(task?.createdByKey).toBe('fixture-staff-0007');
  });

  it('sends nothing when the appointment’s note names no provider', async () => {
    const patient = await loadPatientFixture(OWN);
    const change = parseChangeShorthand('appointment:created:2002', patient.patient.key);
    expect(protocolFor(patient, change).taskInput()).toBeUndefined();
  });

  it('takes the team from the TEAM_IDENTIFIER setting when the deployment sets one', async () => {
    const patient = await loadPatientFixture(OWN);
    const change = await loadChangeEvent(OWN_CHANGE, patient.patient.key);
    const settings = new ProtocolSettings({ TEAM_IDENTIFIER: 'team-from-settings' });
    expect(protocolFor(patient, change, NOW, settings).taskInput()?.teamIdentifier).toBe(
      'team-from-settings',
    );
  });
});

/** Whether the Task schema takes the kit's `.isoformat()` datetimes (issue 10's datetimes). */
function kitDatetimesAccepted(): boolean {
  try {
    createTaskPayload({ patientKey: 'p', createdByKey: 's', due: '2024-01-01T00:00:00+00:00' });
    return true;
  } catch {
    return false;
  }
}

describe('AppointmentTaskCreator run', () => {
  it('sends the kit’s Task body, or, until the Task schema takes offsets, fails naming due and created', async () => {
    const patient = await loadPatientFixture(OWN);
    const change = await loadChangeEvent(OWN_CHANGE, patient.patient.key);
    const [run] = computeProtocols({
      protocols: [AppointmentTaskCreator],
      patient,
      change,
      now: NOW,
    });
    if (kitDatetimesAccepted()) {
      expect(run?.status).toBe('computed');
      expect(run?.result?.narratives).toEqual(['successfully created task']);
      expect(JSON.stringify(run?.updates)).toBe(
        JSON.stringify([
          {
            integration_type: 'Task',
            integration_source: 'SDK',
            handling_options: { respond_async: true },
            patient_identifier: {
              identifier_type: 'key',
              identifier: { key: 'fixture-patient-0007' },
            },
            integration_payload: {
              creator: { identifier_type: 'key', identifier: { key: 'fixture-staff-0007' } },
              status: 'OPEN',
              title: 'Synthetic has an appointment on 2024-03-01. Please call to remind!',
              team_identifier: KIT_TEAM_IDENTIFIER,
              created: '2024-02-20T10:00:00.123000+00:00',
              due: '2024-02-27T08:15:30.250000+05:30',
              labels: ['Urgent'],
              assignee: { identifier_type: 'key', identifier: { key: 'fixture-staff-0007' } },
            },
          },
        ]),
      );
    } else {
      expect(run?.status).toBe('failed');
      expect(run?.error?.code).toBe('invalid-update');
      expect(run?.error?.message).toMatch(/created: .*; due: /);
    }
  });
});
