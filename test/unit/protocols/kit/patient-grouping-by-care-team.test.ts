import {
  CARE_TEAM_GROUP_ID,
  PatientGroupingByCareTeamMember,
} from '../../../../protocols/kit/patient-grouping-by-care-team';
import {
  bodies,
  KIT_PATIENTS,
  kitPatient,
  ownChange,
  ownPatient,
  runPort,
  withPatientRecord,
} from './kit-ports-support';

const NOW = '2024-06-03T14:05:09Z';

function groupBody(patientKey: string, groupId: string, inactive: boolean): string {
  const entry = inactive ? `{"uuid":"${patientKey}","inactive":true}` : `{"uuid":"${patientKey}"}`;
  return `{"integration_type":"Group","integration_source":"SDK","handling_options":{"respond_async":true},"integration_payload":{"externally_exposable_id":"${groupId}","group_type":"patientgroup","members":{"mode":"appendOrRemove","entries":[${entry}]}}}`;
}

describe('PatientGroupingByCareTeamMember (kit patient_grouping_based_on_care_team.py)', () => {
  it.each(KIT_PATIENTS)(
    'keeps the kit dump %s (empty care team) out of the group',
    async (name) => {
      const patient = await kitPatient(name);

      const run = runPort(PatientGroupingByCareTeamMember, patient, { now: NOW });

      expect(run.status).toBe('computed');
      expect(run.result).toMatchObject({ status: 'not_applicable', narratives: [] });
      expect(bodies(run)).toEqual([groupBody(patient.patient.key, CARE_TEAM_GROUP_ID, true)]);
    },
  );

  it('puts a patient whose care team has the staff member in the role in the group', async () => {
    const patient = await ownPatient('care-team-psychologist');

    const run = runPort(PatientGroupingByCareTeamMember, patient, {
      change: ownChange('patient-care-team-updated', patient),
      now: NOW,
    });

    expect(run.status).toBe('computed');
    expect(bodies(run)).toEqual([
      '{"integration_type":"Group","integration_source":"SDK","handling_options":{"respond_async":true},"integration_payload":{"externally_exposable_id":"173e8abd-7de1-4324-b5c3-4a02089213a1","group_type":"patientgroup","members":{"mode":"appendOrRemove","entries":[{"uuid":"kit-port-patient-0003"}]}}}',
    ]);
  });

  it('needs the staff member and the role on one membership', async () => {
    // The staff member in another role, and another staff member in the role.
    const patient = await ownPatient('care-team-other-role');

    const run = runPort(PatientGroupingByCareTeamMember, patient, { now: NOW });

    expect(bodies(run)).toEqual([groupBody('kit-port-patient-0004', CARE_TEAM_GROUP_ID, true)]);
  });

  it('reads the group, staff key and role from the settings', async () => {
    const patient = await ownPatient('care-team-other-role');
    const settings = {
      CARE_TEAM_GROUP_ID: '0f0e0d0c-1111-4222-8333-444455556666',
      CARE_TEAM_STAFF_KEY: 'kitportstaff0002bbbbbbbbbbbbbbbb',
      CARE_TEAM_STAFF_ROLE: 'Psycho',
    };

    const run = runPort(PatientGroupingByCareTeamMember, patient, { now: NOW, settings });

    expect(bodies(run)).toEqual([
      groupBody('kit-port-patient-0004', '0f0e0d0c-1111-4222-8333-444455556666', false),
    ]);
  });

  it('treats a patient record without careTeamMemberships as an empty care team', async () => {
    const patient = withPatientRecord(await ownPatient('care-team-psychologist'), {
      careTeamMemberships: undefined,
    });

    const run = runPort(PatientGroupingByCareTeamMember, patient, { now: NOW });

    expect(bodies(run)).toEqual([groupBody('kit-port-patient-0003', CARE_TEAM_GROUP_ID, true)]);
  });

  it('is not relevant to a consent change', async () => {
    const patient = await ownPatient('care-team-psychologist');

    const run = runPort(PatientGroupingByCareTeamMember, patient, {
      change: ownChange('consent-opt-out-rejected', patient),
      now: NOW,
    });

    expect(run.status).toBe('not_relevant');
    expect(run.updates).toEqual([]);
  });
});
