import { z } from 'zod';
import {
  HandlingOptionsSchema,
  IntegrationSourceSchema,
  KeyIdentifierSchema,
  KitDateTimeSchema,
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

export const TaskCommentUpdateSchema = z.strictObject({
  integration_type: z.literal('TaskComment'),
  integration_source: IntegrationSourceSchema,
  handling_options: HandlingOptionsSchema,
  patient_identifier: KeyIdentifierSchema,
  integration_payload: TaskCommentPayloadSchema,
});
export type TaskCommentUpdate = z.infer<typeof TaskCommentUpdateSchema>;
