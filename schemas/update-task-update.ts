import { z } from 'zod';
import { LabelListSchema, TaskStatusSchema } from './create-task-update';
import {
  foldName,
  KeyIdentifierSchema,
  KeySchema,
  KitDateTimeSchema,
  patientMessageSchema,
  TextSchema,
} from './primitives';
import { TaskReferenceSchema } from './task-reference';

/** The fields a `TaskUpdate` may change; a message changes at least one. */
export const TASK_UPDATE_FIELDS = [
  'status',
  'title',
  'team_identifier',
  'due',
  'labels_added',
  'labels_removed',
  'assignee',
] as const;

/**
 * Our extension: changes an existing task. Keys in the creation payload's order after `task`;
 * present only when changed. Labels are added or removed by name; the others are set.
 */
export const UpdateTaskPayloadSchema = z
  .strictObject({
    task: TaskReferenceSchema,
    status: TaskStatusSchema.optional(),
    title: TextSchema.optional(),
    team_identifier: KeySchema.optional(),
    due: KitDateTimeSchema.optional(),
    labels_added: LabelListSchema.optional(),
    labels_removed: LabelListSchema.optional(),
    assignee: KeyIdentifierSchema.optional(),
  })
  .superRefine((payload, ctx) => {
    if (TASK_UPDATE_FIELDS.every((field) => payload[field] === undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: `must change at least one of ${TASK_UPDATE_FIELDS.join(', ')}`,
      });
    }
    const added = new Set((payload.labels_added ?? []).map(foldName));
    (payload.labels_removed ?? []).forEach((name, index) => {
      if (added.has(foldName(name))) {
        ctx.addIssue({
          code: 'custom',
          path: ['labels_removed', index],
          message: 'is also in labels_added',
        });
      }
    });
  });
export type UpdateTaskPayload = z.infer<typeof UpdateTaskPayloadSchema>;

export const UpdateTaskUpdateSchema = patientMessageSchema('TaskUpdate', UpdateTaskPayloadSchema);
export type UpdateTaskUpdate = z.infer<typeof UpdateTaskUpdateSchema>;
