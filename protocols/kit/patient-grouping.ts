import {
  ensurePatientInGroup,
  ensurePatientNotInGroup,
  Protocol,
  type ProtocolMeta,
  ProtocolResult,
  STATUS_NOT_APPLICABLE,
} from '../../lib';

/**
 * The kit's `patient_grouping.py` (`PatientGrouping`): an opt-out group. The patient is a member
 * of the group unless their consent with the opt-out code is rejected.
 *
 * Settings (the kit hard-codes both; its values are the defaults):
 * - `PATIENT_GROUPING_GROUP_ID`: the group's `externally_exposable_id`
 *   (kit: `00000000-0000-0000-0000-000000000000`, a placeholder to replace);
 * - `PATIENT_GROUPING_CONSENT_CODE`: the opt-out consent's coding (kit: `A0001`).
 */
export const PATIENT_GROUPING_GROUP_ID = '00000000-0000-0000-0000-000000000000';
export const PATIENT_GROUPING_CONSENT_CODE = 'A0001';

export class PatientGrouping extends Protocol {
  static readonly meta: ProtocolMeta = {
    key: 'kit-patient-grouping',
    title: 'Patient Grouping',
    version: '1.0.0',
    description:
      'Protocol that updates a patients membership in a group depending on a given consent. This particular example is of an opt-out based group membership. ',
    identifiers: ['PatientGrouping'],
    types: ['CQM'],
    computeOnChangeTypes: ['consent'],
  };

  get groupId(): string {
    return this.settings.string('PATIENT_GROUPING_GROUP_ID', PATIENT_GROUPING_GROUP_ID);
  }

  get consentCode(): string {
    return this.settings.string('PATIENT_GROUPING_CONSENT_CODE', PATIENT_GROUPING_CONSENT_CODE);
  }

  /**
   * The kit reads the first consent with the code, in the order the data lists them, and looks
   * at its state only: a later consent with the same code does not count.
   */
  hasOptOut(): boolean {
    const consent = this.patient.consents.filter({ 'category.code': this.consentCode }).first();
    return consent !== undefined && consent.state === 'rejected';
  }

  computeResults(): ProtocolResult {
    const result = new ProtocolResult();
    result.status = STATUS_NOT_APPLICABLE;
    const patientKey = this.patient.patient.key;
    this.setUpdates([
      this.hasOptOut()
        ? ensurePatientNotInGroup(patientKey, this.groupId)
        : ensurePatientInGroup(patientKey, this.groupId),
    ]);
    return result;
  }
}
