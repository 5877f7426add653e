import { codeSystemsOf, normalizeCode, SYSTEM_URLS, ValueSet } from '../../../lib';
import { Diabetes, Hba1cLaboratoryTest } from '../../../protocols/value-sets/diabetes';

const Pcos = ValueSet.define({
  name: 'PCOS',
  source: 'test',
  ICD10CM: ['E28.2', 'N97'],
  SNOMEDCT: ['237055002'],
});
const FundusPhotography = ValueSet.define({ name: 'Fundus photography', CPT: ['92250'] });

describe('ValueSet', () => {
  it('matches ICD-10 codes with or without the dot, as Canvas and FHIR write the system', () => {
    expect(Pcos.matches({ system: 'ICD-10', code: 'E282' })).toBe(true);
    expect(Pcos.matches({ system: 'ICD-10', code: 'e28.2' })).toBe(true);
    expect(Pcos.matches({ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'E28.2' })).toBe(true);
    expect(Pcos.matches({ system: 'ICD-10', code: 'E28' })).toBe(false);
  });

  it('matches a code only in its own system', () => {
    expect(Pcos.matches({ system: SYSTEM_URLS.SNOMEDCT, code: '237055002' })).toBe(true);
    expect(Pcos.matches({ system: SYSTEM_URLS.LOINC, code: '237055002' })).toBe(false);
    expect(Pcos.matches({ system: 'unknown-system', code: 'N97' })).toBe(false);
  });

  it('reads Canvas’s CPT URL as CPT or HCPCS', () => {
    expect(FundusPhotography.matches({ system: SYSTEM_URLS.CPT, code: '92250' })).toBe(true);
    expect(codeSystemsOf(SYSTEM_URLS.CPT)).toEqual(['CPT', 'HCPCS']);
  });

  it('restricts a match to the systems given (a collection’s)', () => {
    expect(Pcos.matches({ system: 'ICD-10', code: 'N97' }, ['SNOMEDCT'])).toBe(false);
    expect(Pcos.matches({ system: 'ICD-10', code: 'N97' }, ['ICD10CM'])).toBe(true);
  });

  it('combines like the kit’s | (or, union), keeping every code of each', () => {
    const both = Pcos.or(FundusPhotography);
    expect(both.name).toBe('PCOS | Fundus photography');
    expect(both.has('CPT', '92250')).toBe(true);
    expect(both.has('ICD10CM', 'N97')).toBe(true);
    const three = ValueSet.union(Pcos, FundusPhotography, Diabetes);
    expect(three.matches({ system: 'ICD-10', code: 'E11.9' })).toBe(true);
    expect(Pcos.has('CPT', '92250')).toBe(false); // the operands are unchanged
  });

  it('ignores codings that are not objects or lack a code', () => {
    expect(Pcos.matches(null)).toBe(false);
    expect(Pcos.matches({ system: 'ICD-10' })).toBe(false);
    expect(
      Pcos.matchesAny([
        { system: 'ICD-10', code: 'X' },
        { system: 'ICD-10', code: 'N97' },
      ]),
    ).toBe(true);
  });

  it('refuses an unknown code system or a malformed list when defined', () => {
    expect(() =>
      ValueSet.define({ name: 'x', ICD9: ['250'] } as unknown as Parameters<
        typeof ValueSet.define
      >[0]),
    ).toThrow(/unknown code system/);
    expect(() => ValueSet.define({ name: '' })).toThrow(/name/);
  });

  it('normalizes codes per system', () => {
    expect(normalizeCode('ICD10CM', ' e11.9 ')).toBe('E119');
    expect(normalizeCode('LOINC', '4548-4')).toBe('4548-4');
  });
});

describe('shipped value sets', () => {
  it('name their source', () => {
    for (const set of [Diabetes, Hba1cLaboratoryTest]) expect(set.source).toMatch(/VSAC/);
  });

  it('Diabetes lists type 1, type 2 and other specified diabetes, not prediabetes', () => {
    for (const code of ['E10.9', 'E11.9', 'E11.65', 'E11.3551', 'E13.10'])
      expect(Diabetes.has('ICD10CM', code)).toBe(true);
    expect(Diabetes.has('ICD10CM', 'R73.03')).toBe(false);
    expect(Diabetes.has('SNOMEDCT', '44054006')).toBe(true);
  });
});
