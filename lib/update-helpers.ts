import type { z } from 'zod';
import {
  type CreateTaskUpdate,
  CreateTaskUpdateSchema,
  type GroupMembershipUpdate,
  GroupMembershipUpdateSchema,
  type KeyIdentifier,
  type TaskCommentUpdate,
  TaskCommentUpdateSchema,
  type TaskMetadataUpdate,
  TaskMetadataUpdateSchema,
  type TaskStatus,
  type UpdateTaskUpdate,
  UpdateTaskUpdateSchema,
} from '../schemas';
import { acceptsCreateTask, acceptsGroupMembership } from '../schemas/update-fast-checks';
import { brandValidated } from './validated-update';
import {
  helperValidationError,
  NAMED_BY_DRY_RUN,
  problemsFromZod,
  withheldUnknown,
} from './validation-error';

/**
 * The kit's helpers, in TypeScript. Each builds the message with the kit's keys in the kit's order
 * (so `JSON.stringify` matches the kit's JSON), then validates it with the schema the appliers use.
 */

const ENVELOPE = {
  integration_source: 'SDK',
  handling_options: { respond_async: true },
} as const;

function keyIdentifier(key: string): KeyIdentifier {
  return { identifier_type: 'key', identifier: { key } };
}

/**
 * The schemas whose acceptance is also written out (schemas/update-fast-checks.ts: the same answer,
 * checked against zod by a property test): a message the written-out check accepts is one the
 * schema accepts, without zod's cost; any other is parsed by the schema, for its refusal.
 */
const WRITTEN_OUT_CHECKS = new Map<z.ZodType, (message: unknown) => boolean>([
  [CreateTaskUpdateSchema, acceptsCreateTask],
  [GroupMembershipUpdateSchema, acceptsGroupMembership],
]);

/** Validates a built message; throws naming the helper's argument at fault. */
function validated<T>(
  what: string,
  schema: z.ZodType<T>,
  message: T,
  argumentFor: (wirePath: string) => string,
): T {
  if (WRITTEN_OUT_CHECKS.get(schema)?.(message) === true)
    return brandValidated(message as T & object);
  const result = schema.safeParse(message);
  if (!result.success)
    throw helperValidationError(what, problemsFromZod(result.error, argumentFor));
  // The built object, not zod's copy: it carries the key order we chose. Branded as validated,
  // so the runner does not parse it again while it is unchanged (lib/validated-update.ts).
  return brandValidated(message as T & object);
}

type PatientMessage = CreateTaskUpdate | UpdateTaskUpdate | TaskCommentUpdate | TaskMetadataUpdate;

/**
 * A message about one patient's task, in the kit's envelope order: type, source, handling options,
 * patient, payload. The type comes from the schema, so it cannot disagree with it.
 */
function patientMessage<T extends PatientMessage>(
  what: string,
  schema: z.ZodType<T> & { shape: { integration_type: { value: T['integration_type'] } } },
  patientKey: string,
  payload: Record<string, unknown>,
  argumentFor: (wirePath: string) => string,
): T {
  const message = {
    integration_type: schema.shape.integration_type.value,
    ...ENVELOPE,
    patient_identifier: keyIdentifier(patientKey),
    integration_payload: payload,
  } as T;
  return validated(what, schema, message, argumentFor);
}

function groupMessage(
  patientKey: string,
  groupId: string,
  inactive: boolean,
): GroupMembershipUpdate {
  const entry = inactive ? { uuid: patientKey, inactive: true } : { uuid: patientKey };
  const message: GroupMembershipUpdate = {
    integration_type: 'Group',
    ...ENVELOPE,
    integration_payload: {
      externally_exposable_id: groupId,
      group_type: 'patientgroup',
      members: { mode: 'appendOrRemove', entries: [entry] },
    },
  };
  return validated('group membership update', GroupMembershipUpdateSchema, message, (path) => {
    if (path.startsWith('integration_payload.externally_exposable_id')) return 'groupId';
    if (path.startsWith('integration_payload.members.entries')) return 'patientKey';
    return path;
  });
}

/** A message that ensures the patient is an active member of the group. */
export function ensurePatientInGroup(patientKey: string, groupId: string): GroupMembershipUpdate {
  return groupMessage(patientKey, groupId, false);
}

/** A message that ensures the patient is not an active member of the group (history is kept). */
export function ensurePatientNotInGroup(
  patientKey: string,
  groupId: string,
): GroupMembershipUpdate {
  return groupMessage(patientKey, groupId, true);
}

/**
 * A datetime argument (`due`, `created`). A string is sent exactly as given, so the message is
 * byte-identical to the kit's for the same input; it must be a form the schema accepts
 * (`YYYY-MM-DDThh:mm:ss`, optional `.f` to `.ffffff`, optional `Z` or `±hh:mm`; no offset: UTC).
 * A `Date` is written as `toISOString()`: UTC, milliseconds, `Z` (`2024-02-06T14:30:00.000Z`).
 */
export type DateTimeInput = string | Date;

/** The wire value of a datetime argument: a `Date` as `toISOString()`, anything else unchanged. */
function wireDateTime(what: string, argument: string, value: unknown): unknown {
  if (!(value instanceof Date)) return value;
  if (Number.isNaN(value.getTime()))
    throw helperValidationError(what, [{ field: argument, message: 'must be a valid Date' }]);
  return value.toISOString();
}

export interface CreateTaskInput {
  patientKey: string;
  createdByKey: string;
  /** Default `OPEN`. */
  status?: TaskStatus;
  title?: string;
  assigneeIdentifier?: string;
  teamIdentifier?: string;
  /** A datetime string (sent as given) or a `Date` (see `DateTimeInput`). */
  due?: DateTimeInput;
  /** A datetime string (sent as given) or a `Date` (see `DateTimeInput`). */
  created?: DateTimeInput;
  tag?: string;
  /** Label names; missing ones are created when the task is applied. */
  labels?: readonly string[];
  /** Ours: the same patient and dedupe key make one task however often the protocol computes. */
  dedupeKey?: string;
}

const TASK_ARGUMENTS: Record<string, string> = {
  'patient_identifier.identifier.key': 'patientKey',
  'integration_payload.creator.identifier.key': 'createdByKey',
  'integration_payload.status': 'status',
  'integration_payload.title': 'title',
  'integration_payload.assignee.identifier.key': 'assigneeIdentifier',
  'integration_payload.team_identifier': 'teamIdentifier',
  'integration_payload.due': 'due',
  'integration_payload.created': 'created',
  'integration_payload.tag': 'tag',
  'integration_payload.labels': 'labels',
  'integration_payload.dedupe_key': 'dedupeKey',
};

function taskArgument(path: string): string {
  const label = /^integration_payload\.labels(\[\d+\])$/.exec(path);
  if (label) return `labels${label[1]}`;
  return TASK_ARGUMENTS[path] ?? path;
}

/**
 * The kit leaves out an optional value that is empty (`''`, `[]`, `None`). Anything else is kept,
 * so a wrong type from plain JavaScript reaches the schema and is refused, not dropped.
 */
function given<T>(value: T | null | undefined): value is T {
  if (value === undefined || value === null) return false;
  return !((typeof value === 'string' || Array.isArray(value)) && value.length === 0);
}

/**
 * Refuses input keys the helper does not know: from plain JavaScript a misspelt `dueDate` would
 * otherwise be dropped without a word. The error's message names each unknown key, for the
 * caller; what compute logs only counts them: a protocol spreading a data object into the input
 * would put data in the key names (the dry run still names them).
 */
function refuseUnknownArguments(what: string, input: unknown, known: Record<string, true>): void {
  if (typeof input !== 'object' || input === null) return;
  // A loop, not filter(callback): this runs for every message a protocol builds.
  const unknown: string[] = [];
  for (const key of Object.keys(input)) if (!Object.hasOwn(known, key)) unknown.push(key);
  if (unknown.length === 0) return;
  // The expected names are the helper's own identifiers: safe to log.
  const expected = `expected ${Object.keys(known).join(', ')}`;
  throw helperValidationError(
    what,
    unknown.map((key) => ({ field: key, message: `is not an argument (${expected})` })),
    [
      {
        field: '(arguments)',
        message: withheldUnknown(unknown.length, 'argument', `${NAMED_BY_DRY_RUN}; ${expected}`),
      },
    ],
  );
}

/** Every argument of `createTaskPayload`; `satisfies` keeps it equal to `CreateTaskInput`. */
const CREATE_TASK_INPUT_KEYS = {
  patientKey: true,
  createdByKey: true,
  status: true,
  title: true,
  assigneeIdentifier: true,
  teamIdentifier: true,
  due: true,
  created: true,
  tag: true,
  labels: true,
  dedupeKey: true,
} as const satisfies Record<keyof CreateTaskInput, true>;

/** A message that creates a task for the patient (once per `dedupeKey` when one is given). */
export function createTaskPayload(input: CreateTaskInput): CreateTaskUpdate {
  refuseUnknownArguments('task update', input, CREATE_TASK_INPUT_KEYS);
  // `input` may come from plain JavaScript or parsed JSON: read it defensively.
  const { patientKey, createdByKey, title, assigneeIdentifier, teamIdentifier } = input ?? {};
  const { tag, labels, dedupeKey } = input ?? {};
  const due = wireDateTime('task update', 'due', input?.due);
  const created = wireDateTime('task update', 'created', input?.created);
  const payload: Record<string, unknown> = {
    creator: keyIdentifier(createdByKey),
    status: input?.status ?? 'OPEN',
  };
  if (given(title)) payload.title = title;
  if (given(teamIdentifier)) payload.team_identifier = teamIdentifier;
  if (given(created)) payload.created = created;
  if (given(due)) payload.due = due;
  if (given(tag)) payload.tag = tag;
  if (given(labels)) payload.labels = Array.isArray(labels) ? [...labels] : labels;
  if (given(assigneeIdentifier)) payload.assignee = keyIdentifier(assigneeIdentifier);
  if (dedupeKey !== undefined) payload.dedupe_key = dedupeKey;

  return patientMessage('task update', CreateTaskUpdateSchema, patientKey, payload, taskArgument);
}

/** Names the task a lifecycle message acts on: its `dedupeKey`, or its stored `taskId`. */
export type TaskRef = { dedupeKey: string; taskId?: never } | { taskId: string; dedupeKey?: never };

/** Ours: changes an existing task. Only what is given changes; labels are added or removed. */
export type UpdateTaskInput = TaskRef & {
  patientKey: string;
  status?: TaskStatus;
  title?: string;
  teamIdentifier?: string;
  /** A datetime string (sent as given) or a `Date` (see `DateTimeInput`). */
  due?: DateTimeInput;
  /** Label names to put on the task; missing ones are created when applied. */
  addLabels?: readonly string[];
  removeLabels?: readonly string[];
  assigneeIdentifier?: string;
};

/** Ours: a comment on an existing task. */
export type TaskCommentInput = TaskRef & {
  patientKey: string;
  createdByKey: string;
  body: string;
  /** A datetime string (sent as given) or a `Date` (see `DateTimeInput`). */
  created?: DateTimeInput;
};

function taskReference(input: Partial<{ dedupeKey: unknown; taskId: unknown }>) {
  const ref: Record<string, unknown> = {};
  if (input.dedupeKey !== undefined) ref.dedupe_key = input.dedupeKey;
  if (input.taskId !== undefined) ref.task_id = input.taskId;
  return ref as { dedupe_key?: string; task_id?: string };
}

/** The helper argument for a lifecycle message's wire path (for errors). */
function lifecycleArgument(names: Record<string, string>) {
  return (path: string): string => {
    const listItem = /^integration_payload\.(labels_added|labels_removed)(\[\d+\])$/.exec(path);
    if (listItem) return `${names[`integration_payload.${listItem[1]}`]}${listItem[2]}`;
    return names[path] ?? path;
  };
}

const TASK_REFERENCE_ARGUMENTS: Record<string, string> = {
  'patient_identifier.identifier.key': 'patientKey',
  'integration_payload.task': 'dedupeKey or taskId',
  'integration_payload.task.dedupe_key': 'dedupeKey',
  'integration_payload.task.task_id': 'taskId',
};

const UPDATE_TASK_ARGUMENTS: Record<string, string> = {
  ...TASK_REFERENCE_ARGUMENTS,
  integration_payload: 'the changes',
  'integration_payload.status': 'status',
  'integration_payload.title': 'title',
  'integration_payload.team_identifier': 'teamIdentifier',
  'integration_payload.due': 'due',
  'integration_payload.labels_added': 'addLabels',
  'integration_payload.labels_removed': 'removeLabels',
  'integration_payload.assignee.identifier.key': 'assigneeIdentifier',
};

/** Every argument of `updateTaskPayload`. */
const UPDATE_TASK_INPUT_KEYS = {
  patientKey: true,
  dedupeKey: true,
  taskId: true,
  status: true,
  title: true,
  teamIdentifier: true,
  due: true,
  addLabels: true,
  removeLabels: true,
  assigneeIdentifier: true,
} as const satisfies Record<keyof UpdateTaskInput, true>;

/**
 * A message that changes an existing task of the patient (found by `dedupeKey` or `taskId`): status,
 * title, team, due, assignee, labels added or removed. Empty values are left out, as the kit does;
 * a message must change something.
 */
export function updateTaskPayload(input: UpdateTaskInput): UpdateTaskUpdate {
  refuseUnknownArguments('task lifecycle update', input, UPDATE_TASK_INPUT_KEYS);
  const { patientKey, status, title, teamIdentifier } = input ?? {};
  const due = wireDateTime('task lifecycle update', 'due', input?.due);
  const { addLabels, removeLabels, assigneeIdentifier } = input ?? {};
  const payload: Record<string, unknown> = { task: taskReference(input ?? {}) };
  if (given(status)) payload.status = status;
  if (given(title)) payload.title = title;
  if (given(teamIdentifier)) payload.team_identifier = teamIdentifier;
  if (given(due)) payload.due = due;
  if (given(addLabels))
    payload.labels_added = Array.isArray(addLabels) ? [...addLabels] : addLabels;
  if (given(removeLabels))
    payload.labels_removed = Array.isArray(removeLabels) ? [...removeLabels] : removeLabels;
  if (given(assigneeIdentifier)) payload.assignee = keyIdentifier(assigneeIdentifier);
  return patientMessage(
    'task lifecycle update',
    UpdateTaskUpdateSchema,
    patientKey,
    payload,
    lifecycleArgument(UPDATE_TASK_ARGUMENTS),
  );
}

const TASK_COMMENT_ARGUMENTS: Record<string, string> = {
  ...TASK_REFERENCE_ARGUMENTS,
  'integration_payload.creator.identifier.key': 'createdByKey',
  'integration_payload.body': 'body',
  'integration_payload.created': 'created',
};

/** Every argument of `taskCommentPayload`. */
const TASK_COMMENT_INPUT_KEYS = {
  patientKey: true,
  dedupeKey: true,
  taskId: true,
  createdByKey: true,
  body: true,
  created: true,
} as const satisfies Record<keyof TaskCommentInput, true>;

/** A message that adds a comment to an existing task of the patient, once however often sent. */
export function taskCommentPayload(input: TaskCommentInput): TaskCommentUpdate {
  refuseUnknownArguments('task comment', input, TASK_COMMENT_INPUT_KEYS);
  const { patientKey, createdByKey, body } = input ?? {};
  const created = wireDateTime('task comment', 'created', input?.created);
  const payload: Record<string, unknown> = {
    task: taskReference(input ?? {}),
    creator: keyIdentifier(createdByKey),
    body,
  };
  if (given(created)) payload.created = created;
  return patientMessage(
    'task comment',
    TaskCommentUpdateSchema,
    patientKey,
    payload,
    lifecycleArgument(TASK_COMMENT_ARGUMENTS),
  );
}

/** Ours: sets one key of an existing task's metadata (newest `computed-at` wins per key). */
export type TaskMetadataInput = TaskRef & {
  patientKey: string;
  /** An identifier: letters, digits and `_ . : -`, at most 256 characters. */
  key: string;
  /** Free text up to 2000 characters; `''` is a value. Metadata is never cleared. */
  value: string;
};

const TASK_METADATA_ARGUMENTS: Record<string, string> = {
  ...TASK_REFERENCE_ARGUMENTS,
  'integration_payload.key': 'key',
  'integration_payload.value': 'value',
};

/** Every argument of `taskMetadataPayload`. */
const TASK_METADATA_INPUT_KEYS = {
  patientKey: true,
  dedupeKey: true,
  taskId: true,
  key: true,
  value: true,
} as const satisfies Record<keyof TaskMetadataInput, true>;

/**
 * A message that upserts one key/value on an existing task of the patient (as the Canvas plugins
 * SDK's `TaskMetadata(task_id, key).upsert(value)`). `value` is sent as given, the empty string
 * included: it is required, not optional.
 */
export function taskMetadataPayload(input: TaskMetadataInput): TaskMetadataUpdate {
  refuseUnknownArguments('task metadata', input, TASK_METADATA_INPUT_KEYS);
  const { patientKey, key, value } = input ?? {};
  const payload: Record<string, unknown> = { task: taskReference(input ?? {}), key, value };
  return patientMessage(
    'task metadata',
    TaskMetadataUpdateSchema,
    patientKey,
    payload,
    lifecycleArgument(TASK_METADATA_ARGUMENTS),
  );
}
