import {
  type ChangeEvent,
  type ChangeType,
  type FlatChangeEvent,
  type Patient,
  type PatientInput,
  PatientSchema,
  readChangeMessage,
} from '../../../lib';

/** A synthetic patient; collections default to empty. */
export function syntheticPatient(overrides: Partial<PatientInput> = {}): Patient {
  return PatientSchema.parse({
    patient: {
      key: 'test-patient-0001',
      firstName: 'Synthetic',
      lastName: 'Test',
      birthDate: '1970-01-01',
      sexAtBirth: 'UNK',
    },
    ...overrides,
  });
}

/** A flat changes-queue message for the synthetic patient (`patient_key` beside the kit's keys). */
export function syntheticFlatChange(overrides: Partial<FlatChangeEvent> = {}): FlatChangeEvent {
  return {
    patient_key: 'test-patient-0001',
    model_name: 'appointment',
    created: true,
    deleted: false,
    fields: {},
    canvas_id: 'appt-1',
    external_id: null,
    ...overrides,
  };
}

/**
 * A change event for the synthetic patient, as the runner takes it: the flat message read the way
 * the compute Lambda reads it (change types from the model mapping unless `changeTypes` is given).
 */
export function syntheticChange(
  overrides: Partial<FlatChangeEvent> = {},
  changeTypes?: readonly ChangeType[],
): ChangeEvent {
  const read = readChangeMessage(syntheticFlatChange(overrides), { changeTypes });
  if (!read.ok) throw new Error(`syntheticChange: ${read.reason}: ${read.detail}`);
  return read.change;
}
