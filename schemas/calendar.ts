/**
 * The proleptic Gregorian calendar, as Python's `datetime` and JavaScript's `setUTCFullYear` read
 * it (no mapping of years 0-99 to the 1900s): the one place that knows how long a month is.
 */

/** The number of days in `month` (1-12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** A day that exists: year 1 or later (Python's first), a month 1-12, a day within that month. */
export function isRealDate(year: number, month: number, day: number): boolean {
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}
