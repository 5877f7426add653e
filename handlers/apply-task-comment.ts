import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processUpdateBatch } from '../lib/apply/process-update-batch';
import { taskCommentApplierDeps } from '../lib/aws/applier-deps';
import { awsClients } from '../lib/aws/clients';
import { readTaskCommentApplierConfig } from '../lib/aws/config';

/**
 * Applies TaskComment messages from the task-comments queue (`ReportBatchItemFailures`). Env:
 * TASKS_TABLE, TASK_COMMENTS_TABLE, TASK_COMMENTS_DLQ_URL, optional UNKNOWN_TASK_ATTEMPTS.
 */
let deps: ReturnType<typeof taskCommentApplierDeps> | undefined;

export async function handler(event: SQSEvent, context?: Context): Promise<SQSBatchResponse> {
  // Built on the first invocation and kept for the container's life (clients included).
  deps ??= taskCommentApplierDeps(readTaskCommentApplierConfig(), awsClients());
  return processUpdateBatch(event, deps, context);
}
