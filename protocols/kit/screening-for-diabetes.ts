import {
  type ProtocolMeta,
  type ProtocolResult,
  STATUS_DUE,
  STATUS_NOT_APPLICABLE,
  STATUS_SATISFIED,
  Timeframe,
  type ValueSet,
} from '../../lib';
import { Diabetes, Hba1cLaboratoryTest } from '../value-sets/diabetes';
import {
  FamilialDiabetes,
  HdlCLaboratoryTest,
  HeartFailure,
  IschemicHeartDiseaseOrOtherRelatedDiagnoses,
  PCOS,
  PharmacologicTherapyForHypertension,
  Prediabetes,
  TriglyceridesLaboratoryTest,
} from '../value-sets/screening-for-diabetes';
import { commandFilter, pythonFloat, truthy } from './kit-helpers';
import { MeasureProtocol } from './measure-protocol';

/** The kit's race codes (CDC Race & Ethnicity code set) it counts as a risk factor. */
export const HIGH_RISK_RACE_CODES = {
  'American Indian or Alaska Native': '1002-5',
  Asian: '2028-9',
  'Black or African American': '2054-5',
  'Native Hawaiian or Other Pacific Islander': '2076-8',
  'Hispanic or Latino': '2135-2',
} as const;

/** The kit's ethnicity codes it counts as a risk factor. */
export const HIGH_RISK_ETHNICITY_CODES = { '2135-2': 'Hispanic or Latino' } as const;

/** The kit's factor from ounces and inches to a BMI (703 / 16). */
const BMI_FROM_OZ_PER_SQUARE_INCH = 43.9375;

/**
 * The kit's `collective/ScreeningForDiabetes.py` (`DiabetesScreening`): an A1c test every three
 * years for patients over 35 without diabetes or prediabetes, and for younger ones who are
 * overweight (BMI 25, or 23 when Asian) with a further risk factor.
 *
 * - Denominator: no active Diabetes or Prediabetes condition, and either older than 35 (the
 *   kit's fractional age at `now`), or no BMI on record (last weight and height), or the BMI
 *   criterion with a risk factor: active familial diabetes, ischemic heart disease, heart failure
 *   or PCOS; a hypertension medication; last HDL at most 35; last triglycerides at least 250; a
 *   high-risk race or ethnicity code.
 * - Numerator: an HbA1c lab report within the three years ending `now` (a `Timeframe`).
 * - Satisfied: a narrative. Due (`dueIn` -1): the kit's lab recommendation and a narrative.
 *   Otherwise `not_applicable` with the kit's narrative.
 *
 * A record value Python's `float()` would refuse makes the protocol fail for that patient, as in
 * the kit.
 */
export class DiabetesScreening extends MeasureProtocol {
  static readonly meta: ProtocolMeta = {
    key: 'kit-diabetes-screening',
    title: 'Diabetes screening',
    description:
      'This protocol recommends screening all patients over the age of 35 for prediabetes or diabetes using an A1c test every 3 years, unless they have a prior diagnosis. Patients of any age without a prediabetes or diabetes diagnosis should also be screened if they meet specific criteria: a BMI of 23 or higher for Asian Americans, or a BMI of 25 or more for other populations, combined with at least one additional risk factor such as a family history of diabetes, belonging to a high-risk ethnicity, or having conditions like cardiovascular disease or polycystic ovary syndrome. Regular screenings should begin by age 35, and for those with normal results, retesting every 3 years or sooner if risk factors change, is advised.',
    version: '1.0.0',
    information: 'https://canvasmedical.com/gallery',
    identifiers: [],
    types: [],
    computeOnChangeTypes: ['patient', 'condition', 'lab_report', 'vital_sign'],
    references: ['https://doi.org/10.2337/dc22-S002'],
  };

  /** The BMI from the last weight (oz) and height (in); null when either is missing or empty. */
  bmi(): number | null {
    const weight = this.patient.vitalSigns.filter({ sign: 'weight' }).lastValue();
    const height = this.patient.vitalSigns.filter({ sign: 'height' }).lastValue();
    if (!truthy(weight) || !truthy(height)) return null;
    const inches = pythonFloat(height);
    // Python raises ZeroDivisionError here; JavaScript would give Infinity, an "overweight" BMI.
    if (inches === 0) throw new RangeError('vital sign height: division by zero');
    return (pythonFloat(weight) / inches ** 2) * BMI_FROM_OZ_PER_SQUARE_INCH;
  }

  /** The last lab report's value in the value set (undefined: none). */
  lastLab(valueSet: ValueSet): unknown {
    return this.patient.labReports.find(valueSet).lastValue();
  }

  hasActive(valueSet: ValueSet): boolean {
    return this.patient.conditions.find(valueSet).filter({ clinicalStatus: 'active' }).length > 0;
  }

  /** The patient record's code field equals one of the codes. */
  #patientCodeIn(field: 'biologicalRaceCode' | 'culturalEthnicityCode', codes: readonly string[]) {
    const value = this.patient.patient[field];
    return codes.some((code) => value === code);
  }

  inDenominator(): boolean {
    if (this.hasActive(Diabetes.or(Prediabetes))) return false;
    if (this.patient.age > 35) return true;
    const bmi = this.bmi();
    // The kit's `if not self.get_bmi()`: no BMI, or a BMI of 0.
    if (bmi === null || !truthy(bmi)) return true;
    const overweight =
      bmi >= 25 ||
      (bmi >= 23 && this.#patientCodeIn('biologicalRaceCode', [HIGH_RISK_RACE_CODES.Asian]));
    if (!overweight) return false;
    return (
      this.hasActive(FamilialDiabetes) ||
      this.hasActive(IschemicHeartDiseaseOrOtherRelatedDiagnoses) ||
      this.hasActive(HeartFailure) ||
      this.hasActive(PCOS) ||
      this.patient.medications.find(PharmacologicTherapyForHypertension).length > 0 ||
      this.#labAtMost(HdlCLaboratoryTest, 35) ||
      this.#labAtLeast(TriglyceridesLaboratoryTest, 250) ||
      this.#patientCodeIn('biologicalRaceCode', Object.values(HIGH_RISK_RACE_CODES)) ||
      this.#patientCodeIn('culturalEthnicityCode', Object.keys(HIGH_RISK_ETHNICITY_CODES))
    );
  }

  #labAtMost(valueSet: ValueSet, limit: number): boolean {
    const value = this.lastLab(valueSet);
    return truthy(value) ? pythonFloat(value) <= limit : false;
  }

  #labAtLeast(valueSet: ValueSet, limit: number): boolean {
    const value = this.lastLab(valueSet);
    return truthy(value) ? pythonFloat(value) >= limit : false;
  }

  /** An HbA1c test in the three years ending now. */
  inNumerator(): boolean {
    const now = this.arrowNow;
    const lastThreeYears = new Timeframe(now.shift({ years: -3 }), now);
    return this.patient.labReports.find(Hba1cLaboratoryTest).within(lastThreeYears).length > 0;
  }

  numeratorTasks(result: ProtocolResult): void {
    result.addNarrative(`${this.patient.firstName} has been screened recently.`);
    result.status = STATUS_SATISFIED;
  }

  remainderTasks(result: ProtocolResult): void {
    // The kit's LabRecommendation(key='a1c_test', patient, condition=Diabetes,
    // lab=Hba1CLaboratoryTest, title='Order Hemoglobin A1c'): given a title, it has no narrative;
    // rank and button are its defaults; the command searches lab orders by the value set's codes.
    result.addRecommendation({
      key: 'a1c_test',
      rank: 1000,
      button: 'Order',
      title: 'Order Hemoglobin A1c',
      command: commandFilter('labOrder', Hba1cLaboratoryTest),
      context: {},
    });
    result.status = STATUS_DUE;
    result.dueIn = -1;
    result.addNarrative(`${this.patient.firstName} should be screened for diabetes.`);
  }

  excludedTasks(result: ProtocolResult): void {
    result.addNarrative("The patient doesn't need a screening for diabetes / prediabetes.");
    result.status = STATUS_NOT_APPLICABLE;
  }
}
