import { changeFunctionDeps } from '../lib/aws/compute-root';
import { createComputeOnChangeHandler } from '../lib/compute';

/**
 * SQS-triggered by the changes queue (`ReportBatchItemFailures`): recomputes the changed patient
 * with the protocols the change impacts (`processChangeBatch`). Env: CHANGE_COMPUTE_ENVIRONMENT
 * in lib/aws/compute-config.ts.
 */
export const handler = createComputeOnChangeHandler(changeFunctionDeps);
