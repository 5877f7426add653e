import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processUpdateBatch } from '../lib/apply/process-update-batch';
import { groupApplierDeps } from '../lib/aws/applier-deps';
import { awsClients } from '../lib/aws/clients';
import { readGroupApplierConfig } from '../lib/aws/config';

/**
 * Applies Group updates from the group-updates queue (`ReportBatchItemFailures`). Env:
 * PATIENTS_TABLE, GROUPS_TABLE, MEMBERSHIPS_TABLE, GROUP_UPDATES_DLQ_URL.
 */
let deps: ReturnType<typeof groupApplierDeps> | undefined;

export async function handler(event: SQSEvent, context?: Context): Promise<SQSBatchResponse> {
  // Built on the first invocation and kept for the container's life (clients included).
  deps ??= groupApplierDeps(readGroupApplierConfig(), awsClients());
  return processUpdateBatch(event, deps, context);
}
