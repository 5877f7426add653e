import type { PatientInput } from '../../schemas';

/** An upcoming appointment as a test describes it; Canvas spreads it over two records. */
export interface TestAppointment {
  id: number | string;
  startTime: string;
  /** The provider's staff key: on the appointment's note, `providerDisplay.key`. */
  providerKey: string;
  /** The appointment's status (`confirmed`, `cancelled`, ...). */
  status?: string;
  /** Its note's latest state (`BKD`, `CLD`, `NSW`, ...). */
  state?: string;
}

/**
 * `patient` with these upcoming appointments, in Canvas's dump shape: each appointment in
 * `upcomingAppointments`, and its note (the provider's `providerDisplay.key`, the state history)
 * in `upcomingAppointmentNotes`, paired by `currentAppointmentId`.
 */
export function withUpcomingAppointments(
  patient: PatientInput,
  appointments: readonly TestAppointment[],
): PatientInput {
  return {
    ...patient,
    upcomingAppointments: appointments.map((a) => ({
      id: a.id,
      startTime: a.startTime,
      durationMinutes: 20,
      status: a.status ?? 'confirmed',
      state: { state: a.state ?? 'BKD' },
    })),
    upcomingAppointmentNotes: appointments.map((a, i) => ({
      id: `note-${i + 1}`,
      isLocked: false,
      stateHistory: [{ state: 'SCH' }, { state: a.state ?? 'BKD' }],
      providerDisplay: { key: a.providerKey },
      appointments: [a.id],
      currentAppointmentId: a.id,
    })),
  };
}
