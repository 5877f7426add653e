import { z } from 'zod';
import { isRealDate } from '../../schemas/calendar';

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
  const fixed = typeof value === 'string' ? fixedOffsetInstantMs(value) : undefined;
  if (fixed !== undefined) return new Date(fixed);
  if (typeof value !== 'string' || !isDateTime(value))
    throw new RangeError('now: must be an ISO datetime (YYYY-MM-DDThh:mm:ss, optional offset)');
  const instant = new Date(HAS_OFFSET.test(value) ? value : `${value}Z`);
  if (Number.isNaN(instant.getTime())) throw new RangeError('now: must be a valid date');
  return instant;
}

const twoDigits = (n: number): string => (n < 10 ? `0${n}` : String(n));

const MS_PER_MINUTE = 60_000;

/** The digit at `at` as a number, or NaN when it is not one. */
function digit(text: string, at: number): number {
  const code = text.charCodeAt(at) - 48;
  return code >= 0 && code <= 9 ? code : Number.NaN;
}

function twoDigitsAt(text: string, at: number): number {
  return digit(text, at) * 10 + digit(text, at + 1);
}

/**
 * `YYYY-MM-DDThh:mm:ss` at the start of `text`, read as UTC epoch milliseconds, when it is a real
 * datetime with a year from 1000 (what every record datetime is); otherwise undefined, and the
 * caller takes the general path (`new Date`, zod's pattern), which gives the same answer for these
 * and the only one for anything else. Read by hand: parsing strings with `new Date` and checking
 * zod's pattern were most of the reminder's date arithmetic.
 */
function wallClockPrefixMs(text: string): number | undefined {
  if (text.length < 19) return undefined;
  if (text[4] !== '-' || text[7] !== '-' || text[10] !== 'T') return undefined;
  if (text[13] !== ':' || text[16] !== ':') return undefined;
  const year = twoDigitsAt(text, 0) * 100 + twoDigitsAt(text, 2);
  const month = twoDigitsAt(text, 5);
  const day = twoDigitsAt(text, 8);
  const hour = twoDigitsAt(text, 11);
  const minute = twoDigitsAt(text, 14);
  const second = twoDigitsAt(text, 17);
  // NaN (a non-digit) fails every comparison below.
  if (!(year >= 1000 && hour <= 23 && minute <= 59 && second <= 59)) return undefined;
  if (!isRealDate(year, month, day)) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** A datetime's wall clock read as UTC, and the instant it denotes, in epoch milliseconds. */
export interface WallClockAndInstant {
  wallMs: number;
  instantMs: number;
}

/**
 * Both readings of a datetime in one of the forms `fixedOffsetInstantMs` reads by hand:
 * `wallMs` is what `toInstant(shiftWallClock(text, 0))` gives, `instantMs` what `toInstant(text)`
 * gives. Undefined for any other text (use those two).
 */
export function wallClockAndInstant(text: string): WallClockAndInstant | undefined {
  const instantMs = fixedOffsetInstantMs(text);
  if (instantMs === undefined) return undefined;
  return { wallMs: wallClockPrefixMs(text) as number, instantMs };
}

/**
 * Epoch milliseconds of exactly `YYYY-MM-DDThh:mm:ss`, alone (UTC, as `toInstant` reads it) or
 * followed by `Z` or `±hh:mm` (a real value, year from 1000, offset hours to 23): the common forms
 * of a record's datetime and of a kit datetime, whose instant `new Date` gives the same. Undefined
 * for any other text (the general path reads it).
 */
export function fixedOffsetInstantMs(text: string): number | undefined {
  const length = text.length;
  if (length !== 19 && length !== 20 && length !== 25) return undefined;
  const wall = wallClockPrefixMs(text);
  if (wall === undefined || length === 19) return wall;
  if (length === 20) return text[19] === 'Z' ? wall : undefined;
  const sign = text[19];
  if ((sign !== '+' && sign !== '-') || text[22] !== ':') return undefined;
  const offsetHours = twoDigitsAt(text, 20);
  const offsetMinutes = twoDigitsAt(text, 23);
  if (!(offsetHours <= 23 && offsetMinutes <= 59)) return undefined;
  const offset = (offsetHours * 60 + offsetMinutes) * MS_PER_MINUTE;
  return sign === '+' ? wall - offset : wall + offset;
}

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
  const fixed = wallClockPrefixMs(isoDateTime);
  if (fixed !== undefined) return formatKitDateTime(addDays(new Date(fixed), days));
  const wallClock = new Date(`${isoDateTime.slice(0, 19)}Z`);
  if (Number.isNaN(wallClock.getTime())) throw new RangeError('must be an ISO datetime');
  return formatKitDateTime(addDays(wallClock, days));
}

/** The calendar date (`YYYY-MM-DD`) of an ISO datetime, in the record's own time zone. */
export function wallClockDate(isoDateTime: string): string {
  return isoDateTime.slice(0, 10);
}
