import type { CreateTaskUpdate } from '../../schemas';
import { foldName, type LabelRef, type TaskItem, type TaskStore } from '../ports';
import { utcInstantOf } from './datetime-instant';
import type { ApplyResult } from './outcomes';
import { dedupeTaskId } from './task-id';
import type { UpdateMetadata } from './update-metadata';

/**
 * The task's id, which makes creation idempotent: from the dedupe key when given (the same patient
 * and key are one task, whatever computation sent it), else from the update id (a redelivery
 * writes the same task). The prefixes keep the two spaces apart.
 */
export function taskIdFor(
  update: CreateTaskUpdate,
  meta: Pick<UpdateMetadata, 'updateId'>,
): string {
  const dedupeKey = update.integration_payload.dedupe_key;
  if (dedupeKey === undefined) return `update:${meta.updateId}`;
  return dedupeTaskId(update.patient_identifier.identifier.key, dedupeKey);
}

/** The task item: the payload's fields as given, flattened identifiers, provenance. */
export function taskItemFor(
  update: CreateTaskUpdate,
  meta: UpdateMetadata,
  appliedAt: Date,
): TaskItem {
  const payload = update.integration_payload;
  const item: TaskItem = {
    patientKey: update.patient_identifier.identifier.key,
    taskId: taskIdFor(update, meta),
    creatorKey: payload.creator.identifier.key,
    status: payload.status,
    sourceUpdateId: meta.updateId,
    computedAt: meta.version,
    appliedAt: appliedAt.toISOString(),
  };
  if (payload.title !== undefined) item.title = payload.title;
  if (payload.team_identifier !== undefined) item.teamId = payload.team_identifier;
  if (payload.created !== undefined) {
    item.created = payload.created;
    item.createdInstant = utcInstantOf(payload.created);
  }
  if (payload.due !== undefined) {
    item.due = payload.due;
    item.dueInstant = utcInstantOf(payload.due);
  }
  if (payload.tag !== undefined) item.tag = payload.tag;
  if (payload.labels !== undefined) item.labels = [...payload.labels];
  if (payload.assignee !== undefined) item.assigneeKey = payload.assignee.identifier.key;
  if (payload.dedupe_key !== undefined) item.dedupeKey = payload.dedupe_key;
  if (meta.protocol !== undefined) item.protocol = meta.protocol;
  return item;
}

/**
 * The distinct labels of a task (one transaction may touch an item once), with the payload index
 * of each, so a refusal can name the label's position rather than its text.
 */
export function distinctLabels(names: readonly string[] = []): {
  labels: LabelRef[];
  payloadIndex: number[];
} {
  const labels: LabelRef[] = [];
  const payloadIndex: number[] = [];
  const seen = new Set<string>();
  names.forEach((name, index) => {
    const nameKey = foldName(name);
    if (seen.has(nameKey)) return;
    seen.add(nameKey);
    labels.push({ name, nameKey });
    payloadIndex.push(index);
  });
  return { labels, payloadIndex };
}

export interface TaskApplierDeps {
  tasks: TaskStore;
  now: () => Date;
}

/**
 * Applies a Task update: creates the task once, with its labels, or refuses it whole. A task that
 * exists (a redelivery, or a scheduled run re-sending its reminder) is found by one consistent read
 * and is a `no-op` without a write; only a task read as missing goes to the transaction, whose
 * condition still settles two first creations racing (the loser is a `no-op` too).
 */
export async function applyTask(
  update: CreateTaskUpdate,
  meta: UpdateMetadata,
  deps: TaskApplierDeps,
): Promise<ApplyResult> {
  const item = taskItemFor(update, meta, deps.now());
  const { labels, payloadIndex } = distinctLabels(update.integration_payload.labels);
  const subject = { taskId: item.taskId };
  if (await deps.tasks.exists({ patientKey: item.patientKey, taskId: item.taskId }))
    return { outcome: 'no-op', subject, detail: 'the task exists already' };
  const result = await deps.tasks.create(item, labels);
  switch (result.status) {
    case 'created':
      return { outcome: 'applied', subject };
    case 'exists':
      return { outcome: 'no-op', subject, detail: 'the task exists already' };
    case 'unknown-patient':
      return {
        outcome: 'rejected',
        subject,
        rejection: {
          code: 'unknown-patient',
          detail: 'the patient does not exist; nothing was written',
        },
      };
    case 'inactive-label':
      return {
        outcome: 'rejected',
        subject,
        rejection: {
          code: 'inactive-label',
          detail: `labels[${payloadIndex[result.label] ?? result.label}] is an inactive label; nothing was written`,
        },
      };
  }
}
