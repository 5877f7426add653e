import {
  ensurePatientInGroup,
  ensurePatientNotInGroup,
  Protocol,
  type ProtocolMeta,
  ProtocolResult,
  STATUS_NOT_APPLICABLE,
} from '../../lib';

/**
 * The kit's `patient_grouping_based_on_care_team.py` (`PatientGroupingByCareTeamMember`): the
 * patient is in the group while one of their care team memberships is a given staff member in a
 * given role, and not in it otherwise. As in the kit, a membership's status is not looked at.
 *
 * Settings (the kit hard-codes all three; its values are the defaults):
 * - `CARE_TEAM_GROUP_ID`: the group (kit: `173e8abd-7de1-4324-b5c3-4a02089213a1`);
 * - `CARE_TEAM_STAFF_KEY`: the staff member's key (kit: `e766816672f34a5b866771c773e38f3c`);
 * - `CARE_TEAM_STAFF_ROLE`: the role's code (kit: `Psycho`).
 */
export const CARE_TEAM_GROUP_ID = '173e8abd-7de1-4324-b5c3-4a02089213a1';
export const CARE_TEAM_STAFF_KEY = 'e766816672f34a5b866771c773e38f3c';
export const CARE_TEAM_STAFF_ROLE = 'Psycho';

export class PatientGroupingByCareTeamMember extends Protocol {
  static readonly meta: ProtocolMeta = {
    key: 'kit-patient-grouping-by-care-team-member',
    title: 'Patient Grouping By Care Team Member',
    version: '1.0.0',
    information: '',
    description:
      'Protocol that updates a patients membership in a group depending on a given care. team provider/role ',
    types: [''],
    computeOnChangeTypes: ['patient'],
  };

  hasCareTeamMember(): boolean {
    const staffKey = this.settings.string('CARE_TEAM_STAFF_KEY', CARE_TEAM_STAFF_KEY);
    const role = this.settings.string('CARE_TEAM_STAFF_ROLE', CARE_TEAM_STAFF_ROLE);
    return (this.patient.patient.careTeamMemberships ?? []).some(
      (member) => member.staff?.key === staffKey && member.role?.code === role,
    );
  }

  computeResults(): ProtocolResult {
    const result = new ProtocolResult();
    result.status = STATUS_NOT_APPLICABLE;
    const patientKey = this.patient.patient.key;
    const groupId = this.settings.string('CARE_TEAM_GROUP_ID', CARE_TEAM_GROUP_ID);
    this.setUpdates([
      this.hasCareTeamMember()
        ? ensurePatientInGroup(patientKey, groupId)
        : ensurePatientNotInGroup(patientKey, groupId),
    ]);
    return result;
  }
}
