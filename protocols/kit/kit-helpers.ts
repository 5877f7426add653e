import type { ValueSet } from '../../lib';

/**
 * Small helpers the kit ports share, for what the protocol API leaves to a protocol: a
 * recommendation's command from a value set (the kit's `command_filter`), Python's `float()` and
 * Python's truthiness.
 */

/**
 * The kit's `Recommendation.command_filter(command_type, [value_set])`: the command a
 * recommendation's button opens, searching by the value set's codes, per code system (the kit's
 * lowercase system names: `loinc`, `icd10cm`, ...).
 */
export function commandFilter(
  type: string,
  valueSet: ValueSet,
): { type: string; filter: { coding: { system: string; code: string[] }[] } } {
  return {
    type,
    filter: {
      coding: valueSet.systems.map((system) => ({
        system: system.toLowerCase(),
        code: valueSet.codes(system),
      })),
    },
  };
}

/** A value Python's `float()` refuses. Names no value. */
export class KitFloatError extends TypeError {
  override readonly name = 'KitFloatError';
}

const PYTHON_FLOAT =
  /^[+-]?(?:(?:\d+(?:_\d+)*)?\.?\d+(?:_\d+)*(?:[eE][+-]?\d+)?|\d+\.|inf|infinity|nan)$/i;

/**
 * Python's `float(value)` on a record's value: a number as is; a string trimmed and read as
 * Python reads it (`'98.6'`, `' 2048 '`, `'1e3'`, `'inf'`). Anything else throws, as `float()`
 * raises in the kit: the protocol fails for that patient rather than guess.
 */
export function pythonFloat(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const text = value.trim().replaceAll('_', '');
    if (PYTHON_FLOAT.test(value.trim())) {
      const lower = text.toLowerCase().replace(/^[+]/, '');
      if (lower === 'inf' || lower === 'infinity') return Number.POSITIVE_INFINITY;
      if (lower === '-inf' || lower === '-infinity') return Number.NEGATIVE_INFINITY;
      if (lower === 'nan' || lower === '-nan') return Number.NaN;
      return Number(text);
    }
  }
  throw new KitFloatError('float(): the value is not a number');
}

/**
 * Python truthiness of a JSON value (`if value:`): null, '', 0, false, [] and {} are false; NaN,
 * unlike in JavaScript, is true.
 */
export function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '')
    return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}
