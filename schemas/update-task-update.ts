import { z } from 'zod';
import { LabelNameSchema, MAX_TASK_LABELS, TaskStatusSchema } from './create-task-update';
import {
  foldName,
  HandlingOptionsSchema,
  IntegrationSourceSchema,
  KeyIdentifierSchema,
  KeySchema,
  KitDateTimeSchema,
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

const labelList = z
  .array(LabelNameSchema, { error: 'must be a list of label names' })
  .min(1, { error: 'must not be empty' })
  .max(MAX_TASK_LABELS, { error: `must hold at most ${MAX_TASK_LABELS} labels` });

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
    labels_added: labelList.optional(),
    labels_removed: labelList.optional(),
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

export const UpdateTaskUpdateSchema = z.strictObject({
  integration_type: z.literal('TaskUpdate'),
  integration_source: IntegrationSourceSchema,
  handling_options: HandlingOptionsSchema,
  patient_identifier: KeyIdentifierSchema,
  integration_payload: UpdateTaskPayloadSchema,
});
export type UpdateTaskUpdate = z.infer<typeof UpdateTaskUpdateSchema>;
