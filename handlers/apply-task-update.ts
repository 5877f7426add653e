import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processUpdateBatch } from '../lib/apply/process-update-batch';
import { taskUpdateApplierDeps } from '../lib/aws/applier-deps';
import { awsClients } from '../lib/aws/clients';
import { readTaskUpdateApplierConfig } from '../lib/aws/config';

/**
 * Applies TaskUpdate messages from the task-lifecycle queue (`ReportBatchItemFailures`). Env:
 * TASKS_TABLE, LABELS_TABLE, TASK_LIFECYCLE_DLQ_URL, optional UNKNOWN_TASK_ATTEMPTS.
 */
let deps: ReturnType<typeof taskUpdateApplierDeps> | undefined;

export async function handler(event: SQSEvent, context?: Context): Promise<SQSBatchResponse> {
  // Built on the first invocation and kept for the container's life (clients included).
  deps ??= taskUpdateApplierDeps(readTaskUpdateApplierConfig(), awsClients());
  return processUpdateBatch(event, deps, context);
}
