import { dedupeTaskId } from '../../lib/apply/task-id';
import type { MessageTypeName } from '../../lib/message-types';
import { type CreateTaskInput, createTaskPayload } from '../../lib/update-helpers';
import { applierHandlerOf } from '../../local/appliers';
import type { UpdateMetadataInput } from '../../schemas';
import { seedPatient } from './seed';
import { drain, sendUpdate } from './sqs-driver';
import { storedItem } from './table-reads';
import type { ApplierQueue } from './use-applier-queue';

/**
 * The task a lifecycle message (TaskUpdate, TaskComment, TaskMetadata) acts on, created as in
 * production: its patient seeded, a Task message on the Task queue, drained through the real
 * Task applier. Throws when the task is not stored afterwards. Returns the task's key.
 */
export async function createTaskThroughQueue(
  applier: Pick<ApplierQueue<MessageTypeName>, 'stack' | 'queueOf'>,
  task: CreateTaskInput & { dedupeKey: string },
  metadata?: UpdateMetadataInput,
): Promise<{ patientKey: string; taskId: string }> {
  const { stack } = applier;
  await seedPatient(stack, task.patientKey);
  const taskQueue = applier.queueOf('Task');
  await sendUpdate(stack.sqs, taskQueue, createTaskPayload(task), metadata);
  await drain(stack.sqs, taskQueue, applierHandlerOf('Task'));
  const key = {
    patientKey: task.patientKey,
    taskId: dedupeTaskId(task.patientKey, task.dedupeKey),
  };
  if (!(await storedItem(stack, 'TasksTable', key)))
    throw new Error('the Task applier did not create the task');
  return key;
}
