import { type CollectionSpec, collectionSpec, ownField } from './collections';
import { KitDateTime } from './kit-datetime';
import type { Timeframe } from './timeframe';
import type { ValueSet } from './value-set';

/**
 * `RecordSet<T>`: what `this.patient.<collection>` is inside a protocol, the TypeScript form of
 * the kit's patient recordsets. Immutable (every method returns a new set or a value) and
 * iterable; methods chain as the kit's do:
 *
 *     this.patient.conditions.find(Diabetes).filter({ clinicalStatus: 'active' }).length > 0
 *     this.patient.labReports.find(Hba1c).within(this.timeframe).last()
 *
 * A lookup by predicate is `filter(fn).first()`; there is no `find(fn)` (`find` takes a value set).
 */

type When = KitDateTime | Date | string;

/** `{ 'category.code': 'A0001', state: 'accepted' }`: field paths (dot-separated) to values. */
export type FieldMatch = Readonly<Record<string, unknown>>;
export type RecordPredicate<T> = (record: T, index: number) => boolean;

/** A record set used where it cannot work (no date field, no periods). Names no data. */
export class RecordSetError extends Error {
  override readonly name = 'RecordSetError';
}

/**
 * A field path's value (`category.code`, `periods.0.from`), through own properties and list
 * indexes only: a `__proto__` or `constructor` key reaches nothing.
 */
export function fieldAt(record: unknown, path: string): unknown {
  let value: unknown = record;
  for (const key of path.split('.')) {
    value = Array.isArray(value) && /^\d+$/.test(key) ? value[Number(key)] : ownField(value, key);
    if (value === undefined || value === null) return value;
  }
  return value;
}

/** A number and the same whole number written as text (`14` and `"14"`). */
function isIntegerText(value: unknown, text: unknown): boolean {
  return (
    typeof value === 'number' &&
    Number.isSafeInteger(value) &&
    typeof text === 'string' &&
    text === String(value)
  );
}

/**
 * Python's `==` on JSON values: deep for lists and objects; `null` also matches a missing field.
 * One departure: a whole number matches the same number written as text (ids come both ways).
 */
function sameValue(actual: unknown, expected: unknown): boolean {
  if (expected === null || expected === undefined) return actual === null || actual === undefined;
  if (expected instanceof KitDateTime || expected instanceof Date) {
    if (typeof actual !== 'string') return false;
    const when = KitDateTime.parse(actual);
    return when?.equals(expected) ?? false;
  }
  if (typeof expected !== 'object') {
    if (actual === expected) return true;
    // Ids travel both ways: a dump writes 14, a change shorthand or an external system "14".
    return isIntegerText(actual, expected) || isIntegerText(expected, actual);
  }
  if (typeof actual !== 'object' || actual === null) return false;
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((item, i) => sameValue(actual[i], item))
    );
  }
  if (Array.isArray(actual)) return false;
  const expectedKeys = Object.keys(expected);
  return (
    expectedKeys.length === Object.keys(actual).length &&
    expectedKeys.every((key) =>
      sameValue(ownField(actual, key), (expected as Record<string, unknown>)[key]),
    )
  );
}

function matcher<T>(criteria: RecordPredicate<T> | FieldMatch): RecordPredicate<T> {
  if (typeof criteria === 'function') return criteria;
  if (typeof criteria !== 'object' || criteria === null)
    throw new TypeError('filter: takes a predicate or an object of field paths to values');
  const entries = Object.entries(criteria);
  return (record) =>
    entries.every(([path, expected]) => sameValue(fieldAt(record, path), expected));
}

/** Parsed datetimes, by record and field: a record's date is parsed once per computation. */
const parsedDates = new WeakMap<object, Map<string, KitDateTime | null>>();

/** A record's datetime field, parsed; undefined when absent or not a datetime. */
export function dateOf(record: unknown, field: string): KitDateTime | undefined {
  if (typeof record !== 'object' || record === null) return undefined;
  let fields = parsedDates.get(record);
  if (!fields) {
    fields = new Map();
    parsedDates.set(record, fields);
  }
  let parsed = fields.get(field);
  if (parsed === undefined) {
    const raw = fieldAt(record, field);
    parsed = (typeof raw === 'string' ? KitDateTime.parse(raw) : undefined) ?? null;
    fields.set(field, parsed);
  }
  return parsed ?? undefined;
}

interface Period {
  from: KitDateTime | undefined;
  to: KitDateTime | undefined;
}

function periodsOf(record: unknown): Period[] {
  const periods = ownField(record, 'periods');
  if (!Array.isArray(periods)) return [];
  return periods.map((period) => ({
    from: dateOf(period, 'from'),
    to: dateOf(period, 'to'),
  }));
}

export class RecordSet<T> implements Iterable<T> {
  readonly #records: readonly T[];
  readonly #spec: CollectionSpec;

  private constructor(records: readonly T[], spec: CollectionSpec) {
    this.#records = records;
    this.#spec = spec;
  }

  /**
   * A collection's record set, as the kit builds it: an `event` collection keeps only its dated
   * records, oldest first (stable; an unreadable date sorts first); a `period` collection leaves
   * out records whose `periods` list is empty; a `plain` one keeps all records, as listed. `collection` is the
   * property name (`labReports`) or a spec; unknown names are `plain`.
   */
  static of<T>(
    records: readonly T[],
    collection: string | CollectionSpec = '(records)',
  ): RecordSet<T> {
    const spec = typeof collection === 'string' ? collectionSpec(collection) : collection;
    let kept: readonly T[] = Array.isArray(records) ? records : [];
    if (spec.kind === 'event' && spec.dateField) {
      const field = spec.dateField;
      kept = kept
        .filter((record) => {
          const raw = fieldAt(record, field);
          return raw !== null && raw !== undefined;
        })
        .map((record, index) => ({ record, index, at: dateOf(record, field) }))
        .sort(
          (a, b) =>
            (a.at && b.at ? a.at.compare(b.at) : a.at ? 1 : b.at ? -1 : 0) || a.index - b.index,
        )
        .map(({ record }) => record);
    } else if (spec.kind === 'period') {
      // The kit drops records whose `periods` list is empty; a record without the field at all
      // (data of another shape) is kept.
      const hasPeriods = (record: T) => {
        const periods = ownField(record, 'periods');
        return !Array.isArray(periods) || periods.length > 0;
      };
      if (!kept.every(hasPeriods)) kept = kept.filter(hasPeriods);
    }
    // A frozen list (the runner freezes the patient) is used as is; any other is copied, so the
    // set never changes under its holder.
    if (!Object.isFrozen(kept)) kept = [...kept];
    return new RecordSet(Object.freeze(kept), spec);
  }

  /** The same collection's behaviour over other records (already in order). */
  #derive(records: readonly T[]): RecordSet<T> {
    return new RecordSet(Object.freeze(records), this.#spec);
  }

  /** The collection's name (`labReports`). */
  get collection(): string {
    return this.#spec.name;
  }

  get length(): number {
    return this.#records.length;
  }

  [Symbol.iterator](): Iterator<T> {
    return this.#records[Symbol.iterator]();
  }

  isEmpty(): boolean {
    return this.#records.length === 0;
  }

  /** The record at `index`; negative counts from the end (the kit's `records[-1]`). */
  at(index: number): T | undefined {
    return this.#records.at(index);
  }

  /** The first record (for an event collection, the oldest), or undefined. */
  first(): T | undefined {
    return this.#records[0];
  }

  /** The last record (for an event collection, the most recent), or undefined. */
  last(): T | undefined {
    return this.#records[this.#records.length - 1];
  }

  /**
   * The last record's `value` (the kit's `last_value()`); with `cast`, its result, or undefined
   * when the cast gives NaN or throws (`lastValue(Number)`, the kit's `last_value(cast=float)`).
   */
  lastValue(): unknown;
  lastValue<V>(cast: (value: unknown) => V): V | undefined;
  lastValue<V>(cast?: (value: unknown) => V): unknown {
    const record = this.last();
    if (record === undefined) return undefined;
    const value = ownField(record, 'value');
    if (!cast) return value;
    if (value === undefined || value === null) return undefined;
    try {
      const cast_ = cast(value);
      return typeof cast_ === 'number' && Number.isNaN(cast_) ? undefined : cast_;
    } catch {
      return undefined;
    }
  }

  toArray(): T[] {
    return [...this.#records];
  }

  /**
   * The records matching a predicate, or every field of a match object: `filter({ 'category.code':
   * 'A0001' })` (the kit's `filter(category__code='A0001')`). Values compare as Python's `==`;
   * `null` matches a null or missing field; a `Date` or `KitDateTime` matches the same instant;
   * an id `14` matches `"14"` (dumps write ids as numbers, change shorthands as text).
   */
  filter(criteria: RecordPredicate<T> | FieldMatch): RecordSet<T> {
    const test = matcher(criteria);
    return this.#derive(this.#records.filter((record, index) => test(record, index)));
  }

  /** The records not matching (the kit's `exclude`). */
  exclude(criteria: RecordPredicate<T> | FieldMatch): RecordSet<T> {
    const test = matcher(criteria);
    return this.#derive(this.#records.filter((record, index) => !test(record, index)));
  }

  some(criteria: RecordPredicate<T> | FieldMatch): boolean {
    const test = matcher(criteria);
    return this.#records.some((record, index) => test(record, index));
  }

  every(criteria: RecordPredicate<T> | FieldMatch): boolean {
    const test = matcher(criteria);
    return this.#records.every((record, index) => test(record, index));
  }

  map<U>(fn: (record: T, index: number) => U): U[] {
    return this.#records.map((record, index) => fn(record, index));
  }

  /** This set's records, then the other's (the kit's `+`), in that order. */
  concat(other: RecordSet<T>): RecordSet<T> {
    return this.#derive([...this.#records, ...other.#records]);
  }

  /**
   * The records with a coding in the value set (the kit's `find(ValueSet)`), looking at the codes
   * the collection keeps (`coding`, a lab report's `loincCodes`, an interview's responses, ...) in
   * the code systems it uses. Conditions are found only when active or resolved, as in the kit.
   */
  find(valueSet: ValueSet): RecordSet<T> {
    const { codes, systems } = this.#spec;
    return this.#derive(
      this.#records.filter((record) => valueSet.matchesAny(codes(record), systems)),
    );
  }

  /** The records the kit counts as entered: not deleted, not entered in error, committed. */
  validated(): RecordSet<T> {
    return this.#derive(
      this.#records.filter(
        (record) =>
          !ownField(record, 'deleted') &&
          !ownField(record, 'entered_in_error') &&
          !ownField(record, 'enteredInError') &&
          Boolean(ownField(record, 'committer')),
      ),
    );
  }

  #dateField(method: string, field: string | undefined): string {
    const chosen = field ?? this.#spec.dateField;
    if (!chosen)
      throw new RecordSetError(
        `${this.#spec.name}.${method}: the collection has no date field; name one: ${method}(..., 'created')`,
      );
    return chosen;
  }

  #byDate(method: string, field: string | undefined, test: (at: KitDateTime) => boolean) {
    const chosen = this.#dateField(method, field);
    return this.#derive(
      this.#records.filter((record) => {
        const at = dateOf(record, chosen);
        return at !== undefined && test(at);
      }),
    );
  }

  /** Records dated inside the timeframe, both ends included (the kit's `within`). */
  within(timeframe: Timeframe, field?: string): RecordSet<T> {
    return this.#byDate('within', field, (at) => timeframe.contains(at));
  }

  /** Records dated at or before `when` (the kit's `before`, inclusive). */
  before(when: When, field?: string): RecordSet<T> {
    const end = KitDateTime.get(when);
    return this.#byDate('before', field, (at) => at.compare(end) <= 0);
  }

  /** Records dated at or after `when` (the kit's `after`, inclusive). */
  after(when: When, field?: string): RecordSet<T> {
    const start = KitDateTime.get(when);
    return this.#byDate('after', field, (at) => at.compare(start) >= 0);
  }

  /** The record's date (the collection's date field, or `field`), parsed. */
  dateOf(record: T, field?: string): KitDateTime | undefined {
    return dateOf(record, this.#dateField('dateOf', field));
  }

  /**
   * Records with a period overlapping the timeframe (the kit's `intersects`): it starts by the
   * timeframe's end and has not ended before its start (with `stillActive`, before its end). An
   * open end (`to: null`) is still going; an unknown start (`from: null`) is never counted.
   */
  intersects(timeframe: Timeframe, options: { stillActive?: boolean } = {}): RecordSet<T> {
    const stillActive = options.stillActive ?? false;
    return this.#derive(
      this.#records.filter((record) =>
        periodsOf(record).some(
          ({ from, to }) =>
            from !== undefined &&
            from.compare(timeframe.end) <= 0 &&
            (to === undefined ||
              (stillActive ? timeframe.end.compare(to) <= 0 : timeframe.start.compare(to) <= 0)),
        ),
      ),
    );
  }

  /** Records with an open period (`to: null`) that started at or before `when` (`starts_before`). */
  startsBefore(when: When): RecordSet<T> {
    const end = KitDateTime.get(when);
    return this.#derive(
      this.#records.filter((record) =>
        periodsOf(record).some(
          ({ from, to }) => from !== undefined && from.compare(end) <= 0 && to === undefined,
        ),
      ),
    );
  }

  toString(): string {
    return `RecordSet(${this.#spec.name}: ${this.#records.length} records)`;
  }

  /** As JSON: the records. */
  toJSON(): readonly T[] {
    return this.#records;
  }
}
