import { DiabetesScreening } from '../../../../protocols/kit/screening-for-diabetes';
import * as screeningValueSets from '../../../../protocols/value-sets/screening-for-diabetes';
import {
  fieldChanges,
  KIT_PATIENTS,
  kitPatient,
  ownChange,
  ownPatient,
  runPort,
  withPatientRecord,
} from './kit-ports-support';

const NOW = '2024-06-01T12:00:00Z';

const EXCLUDED = "The patient doesn't need a screening for diabetes / prediabetes.";

/** The kit's LabRecommendation(key='a1c_test', ..., title='Order Hemoglobin A1c'). */
const A1C_RECOMMENDATION = {
  key: 'a1c_test',
  rank: 1000,
  button: 'Order',
  title: 'Order Hemoglobin A1c',
  command: {
    type: 'labOrder',
    filter: { coding: [{ system: 'loinc', code: ['4548-4', '4549-2', '17856-6'] }] },
  },
  context: {},
};

async function screen(fixture: string) {
  const patient = await ownPatient(fixture);
  return { patient, run: runPort(DiabetesScreening, patient, { now: NOW }) };
}

describe('DiabetesScreening (kit collective/ScreeningForDiabetes.py)', () => {
  it.each([
    ['full_detailed_patient', 'Oluwaseyi \u{1F638}\uFE0F'],
    ['no_details_patient', 'Alex'],
    // 15 years old, no vital signs: no BMI, so the kit screens.
    ['patient_has_appointments', 'Oluwaseyi \u{1F638}\uFE0F'],
  ] as const)('recommends an A1c for the kit dump %s', async (name, firstName) => {
    const patient = await kitPatient(name);

    const run = runPort(DiabetesScreening, patient, { now: NOW });

    expect(run.status).toBe('computed');
    expect(run.updates).toEqual([]);
    expect(run.result).toMatchObject({
      status: 'due',
      dueIn: -1,
      narratives: [`${firstName} should be screened for diabetes.`],
    });
    expect(run.result?.recommendations).toEqual([A1C_RECOMMENDATION]);
  });

  it('covers every kit dump', () => {
    expect(KIT_PATIENTS).toHaveLength(3);
  });

  it('excludes a patient with active diabetes', async () => {
    const { run } = await screen('screening-diabetic');

    expect(run.result).toMatchObject({
      status: 'not_applicable',
      dueIn: null,
      narratives: [EXCLUDED],
    });
    expect(run.result?.recommendations ?? []).toEqual([]);
  });

  it('is satisfied by an A1c in the last three years (a resolved prediabetes does not exclude)', async () => {
    const { run } = await screen('screening-recent-a1c');

    expect(run.result).toMatchObject({
      status: 'satisfied',
      dueIn: null,
      narratives: ['Iris has been screened recently.'],
    });
    expect(run.result?.recommendations ?? []).toEqual([]);
  });

  it('is due when the last A1c is older than three years', async () => {
    const { run } = await screen('screening-old-a1c');

    expect(run.result).toMatchObject({
      status: 'due',
      dueIn: -1,
      narratives: ['Juniper should be screened for diabetes.'],
    });
    expect(run.result?.recommendations).toEqual([A1C_RECOMMENDATION]);
  });

  it('counts an A1c on the first day of the three years, not the day before', async () => {
    const patient = await ownPatient('screening-old-a1c');
    // The A1c is dated 2020-03-10T09:15:00Z.
    const onTheDay = runPort(DiabetesScreening, patient, { now: '2023-03-10T09:15:00Z' });
    const justAfter = runPort(DiabetesScreening, patient, { now: '2023-03-10T09:15:01Z' });

    expect(onTheDay.result?.status).toBe('satisfied');
    expect(justAfter.result?.status).toBe('due');
  });

  it.each([
    ['screening-young-overweight-hypertension', 'Kale'], // BMI 27.3, lisinopril
    ['screening-young-overweight-low-hdl', 'Laurel'], // BMI 27.3, HDL 32
    ['screening-young-asian', 'Nori'], // BMI 24.1, Asian (2028-9)
  ])('screens the younger patient %s with a risk factor', async (fixture, firstName) => {
    const { run } = await screen(fixture);

    expect(run.result).toMatchObject({
      status: 'due',
      narratives: [`${firstName} should be screened for diabetes.`],
    });
  });

  it.each([
    // The last weight by date (2023) gives BMI 20.1; the heavier 2020 one is listed last.
    ['screening-young-lean'],
    // BMI 27.3 but no risk factor (asthma only).
    ['screening-young-overweight-no-risk'],
  ])('does not screen the younger patient %s', async (fixture) => {
    const { run } = await screen(fixture);

    expect(run.result).toMatchObject({ status: 'not_applicable', narratives: [EXCLUDED] });
  });

  it("uses the kit's fractional age: 35 years and a day is over 35, 35 years is not", async () => {
    const lean = await ownPatient('screening-young-lean');
    const older = withPatientRecord(lean, { birthDate: '1989-05-31' });
    const exactly35 = withPatientRecord(lean, { birthDate: '1989-06-01' });

    expect(runPort(DiabetesScreening, older, { now: NOW }).result?.status).toBe('due');
    expect(runPort(DiabetesScreening, exactly35, { now: NOW }).result?.status).toBe(
      'not_applicable',
    );
  });

  it('recomputes on a lab report change and not on an appointment one', async () => {
    const patient = await ownPatient('screening-recent-a1c');

    const lab = runPort(DiabetesScreening, patient, {
      change: ownChange('lab-report-created', patient),
      now: NOW,
    });
    const appointment = runPort(DiabetesScreening, patient, {
      change: fieldChanges(patient, {
        model_name: 'appointment',
        created: true,
        deleted: false,
        fields: {},
        canvas_id: 14,
      }),
      now: NOW,
    });

    expect(lab.result?.status).toBe('satisfied');
    expect(appointment.status).toBe('not_relevant');
  });

  it('fails, as the kit raises, on a height of zero', async () => {
    const fixture = await ownPatient('screening-young-asian');
    const patient = structuredClone(fixture);
    const height = patient.vitalSigns.find((v) => v.sign === 'height');
    if (!height) throw new Error('fixture has no height');
    height.value = '0.0';

    const run = runPort(DiabetesScreening, patient, { now: NOW });

    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ code: 'protocol-error', message: 'RangeError' });
  });

  it('fails, as the kit raises, on a weight that is not a number', async () => {
    const fixture = await ownPatient('screening-young-asian');
    const patient = structuredClone(fixture);
    const weight = patient.vitalSigns.find((v) => v.sign === 'weight');
    if (!weight) throw new Error('fixture has no weight');
    weight.value = 'heavy';

    const run = runPort(DiabetesScreening, patient, { now: NOW });

    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('protocol-error');
  });
});

describe('the screening value sets', () => {
  it.each(Object.entries(screeningValueSets))(
    '%s names its source and lists codes',
    (_name, set) => {
      expect(set.source).toMatch(/\S/);
      expect(set.systems.length).toBeGreaterThan(0);
      for (const system of set.systems) expect(set.codes(system).length).toBeGreaterThan(0);
    },
  );

  it('match codings with or without the ICD-10 dot, in the systems Canvas writes', () => {
    expect(screeningValueSets.FamilialDiabetes.matches({ system: 'ICD-10', code: 'Z83.3' })).toBe(
      true,
    );
    expect(screeningValueSets.Prediabetes.matches({ system: 'ICD-10', code: 'R7303' })).toBe(true);
    expect(
      screeningValueSets.PharmacologicTherapyForHypertension.matches({
        system: 'http://www.nlm.nih.gov/research/umls/rxnorm',
        code: '314076',
      }),
    ).toBe(true);
    expect(
      screeningValueSets.HdlCLaboratoryTest.matches({ system: 'http://loinc.org', code: '2571-8' }),
    ).toBe(false);
  });
});
