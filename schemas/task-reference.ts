import { z } from 'zod';
import { KeySchema } from './primitives';

/**
 * Which task a lifecycle message acts on, within its patient: by the `dedupe_key` the task was
 * created with (what a protocol knows), or by the stored task id (what an operator sees). Exactly
 * one of the two.
 */
export const TaskReferenceSchema = z
  .strictObject({
    dedupe_key: KeySchema.optional(),
    task_id: KeySchema.optional(),
  })
  .refine((ref) => (ref.dedupe_key === undefined) !== (ref.task_id === undefined), {
    error: 'must name the task by exactly one of dedupe_key or task_id',
  });
export type TaskReference = z.infer<typeof TaskReferenceSchema>;
