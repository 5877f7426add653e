import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { UpdateType } from '../../schemas';
import type { RecordResult } from '../apply/outcomes';
import type { OutcomeRecorder } from '../ports/outcome-recorder';

/** Name of the per-record metric; dimensions `updateType`, `outcome` and, when known, `reason`. */
export const OUTCOME_METRIC = 'UpdateRecords';

/**
 * One JSON log line and one EMF metric per record. The log carries identifiers only (update id as
 * correlation id, message id, group or task id, codes), never names, titles or label text.
 */
export class PowertoolsOutcomeRecorder implements OutcomeRecorder {
  constructor(
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly updateType: UpdateType,
  ) {}

  record(result: RecordResult): void {
    // A child per record: records of a batch run concurrently and must not share a correlation id.
    const log = this.logger.createChild();
    log.setCorrelationId(result.updateId);
    const fields = {
      updateType: this.updateType,
      updateId: result.updateId,
      messageId: result.messageId,
      outcome: result.outcome,
      ...(result.reason === undefined ? {} : { reason: result.reason }),
      ...(result.detail === undefined ? {} : { detail: result.detail }),
      ...(result.errorName === undefined ? {} : { errorName: result.errorName }),
      ...(result.subject ?? {}),
    };
    if (result.outcome === 'retried' || result.outcome === 'rejected')
      log.warn('update record', fields);
    else log.info('update record', fields);

    const metric = this.metrics.singleMetric();
    metric.addDimension('updateType', this.updateType);
    metric.addDimension('outcome', result.outcome);
    if (result.reason !== undefined) metric.addDimension('reason', result.reason);
    metric.addMetric(OUTCOME_METRIC, MetricUnit.Count, 1);
  }
}
