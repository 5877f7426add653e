import { KitDateTime, type KitShift } from './kit-datetime';

type When = KitDateTime | Date | string;

/**
 * The kit's `Timeframe`: a measurement period from `start` to `end`, both included. A protocol's
 * `this.timeframe` is, by default, the year ending at the injected `now`.
 */
export class Timeframe {
  readonly start: KitDateTime;
  readonly end: KitDateTime;

  constructor(start: When, end: When) {
    this.start = KitDateTime.get(start);
    this.end = KitDateTime.get(end);
    if (this.end.isBefore(this.start)) throw new RangeError('timeframe: end is before start');
  }

  /** The year ending at `now` (the kit's default: `now.shift(years=-1)` to `now`). */
  static yearEnding(now: When): Timeframe {
    const end = KitDateTime.get(now);
    return new Timeframe(end.shift({ years: -1 }), end);
  }

  /** Whole days from start to end (the kit's `timeframe.duration`). */
  get duration(): number {
    return this.end.daysSince(this.start);
  }

  /** Whether the instant is inside, both ends included (the kit's `within`). */
  contains(when: When): boolean {
    const instant = KitDateTime.get(when);
    return this.start.compare(instant) <= 0 && instant.compare(this.end) <= 0;
  }

  /** The period starting `by` earlier, ending where it ended (the kit's `increased_by`). */
  increasedBy(by: KitShift): Timeframe {
    const back: KitShift = {};
    for (const [unit, amount] of Object.entries(by) as [keyof KitShift, number][])
      back[unit] = -amount;
    return new Timeframe(this.start.shift(back), this.end);
  }

  /** The period of the same length just before this one (DiabeticEyeExam's "prior period"). */
  previous(): Timeframe {
    return new Timeframe(this.start.shift({ days: -this.duration }), this.start);
  }

  toString(): string {
    return `${this.start.isoformat()}/${this.end.isoformat()}`;
  }

  toJSON(): { start: string; end: string } {
    return { start: this.start.isoformat(), end: this.end.isoformat() };
  }
}
