import {
  changeConcerns,
  createTaskPayload,
  formatKitDateTime,
  isCreation,
  isoTimestamp,
  newFieldValue,
  Protocol,
  type ProtocolMeta,
  ProtocolResult,
  shiftWallClock,
  toInstant,
  type UpcomingAppointment,
  type Update,
  updateTaskPayload,
  type WallClockAndInstant,
  wallClockAndInstant,
  wallClockDate,
} from '../lib';

/** Days before the appointment the reminder task is due. */
export const REMINDER_DAYS_BEFORE = 3;
export const REMINDER_LABEL = 'Urgent';

/** Appointment statuses of appointments that no longer take place: they get no reminder. */
const NOT_TAKING_PLACE: readonly string[] = ['cancelled', 'noshowed'];
/** Note states (Canvas's codes) of appointments that no longer take place: cancelled, no-showed. */
const NOTE_NOT_TAKING_PLACE: readonly string[] = ['CLD', 'NSW'];

/**
 * An upcoming appointment as the reminder reads it: the appointment, its start as an ISO
 * datetime, and its provider's staff key (from the appointment's note, `providerDisplay.key`).
 */
interface Reminded {
  id: UpcomingAppointment['id'];
  startTime: string;
  providerKey: string;
  /** `startTime` read once, when in a form read by hand (lib/protocol/datetime.ts). */
  clock: WallClockAndInstant | undefined;
}

/** Days in milliseconds. */
const DAY_MS = 86_400_000;

/** The record's offset: its wall clock read as UTC minus its instant, in whole minutes. */
function wholeMinuteOffsetMs(clock: WallClockAndInstant): number {
  return Math.round((clock.wallMs - clock.instantMs) / 60_000) * 60_000;
}

/** The reminder task's dedupe key: one task per appointment, found again to close it. */
export function reminderDedupeKey(appointmentId: string | number): string {
  return `appointment-reminder:${appointmentId}`;
}

/**
 * `now` on the appointment's own wall clock, as a kit datetime (`YYYY-MM-DDThh:mm:ss`), so it
 * compares with a due date computed by `shiftWallClock` from the same start time.
 */
export function nowOnWallClockOf(startTime: string, now: Date): string {
  const clock = wallClockAndInstant(startTime);
  // The record's offset: its wall-clock time read as UTC, minus the instant it denotes. Rounded
  // to whole minutes because the wall clock drops fractional seconds (offsets are whole minutes).
  // Read once by hand when the form allows (the same two readings), else as written out here.
  const offsetMs = clock
    ? clock.wallMs - clock.instantMs
    : toInstant(shiftWallClock(startTime, 0)).getTime() - toInstant(startTime).getTime();
  const wholeMinutes = Math.round(offsetMs / 60_000) * 60_000;
  return formatKitDateTime(new Date(now.getTime() + wholeMinutes));
}

/**
 * Reminds an appointment's provider with a task, due three days before the appointment (or now,
 * when the appointment is closer than that: a task is never created overdue).
 *
 * - On a change that creates an appointment: a task for that appointment.
 * - On a scheduled recomputation (no change): a task for every appointment that still takes place
 *   and has not started. The dedupe key is per appointment and the Task applier creates a task
 *   once per key, so repeated runs are no-ops; they only catch up on a creation whose change event
 *   was lost.
 * - On a change that moves an appointment (`start_time`): a `TaskUpdate` with the new title and
 *   due date, plus the Task in case its creation was missed.
 * - On a change that cancels or deletes an appointment: closes its task (a `TaskUpdate` found by
 *   the same key). Any other appointment change sends nothing.
 *
 * It reads the patient's `upcomingAppointments` (start time, `status`, the note's `state`) and
 * `upcomingAppointmentNotes` (the provider's staff key, `providerDisplay.key`, on the note whose
 * `currentAppointmentId` is the appointment), as the kit's dumps hold them. An appointment whose
 * status is cancelled or no-showed, or whose note is (`CLD`, `NSW`), no longer takes place.
 *
 * The status stays `not_applicable` whether or not a task is sent, as in the kit's
 * `AppointmentTaskCreator`: the protocol only notifies, it has nothing to show on the chart.
 */
export class AppointmentReminder extends Protocol {
  static readonly meta: ProtocolMeta = {
    key: 'appointment-reminder',
    title: 'Appointment reminder',
    version: '1.2.0',
    description:
      'A reminder task for the provider of each upcoming appointment (on its creation, and on scheduled recomputations, once per appointment); moves it when the appointment is rescheduled, closes it when the appointment is cancelled or deleted.',
    types: ['Task', 'TaskUpdate'],
    computeOnChangeTypes: ['appointment'],
    notificationOnly: true,
  };

  computeResults(): ProtocolResult {
    const result = new ProtocolResult();
    if (this.fieldChanges === null) {
      this.setUpdates(this.upcomingAppointments(result).map((a) => this.reminderTask(a, result)));
      return result;
    }
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
    const rescheduled = this.rescheduledAppointment();
    if (rescheduled) {
      // The task is created once, so its creation alone would keep the old date: a TaskUpdate
      // moves it. The Task is sent too, in case the creation's change event was lost (a no-op
      // otherwise); the TaskUpdate waits for it on its queue's unknown-task grace.
      const task = this.reminderTask(rescheduled, result);
      const { title, due } = this.reminderSchedule(rescheduled);
      this.setUpdates([
        task,
        updateTaskPayload({
          patientKey: this.patient.patient.key,
          dedupeKey: reminderDedupeKey(rescheduled.id),
          title,
          due,
        }),
      ]);
      result.addNarrative(`Reminder task moved for appointment ${rescheduled.id}, due ${due}.`);
      return result;
    }
    const appointment = this.createdAppointment(result);
    if (appointment) this.setUpdates([this.reminderTask(appointment, result)]);
    return result;
  }

  /**
   * The reminder's title and due date: 3 days before the appointment, or now when it is sooner
   * than that (a task is never created overdue). With `result`, a narrative says when it is now.
   */
  private reminderSchedule(appointment: Reminded, result?: ProtocolResult) {
    const { clock } = appointment;
    // With the start read once (clock): what shiftWallClock and nowOnWallClockOf compute.
    const dueBeforeIt = clock
      ? formatKitDateTime(new Date(clock.wallMs - REMINDER_DAYS_BEFORE * DAY_MS))
      : shiftWallClock(appointment.startTime, -REMINDER_DAYS_BEFORE);
    const now = clock
      ? formatKitDateTime(new Date(this.now.getTime() + wholeMinuteOffsetMs(clock)))
      : nowOnWallClockOf(appointment.startTime, this.now);
    // Both are kit datetimes on the same wall clock, so they compare as strings.
    const broughtForward = dueBeforeIt < now;
    const due = broughtForward ? now : dueBeforeIt;
    if (broughtForward) {
      result?.addNarrative(
        `Reminder for appointment ${appointment.id} due now (${due}), not ${REMINDER_DAYS_BEFORE} days before: the appointment is sooner than that.`,
      );
    }
    return { title: `Appointment reminder for ${wallClockDate(appointment.startTime)}`, due };
  }

  /** The Task for one appointment; the same payload (and dedupe key) from every path. */
  private reminderTask(appointment: Reminded, result: ProtocolResult): Update {
    result.addNarrative(`Reminder task sent for appointment ${appointment.id}.`);
    const { title, due } = this.reminderSchedule(appointment, result);
    return createTaskPayload({
      patientKey: this.patient.patient.key,
      createdByKey: appointment.providerKey,
      assigneeIdentifier: appointment.providerKey,
      title,
      due,
      labels: [REMINDER_LABEL],
      dedupeKey: reminderDedupeKey(appointment.id),
    });
  }

  /**
   * The appointment the triggering change moved (an update of its `start_time`), if it still
   * takes place in the future.
   */
  private rescheduledAppointment(): Reminded | undefined {
    const change = this.fieldChanges;
    if (change?.model_name !== 'appointment' || change.created || change.deleted) return undefined;
    if (newFieldValue(change, 'start_time') === undefined) return undefined;
    const appointment = this.changedAppointment();
    return appointment && this.isUpcoming(appointment) ? this.reminded(appointment) : undefined;
  }

  /**
   * The upcoming appointment the triggering change is about, as the patient data has it: by
   * Canvas id (`canvas_id`) or by `externallyExposableId` (`external_id`).
   */
  private changedAppointment(): UpcomingAppointment | undefined {
    const change = this.fieldChanges;
    return this.patient.upcomingAppointments
      .filter(
        (a) =>
          changeConcerns(change, a.id) ||
          (typeof a.externallyExposableId === 'string' &&
            a.externallyExposableId !== '' &&
            changeConcerns(change, a.externallyExposableId)),
      )
      .first();
  }

  /** Each appointment id's provider key: from the first note whose current appointment it is. */
  #providerKeys: Map<string, string | undefined> | undefined;

  /** The staff key of the appointment's provider: on the note whose current appointment it is. */
  private providerKeyOf(appointment: UpcomingAppointment): string | undefined {
    if (!this.#providerKeys) {
      // One pass over the notes per computation, not one per appointment; the first note for an
      // appointment wins, as the first match of a search in list order would.
      const keys = new Map<string, string | undefined>();
      for (const note of this.patient.upcomingAppointmentNotes) {
        const current = note.currentAppointmentId;
        if (current === null || current === undefined) continue;
        const id = String(current);
        if (!keys.has(id)) keys.set(id, note.providerDisplay?.key);
      }
      this.#providerKeys = keys;
    }
    return this.#providerKeys.get(String(appointment.id));
  }

  /** Whether the appointment still takes place (by its status and its note's state). */
  private takesPlace(appointment: UpcomingAppointment): boolean {
    if (appointment.status && NOT_TAKING_PLACE.includes(appointment.status)) return false;
    const state = appointment.state?.state;
    return !(state && NOTE_NOT_TAKING_PLACE.includes(state));
  }

  /** Whether the appointment still takes place and has not started. */
  private isUpcoming(appointment: UpcomingAppointment): boolean {
    if (!this.takesPlace(appointment)) return false;
    const start = isoTimestamp(appointment.startTime);
    return this.startsAfterNow(start, wallClockAndInstant(start));
  }

  /** Whether the start (read once as `clock` when it could be) is after `now`. */
  private startsAfterNow(start: string, clock: WallClockAndInstant | undefined): boolean {
    return clock ? clock.instantMs > this.now.getTime() : toInstant(start) > this.now;
  }

  /** The appointment as reminded, or undefined when its note names no provider to remind. */
  private reminded(
    appointment: UpcomingAppointment,
    result?: ProtocolResult,
    startTime = isoTimestamp(appointment.startTime),
    clock = wallClockAndInstant(startTime),
  ): Reminded | undefined {
    const providerKey = this.providerKeyOf(appointment);
    if (providerKey === undefined) {
      // Ids only: a narrative is shown to staff, and this one also explains the silence.
      result?.addNarrative(
        `Appointment ${appointment.id} has no provider on its note; no reminder sent.`,
      );
      return undefined;
    }
    return { id: appointment.id, startTime, providerKey, clock };
  }

  /**
   * The appointments a scheduled run reminds of. A cancelled one gets nothing, not even a close:
   * the close is sent once, on the cancelling change; sending it on every run would also close
   * tasks that never existed (appointments cancelled before any reminder), each a dead letter of
   * the unknown-task kind.
   */
  private upcomingAppointments(result: ProtocolResult): Reminded[] {
    const reminded: Reminded[] = [];
    for (const appointment of this.patient.upcomingAppointments) {
      // isUpcoming, with the start time read once for everything after it.
      if (!this.takesPlace(appointment)) continue;
      const start = isoTimestamp(appointment.startTime);
      const clock = wallClockAndInstant(start);
      if (!this.startsAfterNow(start, clock)) continue;
      const one = this.reminded(appointment, result, start, clock);
      if (one) reminded.push(one);
    }
    return reminded;
  }

  /** The appointment the triggering change created, if it still takes place in the future. */
  private createdAppointment(result: ProtocolResult): Reminded | undefined {
    const change = this.fieldChanges;
    if (!isCreation(change, 'appointment')) return undefined;
    const appointment = this.changedAppointment();
    if (!appointment) {
      // Ids only: a narrative is shown to staff, and this one also explains the silence.
      result.addNarrative(
        `Appointment ${change?.canvas_id ?? change?.external_id} not found in the patient's appointments; no reminder sent.`,
      );
      return undefined;
    }
    return this.isUpcoming(appointment) ? this.reminded(appointment, result) : undefined;
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
    const appointment = this.changedAppointment();
    return appointment?.id ?? change.canvas_id ?? change.external_id ?? undefined;
  }
}
