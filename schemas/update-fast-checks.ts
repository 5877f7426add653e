import { MAX_LABEL_LENGTH, MAX_TASK_LABELS } from './create-task-update';
import { MAX_GROUP_ENTRIES } from './group-membership-update';
import { isKitDateTime } from './kit-datetime';
import { MAX_KEY_LENGTH, MAX_TEXT_LENGTH } from './primitives';

/**
 * The update schemas' acceptance, written out for the helpers' hot path: `acceptsCreateTask(m)`
 * is true exactly when `CreateTaskUpdateSchema.safeParse(m).success`, `acceptsGroupMembership(m)`
 * exactly when `GroupMembershipUpdateSchema.safeParse(m).success` (zod's own checks, ~5 µs for a
 * task, were the largest single cost of a computation). They read the input as zod does (`input[key]`
 * for the shape's keys, each once, `for...in` for unknown keys of a strict object, `Array.isArray`
 * and `input[i]` up to `length`) and apply the same rules (the constants are the schemas' own).
 *
 * They only answer yes or no: on no, the caller parses with the zod schema, whose refusal and
 * messages are therefore exactly what they were. `test/unit/schemas/update-fast-checks.test.ts`
 * checks both against the schemas over many hostile inputs (same answer every time). A change to
 * one of those schemas must be made here too; that test fails until it is.
 */

type Input = Record<string, unknown>;

/** zod's `isObject`: an object, not null, not an array. */
function isObject(value: unknown): value is Input {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `KeySchema`: a string of 1 to 256 characters, not blank. */
function isKey(value: unknown): boolean {
  return (
    typeof value === 'string' &&
    value.length >= 1 &&
    value.length <= MAX_KEY_LENGTH &&
    value.trim().length > 0
  );
}

/** `TextSchema`: a string of 1 to 2000 characters. */
function isText(value: unknown): boolean {
  return typeof value === 'string' && value.length >= 1 && value.length <= MAX_TEXT_LENGTH;
}

/** `LabelNameSchema`: text of at most 200 characters, not blank. */
function isLabel(value: unknown): boolean {
  return (
    typeof value === 'string' &&
    value.length >= 1 &&
    value.length <= MAX_LABEL_LENGTH &&
    value.trim().length > 0
  );
}

/** Every enumerable key (own or inherited, as `for...in` gives them) is one of `allowed`. */
function onlyKeys(value: Input, allowed: (key: string) => boolean): boolean {
  for (const key in value) if (!allowed(key)) return false;
  return true;
}

const ENVELOPE_KEYS = (key: string) =>
  key === 'integration_type' ||
  key === 'integration_source' ||
  key === 'handling_options' ||
  key === 'integration_payload';

const PATIENT_ENVELOPE_KEYS = (key: string) => ENVELOPE_KEYS(key) || key === 'patient_identifier';

const HANDLING_KEYS = (key: string) => key === 'respond_async';
const IDENTIFIER_KEYS = (key: string) => key === 'identifier_type' || key === 'identifier';
const KEY_KEYS = (key: string) => key === 'key';

/** `HandlingOptionsSchema`. */
function isHandlingOptions(value: unknown): boolean {
  return (
    isObject(value) && typeof value.respond_async === 'boolean' && onlyKeys(value, HANDLING_KEYS)
  );
}

/** `KeyIdentifierSchema`. */
function isKeyIdentifier(value: unknown): boolean {
  if (!isObject(value) || value.identifier_type !== 'key') return false;
  const identifier = value.identifier;
  return (
    isObject(identifier) &&
    isKey(identifier.key) &&
    onlyKeys(identifier, KEY_KEYS) &&
    onlyKeys(value, IDENTIFIER_KEYS)
  );
}

const TASK_PAYLOAD_KEYS = (key: string) => {
  switch (key) {
    case 'creator':
    case 'status':
    case 'title':
    case 'team_identifier':
    case 'created':
    case 'due':
    case 'tag':
    case 'labels':
    case 'assignee':
    case 'dedupe_key':
      return true;
    default:
      return false;
  }
};

/** `CreateTaskPayloadSchema`'s labels: absent, or 1 to 50 label names. */
function isLabels(value: unknown): boolean {
  if (value === undefined) return true;
  if (!Array.isArray(value) || value.length < 1 || value.length > MAX_TASK_LABELS) return false;
  for (let i = 0; i < value.length; i += 1) if (!isLabel(value[i])) return false;
  return true;
}

/** `CreateTaskPayloadSchema` (its status: one of the three, or null). */
function isCreateTaskPayload(value: unknown): boolean {
  if (!isObject(value) || !isKeyIdentifier(value.creator)) return false;
  const status = value.status;
  if (!(status === 'OPEN' || status === 'COMPLETED' || status === 'CLOSED' || status === null))
    return false;
  const title = value.title;
  const team = value.team_identifier;
  const created = value.created;
  const due = value.due;
  const tag = value.tag;
  if (!(title === undefined || isText(title)) || !(team === undefined || isKey(team))) return false;
  if (
    !(created === undefined || isKitDateTime(created)) ||
    !(due === undefined || isKitDateTime(due))
  )
    return false;
  if (!(tag === undefined || isText(tag)) || !isLabels(value.labels)) return false;
  const assignee = value.assignee;
  const dedupeKey = value.dedupe_key;
  return (
    (assignee === undefined || isKeyIdentifier(assignee)) &&
    (dedupeKey === undefined || isKey(dedupeKey)) &&
    onlyKeys(value, TASK_PAYLOAD_KEYS)
  );
}

/** Exactly `CreateTaskUpdateSchema.safeParse(value).success`. */
export function acceptsCreateTask(value: unknown): boolean {
  return (
    isObject(value) &&
    value.integration_type === 'Task' &&
    value.integration_source === 'SDK' &&
    isHandlingOptions(value.handling_options) &&
    isKeyIdentifier(value.patient_identifier) &&
    isCreateTaskPayload(value.integration_payload) &&
    onlyKeys(value, PATIENT_ENVELOPE_KEYS)
  );
}

const GROUP_PAYLOAD_KEYS = (key: string) =>
  key === 'externally_exposable_id' || key === 'group_type' || key === 'members';
const MEMBERS_KEYS = (key: string) => key === 'mode' || key === 'entries';
const ENTRY_KEYS = (key: string) => key === 'uuid' || key === 'inactive';

/** `GroupMemberEntrySchema`. */
function isMemberEntry(value: unknown): boolean {
  if (!isObject(value) || !isKey(value.uuid)) return false;
  const inactive = value.inactive;
  return (inactive === undefined || typeof inactive === 'boolean') && onlyKeys(value, ENTRY_KEYS);
}

/** The group payload's `members`. */
function isMembers(value: unknown): boolean {
  if (!isObject(value) || value.mode !== 'appendOrRemove') return false;
  const entries = value.entries;
  if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_GROUP_ENTRIES)
    return false;
  for (let i = 0; i < entries.length; i += 1) if (!isMemberEntry(entries[i])) return false;
  return onlyKeys(value, MEMBERS_KEYS);
}

/** Exactly `GroupMembershipUpdateSchema.safeParse(value).success`. */
export function acceptsGroupMembership(value: unknown): boolean {
  if (
    !isObject(value) ||
    value.integration_type !== 'Group' ||
    value.integration_source !== 'SDK' ||
    !isHandlingOptions(value.handling_options)
  )
    return false;
  const payload = value.integration_payload;
  if (!isObject(payload) || !isKey(payload.externally_exposable_id)) return false;
  const groupType = payload.group_type;
  return (
    (groupType === 'patientgroup' || groupType === 'person') &&
    isMembers(payload.members) &&
    onlyKeys(payload, GROUP_PAYLOAD_KEYS) &&
    onlyKeys(value, ENVELOPE_KEYS)
  );
}
