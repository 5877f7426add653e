import { patientRecordFromItem } from '../../../lib/aws/dynamodb-patient-source';
import { patientItem } from '../../../lib/aws/table-items';

const demographics = {
  key: 'p1',
  firstName: 'Ann',
  lastName: 'Lee',
  birthDate: '1970-01-01',
  sex: 'F' as const,
};

describe('patientRecordFromItem (patients table item to patient)', () => {
  it('parses the patient document in the data map (docs/data-model.md)', () => {
    const record = patientRecordFromItem({
      patientKey: 'p1',
      data: { patient: demographics, conditions: [] },
      updatedAt: '2024-01-01T00:00:00Z',
    });
    expect(record).toMatchObject({ kind: 'valid', patientKey: 'p1' });
    expect(record.kind === 'valid' && record.patient.patient.firstName).toBe('Ann');
  });

  it('reads the item patientItem writes', () => {
    const record = patientRecordFromItem(patientItem({ patient: demographics, conditions: [] }));
    expect(record).toMatchObject({ kind: 'valid', patientKey: 'p1' });
    expect(record.kind === 'valid' && record.patient.appointments).toEqual([]);
  });

  it('refuses an item without the data map, naming the missing document', () => {
    const record = patientRecordFromItem({ patientKey: 'p1', patient: demographics });
    expect(record).toMatchObject({ kind: 'invalid', patientKey: 'p1' });
    expect((record as { problems: string }).problems).toContain('patient');
  });

  it('returns an invalid record naming the fields (never the values)', () => {
    const record = patientRecordFromItem({
      patientKey: 'p1',
      data: { patient: { ...demographics, birthDate: '1970-13-45' } },
    });
    expect(record).toMatchObject({ kind: 'invalid', patientKey: 'p1' });
    const problems = (record as { problems: string }).problems;
    expect(problems).toContain('patient.birthDate');
    expect(problems).not.toContain('1970-13-45');
  });

  it('counts unknown fields without naming them: a field name can be patient data', () => {
    const record = patientRecordFromItem({
      patientKey: 'p1',
      data: {
        patient: { ...demographics, 'Ann Lee': 'x' },
        appointments: [{ 'Lee family': 1, Annie: 2 }],
      },
    });

    expect(record).toMatchObject({ kind: 'invalid', patientKey: 'p1' });
    const problems = (record as { problems: string }).problems;
    expect(problems).toContain(
      'patient: 1 unknown field (names withheld, see the item in the patients table)',
    );
    expect(problems).toContain(
      'appointments[0]: 2 unknown fields (names withheld, see the item in the patients table)',
    );
    expect(problems).not.toMatch(/Ann|Lee/);
  });

  it('refuses a record whose patient.key is not its patientKey', () => {
    expect(patientRecordFromItem({ patientKey: 'p2', data: { patient: demographics } })).toEqual({
      kind: 'invalid',
      patientKey: 'p2',
      problems: 'patient.key: differs from patientKey',
    });
  });
});
