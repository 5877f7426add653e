import {
  collectionSpec,
  defaultCodes,
  KNOWN_COLLECTIONS,
  ownField,
  SYSTEM_URLS,
} from '../../../lib';

describe('collectionSpec', () => {
  it('dates each event collection by the kit’s field', () => {
    expect(collectionSpec('labReports')).toMatchObject({
      kind: 'event',
      dateField: 'originalDate',
    });
    expect(collectionSpec('vitalSigns')).toMatchObject({
      kind: 'event',
      dateField: 'dateRecorded',
    });
    expect(collectionSpec('instructions')).toMatchObject({ dateField: 'noteTimestamp' });
    expect(collectionSpec('conditions')).toMatchObject({ kind: 'period' });
    expect(collectionSpec('conditions').dateField).toBeUndefined();
    expect(collectionSpec('upcomingAppointments')).toMatchObject({
      kind: 'plain',
      dateField: 'startTime',
    });
  });

  it('treats a collection it does not know as plain, without remembering the name', () => {
    const spec = collectionSpec('somethingNew');
    expect(spec).toMatchObject({ name: 'somethingNew', kind: 'plain' });
    expect(spec.systems).toBeUndefined();
    expect(collectionSpec('somethingNew')).not.toBe(spec);
    expect(collectionSpec('labReports')).toBe(collectionSpec('labReports'));
    expect(collectionSpec('__proto__').kind).toBe('plain');
    expect(KNOWN_COLLECTIONS).toContain('billingLineItems');
  });

  it('finds codes where each collection keeps them', () => {
    expect(collectionSpec('labReports').codes({ loincCodes: [{ code: '4548-4' }] })).toEqual([
      { system: SYSTEM_URLS.LOINC, code: '4548-4' },
    ]);
    expect(collectionSpec('vitalSigns').codes({ loincNum: '29463-7' })).toEqual([
      { system: SYSTEM_URLS.LOINC, code: '29463-7' },
    ]);
    expect(collectionSpec('billingLineItems').codes({ cpt: '99213' })).toEqual([
      { system: SYSTEM_URLS.CPT, code: '99213' },
    ]);
    expect(
      collectionSpec('interviews').codes({
        results: [{ code: '', codeSystem: '' }],
        questionnaires: [{ code: 'Q', codeSystem: 'INTERNAL' }],
        responses: [{ code: 'R', codeSystem: 'INTERNAL' }],
      }),
    ).toEqual([
      { system: 'INTERNAL', code: 'Q' },
      { system: 'INTERNAL', code: 'R' },
    ]);
    expect(
      collectionSpec('protocolOverrides').codes({
        snooze: { reasonCode: '413311005', reasonCodeSystem: SYSTEM_URLS.SNOMEDCT },
      }),
    ).toEqual([{ system: SYSTEM_URLS.SNOMEDCT, code: '413311005' }]);
    expect(collectionSpec('protocolOverrides').codes({ snooze: null })).toEqual([]);
  });

  it('reads code.coding, coding or substance.coding by default, tolerating junk', () => {
    expect(defaultCodes({ code: { coding: [{ system: 's', code: 'c' }] } })).toHaveLength(1);
    expect(
      defaultCodes({ substance: { coding: [{ system: 's', code: 'c' }, 'junk', null] } }),
    ).toHaveLength(1);
    expect(defaultCodes({ coding: 'not a list' })).toEqual([]);
    expect(defaultCodes(null)).toEqual([]);
  });
});

describe('ownField', () => {
  it('reads own properties only', () => {
    expect(ownField({ a: 1 }, 'a')).toBe(1);
    expect(ownField({}, 'toString')).toBeUndefined();
    expect(ownField({}, '__proto__')).toBeUndefined();
    expect(ownField([1], '0')).toBeUndefined();
    expect(ownField('text', 'length')).toBeUndefined();
  });
});
