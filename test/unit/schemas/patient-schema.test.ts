import {
  CanvasDateSchema,
  CanvasTimestampSchema,
  collectionFileSchema,
  isCollectionName,
  isoTimestamp,
  PATIENT_COLLECTIONS,
  PatientSchema,
  toInstant,
} from '../../../lib';

describe('CanvasTimestampSchema', () => {
  it.each([
    '2022-02-16T23:17:37.082929Z',
    '2022-02-16 23:17:37.082929+00:00',
    '2022-02-16T23:17:37Z',
    '2022-02-16T23:17:37',
    '2022-02-16T23:17',
    '2022-02-16T23:17-05:30',
    '2024-02-29T00:00:00Z',
  ])('accepts %s, kept as written, and isoTimestamp makes it readable', (value) => {
    expect(CanvasTimestampSchema.parse(value)).toBe(value);
    expect(Number.isNaN(toInstant(isoTimestamp(value)).getTime())).toBe(false);
  });

  it.each([
    '2022-02-30T23:17:37Z',
    '2023-02-29T00:00:00Z',
    '2022-13-16T23:17:37Z',
    '2022-02-16T24:00:00Z',
    '2022-02-16T23:60:00Z',
    '2022-02-16T23:17:37+0000',
    '2022-02-16',
    '2022-02-16T',
    ' 2022-02-16T23:17:37Z',
    '0000-01-01T00:00:00Z',
  ])('refuses %s', (value) => {
    expect(CanvasTimestampSchema.safeParse(value).success).toBe(false);
  });

  it('refuses a non-string without quoting it', () => {
    const result = CanvasTimestampSchema.safeParse(20220216);
    expect(result.error?.issues.map((i) => i.message)).toEqual(['must be a string']);
  });
});

describe('isoTimestamp', () => {
  it.each([
    ['2022-02-16 23:17:37.082929+00:00', '2022-02-16T23:17:37.082929+00:00'],
    ['2022-02-21T20:30Z', '2022-02-21T20:30:00Z'],
    ['2022-02-21 20:30', '2022-02-21T20:30:00'],
    ['2022-02-21T20:30:00-05:00', '2022-02-21T20:30:00-05:00'],
    ['not a timestamp', 'not a timestamp'],
  ])('%s -> %s', (value, expected) => {
    expect(isoTimestamp(value)).toBe(expected);
  });
});

describe('CanvasDateSchema', () => {
  it('accepts real dates and refuses others', () => {
    expect(CanvasDateSchema.safeParse('1948-03-09').success).toBe(true);
    expect(CanvasDateSchema.safeParse('1948-02-30').success).toBe(false);
    expect(CanvasDateSchema.safeParse('1948-03-09T00:00:00Z').success).toBe(false);
  });
});

describe('isCollectionName', () => {
  it.each(['conditions', 'upcomingAppointments', 'careGaps', 'labReports2'])('%s: yes', (name) => {
    expect(isCollectionName(name)).toBe(true);
  });
  it.each([
    'patient',
    'constructor',
    'toString',
    '__proto__',
    'hasOwnProperty',
    'Ann Lee',
    '2fa',
    '',
  ])('%s: no', (name) => {
    expect(isCollectionName(name)).toBe(false);
  });
});

describe('PatientSchema', () => {
  it('fills every typed collection and lists inside records, keeping unknown fields', () => {
    const patient = PatientSchema.parse({
      patient: { key: 'k', careTeamMemberships: null, extra: { a: 1 } },
      conditions: [{ id: 1, clinicalStatus: 'active', coding: null, note: 'x' }],
      upcomingAppointments: {},
    });

    for (const name of PATIENT_COLLECTIONS) expect(patient[name]).toBeInstanceOf(Array);
    expect(patient.patient.careTeamMemberships).toEqual([]);
    expect(patient.patient.extra).toEqual({ a: 1 });
    expect(patient.conditions[0]).toEqual({
      id: 1,
      clinicalStatus: 'active',
      coding: [],
      periods: [],
      note: 'x',
    });
    expect(patient.upcomingAppointments).toEqual([]);
  });

  it('parses its own output again to the same value (the table stores what the seed wrote)', () => {
    const once = PatientSchema.parse({
      patient: { key: 'k' },
      upcomingAppointmentNotes: [{ id: 1, providerDisplay: { key: 's' }, currentAppointmentId: 2 }],
      careGaps: {},
    });
    expect(PatientSchema.parse(once)).toEqual(once);
  });

  it('refuses an object whose prototype is not Object (a __proto__ key a reader turned into one)', () => {
    const record = Object.create({ polluted: 'yes' }) as Record<string, unknown>;
    Object.assign(record, { id: 1, clinicalStatus: 'active' });

    const result = PatientSchema.safeParse({ patient: { key: 'k' }, conditions: [record] });

    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['conditions.0.__proto__', 'field name not allowed'],
    ]);
  });

  it('refuses nesting deeper than 24 levels within a file, iteratively (no stack overflow)', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = [deep];

    const result = collectionFileSchema('conditions').safeParse([
      { id: 1, clinicalStatus: 'a', x: deep },
    ]);

    expect(result.error?.issues.map((i) => i.message)).toEqual(['nested deeper than 24 levels']);
    expect(result.error?.issues[0]?.path).toHaveLength(24);
  });
});
