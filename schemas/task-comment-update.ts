import { z } from 'zod';
import {
  KeyIdentifierSchema,
  KitDateTimeSchema,
  patientMessageSchema,
  TextSchema,
} from './primitives';
import { TaskReferenceSchema } from './task-reference';

/** Our extension: adds a comment to an existing task, once however often it is delivered. */
export const TaskCommentPayloadSchema = z.strictObject({
  task: TaskReferenceSchema,
  creator: KeyIdentifierSchema,
  body: TextSchema,
  created: KitDateTimeSchema.optional(),
});
export type TaskCommentPayload = z.infer<typeof TaskCommentPayloadSchema>;

export const TaskCommentUpdateSchema = patientMessageSchema(
  'TaskComment',
  TaskCommentPayloadSchema,
);
export type TaskCommentUpdate = z.infer<typeof TaskCommentUpdateSchema>;
