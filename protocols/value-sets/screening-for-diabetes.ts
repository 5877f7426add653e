import { ValueSet } from '../../lib';

/**
 * The value sets the port of the kit's `collective/ScreeningForDiabetes.py`
 * (`protocols/kit/screening-for-diabetes.ts`) reads, beside `Diabetes` and `Hba1cLaboratoryTest`
 * (`./diabetes`). ICD-10 codes are written with or without the dot; matching accepts either.
 *
 * Sources, per set:
 * - VSAC (the NLM Value Set Authority Center, https://vsac.nlm.nih.gov), named by OID and
 *   expansion. Where a list below is marked **subset**, it holds the codes named here only, not the
 *   whole expansion (which a deployment should load from VSAC with its own UMLS licence): the
 *   codes this project's fixtures and tests use, and the commonest codes of the set.
 * - Three sets the kit protocol defines itself (`Prediabetes`, `FamilialDiabetes`, `PCOS`): their
 *   codes are the protocol's own lists, kept as the kit has them.
 */

/** The kit protocol's own `Prediabetes` (ICD-10-CM R73.03, SNOMED CT 714628002). */
export const Prediabetes = ValueSet.define({
  name: 'Prediabetes',
  source: 'canvas-medical/open-source-sdk collective/ScreeningForDiabetes.py (Prediabetes)',
  ICD10CM: ['R7303'],
  SNOMEDCT: ['714628002'],
});

/** The kit protocol's own `FamilialDiabetes` (ICD-10-CM Z83.3, family history of diabetes). */
export const FamilialDiabetes = ValueSet.define({
  name: 'Familial Diabetes',
  source: 'canvas-medical/open-source-sdk collective/ScreeningForDiabetes.py (FamilialDiabetes)',
  ICD10CM: ['Z833'],
});

/**
 * The kit protocol's own `PCOS`: ICD-10-CM E28.2 (polycystic ovarian syndrome) and N97 (female
 * infertility, as the kit lists it), SNOMED CT 237055002.
 */
export const PCOS = ValueSet.define({
  name: 'PCOS / Polycystic Ovary Syndrome',
  source: 'canvas-medical/open-source-sdk collective/ScreeningForDiabetes.py (PCOS)',
  ICD10CM: ['E282', 'N97'],
  SNOMEDCT: ['237055002'],
});

/** VSAC 2.16.840.1.113883.3.526.3.376 "Heart Failure"; subset. */
export const HeartFailure = ValueSet.define({
  name: 'Heart Failure',
  oid: '2.16.840.1.113883.3.526.3.376',
  source: 'VSAC 2.16.840.1.113883.3.526.3.376 Heart Failure (subset)',
  ICD10CM: [
    'I11.0', // Hypertensive heart disease with heart failure
    'I13.0', // Hypertensive heart and chronic kidney disease with heart failure ...
    'I13.2', // Hypertensive heart and chronic kidney disease with heart failure and ESRD
    'I50.1', // Left ventricular failure, unspecified
    'I50.20', // Unspecified systolic (congestive) heart failure
    'I50.21', // Acute systolic (congestive) heart failure
    'I50.22', // Chronic systolic (congestive) heart failure
    'I50.23', // Acute on chronic systolic (congestive) heart failure
    'I50.30', // Unspecified diastolic (congestive) heart failure
    'I50.31', // Acute diastolic (congestive) heart failure
    'I50.32', // Chronic diastolic (congestive) heart failure
    'I50.33', // Acute on chronic diastolic (congestive) heart failure
    'I50.40', // Unspecified combined systolic and diastolic heart failure
    'I50.41', // Acute combined systolic and diastolic heart failure
    'I50.42', // Chronic combined systolic and diastolic heart failure
    'I50.43', // Acute on chronic combined systolic and diastolic heart failure
    'I50.9', // Heart failure, unspecified
  ],
  SNOMEDCT: [
    '84114007', // Heart failure
    '42343007', // Congestive heart failure
  ],
});

/** VSAC 2.16.840.1.113762.1.4.1047.46 "Ischemic Heart Disease or Other Related Diagnoses"; subset. */
export const IschemicHeartDiseaseOrOtherRelatedDiagnoses = ValueSet.define({
  name: 'Ischemic Heart Disease or Other Related Diagnoses',
  oid: '2.16.840.1.113762.1.4.1047.46',
  source:
    'VSAC 2.16.840.1.113762.1.4.1047.46 Ischemic Heart Disease or Other Related Diagnoses (subset)',
  ICD10CM: [
    'I20.0', // Unstable angina
    'I20.9', // Angina pectoris, unspecified
    'I21.9', // Acute myocardial infarction, unspecified
    'I25.10', // Atherosclerotic heart disease of native coronary artery without angina pectoris
    'I25.2', // Old myocardial infarction
    'I25.9', // Chronic ischemic heart disease, unspecified
  ],
  SNOMEDCT: [
    '414545008', // Ischemic heart disease
    '53741008', // Coronary arteriosclerosis
    '22298006', // Myocardial infarction
  ],
});

/** VSAC 2.16.840.1.113883.3.600.1.1577 "Pharmacologic Therapy for Hypertension"; subset. */
export const PharmacologicTherapyForHypertension = ValueSet.define({
  name: 'Pharmacologic Therapy for Hypertension',
  oid: '2.16.840.1.113883.3.600.1.1577',
  source: 'VSAC 2.16.840.1.113883.3.600.1.1577 Pharmacologic Therapy for Hypertension (subset)',
  RXNORM: [
    '314076', // lisinopril 10 MG Oral Tablet
    '314077', // lisinopril 20 MG Oral Tablet
    '197361', // amlodipine 5 MG Oral Tablet
    '308135', // amlodipine 10 MG Oral Tablet
    '310798', // hydrochlorothiazide 25 MG Oral Tablet
  ],
});

/** HDL cholesterol tests (the kit's v2017 `HdlCLaboratoryTest`), by LOINC; subset. */
export const HdlCLaboratoryTest = ValueSet.define({
  name: 'HDL-C Laboratory Test',
  source: 'LOINC 2085-9 (the kit v2017 HdlCLaboratoryTest value set, subset)',
  LOINC: [
    '2085-9', // Cholesterol in HDL [Mass/volume] in Serum or Plasma
  ],
});

/** Triglyceride tests (the kit's v2017 `TriglyceridesLaboratoryTest`), by LOINC; subset. */
export const TriglyceridesLaboratoryTest = ValueSet.define({
  name: 'Triglycerides Laboratory Test',
  source: 'LOINC 2571-8, 3043-7 (the kit v2017 TriglyceridesLaboratoryTest value set, subset)',
  LOINC: [
    '2571-8', // Triglyceride [Mass/volume] in Serum or Plasma
    '3043-7', // Triglyceride [Mass/volume] in Blood
  ],
});
