import { join } from 'node:path';
import {
  ConditionSchema,
  computeProtocols,
  ensurePatientInGroup,
  ensurePatientNotInGroup,
  loadPatientFixture,
  parseChangeShorthand,
} from '../../../lib';
import {
  DIABETES_CARE_GROUP_ID,
  DiabetesCareGroup,
  isActiveDiabetes,
} from '../../../protocols/diabetes-care-group';
import { syntheticPatient } from '../support/patients';

const FIXTURES = join(__dirname, '../../../fixtures/patients');
/** The kit's own dumps (canvas-medical/open-source-sdk), beside the clone as in CI. */
const KIT = join(__dirname, '../../../..', 'shared', 'kit-fixtures');
const NOW = '2024-02-01T12:00:00Z';

describe('DiabetesCareGroup', () => {
  it('ensures a patient with active diabetes is in the group', async () => {
    const patient = await loadPatientFixture(join(FIXTURES, 'diabetic-with-appointment'));

    const [run] = computeProtocols({ protocols: [DiabetesCareGroup], patient, now: NOW });

    expect(run?.result?.status).toBe('satisfied');
    expect(run?.updates).toEqual([
      ensurePatientInGroup('fixture-patient-0001', DIABETES_CARE_GROUP_ID),
    ]);
  });

  it.each([
    ['resolved-diabetes-cancelled-appointment', 'fixture-patient-0002'],
    ['no-conditions', 'fixture-patient-0003'],
  ])('ensures the patient of %s is not in the group', async (fixture, key) => {
    const patient = await loadPatientFixture(join(FIXTURES, fixture));

    const [run] = computeProtocols({ protocols: [DiabetesCareGroup], patient, now: NOW });

    expect(run?.result?.status).toBe('not_applicable');
    expect(run?.updates).toEqual([ensurePatientNotInGroup(key, DIABETES_CARE_GROUP_ID)]);
  });

  it('recomputes on a condition change and ignores an appointment change', async () => {
    const patient = await loadPatientFixture(
      join(FIXTURES, 'resolved-diabetes-cancelled-appointment'),
    );
    const key = patient.patient.key;

    const [onCondition] = computeProtocols({
      protocols: [DiabetesCareGroup],
      patient,
      change: parseChangeShorthand('condition:updated:cond-0101', key),
      now: NOW,
    });
    const [onAppointment] = computeProtocols({
      protocols: [DiabetesCareGroup],
      patient,
      change: parseChangeShorthand('appointment:created:1202', key),
      now: NOW,
    });

    expect(onCondition?.status).toBe('computed');
    expect(onAppointment?.status).toBe('not_relevant');
    expect(onAppointment?.updates).toEqual([]);
  });

  it.each(['full_detailed_patient', 'no_details_patient', 'patient_has_appointments'])(
    "ensures the patient of the kit's dump %s is not in the group (no diabetes)",
    async (name) => {
      const patient = await loadPatientFixture(join(KIT, name));

      const [run] = computeProtocols({ protocols: [DiabetesCareGroup], patient, now: NOW });

      expect(run?.updates).toEqual([
        ensurePatientNotInGroup(patient.patient.key, DIABETES_CARE_GROUP_ID),
      ]);
    },
  );

  it('reads a Canvas condition as dumped: coding beside fields it does not use', () => {
    const patient = syntheticPatient({
      conditions: [
        {
          id: 3,
          noteTimestamp: '2022-02-16 23:17:37.082929+00:00',
          clinicalStatus: 'active',
          committer: null,
          coding: [
            {
              id: 7,
              system: 'ICD-10',
              version: '',
              code: 'E1165',
              display: 'T2DM w hyperglycemia',
            },
          ],
          lastTimestamps: { assessed: null, billed: null, assessedAndBilled: null },
          periods: [{ from: '2019-01-01', to: null }],
        },
      ],
    });

    const [run] = computeProtocols({ protocols: [DiabetesCareGroup], patient, now: NOW });

    expect(run?.updates).toEqual([
      ensurePatientInGroup('test-patient-0001', DIABETES_CARE_GROUP_ID),
    ]);
  });

  it('uses a UUID group id', () => {
    expect(DIABETES_CARE_GROUP_ID).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
  });
});

describe('isActiveDiabetes', () => {
  const condition = (system: string, code: string, clinicalStatus = 'active') =>
    ConditionSchema.parse({ id: 1, coding: [{ system, code }], clinicalStatus });

  it.each([
    ['ICD-10', 'E11.9', 'active', true],
    ['ICD-10', 'E119', 'active', true],
    ['ICD-10', 'E109', 'relapse', true],
    ['ICD-10', 'E13.65', 'recurrence', true],
    ['http://snomed.info/sct', '44054006', 'active', true],
    ['ICD-10', 'E11.9', 'resolved', false],
    ['ICD-10', 'E11.9', 'remission', false],
    ['ICD-10', 'E66.9', 'active', false],
    ['http://snomed.info/sct', 'E11.9', 'active', false],
  ])('%s %s %s: %s', (system, code, status, expected) => {
    expect(isActiveDiabetes(condition(system, code, status))).toBe(expected);
  });
});
