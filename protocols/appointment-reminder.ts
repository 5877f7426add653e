import {
  type Appointment,
  changeConcerns,
  createTaskPayload,
  isCreation,
  newFieldValue,
  Protocol,
  type ProtocolMeta,
  ProtocolResult,
  shiftWallClock,
  toInstant,
  updateTaskPayload,
  wallClockDate,
} from '../lib';

/** Days before the appointment the reminder task is due. */
export const REMINDER_DAYS_BEFORE = 3;
export const REMINDER_LABEL = 'Urgent';

/** Appointments that no longer take place get no reminder. */
const NOT_TAKING_PLACE: readonly Appointment['status'][] = ['cancelled', 'noshowed'];

/** The reminder task's dedupe key: one task per appointment, found again to close it. */
export function reminderDedupeKey(appointmentId: string | number): string {
  return `appointment-reminder:${appointmentId}`;
}

/**
 * When an appointment is created, creates a task for its provider, due three days before it.
 * The task's dedupe key is per appointment, so a recomputation never makes a second one. When the
 * appointment is cancelled or deleted, closes that task (a `TaskUpdate` found by the same key).
 *
 * The status stays `not_applicable` whether or not a task is sent, as in the kit's
 * `AppointmentTaskCreator`: the protocol only notifies, it has nothing to show on the chart.
 */
export class AppointmentReminder extends Protocol {
  static readonly meta: ProtocolMeta = {
    key: 'appointment-reminder',
    title: 'Appointment reminder',
    version: '1.0.0',
    description:
      'When an appointment is created, creates a reminder task for its provider; closes it when the appointment is cancelled or deleted.',
    types: ['Task', 'TaskUpdate'],
    computeOnChangeTypes: ['appointment'],
    notificationOnly: true,
  };

  computeResults(): ProtocolResult {
    const result = new ProtocolResult();
    const ended = this.endedAppointmentId();
    if (ended !== undefined) {
      this.setUpdates([
        updateTaskPayload({
          patientKey: this.patient.patient.key,
          dedupeKey: reminderDedupeKey(ended),
          status: 'CLOSED',
        }),
      ]);
      result.addNarrative(`Reminder task closed for appointment ${ended}.`);
      return result;
    }
    const appointment = this.createdAppointment();
    if (!appointment) return result;

    this.setUpdates([
      createTaskPayload({
        patientKey: this.patient.patient.key,
        createdByKey: appointment.providerKey,
        assigneeIdentifier: appointment.providerKey,
        title: `Appointment reminder for ${wallClockDate(appointment.startTime)}`,
        due: shiftWallClock(appointment.startTime, -REMINDER_DAYS_BEFORE),
        labels: [REMINDER_LABEL],
        dedupeKey: reminderDedupeKey(appointment.id),
      }),
    ]);
    result.addNarrative(`Reminder task sent for appointment ${appointment.id}.`);
    return result;
  }

  /** The appointment the triggering change created, if it still takes place in the future. */
  private createdAppointment(): Appointment | undefined {
    if (!isCreation(this.fieldChanges, 'appointment')) return undefined;
    const appointment = this.patient.appointments.find((a) =>
      changeConcerns(this.fieldChanges, a.id),
    );
    if (!appointment || NOT_TAKING_PLACE.includes(appointment.status)) return undefined;
    if (toInstant(appointment.startTime) <= this.now) return undefined;
    return appointment;
  }

  /**
   * The id of the appointment the triggering change cancelled (its `status` became `cancelled`)
   * or deleted. The id is the record's as the patient data has it (the one the reminder's dedupe
   * key used), else the change's own id (a deleted record may be gone from the data).
   */
  private endedAppointmentId(): string | number | undefined {
    const change = this.fieldChanges;
    if (change?.model_name !== 'appointment' || change.created) return undefined;
    const cancelled = newFieldValue(change, 'status') === 'cancelled';
    if (!change.deleted && !cancelled) return undefined;
    const appointment = this.patient.appointments.find((a) => changeConcerns(change, a.id));
    return appointment?.id ?? change.canvas_id ?? change.external_id ?? undefined;
  }
}
