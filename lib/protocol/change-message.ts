import { z } from 'zod';
import {
  ChangeEnvelopeSchema,
  type ChangeEvent,
  type ChangeType,
  type FieldChanges,
  FlatChangeEventSchema,
  KNOWN_FIELD_CHANGES_KEYS,
} from '../../schemas';
import { describeProblems, loggableProblemsFromZod } from '../validation-error';
import { changeTypesForModel } from './model-change-types';

/** Why a changes-queue message cannot be computed. */
export type ChangeMessageRejection = 'invalid-change-event' | 'unknown-change-type';

export type ChangeMessageResult =
  | {
      ok: true;
      change: ChangeEvent;
      /** How many `field_changes` keys the kit does not document (kept; count them, never name them). */
      unknownKeys: number;
    }
  | {
      ok: false;
      reason: ChangeMessageRejection;
      /** Safe to log: field paths and our schemas' messages; no value, no unknown key's name. */
      detail: string;
      /** The schema's refusal, for a caller that shows the author every name (the dry run). */
      error?: z.ZodError;
      /** Where `field_changes` sits in the message: `field_changes.` (envelope) or `` (flat). */
      prefix: string;
    };

export interface ReadChangeMessageOptions {
  /**
   * Change types to use when the message names none: the dry run's `--change-type`. They take the
   * place of the model mapping, not of types the message names.
   */
  changeTypes?: readonly ChangeType[];
}

/** True when the value is a plain JSON object (not null, not a list). */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a changes-queue message (the body parsed as JSON) in either form of docs/queue-contract.md:
 *
 * - envelope: `{"patient_key", "change_types"?, "field_changes": {...}}`, `field_changes` being the
 *   kit's object unchanged;
 * - flat: `patient_key` beside the `field_changes` keys.
 *
 * The change types are the message's `change_types`, else `options.changeTypes`, else the mapping
 * of `field_changes.model_name` (`lib/protocol/model-change-types.ts`); none of these gives
 * `unknown-change-type`. `field_changes` keys the kit does not document are kept and counted.
 */
export function readChangeMessage(
  body: unknown,
  options: ReadChangeMessageOptions = {},
): ChangeMessageResult {
  const envelope = isObject(body) && Object.hasOwn(body, 'field_changes');
  const prefix = envelope ? 'field_changes.' : '';
  let patientKey: string;
  let named: readonly ChangeType[] | undefined;
  let fieldChanges: FieldChanges;
  let rawFieldChanges: unknown;
  if (envelope) {
    const parsed = ChangeEnvelopeSchema.safeParse(body);
    if (!parsed.success) return refused(parsed.error, prefix);
    patientKey = parsed.data.patient_key;
    named = parsed.data.change_types;
    fieldChanges = parsed.data.field_changes;
    rawFieldChanges = body.field_changes;
  } else {
    const parsed = FlatChangeEventSchema.safeParse(body);
    if (!parsed.success) return refused(parsed.error, prefix);
    const { patient_key, ...rest } = parsed.data;
    patientKey = patient_key;
    fieldChanges = rest;
    rawFieldChanges = body;
  }
  const changeTypes = named ?? options.changeTypes ?? changeTypesForModel(fieldChanges.model_name);
  if (!changeTypes || changeTypes.length === 0) {
    return {
      ok: false,
      reason: 'unknown-change-type',
      detail: `${prefix}model_name: no change type is known for this model; name the change types in the envelope's change_types`,
      prefix,
    };
  }
  return {
    ok: true,
    change: { patientKey, changeTypes: [...new Set(changeTypes)], fieldChanges },
    unknownKeys: countUnknownKeys(rawFieldChanges, envelope ? [] : ['patient_key']),
  };
}

/** Own keys of the raw object that `field_changes` does not document (`__proto__` included). */
function countUnknownKeys(raw: unknown, alsoKnown: readonly string[]): number {
  if (!isObject(raw)) return 0;
  return Object.keys(raw).filter(
    (key) => !KNOWN_FIELD_CHANGES_KEYS.includes(key) && !alsoKnown.includes(key),
  ).length;
}

function refused(error: z.ZodError, prefix: string): ChangeMessageResult {
  return {
    ok: false,
    reason: 'invalid-change-event',
    detail: changeMessageDetail(error, prefix),
    error,
    prefix,
  };
}

/**
 * A change message's schema problems, safe to log. Unknown envelope keys are counted, not named.
 * `fields` is a map keyed by the platform's field names: a problem inside it is reported at
 * `fields`, the key withheld. Not reachable for unknown `field_changes` keys: they are kept.
 */
export function changeMessageDetail(error: z.ZodError, prefix = ''): string {
  const depth = prefix ? 1 : 0;
  const issues = error.issues.map((issue) => {
    const path = issue.path;
    if (path[depth] !== 'fields' || path.length <= depth + 1) return issue;
    return { ...issue, path: path.slice(0, depth + 1), message: `${issue.message} (key withheld)` };
  });
  const problems = loggableProblemsFromZod(new z.ZodError(issues), 'see the message body');
  // A hostile `fields` of many bad pairs gives one problem per pair, all alike once keys are
  // withheld: each is said once, and the whole stays short enough for one log line.
  const seen = new Set<string>();
  const unique = problems.filter((problem) => {
    const text = `${problem.field}: ${problem.message}`;
    if (seen.has(text)) return false;
    seen.add(text);
    return true;
  });
  const detail = describeProblems(unique);
  return detail.length <= MAX_DETAIL_LENGTH ? detail : `${detail.slice(0, MAX_DETAIL_LENGTH - 1)}…`;
}

/** The longest rejection detail logged for a change message. */
export const MAX_DETAIL_LENGTH = 1000;
