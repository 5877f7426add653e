import { z } from 'zod';
import {
  KeyIdentifierSchema,
  KeySchema,
  KitDateTimeSchema,
  patientMessageSchema,
  TextSchema,
} from './primitives';

export const TASK_STATUSES = ['OPEN', 'COMPLETED', 'CLOSED'] as const;
export const TaskStatusSchema = z.enum(TASK_STATUSES, {
  error: `must be one of ${TASK_STATUSES.join(', ')}`,
});
export type TaskStatus = z.infer<typeof TaskStatusSchema>;

/**
 * A new task's status. `null` is what the kit's helper sends for `status=None`: it is read as the
 * documented default, `OPEN` (the parsed message holds `OPEN`). Any other value outside the three
 * statuses is refused. Only the creation accepts `null`: a TaskUpdate names the status it sets.
 */
export const CreateTaskStatusSchema = TaskStatusSchema.nullable().transform(
  (status): TaskStatus => status ?? 'OPEN',
);

/** Most labels on one task. */
export const MAX_TASK_LABELS = 50;
/** Longest label name. */
export const MAX_LABEL_LENGTH = 200;
/**
 * A label name. Whitespace only is refused: it would make a label nobody can read or type. (An empty
 * name already fails `must not be empty`; the blank rule leaves it alone so it is reported once.)
 */
export const LabelNameSchema = TextSchema.max(MAX_LABEL_LENGTH, {
  error: `must be at most ${MAX_LABEL_LENGTH} characters`,
}).refine((name) => name.length === 0 || name.trim().length > 0, { error: 'must not be blank' });

/** A list of label names, as a task's `labels` and a TaskUpdate's `labels_added`/`labels_removed`. */
export const LabelListSchema = z
  .array(LabelNameSchema, { error: 'must be a list of label names' })
  .min(1, { error: 'must not be empty' })
  .max(MAX_TASK_LABELS, { error: `must hold at most ${MAX_TASK_LABELS} labels` });

/**
 * The task payload, keys in the kit's order. Optional keys are present only with a non-empty value
 * (the helper leaves empty ones out; the schema refuses an empty one sent by another producer).
 * `dedupe_key` is our extension: the same patient and dedupe key make one task, however often sent.
 */
export const CreateTaskPayloadSchema = z.strictObject({
  creator: KeyIdentifierSchema,
  status: CreateTaskStatusSchema,
  title: TextSchema.optional(),
  team_identifier: KeySchema.optional(),
  created: KitDateTimeSchema.optional(),
  due: KitDateTimeSchema.optional(),
  tag: TextSchema.optional(),
  labels: LabelListSchema.optional(),
  assignee: KeyIdentifierSchema.optional(),
  dedupe_key: KeySchema.optional(),
});
export type CreateTaskPayload = z.infer<typeof CreateTaskPayloadSchema>;

export const CreateTaskUpdateSchema = patientMessageSchema('Task', CreateTaskPayloadSchema);
export type CreateTaskUpdate = z.infer<typeof CreateTaskUpdateSchema>;
