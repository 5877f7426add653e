import fc from 'fast-check';
import { z } from 'zod';
import {
  formatKitDateTime,
  shiftWallClock,
  toInstant,
  wallClockAndInstant,
} from '../../../lib/protocol/datetime';
import { nowOnWallClockOf } from '../../../protocols/appointment-reminder';

/**
 * `toInstant` and `shiftWallClock` read the common datetime form by hand (lib/protocol/datetime.ts)
 * and everything else as before. Their answers (value or error) must equal the general path's,
 * written here as it was: zod's datetime pattern, then `new Date`.
 */

const DATETIME = z.iso.datetime({ local: true, offset: true });
const HAS_OFFSET = /(Z|[+-]\d{2}:?\d{2})$/i;

function generalToInstant(value: string): number | string {
  if (!DATETIME.safeParse(value).success)
    return 'error: now: must be an ISO datetime (YYYY-MM-DDThh:mm:ss, optional offset)';
  const instant = new Date(HAS_OFFSET.test(value) ? value : `${value}Z`);
  return Number.isNaN(instant.getTime()) ? 'error: now: must be a valid date' : instant.getTime();
}

function generalShift(value: string, days: number): string {
  const wallClock = new Date(`${value.slice(0, 19)}Z`);
  if (Number.isNaN(wallClock.getTime())) return 'error: must be an ISO datetime';
  return formatKitDateTime(new Date(wallClock.getTime() + days * 86_400_000));
}

function outcome<T>(fn: () => T): T | string {
  try {
    const value = fn();
    return value instanceof Date ? (value.getTime() as T) : value;
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
const datetimes = fc
  .record({
    year: fc.oneof(
      fc.integer({ min: 0, max: 9999 }),
      fc.integer({ min: 1995, max: 2040 }),
      fc.constantFrom(999, 1000, 1900, 2000, 2100, 2400),
    ),
    month: fc.oneof(two(13), two(12)),
    day: fc.oneof(two(32), fc.constantFrom('28', '29', '30', '31')),
    t: fc.constantFrom('T', 'T', 'T', 't', ' '),
    hour: two(25),
    minute: two(61),
    second: two(61),
    fraction: fc.constantFrom('', '', '', '.5', '.123', '.123456'),
    offset: fc.oneof(
      fc.constantFrom('Z', 'Z', 'z', '', '+00:00', '-05:00', '+0530', '+05', '-00:00'),
      fc.tuple(fc.constantFrom('+', '-'), two(25), two(61)).map(([s, h, m]) => `${s}${h}:${m}`),
    ),
  })
  .map(
    (p) =>
      `${String(p.year).padStart(4, '0')}-${p.month}-${p.day}${p.t}${p.hour}:${p.minute}:${p.second}${p.fraction}${p.offset}`,
  );

describe('the datetime fast path', () => {
  it('gives toInstant the general path’s answer for every datetime-like string', () => {
    fc.assert(
      fc.property(datetimes, (text) => {
        expect(outcome(() => toInstant(text))).toEqual(generalToInstant(text));
      }),
      { numRuns: 20_000, seed: 13 },
    );
  });

  it('gives shiftWallClock the general path’s answer', () => {
    fc.assert(
      fc.property(datetimes, fc.integer({ min: -400, max: 400 }), (text, days) => {
        expect(outcome(() => shiftWallClock(text, days))).toEqual(generalShift(text, days));
      }),
      { numRuns: 20_000, seed: 13 },
    );
  });

  it('gives wallClockAndInstant the readings toInstant and shiftWallClock give', () => {
    fc.assert(
      fc.property(datetimes, (text) => {
        const clock = wallClockAndInstant(text);
        if (clock === undefined) return;
        expect(clock.instantMs).toBe(generalToInstant(text));
        expect(clock.wallMs).toBe(generalToInstant(generalShift(text, 0)));
      }),
      { numRuns: 20_000, seed: 13 },
    );
  });

  it('gives the reminder’s now on the wall clock of a start time as the general path does', () => {
    const instants = fc.integer({ min: 0, max: 4_102_444_800_000 }).map((ms) => new Date(ms));
    fc.assert(
      fc.property(datetimes, instants, (text, now) => {
        const wall = generalToInstant(generalShift(text, 0));
        const instant = generalToInstant(text);
        // The general path: toInstant(shiftWallClock(start, 0)) - toInstant(start), rounded.
        const expected =
          typeof generalShift(text, 0) === 'string' && generalShift(text, 0).startsWith('error')
            ? generalShift(text, 0)
            : typeof wall === 'string'
              ? wall
              : typeof instant === 'string'
                ? instant
                : formatKitDateTime(
                    new Date(now.getTime() + Math.round((wall - instant) / 60_000) * 60_000),
                  );
        expect(outcome(() => nowOnWallClockOf(text, now))).toEqual(expected);
      }),
      { numRuns: 20_000, seed: 13 },
    );
  });

  it('reads the common form exactly', () => {
    expect(toInstant('2035-01-10T09:30:00-05:00').toISOString()).toBe('2035-01-10T14:30:00.000Z');
    expect(toInstant('2024-02-29T23:59:59+05:30').toISOString()).toBe('2024-02-29T18:29:59.000Z');
    expect(toInstant('2035-01-07T09:30:00').toISOString()).toBe('2035-01-07T09:30:00.000Z');
    expect(shiftWallClock('2035-01-10T09:30:00-05:00', -3)).toBe('2035-01-07T09:30:00');
    expect(shiftWallClock('2024-03-01T00:00:00Z', -1)).toBe('2024-02-29T00:00:00');
  });
});
