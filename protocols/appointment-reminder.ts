import {
  type Appointment,
  changeConcerns,
  createTaskPayload,
  isCreation,
  Protocol,
  type ProtocolMeta,
  ProtocolResult,
  shiftWallClock,
  toInstant,
  wallClockDate,
} from '../lib';

/** Days before the appointment the reminder task is due. */
export const REMINDER_DAYS_BEFORE = 3;
export const REMINDER_LABEL = 'Urgent';

/** Appointments that no longer take place get no reminder. */
const NOT_TAKING_PLACE: readonly Appointment['status'][] = ['cancelled', 'noshowed'];

/**
 * When an appointment is created, creates a task for its provider, due three days before it.
 * The task's dedupe key is per appointment, so a recomputation never makes a second one.
 *
 * The status stays `not_applicable` whether or not a task is sent, as in the kit's
 * `AppointmentTaskCreator`: the protocol only notifies, it has nothing to show on the chart.
 */
export class AppointmentReminder extends Protocol {
  static readonly meta: ProtocolMeta = {
    key: 'appointment-reminder',
    title: 'Appointment reminder',
    version: '1.0.0',
    description: 'When an appointment is created, creates a reminder task for its provider.',
    types: ['Task'],
    computeOnChangeTypes: ['appointment'],
    notificationOnly: true,
  };

  computeResults(): ProtocolResult {
    const result = new ProtocolResult();
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
        dedupeKey: `appointment-reminder:${appointment.id}`,
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
}
