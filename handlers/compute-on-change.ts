import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { awsClients } from '../lib/aws/clients';
import { readChangeComputeConfig } from '../lib/aws/compute-config';
import {
  addComputeMetrics,
  COMPUTE_SUMMARY_MESSAGES,
  computeLogger,
  processSqsBatchWithMetrics,
} from '../lib/aws/compute-telemetry';
import { DynamoDbPatientSource } from '../lib/aws/dynamodb-patient-source';
import { SqsBatchSender } from '../lib/aws/sqs-batch-sender';
import { SqsUpdateQueue } from '../lib/aws/sqs-update-queue';
import {
  type ChangeRejectionReason,
  type PatientSource,
  recomputeOnChange,
  type UpdateQueue,
} from '../lib/compute';
import type { ProtocolClass } from '../lib/protocol';
import { PROTOCOLS } from '../protocols';

export interface ComputeOnChangeDependencies {
  protocols: readonly ProtocolClass[];
  patients: PatientSource;
  updates: UpdateQueue;
  logger: Logger;
  metrics: Metrics;
  /** Processing time (the change events carry no time of their own). */
  now?: () => Date;
}

/** A change event that cannot be recomputed; reported failed so redrive moves it to the DLQ. */
export class ChangeRejectedError extends Error {
  override readonly name = 'ChangeRejectedError';
  constructor(readonly reason: ChangeRejectionReason) {
    super(`change event rejected: ${reason}`);
  }
}

/**
 * SQS-triggered by the changes queue: recomputes the changed patient with the protocols the
 * change impacts. A rejected event (malformed, unknown patient, invalid patient record) is logged
 * with its reason, counted, and reported in `batchItemFailures`: SQS redelivers it up to
 * maxReceiveCount (which also covers a change racing its patient's first write), then moves it to
 * the changes DLQ, where it stays 14 days for an operator. Never retried forever, never dropped.
 */
export function createComputeOnChangeHandler(dependencies: () => ComputeOnChangeDependencies) {
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const deps = dependencies();
    const { logger, metrics } = deps;
    const now = deps.now ?? (() => new Date());
    const processRecord = async (record: SQSRecord) => {
      let body: unknown;
      try {
        body = JSON.parse(record.body);
      } catch {
        body = undefined;
      }
      const outcome = await recomputeOnChange({
        event: body,
        changeId: record.messageId,
        computedAt: now(),
        protocols: deps.protocols,
        patients: deps.patients,
        updates: deps.updates,
        log: logger,
      });
      if (outcome.status === 'rejected') {
        logger.warn('change event rejected', {
          messageId: record.messageId,
          receiveCount: record.attributes?.ApproximateReceiveCount,
          reason: outcome.reason,
          detail: outcome.detail,
          patientKey: outcome.patientKey,
        });
        const single = metrics.singleMetric();
        single.addDimension('reason', outcome.reason);
        single.addMetric('ChangeEventsRejected', MetricUnit.Count, 1);
        throw new ChangeRejectedError(outcome.reason);
      }
      addComputeMetrics(metrics, outcome.counts);
      logger.info(COMPUTE_SUMMARY_MESSAGES.changeRecomputed, {
        messageId: record.messageId,
        patientKey: outcome.patientKey,
        counts: outcome.counts,
      });
    };
    return processSqsBatchWithMetrics(event, processRecord, metrics, context);
  };
}

let defaults: ComputeOnChangeDependencies | undefined;

/** Created once per container, on first use (so importing the module reads no environment). */
function defaultDependencies(): ComputeOnChangeDependencies {
  if (!defaults) {
    const config = readChangeComputeConfig();
    const { documents, sqs } = awsClients();
    defaults = {
      protocols: PROTOCOLS,
      patients: new DynamoDbPatientSource(documents, config.patientsTable),
      updates: new SqsUpdateQueue(new SqsBatchSender({ client: sqs }), config.updateQueueUrls),
      logger: computeLogger(),
      metrics: new Metrics(),
    };
  }
  return defaults;
}

export const handler = createComputeOnChangeHandler(defaultDependencies);
