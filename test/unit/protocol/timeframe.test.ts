import { arrow, Timeframe } from '../../../lib';

describe('Timeframe', () => {
  it('defaults to the year ending now', () => {
    const year = Timeframe.yearEnding('2024-02-01T12:00:00Z');
    expect(year.start.isoformat()).toBe('2023-02-01T12:00:00+00:00');
    expect(year.end.isoformat()).toBe('2024-02-01T12:00:00+00:00');
    expect(year.duration).toBe(365);
  });

  it('contains both its ends', () => {
    const period = new Timeframe('2024-01-01T00:00:00Z', '2024-12-31T23:59:59Z');
    expect(period.contains('2024-01-01T00:00:00Z')).toBe(true);
    expect(period.contains('2024-12-31T23:59:59Z')).toBe(true);
    expect(period.contains('2023-12-31T23:59:59Z')).toBe(false);
    expect(period.contains(arrow('2025-01-01T00:00:00+01:00'))).toBe(true); // 23:00 UTC
  });

  it('has the period before it and can be widened', () => {
    const year = Timeframe.yearEnding('2024-02-01T00:00:00Z');
    expect(year.previous().toJSON()).toEqual({
      start: '2022-02-01T00:00:00+00:00',
      end: '2023-02-01T00:00:00+00:00',
    });
    expect(year.increasedBy({ years: 1 }).start.isoDate()).toBe('2022-02-01');
  });

  it('refuses an end before its start', () => {
    expect(() => new Timeframe('2024-02-01', '2024-01-01')).toThrow(/end is before start/);
  });
});
