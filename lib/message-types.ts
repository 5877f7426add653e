import { z } from 'zod';
import { CreateTaskUpdateSchema } from '../schemas/create-task-update';
import { GroupMembershipUpdateSchema } from '../schemas/group-membership-update';
import { TaskCommentUpdateSchema } from '../schemas/task-comment-update';
import { TaskMetadataUpdateSchema } from '../schemas/task-metadata-update';
import { UpdateTaskUpdateSchema } from '../schemas/update-task-update';
import { applyGroupMembership } from './apply/apply-group-membership';
import { applyTask } from './apply/apply-task';
import { applyTaskComment } from './apply/apply-task-comment';
import { applyTaskMetadata } from './apply/apply-task-metadata';
import { applyTaskUpdate } from './apply/apply-task-update';
import type { ApplyResult } from './apply/outcomes';
import type { Delivery, UpdateMetadata } from './apply/update-metadata';
import type {
  MembershipStore,
  TaskCommentStore,
  TaskLifecycleStore,
  TaskMetadataStore,
  TaskStore,
} from './ports';

/**
 * The message-type registry: one entry per message type, and every per-type list derives from it
 * (the update union, queue names, environment variables, applier wiring, the generated queues,
 * DLQs, alarms and roles in serverless.yml). Adding a message type = its own files (schema,
 * applier, store port and adapter, handler, helper) plus one entry here.
 *
 * This module is loaded by the serverless config resolvers too (resources/*.cjs, through tsx), so
 * it must not import `lib/aws/` or anything that reads the environment at import time.
 */

/**
 * The DynamoDB tables the functions reach: the variable holding its name, its logical id, and its
 * physical name's suffix (`<service>-<stage>-<name>`).
 */
export const TABLES = {
  patients: { env: 'PATIENTS_TABLE', logicalId: 'PatientsTable', name: 'patients' },
  groups: { env: 'GROUPS_TABLE', logicalId: 'GroupsTable', name: 'groups' },
  memberships: { env: 'MEMBERSHIPS_TABLE', logicalId: 'MembershipsTable', name: 'memberships' },
  tasks: { env: 'TASKS_TABLE', logicalId: 'TasksTable', name: 'tasks' },
  labels: { env: 'LABELS_TABLE', logicalId: 'LabelsTable', name: 'labels' },
  taskComments: {
    env: 'TASK_COMMENTS_TABLE',
    logicalId: 'TaskCommentsTable',
    name: 'task-comments',
  },
  protocolResults: {
    env: 'PROTOCOL_RESULTS_TABLE',
    logicalId: 'ProtocolResultsTable',
    name: 'protocol-results',
  },
  taskMetadata: {
    env: 'TASK_METADATA_TABLE',
    logicalId: 'TaskMetadataTable',
    name: 'task-metadata',
  },
} as const;
export type TableKey = keyof typeof TABLES;

/** The DynamoDB actions an applier's store may be granted on a table. */
export type DynamoDbAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:ConditionCheckItem'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:Query';

/** What an applier gets besides its store. */
export interface ApplierContext {
  now: () => Date;
  /** Deliveries of a message whose task is missing before `unknown-task` (UNKNOWN_TASK_ATTEMPTS). */
  unknownTaskAttempts: number;
}

/** Applies one valid update of its type; throws on a transient failure. */
export type ApplyUpdate<U> = (
  update: U,
  meta: UpdateMetadata,
  delivery: Delivery,
) => Promise<ApplyResult>;

/** The tables an applier's store reaches, each with the actions it is granted there. */
export type ApplierTableAccess = Partial<Record<TableKey, readonly DynamoDbAction[]>>;

/** What an entry states; everything else (logical ids, variables, handler path) is derived. */
export interface MessageTypeSpec<
  W extends string,
  S extends z.ZodType,
  Store,
  Tables extends ApplierTableAccess = ApplierTableAccess,
> {
  /** The wire name: the message's `integration_type`. */
  wireName: W;
  /** The message's schema: the helpers, the compute path and the applier all parse with it. */
  schema: S;
  /** The queue's physical name is `<service>-<stage>-<queueName>`, its DLQ's `...-dlq`. */
  queueName: string;
  applier: {
    /** The Lambda function's name in serverless.yml (its log group is named after it). */
    functionName: string;
    description: string;
    /**
     * The store it writes: the tables its store reaches and the actions on each. The applier's
     * role grants exactly these, and its environment holds exactly these tables' variables.
     */
    tables: Tables;
    /** Reads UNKNOWN_TASK_ATTEMPTS: its message may arrive before the task it acts on. */
    unknownTaskGrace: boolean;
    /** The applier over its store port (the AWS adapter is built by the handler). */
    create: (store: Store, context: ApplierContext) => ApplyUpdate<z.infer<S>>;
  };
}

/** `askUpdate` → `ask_Update`: an underscore before each capital. */
type UnderscoreCapitals<S extends string> = S extends `${infer C}${infer Rest}`
  ? `${C extends Lowercase<C> ? C : `_${C}`}${UnderscoreCapitals<Rest>}`
  : S;
/** `TaskUpdate` → `TASK_UPDATE`, as a type (so the variable names are literal types). */
export type ScreamingSnake<S extends string> = S extends `${infer C}${infer Rest}`
  ? Uppercase<`${C}${UnderscoreCapitals<Rest>}`>
  : S;

/** `TaskUpdate` → `TASK_UPDATE`: an underscore before each capital but the first. */
export function screamingSnake<S extends string>(name: S): ScreamingSnake<S> {
  return name.replace(/(?!^)([A-Z])/g, '_$1').toUpperCase() as ScreamingSnake<S>;
}

/** `applyTaskComment` → `apply-task-comment`. */
function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

function defineMessageType<
  W extends string,
  S extends z.ZodType,
  Store,
  const Tables extends ApplierTableAccess,
>(spec: MessageTypeSpec<W, S, Store, Tables>) {
  const upper = screamingSnake(spec.wireName);
  return {
    ...spec,
    queue: {
      logicalId: `${spec.wireName}Queue` as const,
      deadLetterLogicalId: `${spec.wireName}DeadLetterQueue` as const,
    },
    env: {
      queueUrl: `${upper}_QUEUE_URL` as const,
      deadLetterQueueUrl: `${upper}_DLQ_URL` as const,
    },
    applier: {
      ...spec.applier,
      handler: `handlers/${kebab(spec.applier.functionName)}.handler`,
      roleLogicalId: `${spec.applier.functionName[0]?.toUpperCase()}${spec.applier.functionName.slice(1)}Role`,
    },
  };
}

export const MESSAGE_TYPES = [
  defineMessageType({
    wireName: 'Group',
    schema: GroupMembershipUpdateSchema,
    queueName: 'group',
    applier: {
      functionName: 'applyGroupMembership',
      description: 'Validates and applies Group membership updates',
      // Conditional writes on memberships, in a transaction that checks the group and the
      // patient; a multi-entry message reads the group, patients and memberships first.
      tables: {
        memberships: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchGetItem'],
        groups: ['dynamodb:ConditionCheckItem', 'dynamodb:BatchGetItem'],
        patients: ['dynamodb:ConditionCheckItem', 'dynamodb:BatchGetItem'],
      },
      unknownTaskGrace: false,
      create:
        (memberships: MembershipStore, { now }) =>
        (update, meta) =>
          applyGroupMembership(update, meta, { memberships, now }),
    },
  }),
  defineMessageType({
    wireName: 'Task',
    schema: CreateTaskUpdateSchema,
    queueName: 'task',
    applier: {
      functionName: 'applyTask',
      description: 'Validates and applies Task updates',
      // A consistent GetItem (a re-sent task ends there); a missing one is put with its labels in
      // one transaction that checks the patient.
      tables: {
        tasks: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        labels: ['dynamodb:UpdateItem'],
        patients: ['dynamodb:ConditionCheckItem'],
      },
      unknownTaskGrace: false,
      create:
        (tasks: TaskStore, { now }) =>
        (update, meta) =>
          applyTask(update, meta, { tasks, now }),
    },
  }),
  defineMessageType({
    wireName: 'TaskUpdate',
    schema: UpdateTaskUpdateSchema,
    queueName: 'task-update',
    applier: {
      functionName: 'applyTaskUpdate',
      description: 'Validates and applies TaskUpdate messages (task lifecycle changes)',
      // Reads the task (consistent), then one transaction updates it and ensures added labels.
      tables: {
        tasks: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        labels: ['dynamodb:UpdateItem'],
      },
      unknownTaskGrace: true,
      create:
        (tasks: TaskLifecycleStore, { now, unknownTaskAttempts }) =>
        (update, meta, delivery) =>
          applyTaskUpdate(update, meta, delivery, { tasks, now, unknownTaskAttempts }),
    },
  }),
  defineMessageType({
    wireName: 'TaskComment',
    schema: TaskCommentUpdateSchema,
    queueName: 'task-comment',
    applier: {
      functionName: 'applyTaskComment',
      description: 'Validates and applies TaskComment messages (comments on tasks)',
      // One transaction checks the task exists and puts the comment.
      tables: {
        tasks: ['dynamodb:ConditionCheckItem'],
        taskComments: ['dynamodb:PutItem'],
      },
      unknownTaskGrace: true,
      create:
        (comments: TaskCommentStore, { now, unknownTaskAttempts }) =>
        (update, meta, delivery) =>
          applyTaskComment(update, meta, delivery, { comments, now, unknownTaskAttempts }),
    },
  }),
  defineMessageType({
    wireName: 'TaskMetadata',
    schema: TaskMetadataUpdateSchema,
    queueName: 'task-metadata',
    applier: {
      functionName: 'applyTaskMetadata',
      description: 'Validates and applies TaskMetadata messages (a key/value on a task)',
      // A PutItem conditioned on an older version replaces an existing key (ReturnValues ALL_OLD:
      // no GetItem); a key's first write is one transaction that checks the task exists.
      tables: {
        tasks: ['dynamodb:ConditionCheckItem'],
        taskMetadata: ['dynamodb:PutItem'],
      },
      unknownTaskGrace: true,
      create:
        (metadata: TaskMetadataStore, { now, unknownTaskAttempts }) =>
        (update, meta, delivery) =>
          applyTaskMetadata(update, meta, delivery, { metadata, now, unknownTaskAttempts }),
    },
  }),
] as const;

export type MessageTypeEntry = (typeof MESSAGE_TYPES)[number];
/** A message type's wire name (`integration_type`). */
export type MessageTypeName = MessageTypeEntry['wireName'];
export type MessageTypeOf<T extends MessageTypeName> = Extract<MessageTypeEntry, { wireName: T }>;
/** The store port an applier of type T runs over. */
export type StoreOf<T extends MessageTypeName> = Parameters<
  MessageTypeOf<T>['applier']['create']
>[0];

/** The registry entry of a type. */
export function messageType<T extends MessageTypeName>(type: T): MessageTypeOf<T> {
  const entry = MESSAGE_TYPES.find((candidate) => candidate.wireName === type);
  if (!entry) throw new Error(`unknown message type ${type}`);
  return entry as MessageTypeOf<T>;
}

/** Each entry's field `F`, as a tuple in registry order (a generic mapped type keeps tuples). */
type FieldOfEach<T extends readonly unknown[], F extends string> = {
  readonly [K in keyof T]: T[K] extends { readonly [P in F]: infer V } ? V : never;
};

/**
 * The message types, in registry order; each has its own queue, DLQ and applier. `Group` and
 * `Task` are the kit's; the lifecycle types are ours (docs/task-lifecycle.md).
 */
export const UPDATE_TYPES = MESSAGE_TYPES.map((entry) => entry.wireName) as unknown as FieldOfEach<
  typeof MESSAGE_TYPES,
  'wireName'
>;
export type UpdateType = MessageTypeName;
export const UpdateTypeSchema = z.enum(UPDATE_TYPES);

/** The schema for one message type, for an applier that accepts only its own type. */
export const UPDATE_SCHEMA_BY_TYPE = Object.fromEntries(
  MESSAGE_TYPES.map((entry) => [entry.wireName, entry.schema]),
) as { readonly [E in MessageTypeEntry as E['wireName']]: E['schema'] };

export type UpdateOfType<T extends UpdateType> = z.infer<MessageTypeOf<T>['schema']>;

/**
 * Every update message, discriminated on `integration_type`. The helpers validate with it, the
 * compute path validates before enqueueing, and the appliers parse with it.
 */
export const UpdateSchema = z.discriminatedUnion(
  'integration_type',
  MESSAGE_TYPES.map((entry) => entry.schema) as unknown as FieldOfEach<
    typeof MESSAGE_TYPES,
    'schema'
  >,
  { error: `integration_type must be one of ${UPDATE_TYPES.map((t) => `"${t}"`).join(', ')}` },
);
export type Update = z.infer<typeof UpdateSchema>;

/** Type → the environment variable holding its queue's URL (what the compute functions send to). */
export const UPDATE_QUEUE_URL_ENV = Object.fromEntries(
  MESSAGE_TYPES.map((entry) => [entry.wireName, entry.env.queueUrl]),
) as { readonly [E in MessageTypeEntry as E['wireName']]: E['env']['queueUrl'] };
