/**
 * The brand a helper-built update carries: proof that it passed the update schema, so the runner
 * (`computeProtocols`) does not parse it a second time.
 *
 * When a helper (`ensurePatientInGroup`, `createTaskPayload`, ...) has validated the message it
 * built, it records a private record of its data (a flat tape of keys and values) against the
 * object it returns. Nothing else holds the tape, so it is still what the schema accepted when
 * the runner meets it. The object the protocol holds can change: it is the protocol's. So the
 * runner takes the message only when the object still equals the tape exactly (same keys in the
 * same order, same values), and then sends a copy built during that comparison, from the values
 * compared. The brand is spent on use: an object sent again (twice in a list, or kept across
 * computations) is parsed. Anything else
 * (an object built or changed by hand, a copy, a spread) has no brand or no longer matches, and
 * is parsed with the schema as before.
 *
 * Only plain JSON data is branded (strings, finite numbers, booleans, null, plain objects and
 * arrays); a message holding anything else is left unbranded.
 */

/** Returns the object it is given, so a subclass can stamp its private field on any object. */
class Stamp {
  constructor(target: object) {
    // biome-ignore lint/correctness/noConstructorReturn: the stamp's whole point (see Brand)
    return target;
  }
}

/**
 * What was validated, per branded message (see `record`), as a private field stamped on the
 * message itself: invisible to keys, JSON and reflection, unforgeable, and much cheaper to set
 * and read than a WeakMap entry (which every message of every computation would churn).
 */
class Brand extends Stamp {
  #tape: Tape | undefined;

  private constructor(target: object, tape: Tape) {
    super(target);
    this.#tape = tape;
  }

  static stamp(target: object, tape: Tape): void {
    if (Brand.has(target)) (target as Brand).#tape = tape;
    else new Brand(target, tape);
  }

  static has(target: object): boolean {
    return #tape in target;
  }

  /** The tape, spent: a second take finds none. */
  static take(target: object): Tape | undefined {
    if (!(#tape in target)) return undefined;
    const tape = (target as Brand).#tape;
    (target as Brand).#tape = undefined;
    return tape;
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A copy of plain JSON data, or undefined when it holds anything else. Values are read as the
 * schema read them a moment before (a helper's message holds only the containers it built and the
 * primitives the schema accepted, so nothing runs on a read).
 */
function jsonCopy(value: unknown, depth: number): Json | undefined {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : undefined;
    case 'object':
      break;
    default:
      return undefined;
  }
  if (depth > 16) return undefined;
  if (Array.isArray(value)) {
    const copy: Json[] = [];
    for (let i = 0; i < value.length; i += 1) {
      const item = jsonCopy(value[i], depth + 1);
      if (item === undefined) return undefined;
      copy.push(item);
    }
    return copy;
  }
  if (!isPlainObject(value as object)) return undefined;
  const copy: { [key: string]: Json } = {};
  for (const key of Object.keys(value as object)) {
    const item = jsonCopy((value as Record<string, unknown>)[key], depth + 1);
    if (item === undefined) return undefined;
    copy[key] = item;
  }
  return copy;
}

/**
 * Whether `value` is exactly the snapshot: the same primitives, the same keys in the same order,
 * plain objects and arrays. (What is sent is the snapshot, so a value read here only decides
 * whether the protocol changed its object since; it never reaches the queue.)
 */
function sameAs(value: unknown, snapshot: Json): boolean {
  if (typeof snapshot !== 'object' || snapshot === null) return value === snapshot;
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(snapshot)) {
    if (!Array.isArray(value) || value.length !== snapshot.length) return false;
    for (let i = 0; i < snapshot.length; i += 1)
      if (!sameAs(value[i], snapshot[i] as Json)) return false;
    return true;
  }
  if (Array.isArray(value) || !isPlainObject(value)) return false;
  const keys = Object.keys(value);
  const expected = Object.keys(snapshot);
  if (keys.length !== expected.length) return false;
  for (let i = 0; i < keys.length; i += 1) {
    const key = keys[i] as string;
    if (key !== expected[i]) return false;
    if (!sameAs((value as Record<string, unknown>)[key], snapshot[key] as Json)) return false;
  }
  return true;
}

/**
 * The brand's record of a validated message: its plain JSON data as a flat list, in order: each
 * primitive; an object as `OBJECT`, then each key followed by its value, then `CLOSE`; a list as
 * `LIST`, its length, then its items. Flat and holding no object of the message, so it is private
 * by construction and cheap to build and to replay (no key list per object, no copy up front).
 */
type Tape = unknown[];
const OBJECT = Symbol('object');
const LIST = Symbol('list');
const CLOSE = Symbol('close');

/** Records `value` on the tape; false when it is not plain JSON (then nothing is branded). */
function record(value: unknown, depth: number, tape: Tape): boolean {
  if (value === null) {
    tape.push(null);
    return true;
  }
  switch (typeof value) {
    case 'string':
    case 'boolean':
      tape.push(value);
      return true;
    case 'number':
      tape.push(value);
      return Number.isFinite(value);
    case 'object':
      break;
    default:
      return false;
  }
  if (depth > 16) return false;
  if (Array.isArray(value)) {
    tape.push(LIST, value.length);
    for (let i = 0; i < value.length; i += 1) if (!record(value[i], depth + 1, tape)) return false;
    return true;
  }
  if (!isPlainObject(value as object)) return false;
  tape.push(OBJECT);
  // for...in, as the replay reads it (and as zod's strict objects look for unknown keys).
  for (const key in value as object) {
    // A copy's `__proto__` key would set its prototype: such a message is parsed instead.
    if (key === '__proto__') return false;
    tape.push(key);
    if (!record((value as Record<string, unknown>)[key], depth + 1, tape)) return false;
  }
  tape.push(CLOSE);
  return true;
}

const MISMATCH = Symbol('mismatch');
let cursor = 0;

/**
 * Replays the tape from `cursor` against `value`: a copy of `value` when it is exactly what was
 * recorded (the same primitives, the same keys in the same order, plain objects and lists), else
 * `MISMATCH`. Each property is read once, and the copy is built from that read, so the copy is
 * what was compared.
 */
function replay(value: unknown, tape: Tape): Json | typeof MISMATCH {
  const expected = tape[cursor++];
  if (expected === OBJECT) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return MISMATCH;
    if (!isPlainObject(value)) return MISMATCH;
    const copy: { [key: string]: Json } = {};
    // for...in: own keys of a plain object (an inherited enumerable one does not match the tape).
    for (const key in value) {
      if (tape[cursor] !== key) return MISMATCH;
      cursor += 1;
      const item = replay((value as Record<string, unknown>)[key], tape);
      if (item === MISMATCH) return MISMATCH;
      copy[key] = item;
    }
    return tape[cursor++] === CLOSE ? copy : MISMATCH;
  }
  if (expected === LIST) {
    const length = tape[cursor++];
    if (!Array.isArray(value) || value.length !== length) return MISMATCH;
    const copy: Json[] = [];
    for (let i = 0; i < value.length; i += 1) {
      const item = replay(value[i], tape);
      if (item === MISMATCH) return MISMATCH;
      copy.push(item);
    }
    return copy;
  }
  return value === expected ? (value as Json) : MISMATCH;
}

/**
 * Brands a message that has just passed the update schema (a member of `UpdateSchema`). Call it
 * only right after a successful parse of that very object. Returns the message unchanged.
 */
export function brandValidated<T extends object>(message: T): T {
  const tape: Tape = [];
  // A frozen or sealed object cannot take the stamp: left unbranded (it is parsed).
  if (record(message, 0, tape) && Object.isExtensible(message)) Brand.stamp(message, tape);
  return message;
}

/**
 * A copy of the object, when it still equals exactly what was validated for it; otherwise
 * undefined (parse it). Spends the brand either way: the copy is handed over once.
 */
export function takeValidated(value: unknown): object | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const tape = Brand.take(value);
  if (tape === undefined) return undefined;
  // Saved and restored: a getter read during the replay may itself take another brand.
  const outer = cursor;
  try {
    cursor = 0;
    const copy = replay(value, tape);
    const whole = cursor === tape.length;
    return copy !== MISMATCH && whole && typeof copy === 'object' && copy !== null
      ? copy
      : undefined;
  } finally {
    cursor = outer;
  }
}

/**
 * A deep-frozen copy of plain JSON data (undefined when it holds anything else), to tell later
 * with `unchangedSince` whether the original is still what was checked.
 */
export function jsonSnapshot(value: unknown): object | undefined {
  const copy = jsonCopy(value, 0);
  if (copy === null || typeof copy !== 'object') return undefined;
  return deepFreezeJson(copy) as object;
}

function deepFreezeJson(value: Json): Json {
  if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) deepFreezeJson(item);
    Object.freeze(value);
  }
  return value;
}

/** Whether `value` still equals the snapshot exactly (keys in the same order). */
export function unchangedSince(value: unknown, snapshot: object): boolean {
  return sameAs(value, snapshot as Json);
}
