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
  recordComputeFailure,
} from '../lib/aws/compute-telemetry';
import { DynamoDbPatientSource } from '../lib/aws/dynamodb-patient-source';
import { DynamoDbProtocolResultStore } from '../lib/aws/dynamodb-protocol-result-store';
import { SqsBatchSender } from '../lib/aws/sqs-batch-sender';
import { SqsUpdateQueue } from '../lib/aws/sqs-update-queue';
import {
  CHANGE_BODY_NOT_JSON,
  type ChangeOutcome,
  type ChangeRejectionReason,
  DEFAULT_REASSERT_AFTER_MS,
  type PatientSource,
  type ProtocolResultStore,
  REASSERT_CHANGE_ATTRIBUTE,
  recomputeOnChange,
  type UpdateQueue,
} from '../lib/compute';
import type { ProtocolClass, ProtocolSettings } from '../lib/protocol';
import { sentTimestampMs } from '../lib/sqs-record';
import { PROTOCOLS } from '../protocols';

export interface ComputeOnChangeDependencies {
  protocols: readonly ProtocolClass[];
  patients: PatientSource;
  updates: UpdateQueue;
  /**
   * The protocol results table: results recorded, unchanged updates held back. The deployed
   * function always has it; absent (tests of the send path alone): every update is sent and
   * nothing is recorded.
   */
  results?: ProtocolResultStore;
  /** `reassertAfter`: unchanged updates are sent again after this long (default 24 h). */
  reassertAfterMs?: number;
  logger: Logger;
  metrics: Metrics;
  /** The protocols' settings (`PROTOCOL_SETTINGS`); default: none. */
  settings?: ProtocolSettings;
  /**
   * The clock, used only when a record has no valid `SentTimestamp` (Lambda's SQS events always
   * carry one).
   */
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
 * When the change was enqueued: SQS's `SentTimestamp` (epoch ms), the same on every redelivery, so
 * a redelivered change computes with the same `now` and sends the same `computed-at` as the first
 * delivery (its update ids are the same too). Undefined when absent or not a valid time.
 */
export function changeEnqueuedAt(record: SQSRecord): Date | undefined {
  const sent = sentTimestampMs(record);
  if (sent === undefined) return undefined;
  // A safe integer may still lie past the last instant a Date can hold.
  const time = new Date(sent);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

/** The message attribute of `recompute --patient --reassert` (see `REASSERT_CHANGE_ATTRIBUTE`). */
export const REASSERT_ATTRIBUTE = REASSERT_CHANGE_ATTRIBUTE;

export function reassertRequested(record: SQSRecord): boolean {
  return record.messageAttributes?.[REASSERT_ATTRIBUTE]?.stringValue === 'true';
}

/**
 * SQS-triggered by the changes queue: recomputes the changed patient with the protocols the
 * change impacts. A rejected event (malformed, change type undeterminable, unknown patient,
 * invalid patient record) is logged
 * with its reason, counted, and reported in `batchItemFailures`: SQS redelivers it up to
 * maxReceiveCount (which also covers a change racing its patient's first write), then moves it to
 * the changes DLQ, where it stays 14 days for an operator. Never retried forever, never dropped.
 */
export function createComputeOnChangeHandler(dependencies: () => ComputeOnChangeDependencies) {
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const deps = dependencies();
    const { logger, metrics } = deps;
    const now = deps.now ?? (() => new Date());
    /** Logs and counts a rejected event; returns the error that reports the record failed. */
    const rejected = (
      record: SQSRecord,
      outcome: Extract<ChangeOutcome, { status: 'rejected' }>,
    ): ChangeRejectedError => {
      logger.warn('change event rejected', {
        messageId: record.messageId,
        receiveCount: record.attributes?.ApproximateReceiveCount,
        reason: outcome.reason,
        detail: outcome.detail,
        // Present only for a patient the store holds (an id); see ChangeOutcome.
        patientKey: outcome.patientKey,
      });
      const single = metrics.singleMetric();
      single.addDimension('reason', outcome.reason);
      single.addMetric('ChangeEventsRejected', MetricUnit.Count, 1);
      return new ChangeRejectedError(outcome.reason);
    };
    const processRecord = async (record: SQSRecord) => {
      let body: unknown;
      try {
        body = JSON.parse(record.body);
      } catch {
        throw rejected(record, {
          status: 'rejected',
          reason: 'invalid-change-event',
          detail: CHANGE_BODY_NOT_JSON,
        });
      }
      let outcome: ChangeOutcome;
      try {
        outcome = await recomputeOnChange({
          event: body,
          changeId: record.messageId,
          computedAt: changeEnqueuedAt(record) ?? now(),
          protocols: deps.protocols,
          patients: deps.patients,
          updates: deps.updates,
          results: deps.results && {
            store: deps.results,
            reassertAfterMs: deps.reassertAfterMs ?? DEFAULT_REASSERT_AFTER_MS,
            reassert: reassertRequested(record),
          },
          log: logger,
          settings: deps.settings,
        });
      } catch (error) {
        // Reading the patient or sending its updates failed (after the sender's retries): one
        // line and a count, then the record is reported failed as before.
        recordComputeFailure(
          logger,
          metrics,
          { messageId: record.messageId, receiveCount: record.attributes?.ApproximateReceiveCount },
          error,
        );
        throw error;
      }
      if (outcome.status === 'rejected') throw rejected(record, outcome);
      addComputeMetrics(metrics, outcome.counts);
      logger.info(COMPUTE_SUMMARY_MESSAGES.changeRecomputed, {
        messageId: record.messageId,
        patientKey: outcome.patientKey,
        changeTypes: outcome.changeTypes,
        // Counted, never named: a key is text from the message.
        unknownFieldChangesKeys: outcome.unknownFieldChangesKeys,
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
      settings: config.settings,
      results: new DynamoDbProtocolResultStore(documents, config.protocolResultsTable),
      reassertAfterMs: config.reassertAfterMs,
      logger: computeLogger(),
      metrics: new Metrics(),
    };
  }
  return defaults;
}

export const handler = createComputeOnChangeHandler(defaultDependencies);
