/**
 * The brand a helper-built update carries: proof that it passed the update schema, so the runner
 * (`computeProtocols`) does not parse it a second time.
 *
 * When a helper (`ensurePatientInGroup`, `createTaskPayload`, ...) has validated the message it
 * built, it records a private copy of it (the snapshot) against the object it returns. Nothing
 * else holds the snapshot, so it is still what the schema accepted when the runner meets it. The
 * object the protocol holds can change: it is the protocol's. So the runner takes the snapshot
 * only when the object still equals it exactly (same keys in the same order, same values), and
 * then sends the snapshot itself. The brand is spent on use: the snapshot is handed over once,
 * so an object sent again (twice in a list, or kept across computations) is parsed. Anything else
 * (an object built or changed by hand, a copy, a spread) has no brand or no longer matches, and
 * is parsed with the schema as before.
 *
 * Only plain JSON data is branded (strings, finite numbers, booleans, null, plain objects and
 * arrays); a message holding anything else is left unbranded.
 */

const snapshots = new WeakMap<object, Json>();

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
 * Brands a message that has just passed the update schema (a member of `UpdateSchema`). Call it
 * only right after a successful parse of that very object. Returns the message unchanged.
 */
export function brandValidated<T extends object>(message: T): T {
  const snapshot = jsonCopy(message, 0);
  if (snapshot !== null && typeof snapshot === 'object') snapshots.set(message, snapshot);
  return message;
}

/**
 * Takes the copy validated for this object, when the object still equals it exactly; otherwise
 * undefined (parse it). Spends the brand either way: the copy is handed over once.
 */
export function takeValidated(value: unknown): object | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const snapshot = snapshots.get(value);
  if (snapshot === undefined) return undefined;
  snapshots.delete(value);
  return sameAs(value, snapshot) ? (snapshot as object) : undefined;
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
