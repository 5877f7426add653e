import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { arrow, RecordSet, RecordSetError, Timeframe, ValueSet } from '../../../lib';

const KIT = join(
  __dirname,
  '..',
  '..',
  '..',
  '..',
  'shared',
  'kit-fixtures',
  'full_detailed_patient',
);
type Loose = Record<string, unknown>;
function kit(file: string): Loose[] {
  return JSON.parse(readFileSync(join(KIT, `${file}.json`), 'utf8')) as Loose[];
}

const Asthma = ValueSet.define({ name: 'Asthma', ICD10CM: ['J45.909'], SNOMEDCT: ['195967001'] });
const ViralInfection = ValueSet.define({ name: 'Viral infection', SNOMEDCT: ['707129008'] });
const Ondansetron = ValueSet.define({ name: 'Ondansetron', RXNORM: ['104894'] });
const BodyWeight = ValueSet.define({ name: 'Body weight', LOINC: ['29463-7'] });
const EggAllergy = ValueSet.define({ name: 'Egg', FDB: ['900508'] });

describe('RecordSet over the kit fixture', () => {
  it('is iterable, has a length and converts to an array', () => {
    const conditions = RecordSet.of(kit('conditions'), 'conditions');
    expect(conditions.length).toBe(7);
    expect([...conditions].map((c) => c.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(conditions.toArray()).toHaveLength(7);
    expect(conditions.collection).toBe('conditions');
  });

  it('finds conditions by value set in ICD-10 or SNOMED CT codings', () => {
    const conditions = RecordSet.of(kit('conditions'), 'conditions');
    expect(conditions.find(Asthma).map((c) => c.id)).toEqual([4]);
    expect(conditions.find(ViralInfection).map((c) => c.id)).toEqual([1]);
    expect(conditions.find(Asthma.or(ViralInfection)).length).toBe(2);
  });

  it('finds a condition only when active or resolved, as the kit does', () => {
    const [asthma] = kit('conditions').filter((c) => c.id === 4);
    const inactive = RecordSet.of([{ ...asthma, clinicalStatus: 'inactive' }], 'conditions');
    expect(inactive.find(Asthma).length).toBe(0);
    const resolved = RecordSet.of([{ ...asthma, clinicalStatus: 'resolved' }], 'conditions');
    expect(resolved.find(Asthma).length).toBe(1);
  });

  it('finds medications by RxNorm, vital signs by their LOINC number, allergies by FDB', () => {
    expect(RecordSet.of(kit('medications'), 'medications').find(Ondansetron).length).toBe(1);
    const vitals = RecordSet.of(kit('vital_signs'), 'vitalSigns');
    expect(vitals.find(BodyWeight).map((v) => v.sign)).toEqual(['weight']);
    expect(
      RecordSet.of(kit('allergy_intolerances'), 'allergyIntolerances').find(EggAllergy).length,
    ).toBe(1);
  });

  it('finds interviews by their questionnaire, question or response codes', () => {
    const Questionnaire = ValueSet.define({ name: 'Q', INTERNAL: ['PAT.QUESTIONNAIRE.2'] });
    const interviews = RecordSet.of(kit('interviews'), 'interviews');
    expect(interviews.find(Questionnaire).length).toBe(1);
    expect(interviews.find(ValueSet.define({ name: 'none', INTERNAL: ['NOPE'] })).length).toBe(0);
  });

  it('filters by field match on nested paths, or by predicate', () => {
    const vitals = RecordSet.of(kit('vital_signs'), 'vitalSigns');
    expect(vitals.filter({ sign: 'height' }).lastValue()).toBe('80');
    expect(vitals.filter({ sign: 'weight' }).lastValue(Number)).toBe(2048);
    expect(vitals.filter({ sign: 'pulse_rhythm' }).lastValue(Number)).toBe(0);
    expect(vitals.filter({ sign: 'nope' }).lastValue()).toBeUndefined();
    const conditions = RecordSet.of(kit('conditions'), 'conditions');
    expect(conditions.filter({ 'lastTimestamps.billed': null }).length).toBe(7);
    expect(conditions.filter({ 'periods.0.from': '2012-12-12' }).map((c) => c.id)).toEqual([6, 7]);
    expect(conditions.filter((c) => c.clinicalStatus === 'resolved').first()?.id).toBe(6);
    expect(conditions.exclude({ clinicalStatus: 'active' }).map((c) => c.id)).toEqual([6]);
    expect(conditions.some({ clinicalStatus: 'resolved' })).toBe(true);
    expect(conditions.every({ clinicalStatus: 'active' })).toBe(false);
  });

  it('matches an id written as a number or as text, but nothing else loosely', () => {
    const notes = RecordSet.of(kit('upcoming_appointment_notes'), 'upcomingAppointmentNotes');
    expect(notes.filter({ currentAppointmentId: 14 }).first()?.id).toBe(18);
    expect(notes.filter({ currentAppointmentId: '14' }).first()?.id).toBe(18);
    expect(notes.filter({ currentAppointmentId: '14.0' }).length).toBe(0);
    expect(notes.filter({ isLocked: 'false' }).length).toBe(0);
  });

  it('matches nested objects and lists deeply, and never through a prototype', () => {
    const consents = RecordSet.of(
      [
        { id: 1, category: { code: 'A0001', system: 'INTERNAL' }, state: 'rejected' },
        { id: 2, category: { code: 'B0002' }, state: 'accepted' },
      ],
      'consents',
    );
    expect(consents.filter({ 'category.code': 'A0001' }).map((c) => c.id)).toEqual([1]);
    expect(consents.filter({ category: { code: 'B0002' } }).map((c) => c.id)).toEqual([2]);
    expect(consents.filter({ '__proto__.toString': Object.prototype.toString }).length).toBe(0);
    expect(consents.filter({ 'constructor.name': 'Object' }).length).toBe(0);
  });
});

describe('event collections', () => {
  const labs = [
    { id: 'c', originalDate: '2024-03-01T10:00:00Z', value: '6.1' },
    { id: 'undated', originalDate: null, value: '9' },
    { id: 'a', originalDate: '2023-01-15 08:00:00.123456+00:00', value: '5.5' },
    { id: 'b', originalDate: '2023-12-31T23:00:00-05:00', value: '5.9' },
  ];

  it('hold only dated records, oldest first, so last() is the most recent', () => {
    const set = RecordSet.of(labs, 'labReports');
    expect(set.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(set.first()?.id).toBe('a');
    expect(set.last()?.id).toBe('c');
    expect(set.at(-2)?.id).toBe('b');
  });

  it('select by date: within a timeframe, before and after (both inclusive)', () => {
    const set = RecordSet.of(labs, 'labReports');
    const year2024 = new Timeframe('2024-01-01T00:00:00Z', '2024-12-31T23:59:59Z');
    // b is 2024-01-01T04:00Z in UTC: inside 2024.
    expect(set.within(year2024).map((r) => r.id)).toEqual(['b', 'c']);
    expect(set.before('2024-01-01T04:00:00Z').map((r) => r.id)).toEqual(['a', 'b']);
    expect(set.after(arrow('2024-01-01T04:00:00Z')).map((r) => r.id)).toEqual(['b', 'c']);
    expect(set.dateOf(labs[0] as (typeof labs)[number])?.isoformat()).toBe(
      '2024-03-01T10:00:00+00:00',
    );
  });

  it('a collection without a date field refuses date selection unless one is named', () => {
    const messages = RecordSet.of([{ id: 1, created: '2024-01-01T00:00:00Z' }], 'messages');
    expect(() => messages.before('2024-02-01')).toThrow(RecordSetError);
    expect(messages.before('2024-02-01', 'created').length).toBe(1);
  });

  it('upcoming appointments select by start time, in the order listed', () => {
    const appointments = RecordSet.of(kit('upcoming_appointments'), 'upcomingAppointments');
    expect(appointments.after('2022-02-23T00:00:00Z').length).toBeGreaterThan(0);
    expect(appointments.first()?.id).toBe(kit('upcoming_appointments')[0]?.id);
  });
});

describe('period collections', () => {
  const conditions = [
    {
      id: 'open',
      clinicalStatus: 'active',
      coding: [],
      periods: [{ from: '2020-01-01', to: null }],
    },
    {
      id: 'ended',
      clinicalStatus: 'resolved',
      coding: [],
      periods: [{ from: '2020-01-01', to: '2023-06-30' }],
    },
    {
      id: 'later',
      clinicalStatus: 'active',
      coding: [],
      periods: [{ from: '2025-01-01', to: null }],
    },
    { id: 'no-periods', clinicalStatus: 'active', coding: [], periods: [] },
  ];
  const set = RecordSet.of(conditions, 'conditions');

  it('leave out records whose periods list is empty', () => {
    expect(set.map((c) => c.id)).toEqual(['open', 'ended', 'later']);
  });

  it('intersect a timeframe, optionally still active at its end', () => {
    const year = new Timeframe('2023-01-01T00:00:00Z', '2023-12-31T00:00:00Z');
    expect(set.intersects(year).map((c) => c.id)).toEqual(['open', 'ended']);
    expect(set.intersects(year, { stillActive: true }).map((c) => c.id)).toEqual(['open']);
    expect(set.startsBefore('2024-01-01').map((c) => c.id)).toEqual(['open']);
  });
});

describe('immutability', () => {
  it('returns new sets and copies; the set cannot be changed through toArray', () => {
    const set = RecordSet.of([{ id: 1 }, { id: 2 }], 'messages');
    const array = set.toArray();
    array.pop();
    expect(set.length).toBe(2);
    const filtered = set.filter({ id: 1 });
    expect(filtered).not.toBe(set);
    expect(set.length).toBe(2);
    expect(set.concat(filtered).length).toBe(3);
  });

  it('validated keeps committed records not deleted or entered in error', () => {
    const set = RecordSet.of(
      [
        { id: 1, committer: 2 },
        { id: 2, committer: 2, deleted: true },
        { id: 3, committer: 2, enteredInError: 5 },
        { id: 4, committer: null },
      ],
      'messages',
    );
    expect(set.validated().map((r) => r.id)).toEqual([1]);
  });
});
