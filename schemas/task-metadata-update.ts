import { z } from 'zod';
import { MAX_KEY_LENGTH, MAX_TEXT_LENGTH, patientMessageSchema } from './primitives';
import { TaskReferenceSchema } from './task-reference';

/**
 * A metadata key: an identifier a protocol chooses (`outreach_status`, `reminder.attempts`), not
 * data. At most 256 characters (the Canvas plugins SDK's key column), letters, digits and `_ . : -`,
 * starting with a letter or digit: names, dates or free text cannot ride in it.
 */
export const TASK_METADATA_KEY_RULE =
  'must be 1-256 characters: letters, digits and _ . : -, starting with a letter or digit';
export const TaskMetadataKeySchema = z
  .string({ error: 'must be a string' })
  .max(MAX_KEY_LENGTH, { error: TASK_METADATA_KEY_RULE, abort: true })
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, { error: TASK_METADATA_KEY_RULE });

/**
 * A metadata value: free text (may be clinical: never logged), up to 2000 characters; the empty
 * string is a value like any other. `null` is refused: as in the Canvas plugins SDK, metadata is
 * upserted, never cleared.
 */
export const TaskMetadataValueSchema = z
  .string({ error: 'must be a string (null does not clear a key: metadata is only upserted)' })
  .max(MAX_TEXT_LENGTH, { error: `must be at most ${MAX_TEXT_LENGTH} characters` });

/** Our extension: sets one key of a task's metadata, newest `computed-at` wins per key. */
export const TaskMetadataPayloadSchema = z.strictObject({
  task: TaskReferenceSchema,
  key: TaskMetadataKeySchema,
  value: TaskMetadataValueSchema,
});
export type TaskMetadataPayload = z.infer<typeof TaskMetadataPayloadSchema>;

export const TaskMetadataUpdateSchema = patientMessageSchema(
  'TaskMetadata',
  TaskMetadataPayloadSchema,
);
export type TaskMetadataUpdate = z.infer<typeof TaskMetadataUpdateSchema>;
