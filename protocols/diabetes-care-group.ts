import {
  type Condition,
  ensurePatientInGroup,
  ensurePatientNotInGroup,
  Protocol,
  type ProtocolMeta,
  ProtocolResult,
  STATUS_NOT_APPLICABLE,
  STATUS_SATISFIED,
} from '../lib';

/** The "Diabetes care" patient group (created by staff; found by group search). */
export const DIABETES_CARE_GROUP_ID = '5f0c4a52-3c1e-4b8e-9d3a-2f6b1e0d9a11';

/** ICD-10 diabetes mellitus categories: type 1, type 2, other specified. */
const DIABETES_ICD10 = /^E(10|11|13)/;
/** SNOMED CT: diabetes mellitus, type 1, type 2. */
const DIABETES_SNOMED = new Set(['73211009', '46635009', '44054006']);
const SNOMED_SYSTEM = 'http://snomed.info/sct';

/** Clinical statuses of a condition the patient has now. */
const ACTIVE: readonly string[] = ['active', 'recurrence', 'relapse'];

export function isActiveDiabetes(condition: Condition): boolean {
  if (!ACTIVE.includes(condition.clinicalStatus)) return false;
  // `coding` as Canvas sends it: ICD-10 written `E119` or `E11.9`, SNOMED CT by its URI.
  return condition.coding.some(
    (coding) =>
      (coding.system === 'ICD-10' && DIABETES_ICD10.test(coding.code.replace('.', ''))) ||
      (coding.system === SNOMED_SYSTEM && DIABETES_SNOMED.has(coding.code)),
  );
}

/**
 * Keeps the diabetes care group in step with the conditions list: a patient with an active
 * diabetes condition is ensured a member, any other patient is ensured not a member. Both updates
 * are idempotent, so sending one on every computation is safe.
 */
export class DiabetesCareGroup extends Protocol {
  static readonly meta: ProtocolMeta = {
    key: 'diabetes-care-group',
    title: 'Diabetes care group',
    version: '1.0.0',
    description:
      'Patients with an active diabetes condition are members of the diabetes care group.',
    types: ['Group'],
    computeOnChangeTypes: ['condition', 'patient'],
    notificationOnly: true,
  };

  computeResults(): ProtocolResult {
    const result = new ProtocolResult();
    const patientKey = this.patient.patient.key;
    if (this.patient.conditions.some(isActiveDiabetes)) {
      this.setUpdates([ensurePatientInGroup(patientKey, DIABETES_CARE_GROUP_ID)]);
      result.status = STATUS_SATISFIED;
      result.addNarrative('Active diabetes condition: ensured in the diabetes care group.');
    } else {
      this.setUpdates([ensurePatientNotInGroup(patientKey, DIABETES_CARE_GROUP_ID)]);
      result.status = STATUS_NOT_APPLICABLE;
      result.addNarrative('No active diabetes condition: ensured not in the diabetes care group.');
    }
    return result;
  }
}
