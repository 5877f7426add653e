import {
  arrow,
  type CreateTaskInput,
  createTaskPayload,
  Protocol,
  type ProtocolMeta,
  ProtocolResult,
  STATUS_NOT_APPLICABLE,
} from '../../lib';

/**
 * A TypeScript port of the kit's example `appointment_task_creator.py`
 * (canvas-medical/open-source-sdk, canvas_workflow_helpers/protocols/): when an appointment is
 * created, a task for its provider, for the team that calls patients, to call the patient three
 * days before. Walked through in docs/writing-protocols.md.
 *
 * Not registered in protocols/index.ts: like the kit's, it names one deployment's team. The team
 * comes from the `TEAM_IDENTIFIER` setting when the deployment sets one (`this.settings`), else it
 * is the kit's hard-coded id, so the dry run over a kit dump sends what the kit sends.
 */

/** The kit's hard-coded team (the one that calls patients); found by FHIR Group search. */
export const KIT_TEAM_IDENTIFIER = '0564c236-9ebe-43e2-8f21-c8e28f6d60c3';

export class AppointmentTaskCreator extends Protocol {
  static readonly meta: ProtocolMeta = {
    key: 'kit-appointment-task-creator',
    title: 'Appointment Task Creator',
    version: 'v1.0.0',
    description: 'Listens for appointment creates and generates a task.',
    types: ['Task'],
    computeOnChangeTypes: ['appointment'],
  };

  /** The triggering change's appointment id when it created an appointment (`canvas_id`). */
  private newlyCreatedAppointmentId(): string | number | undefined {
    const change = this.fieldChanges;
    // The kit reads the model name itself: a note state change of an appointment is no creation.
    if (change?.model_name !== 'appointment' || !change.created) return undefined;
    return change.canvas_id ?? undefined;
  }

  /** The deployment's `TEAM_IDENTIFIER` setting, else the kit's hard-coded team. */
  private teamIdentifier(): string {
    return this.settings.string('TEAM_IDENTIFIER', KIT_TEAM_IDENTIFIER);
  }

  /**
   * The task the kit would create for the triggering change, as `createTaskPayload` arguments, or
   * undefined: not an appointment creation, the appointment not among the upcoming ones, or no
   * provider on its note or no start time (the kit sends nothing then either).
   */
  taskInput(): CreateTaskInput | undefined {
    const appointmentId = this.newlyCreatedAppointmentId();
    if (appointmentId === undefined) return undefined;

    // The kit's get_record: the first record whose field equals the id, else nothing.
    const appointment = this.patient.upcomingAppointments.filter({ id: appointmentId }).first();
    const note = this.patient.upcomingAppointmentNotes
      .filter({ currentAppointmentId: appointmentId })
      .first();
    if (!appointment) return undefined;

    const providerKey = note?.providerDisplay?.key;
    const startTime = appointment.startTime;
    if (!providerKey || !startTime) return undefined;

    const start = arrow(startTime);
    const appointmentDay = start.format('YYYY-MM-DD');
    return {
      patientKey: this.patient.patient.key,
      createdByKey: providerKey,
      status: 'OPEN',
      title: `${this.patient.firstName} has an appointment on ${appointmentDay}. Please call to remind!`,
      assigneeIdentifier: providerKey,
      teamIdentifier: this.teamIdentifier(),
      // arrow.get(start).shift(days=-3).isoformat(): the appointment's own offset, `+00:00` not Z.
      due: start.shift({ days: -3 }).isoformat(),
      // The kit writes arrow.now().isoformat(); here the injected now, so a run is reproducible.
      created: this.arrowNow.isoformat(),
      labels: ['Urgent'],
    };
  }

  computeResults(): ProtocolResult {
    const result = new ProtocolResult();
    result.status = STATUS_NOT_APPLICABLE;
    const task = this.taskInput();
    if (task) {
      this.setUpdates([createTaskPayload(task)]);
      result.addNarrative('successfully created task');
    }
    return result;
  }
}
