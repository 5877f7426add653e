import { arrow, KitDateTime, KitDateTimeError } from '../../../lib';

describe('KitDateTime.get (arrow.get)', () => {
  it('reads Canvas timestamps: Z, microseconds, a space before the time, an offset', () => {
    expect(arrow('2022-02-16T23:17:37.082929Z').isoformat()).toBe(
      '2022-02-16T23:17:37.082929+00:00',
    );
    expect(arrow('2022-02-16 23:17:37.082929+00:00').isoformat()).toBe(
      '2022-02-16T23:17:37.082929+00:00',
    );
    expect(arrow('2024-02-09T09:30:00-05:00').isoformat()).toBe('2024-02-09T09:30:00-05:00');
    expect(arrow('2024-02-09T09:30:00+0530').isoformat()).toBe('2024-02-09T09:30:00+05:30');
  });

  it('reads a date alone and a datetime without offset as UTC', () => {
    expect(arrow('2016-07-22').isoformat()).toBe('2016-07-22T00:00:00+00:00');
    expect(arrow('2024-02-09T09:30').isoformat()).toBe('2024-02-09T09:30:00+00:00');
  });

  it('rounds more than six fractional digits to microseconds and pads fewer', () => {
    expect(arrow('2024-01-01T00:00:00.1234567Z').microsecond).toBe(123457);
    expect(arrow('2024-01-01T00:00:00.5Z').isoformat()).toBe('2024-01-01T00:00:00.500000+00:00');
  });

  it('takes a Date as UTC, keeping its milliseconds as microseconds', () => {
    expect(arrow(new Date('2024-02-01T12:00:00.123Z')).isoformat()).toBe(
      '2024-02-01T12:00:00.123000+00:00',
    );
    expect(arrow(new Date('2024-02-01T12:00:00Z')).isoformat()).toBe('2024-02-01T12:00:00+00:00');
  });

  it('refuses what is not a real datetime, without quoting it', () => {
    for (const bad of [
      'three days before',
      '2024-02-30',
      '2024-13-01T00:00:00',
      '2024-01-01T24:00',
    ]) {
      expect(() => arrow(bad)).toThrow(KitDateTimeError);
      try {
        arrow(bad);
      } catch (error) {
        expect((error as Error).message).not.toContain(bad);
      }
    }
    expect(KitDateTime.parse('nope')).toBeUndefined();
  });
});

describe('shift', () => {
  it('moves the wall clock by weeks, days, hours and keeps the offset', () => {
    const start = arrow('2022-02-21T20:30:00-05:00');
    expect(start.shift({ days: -3 }).isoformat()).toBe('2022-02-18T20:30:00-05:00');
    expect(start.shift({ weeks: 2 }).isoformat()).toBe('2022-03-07T20:30:00-05:00');
    expect(start.shift({ hours: 5 }).isoformat()).toBe('2022-02-22T01:30:00-05:00');
  });

  it('moves months and years on the calendar, clamping the day like dateutil', () => {
    expect(arrow('2024-01-31T10:00:00Z').shift({ months: 1 }).isoDate()).toBe('2024-02-29');
    expect(arrow('2024-02-29T10:00:00Z').shift({ years: -1 }).isoDate()).toBe('2023-02-28');
    expect(arrow('2024-03-15T10:00:00Z').shift({ years: -3, months: -1 }).isoDate()).toBe(
      '2021-02-15',
    );
  });

  it('keeps microseconds through a shift', () => {
    expect(arrow('2022-02-16T23:17:37.082929Z').shift({ days: 7 }).isoformat()).toBe(
      '2022-02-23T23:17:37.082929+00:00',
    );
  });
});

describe('format', () => {
  const at = arrow('2024-03-05T07:08:09.012345-08:00');

  it('writes arrow tokens on the datetime’s own wall clock', () => {
    expect(at.format('YYYY-MM-DD')).toBe('2024-03-05');
    expect(at.format('MM/DD/YYYY')).toBe('03/05/2024');
    expect(at.format('M/D/YY')).toBe('3/5/24');
    expect(at.format('HH:mm:ss.SSS ZZ')).toBe('07:08:09.012 -08:00');
    expect(at.format('dddd, MMMM Do h A')).toBe('Tuesday, March 5th 7 AM');
    expect(at.format('[on] YYYY')).toBe('on 2024');
  });
});

describe('comparison and arithmetic', () => {
  it('compares instants whatever their offsets', () => {
    const utc = arrow('2024-02-09T14:30:00Z');
    const eastern = arrow('2024-02-09T09:30:00-05:00');
    expect(utc.equals(eastern)).toBe(true);
    expect(utc.isBefore('2024-02-09T14:30:00.000001Z')).toBe(true);
    expect(eastern.isAfter(new Date('2024-02-09T14:29:59Z'))).toBe(true);
  });

  it('counts whole days as Python timedelta.days does (floored)', () => {
    expect(arrow('2024-02-10T00:00:00Z').daysSince('2024-02-01T12:00:00Z')).toBe(8);
    expect(arrow('2024-02-01T00:00:00Z').daysSince('2024-02-01T12:00:00Z')).toBe(-1);
  });

  it('converts to another offset and to a Date', () => {
    const at = arrow('2024-02-09T14:30:00Z').to('+05:30');
    expect(at.isoformat()).toBe('2024-02-09T20:00:00+05:30');
    expect(at.toDate().toISOString()).toBe('2024-02-09T14:30:00.000Z');
  });
});
