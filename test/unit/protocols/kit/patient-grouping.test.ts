import {
  PATIENT_GROUPING_GROUP_ID,
  PatientGrouping,
} from '../../../../protocols/kit/patient-grouping';
import {
  bodies,
  fieldChanges,
  KIT_PATIENTS,
  kitPatient,
  ownChange,
  ownPatient,
  runPort,
} from './kit-ports-support';

const NOW = '2024-06-03T14:05:09Z';

/** The kit's `ensure_patient_in_group` / `ensure_patient_not_in_group` bodies, in its key order. */
function groupBody(patientKey: string, groupId: string, inactive: boolean): string {
  const entry = inactive ? `{"uuid":"${patientKey}","inactive":true}` : `{"uuid":"${patientKey}"}`;
  return `{"integration_type":"Group","integration_source":"SDK","handling_options":{"respond_async":true},"integration_payload":{"externally_exposable_id":"${groupId}","group_type":"patientgroup","members":{"mode":"appendOrRemove","entries":[${entry}]}}}`;
}

describe('PatientGrouping (kit patient_grouping.py)', () => {
  it.each(KIT_PATIENTS)('puts the kit dump %s (no consents) in the opt-out group', async (name) => {
    const patient = await kitPatient(name);

    const run = runPort(PatientGrouping, patient, { now: NOW });

    expect(run.status).toBe('computed');
    expect(run.result).toMatchObject({ status: 'not_applicable', narratives: [] });
    expect(bodies(run)).toEqual([groupBody(patient.patient.key, PATIENT_GROUPING_GROUP_ID, false)]);
  });

  it('takes the patient out of the group when the opt-out consent is rejected', async () => {
    const patient = await ownPatient('consent-opted-out');

    const run = runPort(PatientGrouping, patient, {
      change: ownChange('consent-opt-out-rejected', patient),
      now: NOW,
    });

    expect(run.status).toBe('computed');
    expect(run.result?.status).toBe('not_applicable');
    expect(bodies(run)).toEqual([
      '{"integration_type":"Group","integration_source":"SDK","handling_options":{"respond_async":true},"integration_payload":{"externally_exposable_id":"00000000-0000-0000-0000-000000000000","group_type":"patientgroup","members":{"mode":"appendOrRemove","entries":[{"uuid":"kit-port-patient-0001","inactive":true}]}}}',
    ]);
  });

  it('reads only the first consent with the opt-out code, in the order the data lists them', async () => {
    // B0002 rejected (another code), then A0001 accepted, then A0001 rejected: the kit's
    // `consents[0]` is the accepted one, so the patient stays in the group.
    const patient = await ownPatient('consent-accepted');

    const run = runPort(PatientGrouping, patient, {
      change: fieldChanges(patient, {
        model_name: 'consent',
        created: true,
        deleted: false,
        fields: { state: [null, 'rejected'] },
        canvas_id: 23,
      }),
      now: NOW,
    });

    expect(bodies(run)).toEqual([
      groupBody('kit-port-patient-0002', PATIENT_GROUPING_GROUP_ID, false),
    ]);
  });

  it('reads the group id and the consent code from the settings', async () => {
    const patient = await ownPatient('consent-accepted');
    const settings = {
      PATIENT_GROUPING_GROUP_ID: '5b1c2d3e-0000-4000-8000-00000000abcd',
      PATIENT_GROUPING_CONSENT_CODE: 'B0002',
    };

    const run = runPort(PatientGrouping, patient, { now: NOW, settings });

    expect(bodies(run)).toEqual([
      groupBody('kit-port-patient-0002', '5b1c2d3e-0000-4000-8000-00000000abcd', true),
    ]);
  });

  it('fails naming the setting when one is set but empty', async () => {
    const patient = await ownPatient('consent-accepted');

    const run = runPort(PatientGrouping, patient, {
      now: NOW,
      settings: { PATIENT_GROUPING_GROUP_ID: '' },
    });

    expect(run.status).toBe('failed');
    expect(run.updates).toEqual([]);
    expect(run.error).toEqual({
      code: 'invalid-settings',
      message: 'settings.PATIENT_GROUPING_GROUP_ID: must be a non-empty string',
    });
  });

  it('is not relevant to a change of another type', async () => {
    const patient = await ownPatient('consent-opted-out');

    const run = runPort(PatientGrouping, patient, {
      change: ownChange('patient-care-team-updated', patient),
      now: NOW,
    });

    expect(run.status).toBe('not_relevant');
    expect(run.updates).toEqual([]);
  });
});
