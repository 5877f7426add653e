import type { z } from 'zod';
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

/** What an entry states; everything else (logical ids, variables, handler path) is derived. */
export interface MessageTypeSpec<W extends string, S extends z.ZodType, Store> {
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
    tables: Partial<Record<TableKey, readonly DynamoDbAction[]>>;
    /** Reads UNKNOWN_TASK_ATTEMPTS: its message may arrive before the task it acts on. */
    unknownTaskGrace: boolean;
    /** The applier over its store port (the AWS adapter is built by the handler). */
    create: (store: Store, context: ApplierContext) => ApplyUpdate<z.infer<S>>;
  };
}

/** `TaskComment` → `TASK_COMMENT`. */
export function screamingSnake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** `applyTaskComment` → `apply-task-comment`. */
function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

function defineMessageType<W extends string, S extends z.ZodType, Store>(
  spec: MessageTypeSpec<W, S, Store>,
) {
  const upper = screamingSnake(spec.wireName);
  return {
    ...spec,
    queue: {
      logicalId: `${spec.wireName}Queue` as const,
      deadLetterLogicalId: `${spec.wireName}DeadLetterQueue` as const,
    },
    env: {
      queueUrl: `${upper}_QUEUE_URL`,
      deadLetterQueueUrl: `${upper}_DLQ_URL`,
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

/** The message of type T, as its schema parses it. */
export type UpdateOf<T extends MessageTypeName> = z.infer<MessageTypeOf<T>['schema']>;

/** The registry entry of a type. */
export function messageType<T extends MessageTypeName>(type: T): MessageTypeOf<T> {
  const entry = MESSAGE_TYPES.find((candidate) => candidate.wireName === type);
  if (!entry) throw new Error(`unknown message type ${type}`);
  return entry as MessageTypeOf<T>;
}
