import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { ComputeRecorder } from '../ports/compute';

/**
 * Runs a compute function's SQS batch through Powertools' partial-response processor (a record
 * that throws is reported in `batchItemFailures`, the others acknowledged; a batch where every
 * record failed is a normal answer, not an invocation error) and publishes what the records
 * recorded, whatever happens.
 */
export async function processComputeBatch(
  event: SQSEvent,
  processRecord: (record: SQSRecord) => Promise<void>,
  recorder: ComputeRecorder,
  context: Context | undefined,
): Promise<SQSBatchResponse> {
  try {
    return await processPartialResponse(event, processRecord, new BatchProcessor(EventType.SQS), {
      ...(context ? { context } : {}),
      throwOnFullBatchFailure: false,
    });
  } finally {
    recorder.publish();
  }
}
