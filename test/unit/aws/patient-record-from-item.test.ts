import { patientRecordFromItem } from '../../../lib/aws/dynamodb-patient-source';
import { patientItem } from '../../../lib/aws/table-items';

const demographics = {
  key: 'p1',
  firstName: 'Ann',
  lastName: 'Lee',
  birthDate: '1970-01-01',
  sexAtBirth: 'F',
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
    expect(record.kind === 'valid' && record.patient.upcomingAppointments).toEqual([]);
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

  it('keeps unknown fields: they reach the protocols', () => {
    const record = patientRecordFromItem({
      patientKey: 'p1',
      data: {
        patient: { ...demographics, newCanvasField: 'x' },
        conditions: [{ id: 1, clinicalStatus: 'active', severity: 'mild' }],
        careGaps: [{ id: 2 }],
      },
    });

    expect(record.kind).toBe('valid');
    if (record.kind !== 'valid') return;
    expect(record.patient.patient.newCanvasField).toBe('x');
    expect(record.patient.conditions[0]).toHaveProperty('severity', 'mild');
    expect(record.patient.careGaps).toEqual([{ id: 2 }]);
  });

  it('withholds names from the data in its problems: a key can be patient data', () => {
    const refused = (data: Record<string, unknown>) => {
      const record = patientRecordFromItem({
        patientKey: 'p1',
        data: { patient: demographics, ...data },
      });
      expect(record.kind).toBe('invalid');
      return (record as { problems: string }).problems;
    };

    // A collection we do not type, named after a person.
    expect(refused({ annLee: 5 })).toBe(
      '(message): a collection we do not type: must be a list (name withheld)',
    );
    // A property every object inherits is no collection, whatever its value.
    expect(refused({ constructor: [] })).toBe(
      '(message): a collection we do not type: not a collection name (name withheld)',
    );
    expect(refused({ 'Ann Lee': [] })).toBe(
      '(message): a collection we do not type: not a collection name (name withheld)',
    );
    // A __proto__ key below an unknown key named after a person.
    const hostile = JSON.parse(
      '[{"id": 1, "clinicalStatus": "active", "Ann Lee": {"__proto__": {}}}]',
    );
    expect(refused({ conditions: hostile })).toBe(
      'conditions[0]: field name not allowed (path withheld)',
    );
  });

  it('refuses a record whose patient.key is not its patientKey', () => {
    expect(patientRecordFromItem({ patientKey: 'p2', data: { patient: demographics } })).toEqual({
      kind: 'invalid',
      patientKey: 'p2',
      problems: 'patient.key: differs from patientKey',
    });
  });
});
