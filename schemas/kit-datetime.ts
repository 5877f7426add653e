import { z } from 'zod';
import { isRealDate } from './calendar';

/**
 * Message datetimes (Task `due` and `created`, a task change's `due`, a comment's `created`) as the kit
 * and JavaScript producers write them: the seed's `2024-02-06T09:30:00`, Python's `isoformat()` of
 * an aware value (`2024-02-06T09:30:00-05:00`, `2026-12-01T08:20:11.123456+00:00`) and
 * `toISOString()` (`2024-02-06T14:30:00.000Z`). Precisely:
 *
 *     YYYY-MM-DDThh:mm:ss[.f to .ffffff][Z | +hh:mm | -hh:mm]
 *
 * A real calendar value only (2024-02-30, 24:00:00, 23:59:60 and an offset hour above 23 are
 * refused), from year 0001 to 9999 also once moved to UTC: Python's `datetime` cannot represent
 * year 0000 or 10000, so the kit could never read such a value back.
 *
 * A value **without an offset is read as UTC**, as `toInstant` reads `now` (lib/protocol/datetime.ts):
 * the kit's naive datetimes are the platform's UTC, and a reading must not depend on the machine's
 * time zone.
 *
 * The message keeps the string exactly as sent; beside it the appliers store `kitDateTimeUtc(value)`.
 */

const KIT_DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|([+-])(\d{2}):(\d{2}))?$/;

const pad = (value: number, width: number) => String(value).padStart(width, '0');

/**
 * The normalized UTC instant of a message datetime, `YYYY-MM-DDThh:mm:ss.ffffffZ` (always six
 * fractional digits, so string order is time order and microseconds are kept), or `undefined` when
 * the value is not an accepted datetime. No offset: read as UTC.
 */
export function kitDateTimeUtc(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = KIT_DATETIME.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const fraction = (match[7] ?? '').padEnd(6, '0');
  if (!isRealDate(year, month, day)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (match[9] !== undefined) {
    const offsetHour = Number(match[10]);
    const offsetMinute = Number(match[11]);
    if (offsetHour > 23 || offsetMinute > 59) return undefined;
    offsetMinutes = (match[9] === '-' ? -1 : 1) * (offsetHour * 60 + offsetMinute);
  }
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0 to 99 as 1900 to 1999.
  const instant = new Date(0);
  instant.setUTCFullYear(year, month - 1, day);
  instant.setUTCHours(hour, minute - offsetMinutes, second, 0);
  const utcYear = instant.getUTCFullYear();
  if (utcYear < 1 || utcYear > 9999) return undefined;
  return (
    `${pad(utcYear, 4)}-${pad(instant.getUTCMonth() + 1, 2)}-${pad(instant.getUTCDate(), 2)}` +
    `T${pad(instant.getUTCHours(), 2)}:${pad(instant.getUTCMinutes(), 2)}:` +
    `${pad(instant.getUTCSeconds(), 2)}.${fraction}Z`
  );
}

/**
 * Exactly `kitDateTimeUtc(value) !== undefined`, without building the UTC string (the helpers'
 * check of every task's `due`): the same pattern and ranges; the UTC year is computed only when
 * the value's own year is 1 or 9999, the only ones an offset (under a day) can move out of range.
 */
export function isKitDateTime(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const common = commonFormValid(value);
  if (common !== undefined) return common;
  const match = KIT_DATETIME.exec(value);
  if (!match) return false;
  const year = Number(match[1]);
  if (!isRealDate(year, Number(match[2]), Number(match[3]))) return false;
  if (Number(match[4]) > 23 || Number(match[5]) > 59 || Number(match[6]) > 59) return false;
  if (match[9] !== undefined && (Number(match[10]) > 23 || Number(match[11]) > 59)) return false;
  return (year > 1 && year < 9999) || kitDateTimeUtc(value) !== undefined;
}

/** The digit at `at` as a number, or NaN. */
function digitAt(text: string, at: number): number {
  const code = text.charCodeAt(at) - 48;
  return code >= 0 && code <= 9 ? code : Number.NaN;
}

const twoAt = (text: string, at: number) => digitAt(text, at) * 10 + digitAt(text, at + 1);

/**
 * `isKitDateTime` for `YYYY-MM-DDThh:mm:ss` alone, with `Z` or with `±hh:mm`, read by hand (what
 * the reminder and most producers send): the pattern's answer for these, with the same ranges.
 * Undefined for any other shape of text, and for years 1 and 9999 (the regular path decides).
 */
function commonFormValid(text: string): boolean | undefined {
  const length = text.length;
  if (length !== 19 && length !== 20 && length !== 25) return undefined;
  if (text[4] !== '-' || text[7] !== '-' || text[10] !== 'T' || text[13] !== ':') return undefined;
  if (text[16] !== ':') return undefined;
  const year = twoAt(text, 0) * 100 + twoAt(text, 2);
  const month = twoAt(text, 5);
  const day = twoAt(text, 8);
  const hour = twoAt(text, 11);
  const minute = twoAt(text, 14);
  const second = twoAt(text, 17);
  // A non-digit makes NaN: not this shape, so not decided here.
  if (Number.isNaN(year + month + day + hour + minute + second)) return undefined;
  if (length === 20 && text[19] !== 'Z') return undefined;
  if (length === 25) {
    const sign = text[19];
    if ((sign !== '+' && sign !== '-') || text[22] !== ':') return undefined;
    const offsetHour = twoAt(text, 20);
    const offsetMinute = twoAt(text, 23);
    if (Number.isNaN(offsetHour + offsetMinute)) return undefined;
    if (offsetHour > 23 || offsetMinute > 59) return false;
  }
  if (!isRealDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return false;
  return year > 1 && year < 9999 ? true : undefined;
}

/** The rule, as every refusal states it (a field name is prefixed by the caller, never the value). */
export const KIT_DATETIME_RULE =
  'must be a real datetime formatted YYYY-MM-DDThh:mm:ss, optionally with .f to .ffffff and Z or ±hh:mm';

/** A message datetime (above). Parses to the string exactly as sent. */
export const KitDateTimeSchema = z
  .string({ error: 'must be a string' })
  .refine((value) => kitDateTimeUtc(value) !== undefined, { error: KIT_DATETIME_RULE });
