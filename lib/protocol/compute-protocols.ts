import type { z } from 'zod';
import type { ChangeEvent, Patient, Update } from '../../schemas';
import { UpdateSchema } from '../message-types';
import { jsonSnapshot, takeValidated, unchangedSince } from '../validated-update';
import {
  describeProblems,
  helperLoggableMessage,
  loggableProblemsFromZod,
  NAMED_BY_DRY_RUN,
  problemsFromZod,
} from '../validation-error';
import { changeTypesOf } from './change';
import { toInstant } from './datetime';
import { impactedByChanges } from './impacted-by-changes';
import { sharePatientView } from './patient-records';
import { type ProtocolClass, type ProtocolMeta, ProtocolMetaSchema, protocolKey } from './protocol';
import {
  isCommonResultShape,
  ProtocolResult,
  type ProtocolResultData,
  ProtocolResultShapeSchema,
  STATUS_NOT_RELEVANT,
  toResultData,
} from './protocol-result';
import { ProtocolSettings, SettingsError } from './settings';

export type ProtocolRunStatus = 'computed' | 'not_relevant' | 'failed';

/** Why a run failed. */
export interface ProtocolRunError {
  /** `invalid-meta`, `protocol-error`, `invalid-result`, `invalid-update` or `invalid-settings`. */
  code: string;
  /**
   * What the compute Lambda logs: names schema fields and error kinds, never patient data. Unknown
   * keys are counted, not named: a protocol building an object by hand may key it with data.
   */
  message: string;
  /**
   * The same with the unknown keys named, for the dry run (the author's terminal over fixture
   * data); set only when it says more than `message`. Non-enumerable, like `ProtocolRun.thrown`,
   * so JSON and structured loggers never see it. Never log it.
   */
  readonly authorMessage?: string;
}

/** One protocol's computation for one patient, as plain data. */
export interface ProtocolRun {
  /** Stable id: `meta.key`, else the class name. */
  protocol: string;
  version: string;
  status: ProtocolRunStatus;
  /** Absent when the run failed. */
  result?: ProtocolResultData;
  /** The updates to send; empty when not relevant or failed (nothing partial is sent). */
  updates: Update[];
  error?: ProtocolRunError;
  /**
   * What the protocol's code threw (a failed run whose error is not the runner's own), for the dry
   * run, the author's terminal tool, to show its message and stack. Non-enumerable, so JSON and
   * structured loggers never see it: its message may quote patient data. Never log it.
   */
  readonly thrown?: unknown;
}

export interface ComputeProtocolsInput {
  protocols: readonly ProtocolClass[];
  patient: Patient;
  /** The triggering change; null or absent for a scheduled recomputation. */
  change?: ChangeEvent | null;
  /** The computation's instant (ISO string without offset: UTC). */
  now: Date | string;
  /** The deployment's settings, given to every protocol as `this.settings`; default: none. */
  settings?: ProtocolSettings;
}

/** The caller's input is wrong (not a protocol's fault): nothing was computed. */
export class ComputeInputError extends Error {
  override readonly name = 'ComputeInputError';
  constructor(
    readonly code: 'invalid-now' | 'patient-mismatch',
    message: string,
  ) {
    super(message);
  }
}

/** A failure raised by the runner itself; its message is ours and safe to record. */
class RunFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** The message with unknown keys named, for the author (`ProtocolRunError.authorMessage`). */
    readonly authorMessage = message,
  ) {
    super(message);
  }
}

/** A schema refusal of what a protocol gave, its wire paths put under `prefix`. */
function schemaFailure(code: string, error: z.ZodError, prefix: string): RunFailure {
  const rename = under(prefix);
  return new RunFailure(
    code,
    describeProblems(loggableProblemsFromZod(error, NAMED_BY_DRY_RUN, rename)),
    describeProblems(problemsFromZod(error, rename)),
  );
}

/**
 * Computes each protocol for the patient and returns one run per protocol, in order. Pure: no
 * clock, no I/O. A protocol that throws, returns a malformed result or sets an invalid update
 * fails alone; the others still run. The patient is deep-frozen in place (protocols only read it),
 * so pass data you will not change afterwards.
 */
export function computeProtocols(input: ComputeProtocolsInput): ProtocolRun[] {
  const { protocols, patient } = input;
  const change = input.change ?? null;
  let now: Date;
  try {
    now = toInstant(input.now);
  } catch (error) {
    throw new ComputeInputError('invalid-now', (error as Error).message);
  }
  if (change && change.patientKey !== patient.patient.key)
    throw new ComputeInputError('patient-mismatch', 'change: concerns another patient');

  const settings = input.settings ?? ProtocolSettings.EMPTY;
  // Protocols read the patient, never change it: frozen once here (not copied per protocol, which
  // cost more than the protocols themselves), so one that tries fails alone with a TypeError.
  deepFreeze(patient);
  // One read-only view of the frozen patient for all of them (this.patient).
  sharePatientView(patient, now);
  return protocols.map((protocolClass) => runOne(protocolClass, patient, change, now, settings));
}

function runOne(
  protocolClass: ProtocolClass,
  patient: Patient,
  change: ChangeEvent | null,
  now: Date,
  settings: ProtocolSettings,
): ProtocolRun {
  const id = safeKey(protocolClass);
  const version = safeVersion(protocolClass);
  try {
    const meta = checkedMeta(protocolClass.meta);
    if (!impactedByChanges(meta.computeOnChangeTypes, changeTypesOf(change))) {
      const result = new ProtocolResult();
      result.status = STATUS_NOT_RELEVANT;
      return {
        protocol: id,
        version,
        status: 'not_relevant',
        result: toResultData(result, now),
        updates: [],
      };
    }
    // The patient is frozen: one protocol cannot change what the next one reads.
    const protocol = new protocolClass({
      patient,
      change,
      now,
      settings,
    });
    const result = checkedResult(protocol.results());
    const updates = checkedUpdates(protocol.updates());
    return {
      protocol: id,
      version,
      status: 'computed',
      result: toResultData(result, now),
      updates,
    };
  } catch (error) {
    return failedRun(id, version, error);
  }
}

/** Metas that passed the schema, with a frozen copy of what was checked. */
const checkedMetas = new WeakMap<object, { checked: object; meta: ProtocolMeta }>();

/**
 * The class's meta, checked with the schema. A meta is checked once, then again only when it no
 * longer equals what was checked (a class's meta is the same object on every run).
 */
function checkedMeta(value: unknown): ProtocolMeta {
  const known = typeof value === 'object' && value !== null ? checkedMetas.get(value) : undefined;
  if (known && unchangedSince(value, known.checked)) return known.meta;
  const meta = ProtocolMetaSchema.safeParse(value);
  if (!meta.success) throw schemaFailure('invalid-meta', meta.error, 'meta');
  const checked = jsonSnapshot(value);
  if (checked && typeof value === 'object' && value !== null)
    checkedMetas.set(value, { checked, meta: meta.data });
  return meta.data;
}

/** Roots already frozen whole, so a patient computed again is not walked again. */
const frozenRoots = new WeakSet<object>();

/**
 * Freezes a JSON-like value and everything under it, in place (an explicit stack, not recursion:
 * a deep value cannot overflow the call stack). Lists are walked by index, objects with
 * `for...in`, which for the patient schema's plain objects is their own keys and much cheaper
 * than `Object.keys` (no array per object; ~9 µs instead of ~14 for a bench patient's 90
 * objects); the rare inherited enumerable value is frozen too.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || frozenRoots.has(value)) return value;
  const stack: object[] = [value];
  while (stack.length > 0) {
    const current = stack.pop() as Record<string, unknown>;
    Object.freeze(current);
    if (Array.isArray(current)) {
      // A JSON list's values are its elements (an array's other own keys are not JSON).
      for (let i = 0; i < current.length; i += 1) {
        const child: unknown = current[i];
        if (typeof child === 'object' && child !== null && !Object.isFrozen(child))
          stack.push(child);
      }
      continue;
    }
    for (const key in current) {
      const child = current[key];
      if (typeof child === 'object' && child !== null && !Object.isFrozen(child)) stack.push(child);
    }
  }
  frozenRoots.add(value);
  return value;
}

function failedRun(protocol: string, version: string, error: unknown): ProtocolRun {
  const run: ProtocolRun = {
    protocol,
    version,
    status: 'failed',
    updates: [],
    error: runError(error),
  };
  // The runner's own failures say all there is; anything else came from the protocol's code.
  if (!(error instanceof RunFailure))
    Object.defineProperty(run, 'thrown', { value: error, enumerable: false });
  return run;
}

function checkedResult(result: unknown): ProtocolResult {
  if (typeof result !== 'object' || result === null)
    throw new RunFailure('invalid-result', 'result: computeResults must return a ProtocolResult');
  // The common shape is checked by hand (the schema's answer); anything else by the schema.
  if (isCommonResultShape(result)) return result as ProtocolResult;
  const shape = ProtocolResultShapeSchema.safeParse(result);
  if (!shape.success) throw schemaFailure('invalid-result', shape.error, 'result');
  return result as ProtocolResult;
}

/**
 * Validates every update: a cast or plain JavaScript can bypass the types. A helper's message
 * that still equals what the helper validated is not parsed again (lib/validated-update.ts): the
 * helper's own copy of what it validated is sent. Anything else is parsed, and copied.
 */
function checkedUpdates(updates: unknown): Update[] {
  if (!Array.isArray(updates))
    throw new RunFailure('invalid-update', 'updates: setUpdates must be given a list');
  return updates.map((update, index) => {
    // A helper's message, unchanged since the helper validated it: the copy it validated.
    const validated = takeValidated(update);
    if (validated !== undefined) return validated as Update;
    const parsed = UpdateSchema.safeParse(update);
    if (!parsed.success) throw schemaFailure('invalid-update', parsed.error, `updates[${index}]`);
    // The protocol's object, copied: it keeps the key order the helpers chose.
    return structuredClone(update as Update);
  });
}

/** Renames a wire path to sit under `prefix` (the root path is the prefix itself). */
function under(prefix: string): (path: string) => string {
  return (path) => (path === '(message)' ? prefix : `${prefix}.${path}`);
}

/**
 * Only our own errors' messages are kept: another error's message may quote patient data. A
 * helper's `UpdateValidationError` names its arguments (code identifiers) and the fields at fault,
 * never a value; the keys a caller gave it that are not arguments may be data (a spread object),
 * so its loggable message counts them and only the author's message names them.
 */
function runError(error: unknown): ProtocolRunError {
  if (error instanceof RunFailure)
    return withAuthorMessage(error.code, error.message, error.authorMessage);
  // Only the helpers' own errors have one: an UpdateValidationError the protocol built itself may
  // carry anything, so it falls through to the name only.
  // A missing or mistyped setting: the message names the setting's key (configuration), no value.
  if (error instanceof SettingsError) return { code: 'invalid-settings', message: error.message };
  const loggable = helperLoggableMessage(error);
  if (loggable !== undefined)
    return withAuthorMessage('invalid-update', loggable, (error as Error).message);
  const name = error instanceof Error ? error.name : 'non-Error value thrown';
  return { code: 'protocol-error', message: name };
}

/** A run error whose author message is set (non-enumerable) only when it says more. */
function withAuthorMessage(code: string, message: string, authorMessage: string): ProtocolRunError {
  const failure: ProtocolRunError = { code, message };
  if (authorMessage !== message)
    Object.defineProperty(failure, 'authorMessage', { value: authorMessage, enumerable: false });
  return failure;
}

function safeKey(protocolClass: ProtocolClass): string {
  try {
    return protocolKey(protocolClass);
  } catch {
    return String(protocolClass?.name ?? '(unknown)');
  }
}

function safeVersion(protocolClass: ProtocolClass): string {
  const version = protocolClass?.meta?.version;
  return typeof version === 'string' ? version : '(unknown)';
}
