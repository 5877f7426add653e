import { z } from 'zod';
import { CreateTaskUpdateSchema } from './create-task-update';
import { GroupMembershipUpdateSchema } from './group-membership-update';
import { TaskCommentUpdateSchema } from './task-comment-update';
import { UpdateTaskUpdateSchema } from './update-task-update';

/**
 * Every update message, discriminated on `integration_type`. The helpers validate with it, the
 * compute path validates before enqueueing, and the appliers parse with it.
 */
export const UpdateSchema = z.discriminatedUnion(
  'integration_type',
  [
    GroupMembershipUpdateSchema,
    CreateTaskUpdateSchema,
    UpdateTaskUpdateSchema,
    TaskCommentUpdateSchema,
  ],
  { error: 'integration_type must be one of "Group", "Task", "TaskUpdate", "TaskComment"' },
);
export type Update = z.infer<typeof UpdateSchema>;

/**
 * The message types; each has its own queue, DLQ and applier. `Group` and `Task` are the kit's;
 * `TaskUpdate` and `TaskComment` are ours (docs/task-lifecycle.md).
 */
export const UPDATE_TYPES = ['Group', 'Task', 'TaskUpdate', 'TaskComment'] as const;
export type UpdateType = (typeof UPDATE_TYPES)[number];
export const UpdateTypeSchema = z.enum(UPDATE_TYPES);

/** The schema for one message type, for an applier that accepts only its own type. */
export const UPDATE_SCHEMA_BY_TYPE = {
  Group: GroupMembershipUpdateSchema,
  Task: CreateTaskUpdateSchema,
  TaskUpdate: UpdateTaskUpdateSchema,
  TaskComment: TaskCommentUpdateSchema,
} as const satisfies Record<UpdateType, z.ZodType>;

export type UpdateOfType<T extends UpdateType> = z.infer<(typeof UPDATE_SCHEMA_BY_TYPE)[T]>;
