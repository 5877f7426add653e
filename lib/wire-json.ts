/**
 * Serializes a message the way Python's `json.dumps` does, so a payload can be compared byte for
 * byte with what the kit's bus stored. With the defaults (`ensureAscii: true`, separators `", "`
 * and `": "`) it equals `json.dumps(payload)`; `JSON.stringify` equals
 * `json.dumps(payload, separators=(",", ":"), ensure_ascii=False)`.
 */
export interface PythonJsonOptions {
  ensureAscii?: boolean;
  itemSeparator?: string;
  keySeparator?: string;
}

function pythonString(value: string, ensureAscii: boolean): string {
  const json = JSON.stringify(value);
  if (!ensureAscii) return json;
  // Python escapes every code unit above 0x7e as \uXXXX (surrogate pairs as two escapes).
  return json.replace(
    /[\u007f-\uffff]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export function toPythonJson(value: unknown, options: PythonJsonOptions = {}): string {
  const ensureAscii = options.ensureAscii ?? true;
  const item = options.itemSeparator ?? ', ';
  const key = options.keySeparator ?? ': ';
  const write = (v: unknown): string => {
    if (v === null) return 'null';
    if (typeof v === 'string') return pythonString(v, ensureAscii);
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'number') return JSON.stringify(v);
    if (Array.isArray(v)) return `[${v.map(write).join(item)}]`;
    if (typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>).filter(
        ([, x]) => x !== undefined,
      );
      return `{${entries.map(([k, x]) => `${pythonString(k, ensureAscii)}${key}${write(x)}`).join(item)}}`;
    }
    throw new TypeError(`cannot serialize a ${typeof v}`);
  };
  return write(value);
}
