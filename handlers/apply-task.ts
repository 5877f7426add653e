import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processUpdateBatch } from '../lib/apply/process-update-batch';
import { taskApplierDeps } from '../lib/aws/applier-deps';
import { awsClients } from '../lib/aws/clients';
import { readTaskApplierConfig } from '../lib/aws/config';

/**
 * Applies Task updates from the task-updates queue (`ReportBatchItemFailures`). Env:
 * PATIENTS_TABLE, TASKS_TABLE, LABELS_TABLE, TASK_UPDATES_DLQ_URL.
 */
let deps: ReturnType<typeof taskApplierDeps> | undefined;

export async function handler(event: SQSEvent, context?: Context): Promise<SQSBatchResponse> {
  // Built on the first invocation and kept for the container's life (clients included).
  deps ??= taskApplierDeps(readTaskApplierConfig(), awsClients());
  return processUpdateBatch(event, deps, context);
}
