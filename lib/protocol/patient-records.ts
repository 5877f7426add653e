import { ownField } from './collections';
import { KitDateTime } from './kit-datetime';
import { RecordSet } from './record-set';

/**
 * `this.patient` inside a protocol: the plain patient data with each collection wrapped as a
 * `RecordSet`, lazily (a collection is wrapped, and an event collection sorted, the first time the
 * protocol reads it, then kept), plus the kit patient's conveniences (`firstName`, `age`, ...).
 *
 *     this.patient.patient.key           // the kit's self.patient.patient['key']
 *     this.patient.conditions.find(Diabetes)
 *     this.patient.firstName             // self.patient.first_name
 */

type ElementOf<V> = NonNullable<V> extends readonly (infer R)[] ? R : never;

/** `P`'s declared keys, without its index signature (a loose object's unknown keys). */
type DeclaredKeys<P> = keyof {
  [K in keyof P as string extends K ? never : number extends K ? never : K]: P[K];
};

/** The declared keys of `P` that hold a list of records (every key but `patient`). */
export type CollectionKey<P> = {
  [K in DeclaredKeys<P>]-?: K extends 'patient'
    ? never
    : NonNullable<P[K]> extends readonly unknown[]
      ? K
      : never;
}[DeclaredKeys<P>];

/** The kit patient's derived values. */
export interface PatientConveniences {
  /** `patient.firstName` (the kit's `first_name`); '' when absent. */
  readonly firstName: string;
  /** `patient.lastName`; '' when absent. */
  readonly lastName: string;
  /**
   * The kit's `age` at the injected `now`: fractional years (`35.4`), so `age > 35` reads as in
   * the kit; NaN without a readable `patient.birthDate`. `Math.floor(age)` is the whole years.
   */
  readonly age: number;
  /** The kit's `age_at(when)`, fractional years (see `age`). */
  ageAt(when: KitDateTime | Date | string): number;
  /**
   * Any collection by name, typed or not (a dump file the schema does not type is kept as loose
   * records): `this.patient.collection('suspectHccs')`. Empty when the patient has none.
   */
  collection(name: string): RecordSet<Readonly<Record<string, unknown>>>;
  /** The plain data the view wraps (read-only: the runner deep-freezes it). */
  readonly data: unknown;
}

export type PatientRecords<P extends { patient: unknown }> = PatientConveniences & {
  readonly patient: P['patient'];
} & { readonly [K in CollectionKey<P>]: RecordSet<ElementOf<P[K]>> };

/** Days since 1970-01-01 of a datetime's calendar day, on its own wall clock. */
function dayNumber(at: KitDateTime): number {
  return Date.UTC(at.year, at.month - 1, at.day) / 86_400_000;
}

/**
 * The kit patient's `age_at(time)`: whole years from the `YYYY-MM-DD` birth date to `when`'s
 * calendar day, plus the fraction of the current year of age passed (days since the last
 * birthday over the days between it and the next; a 29 February birthday falls on the 28th in a
 * common year, as arrow's `shift`). 0 when the birth date is not before that day, as the kit; NaN
 * without a readable birth date.
 */
export function ageOn(birthDate: unknown, when: KitDateTime | Date | string): number {
  if (typeof birthDate !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(birthDate)) return Number.NaN;
  const born = KitDateTime.parse(birthDate);
  if (!born) return Number.NaN;
  const on = KitDateTime.get(when);
  const today = dayNumber(on);
  if (dayNumber(born) >= today) return 0;
  let years = on.year - born.year;
  if (on.month < born.month || (on.month === born.month && on.day < born.day)) years -= 1;
  const last = dayNumber(born.shift({ years }));
  const next = dayNumber(born.shift({ years: years + 1 }));
  return years + (today - last) / (next - last);
}

const RESERVED = new Set([
  'firstName',
  'lastName',
  'age',
  'ageAt',
  'collection',
  'data',
  'patient',
]);

/** What a patient view wraps: the data, its record, the instant, and the record sets made so far. */
interface ViewState {
  readonly data: { patient: unknown };
  readonly record: unknown;
  readonly instant: KitDateTime;
  readonly sets: Map<string, RecordSet<unknown>>;
}

/** Each view's state, by its target and by the proxy (getters and methods run with either). */
const states = new WeakMap<object, ViewState>();

function stateOf(view: unknown): ViewState {
  const state = states.get(view as object);
  if (!state) throw new TypeError('not a patient view');
  return state;
}

/** A collection's record set, made on first read, then kept; undefined when not a list. */
function setOf(state: ViewState, key: string): RecordSet<unknown> | undefined {
  const cached = state.sets.get(key);
  if (cached) return cached;
  const list = ownField(state.data, key);
  if (!Array.isArray(list)) return undefined;
  const set = RecordSet.of(list, key);
  state.sets.set(key, set);
  return set;
}

/**
 * The conveniences, on one shared prototype (so making a view allocates no closures and no
 * accessors); each view is an object of its own over it. Frozen: every view reads through it, so
 * no protocol may add or change anything on it.
 */
const CONVENIENCES: PatientConveniences = Object.freeze<PatientConveniences>({
  get firstName() {
    const value = ownField(stateOf(this).record, 'firstName');
    return typeof value === 'string' ? value : '';
  },
  get lastName() {
    const value = ownField(stateOf(this).record, 'lastName');
    return typeof value === 'string' ? value : '';
  },
  get age() {
    const state = stateOf(this);
    return ageOn(ownField(state.record, 'birthDate'), state.instant);
  },
  ageAt(when) {
    return ageOn(ownField(stateOf(this).record, 'birthDate'), when);
  },
  collection(name) {
    return (setOf(stateOf(this), name) ?? RecordSet.of([], name)) as RecordSet<
      Readonly<Record<string, unknown>>
    >;
  },
  get data() {
    return stateOf(this).data;
  },
});

/** One handler for every view: reads go to the record, a convenience or a collection. */
const VIEW_HANDLER: ProxyHandler<object> = {
  get(target, key, receiver) {
    if (key === 'patient') return stateOf(target).record;
    if (typeof key !== 'string' || RESERVED.has(key) || key in target)
      return Reflect.get(target, key, receiver);
    return setOf(stateOf(target), key);
  },
  has(target, key) {
    return (
      key === 'patient' ||
      Reflect.has(target, key) ||
      (typeof key === 'string' && Array.isArray(ownField(stateOf(target).data, key)))
    );
  },
  set() {
    return false;
  },
  defineProperty() {
    return false;
  },
  deleteProperty() {
    return false;
  },
  // A view may be shared by the protocols of one computation (sharePatientView): none may change
  // what the others read through it.
  setPrototypeOf() {
    return false;
  },
  preventExtensions() {
    return false;
  },
};

/** Wraps a patient's plain data for a protocol; `now` is the computation's instant. */
export function patientRecords<P extends { patient: unknown }>(
  data: P,
  now: KitDateTime | Date | string,
): PatientRecords<P> {
  const state: ViewState = {
    data,
    record: data.patient,
    instant: KitDateTime.get(now),
    sets: new Map(),
  };
  const target = Object.create(CONVENIENCES) as object;
  const view = new Proxy(target, VIEW_HANDLER);
  states.set(target, state);
  states.set(view, state);
  return view as unknown as PatientRecords<P>;
}

/** Views made once per computation for deep-frozen data, by data, with their instant. */
const sharedViews = new WeakMap<object, { epochMs: number; view: unknown }>();

/**
 * Lets every protocol of a computation read the patient through one view (the runner calls it
 * once it has deep-frozen the data): a view only reads, and over frozen data its record sets
 * never change, so sharing it is invisible; it saves making one per protocol. `patientView` finds
 * it for the same data and instant.
 */
export function sharePatientView<P extends { patient: unknown }>(data: P, now: Date): void {
  if (!Object.isFrozen(data)) return;
  sharedViews.set(data, { epochMs: now.getTime(), view: patientRecords(data, now) });
}

/** The shared view of this data at this instant, else a new one (see `sharePatientView`). */
export function patientView<P extends { patient: unknown }>(
  data: P,
  now: KitDateTime,
): PatientRecords<P> {
  const shared = typeof data === 'object' && data !== null ? sharedViews.get(data) : undefined;
  if (shared && shared.epochMs === now.epochMs && now.microsecondRemainder === 0)
    return shared.view as PatientRecords<P>;
  return patientRecords(data, now);
}
