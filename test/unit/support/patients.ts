import { type ChangeEvent, type Patient, type PatientInput, PatientSchema } from '../../../lib';

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

/** A change event for the synthetic patient. */
export function syntheticChange(overrides: Partial<ChangeEvent> = {}): ChangeEvent {
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
