/**
 * Date arithmetic the way kit protocols do it with `arrow`: parse a record's timestamp keeping its
 * offset, shift it by years, months, weeks, days, hours, format a day, and write Python's
 * `datetime.isoformat()` exactly (`+00:00`, never `Z`; microseconds only when non-zero, 6 digits).
 *
 * A `KitDateTime` is immutable: an instant (epoch milliseconds plus the microseconds below them,
 * which JavaScript's `Date` cannot hold and Canvas timestamps carry) and a fixed UTC offset in
 * minutes, as `arrow.get('...+05:30')` keeps it. No time zone database: a kit record's datetime
 * always carries a fixed offset (or none: UTC), so shifting one never crosses a DST change.
 *
 * Written here rather than taken from a library: luxon and dayjs keep milliseconds only, so
 * neither can write `2022-02-16T23:17:37.082929+00:00` back as Python does.
 */

import { daysInMonth, isRealDate } from '../../schemas/calendar';

const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 86_400_000;

/** What `arrow.get` reads: `YYYY-MM-DD`, then optionally `T` or a space, the time, an offset. */
const ISO_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** What `shift` takes (arrow's `shift(days=-3)` is `shift({ days: -3 })`). */
export interface KitShift {
  years?: number;
  months?: number;
  weeks?: number;
  days?: number;
  hours?: number;
  minutes?: number;
  seconds?: number;
}

/** A value that is not a datetime arrow could read. The message never quotes the value. */
export class KitDateTimeError extends RangeError {
  override readonly name = 'KitDateTimeError';
}

const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** arrow's format tokens, longest first; `[...]` is literal text. */
const FORMAT_TOKENS =
  /\[[^\]]*\]|YYYY|YY|MMMM|MMM|MM|M|DDDD|DDD|DD|Do|D|dddd|ddd|d|HH|H|hh|h|mm|m|ss|s|S{1,6}|ZZ|Z|A|a|X|x|W/g;

function pad(value: number, width: number): string {
  return String(Math.abs(value)).padStart(width, '0');
}

function ordinal(day: number): string {
  const tens = day % 100;
  if (tens >= 11 && tens <= 13) return `${day}th`;
  const suffix = ['th', 'st', 'nd', 'rd'][day % 10] ?? 'th';
  return `${day}${day % 10 > 3 ? 'th' : suffix}`;
}

/** `+05:30` from minutes east of UTC. */
function formatOffset(minutes: number, separator: string): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60), 2)}${separator}${pad(abs % 60, 2)}`;
}

function parseOffset(text: string | undefined): number {
  if (text === undefined || text === 'Z' || text === 'z') return 0;
  const sign = text.startsWith('-') ? -1 : 1;
  const digits = text.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (hours > 23 || minutes > 59) throw new KitDateTimeError('offset out of range');
  return sign * (hours * 60 + minutes);
}

export class KitDateTime {
  /** Epoch milliseconds of the instant (floored). */
  readonly epochMs: number;
  /** Microseconds below the millisecond, 0-999. */
  readonly microsecondRemainder: number;
  /** The UTC offset the wall clock is read in, minutes east of UTC. */
  readonly offsetMinutes: number;

  private constructor(epochMs: number, microsecondRemainder: number, offsetMinutes: number) {
    if (!Number.isFinite(epochMs)) throw new KitDateTimeError('not a valid datetime');
    this.epochMs = epochMs;
    this.microsecondRemainder = microsecondRemainder;
    this.offsetMinutes = offsetMinutes;
  }

  /**
   * `arrow.get(value)`: an ISO string (`T` or a space before the time, 0-9 fractional digits
   * rounded to microseconds, `Z` or an offset; none, or a date alone: UTC), a `Date` (UTC), epoch
   * milliseconds, or a `KitDateTime` (returned as is). Throws `KitDateTimeError` otherwise.
   */
  static get(value: string | Date | number | KitDateTime): KitDateTime {
    if (value instanceof KitDateTime) return value;
    if (value instanceof Date) return KitDateTime.fromEpochMs(value.getTime());
    if (typeof value === 'number') return KitDateTime.fromEpochMs(value);
    if (typeof value !== 'string') throw new KitDateTimeError('must be an ISO datetime string');
    const parsed = KitDateTime.parse(value);
    if (!parsed) throw new KitDateTimeError('must be an ISO datetime (YYYY-MM-DD[Thh:mm:ss])');
    return parsed;
  }

  /** Like `get` for a string, but undefined instead of throwing (for data that may be anything). */
  static parse(text: string): KitDateTime | undefined {
    const match = ISO_PATTERN.exec(text.trim());
    if (!match) return undefined;
    const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', offsetText] = match;
    const year = Number(y);
    const month = Number(mo);
    const day = Number(d);
    const hour = Number(h);
    const minute = Number(mi);
    const second = Number(s);
    if (!isRealDate(year, month, day)) return undefined;
    if (hour > 23 || minute > 59 || second > 59) return undefined;
    let offset: number;
    try {
      offset = parseOffset(offsetText);
    } catch {
      return undefined;
    }
    // Microseconds, rounded like arrow when more than six digits are given.
    let micros = fraction === '' ? 0 : Number(fraction.padEnd(9, '0').slice(0, 6));
    if (fraction.length > 6 && Number(fraction[6]) >= 5) micros += 1;
    const wall = Date.UTC(year, month - 1, day, hour, minute, second);
    const utc = new Date(wall);
    utc.setUTCFullYear(year); // Date.UTC maps years 0-99 to 1900-1999
    const epochMs = utc.getTime() - offset * MS_PER_MINUTE + Math.floor(micros / 1000);
    return new KitDateTime(epochMs, micros % 1000, offset);
  }

  static fromEpochMs(epochMs: number, offsetMinutes = 0): KitDateTime {
    if (!Number.isFinite(epochMs)) throw new KitDateTimeError('not a valid datetime');
    return new KitDateTime(Math.floor(epochMs), 0, offsetMinutes);
  }

  /** The wall clock, read as UTC fields. */
  private wall(): Date {
    return new Date(this.epochMs + this.offsetMinutes * MS_PER_MINUTE);
  }

  get year(): number {
    return this.wall().getUTCFullYear();
  }
  /** 1-12. */
  get month(): number {
    return this.wall().getUTCMonth() + 1;
  }
  get day(): number {
    return this.wall().getUTCDate();
  }
  get hour(): number {
    return this.wall().getUTCHours();
  }
  get minute(): number {
    return this.wall().getUTCMinutes();
  }
  get second(): number {
    return this.wall().getUTCSeconds();
  }
  /** 0-999999, as Python's `datetime.microsecond`. */
  get microsecond(): number {
    return this.wall().getUTCMilliseconds() * 1000 + this.microsecondRemainder;
  }
  /** 0 (Sunday) to 6. */
  get weekday(): number {
    return this.wall().getUTCDay();
  }

  /**
   * arrow's `shift`: years and months move the calendar (the day clamped to the month's end, as
   * dateutil does), then weeks, days, hours, minutes and seconds move the wall clock. The offset
   * is kept.
   */
  shift(by: KitShift): KitDateTime {
    let epochMs = this.epochMs;
    const months = (by.years ?? 0) * 12 + (by.months ?? 0);
    if (!Number.isInteger(months)) throw new KitDateTimeError('years and months must be whole');
    if (months !== 0) {
      const wall = this.wall();
      const total = wall.getUTCFullYear() * 12 + wall.getUTCMonth() + months;
      const year = Math.floor(total / 12);
      const monthIndex = total - year * 12;
      const day = Math.min(wall.getUTCDate(), daysInMonth(year, monthIndex + 1));
      const moved = new Date(wall.getTime());
      moved.setUTCFullYear(year, monthIndex, day);
      epochMs = moved.getTime() - this.offsetMinutes * MS_PER_MINUTE;
    }
    const delta =
      ((by.weeks ?? 0) * 7 + (by.days ?? 0)) * MS_PER_DAY +
      (by.hours ?? 0) * MS_PER_HOUR +
      (by.minutes ?? 0) * MS_PER_MINUTE +
      (by.seconds ?? 0) * 1000;
    if (!Number.isFinite(delta)) throw new KitDateTimeError('shift must be finite');
    // Fractions of a millisecond in the delta are dropped (arrow's timedelta keeps microseconds,
    // but no kit protocol shifts by less than a second).
    return new KitDateTime(
      epochMs + Math.trunc(delta),
      this.microsecondRemainder,
      this.offsetMinutes,
    );
  }

  /** The same instant on another offset's wall clock (arrow's `to('+05:30')`); minutes or text. */
  to(offset: number | string): KitDateTime {
    const minutes = typeof offset === 'number' ? offset : parseOffset(offset);
    return new KitDateTime(this.epochMs, this.microsecondRemainder, minutes);
  }

  /** Python's `datetime.isoformat()`: `2024-02-06T09:30:00+00:00`, `...37.082929-05:00`. */
  isoformat(): string {
    const micro = this.microsecond;
    const fraction = micro === 0 ? '' : `.${pad(micro, 6)}`;
    return `${this.format('YYYY-MM-DDTHH:mm:ss')}${fraction}${formatOffset(this.offsetMinutes, ':')}`;
  }

  /** The calendar day, `YYYY-MM-DD` (Python's `str(arrow.date())`). */
  isoDate(): string {
    return this.format('YYYY-MM-DD');
  }

  /**
   * arrow's `format`: `YYYY YY MMMM MMM MM M DD D Do dddd ddd d HH H hh h mm m ss s S.. A a ZZ Z X
   * x W`, `[...]` for literal text; anything else is copied.
   */
  format(pattern: string): string {
    const wall = this.wall();
    const year = wall.getUTCFullYear();
    const monthIndex = wall.getUTCMonth();
    const day = wall.getUTCDate();
    const hour = wall.getUTCHours();
    const weekday = wall.getUTCDay();
    return pattern.replace(FORMAT_TOKENS, (token) => {
      switch (token) {
        case 'YYYY':
          return pad(year, 4);
        case 'YY':
          return pad(year % 100, 2);
        case 'MMMM':
          return MONTH_NAMES[monthIndex] ?? '';
        case 'MMM':
          return (MONTH_NAMES[monthIndex] ?? '').slice(0, 3);
        case 'MM':
          return pad(monthIndex + 1, 2);
        case 'M':
          return String(monthIndex + 1);
        case 'DDDD':
          return pad(this.dayOfYear(), 3);
        case 'DDD':
          return String(this.dayOfYear());
        case 'DD':
          return pad(day, 2);
        case 'D':
          return String(day);
        case 'Do':
          return ordinal(day);
        case 'dddd':
          return DAY_NAMES[weekday] ?? '';
        case 'ddd':
          return (DAY_NAMES[weekday] ?? '').slice(0, 3);
        case 'd':
          return String(weekday === 0 ? 7 : weekday); // ISO weekday, as arrow
        case 'HH':
          return pad(hour, 2);
        case 'H':
          return String(hour);
        case 'hh':
          return pad(hour % 12 === 0 ? 12 : hour % 12, 2);
        case 'h':
          return String(hour % 12 === 0 ? 12 : hour % 12);
        case 'mm':
          return pad(wall.getUTCMinutes(), 2);
        case 'm':
          return String(wall.getUTCMinutes());
        case 'ss':
          return pad(wall.getUTCSeconds(), 2);
        case 's':
          return String(wall.getUTCSeconds());
        case 'A':
          return hour < 12 ? 'AM' : 'PM';
        case 'a':
          return hour < 12 ? 'am' : 'pm';
        case 'ZZ':
          return formatOffset(this.offsetMinutes, ':');
        case 'Z':
          return formatOffset(this.offsetMinutes, '');
        case 'X':
          return String(Math.floor(this.epochMs / 1000));
        case 'x':
          return `${this.epochMs}${pad(this.microsecondRemainder, 3)}`;
        case 'W':
          return this.isoWeek();
        default:
          if (token.startsWith('[')) return token.slice(1, -1);
          // S..SSSSSS: the fraction of a second, truncated to that many digits.
          return pad(this.microsecond, 6).slice(0, token.length);
      }
    });
  }

  private dayOfYear(): number {
    const wall = this.wall();
    const start = Date.UTC(wall.getUTCFullYear(), 0, 1);
    const today = Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate());
    return Math.round((today - start) / MS_PER_DAY) + 1;
  }

  private isoWeek(): string {
    const wall = this.wall();
    const date = new Date(Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate()));
    const isoDay = date.getUTCDay() || 7;
    date.setUTCDate(date.getUTCDate() + 4 - isoDay);
    const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
    const week = Math.ceil(((date.getTime() - yearStart) / MS_PER_DAY + 1) / 7);
    return `${pad(date.getUTCFullYear(), 4)}-W${pad(week, 2)}-${isoDay}`;
  }

  /** Microsecond-exact ordering: negative, 0 or positive. */
  compare(other: KitDateTime | Date | string): number {
    const that = KitDateTime.get(other);
    return this.epochMs - that.epochMs || this.microsecondRemainder - that.microsecondRemainder;
  }

  isBefore(other: KitDateTime | Date | string): boolean {
    return this.compare(other) < 0;
  }

  isAfter(other: KitDateTime | Date | string): boolean {
    return this.compare(other) > 0;
  }

  /** Same instant (offsets may differ), as Python compares aware datetimes. */
  equals(other: KitDateTime | Date | string): boolean {
    return this.compare(other) === 0;
  }

  /** Whole days from `other` to this, floored like Python's `(a - b).days`. */
  daysSince(other: KitDateTime | Date | string): number {
    const that = KitDateTime.get(other);
    const micros =
      (this.epochMs - that.epochMs) * 1000 +
      (this.microsecondRemainder - that.microsecondRemainder);
    return Math.floor(micros / (MS_PER_DAY * 1000));
  }

  /** The instant as a `Date` (microseconds below the millisecond dropped). */
  toDate(): Date {
    return new Date(this.epochMs);
  }

  /** Epoch milliseconds, so `<` and `>` compare instants. */
  valueOf(): number {
    return this.epochMs;
  }

  toString(): string {
    return this.isoformat();
  }

  toJSON(): string {
    return this.isoformat();
  }
}

/** `arrow.get(value)` in TypeScript: `arrow('2022-02-21T20:30:00Z').shift({ days: -3 })`. */
export function arrow(value: string | Date | number | KitDateTime): KitDateTime {
  return KitDateTime.get(value);
}
