import fc from 'fast-check';
import { patientRecords, RecordSet, Timeframe, ValueSet } from '../../../lib';

const AnyCodes = ValueSet.define({ name: 'any', ICD10CM: ['E11.9'], LOINC: ['4548-4'] });
const YEAR = new Timeframe('2023-01-01T00:00:00Z', '2024-01-01T00:00:00Z');
const COLLECTIONS = [
  'conditions',
  'labReports',
  'interviews',
  'billingLineItems',
  'protocolOverrides',
  'unknownThing',
];

/** JSON-ish values with the keys hostile data uses. */
const hostileKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'coding',
  'periods',
  'originalDate',
  'loincCodes',
  'code',
  'system',
  'clinicalStatus',
  'snooze',
  'results',
);
const value = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.string(),
    fc.integer(),
    fc.constant(null),
    fc.boolean(),
    fc.constant('2023-06-01T00:00:00Z'),
    fc.constant('not a date'),
  ),
  node: fc.oneof(
    { depthSize: 'small' },
    tie('leaf'),
    fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(hostileKey, fc.string()), tie('node'), { maxKeys: 5 }),
  ),
})).node;

describe('RecordSet over hostile records', () => {
  it('never throws on reading, never reaches or pollutes a prototype', () => {
    fc.assert(
      fc.property(
        fc.array(value, { maxLength: 8 }),
        fc.constantFrom(...COLLECTIONS),
        (records, name) => {
          const parsed = JSON.parse(JSON.stringify(records)) as unknown[]; // own __proto__ keys, as JSON.parse makes them
          const set = RecordSet.of(parsed, name);
          set.find(AnyCodes);
          set.filter({ '__proto__.polluted': true, 'coding.0.code': 'E119' });
          set.filter({ 'constructor.prototype': null });
          set.exclude({ clinicalStatus: 'active' });
          set.within(YEAR, 'originalDate');
          set.after('2023-01-01', 'originalDate');
          set.intersects(YEAR, { stillActive: true });
          set.startsBefore('2024-01-01');
          set.validated();
          set.lastValue(Number);
          set.first();
          const view = patientRecords(
            { patient: parsed[0] ?? {}, [name]: parsed },
            '2024-01-01T00:00:00Z',
          );
          void view.firstName;
          void view.age;
          view.collection(name).find(AnyCodes);
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
          expect(Object.prototype).not.toHaveProperty('polluted');
        },
      ),
      { numRuns: 500, seed: 20261201 },
    );
  });
});
