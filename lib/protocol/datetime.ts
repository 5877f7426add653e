import { z } from 'zod';

/**
 * Time for protocols. A protocol never reads the clock: the runner injects `now`, so a computation
 * is reproducible from its inputs.
 */

const DATETIME = z.iso.datetime({ local: true, offset: true });
/**
 * The schema's own pattern (a string format is a string plus this test), tested directly: a
 * `safeParse` per call cost more than the rest of `toInstant`. Absent only if zod changed how it
 * keeps it; then the schema is used.
 */
const DATETIME_PATTERN: RegExp | undefined = DATETIME._zod.def.pattern;
const isDateTime = (value: string): boolean =>
  DATETIME_PATTERN && !DATETIME_PATTERN.global && !DATETIME_PATTERN.sticky
    ? DATETIME_PATTERN.test(value)
    : DATETIME.safeParse(value).success;
const HAS_OFFSET = /(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * `now` as a Date. A string must be an ISO datetime; one without an offset is read as UTC, so the
 * result never depends on the machine's time zone.
 */
export function toInstant(value: Date | string): Date {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new RangeError('now: must be a valid date');
    return new Date(value.getTime());
  }
  if (typeof value !== 'string' || !isDateTime(value))
    throw new RangeError('now: must be an ISO datetime (YYYY-MM-DDThh:mm:ss, optional offset)');
  const instant = new Date(HAS_OFFSET.test(value) ? value : `${value}Z`);
  if (Number.isNaN(instant.getTime())) throw new RangeError('now: must be a valid date');
  return instant;
}

const twoDigits = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * The kit's `YYYY-MM-DDThh:mm:ss`, in UTC: `toISOString()` to the second. Written from the UTC
 * fields for years 0 to 9999 (`toISOString` cost several times more, on every reminder); any
 * other year, or an invalid date (which throws), goes through `toISOString` itself.
 */
export function formatKitDateTime(instant: Date): string {
  const year = instant.getUTCFullYear();
  if (!(year >= 0 && year <= 9999)) return instant.toISOString().slice(0, 19);
  const yyyy = year < 1000 ? String(year).padStart(4, '0') : String(year);
  return `${yyyy}-${twoDigits(instant.getUTCMonth() + 1)}-${twoDigits(instant.getUTCDate())}T${twoDigits(instant.getUTCHours())}:${twoDigits(instant.getUTCMinutes())}:${twoDigits(instant.getUTCSeconds())}`;
}

export function addDays(instant: Date, days: number): Date {
  return new Date(instant.getTime() + days * 86_400_000);
}

/**
 * Shifts the wall-clock part of an ISO datetime by whole days and returns it as a kit datetime,
 * keeping the record's own time zone (what the kit's `arrow.shift(days=...)` does).
 */
export function shiftWallClock(isoDateTime: string, days: number): string {
  const wallClock = new Date(`${isoDateTime.slice(0, 19)}Z`);
  if (Number.isNaN(wallClock.getTime())) throw new RangeError('must be an ISO datetime');
  return formatKitDateTime(addDays(wallClock, days));
}

/** The calendar date (`YYYY-MM-DD`) of an ISO datetime, in the record's own time zone. */
export function wallClockDate(isoDateTime: string): string {
  return isoDateTime.slice(0, 10);
}
