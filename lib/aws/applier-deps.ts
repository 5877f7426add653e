import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { applyGroupMembership } from '../apply/apply-group-membership';
import { applyTask } from '../apply/apply-task';
import type { OutcomeRecorder } from '../apply/outcomes';
import type { BatchDeps } from '../apply/process-update-batch';
import type { AwsClients } from './clients';
import type { GroupApplierConfig, TaskApplierConfig } from './config';
import { DynamoDbMembershipStore } from './dynamodb-membership-store';
import { DynamoDbTaskStore } from './dynamodb-task-store';
import { PowertoolsOutcomeRecorder } from './powertools-recorder';
import { SqsDeadLetterQueue } from './sqs-dead-letter-queue';

const now = () => new Date();

/** The Powertools recorder; service name and namespace come from POWERTOOLS_* variables. */
export function powertoolsRecorder(updateType: 'Group' | 'Task'): OutcomeRecorder {
  return new PowertoolsOutcomeRecorder(new Logger(), new Metrics(), updateType);
}

export function groupApplierDeps(
  config: GroupApplierConfig,
  clients: AwsClients,
  recorder: OutcomeRecorder = powertoolsRecorder('Group'),
): BatchDeps<'Group'> {
  const memberships = new DynamoDbMembershipStore(clients.documents, config);
  return {
    applier: {
      queueType: 'Group',
      apply: (update, meta) => applyGroupMembership(update, meta, { memberships, now }),
    },
    deadLetters: new SqsDeadLetterQueue(clients.sqs, config.deadLetterQueueUrl),
    recorder,
    now,
  };
}

export function taskApplierDeps(
  config: TaskApplierConfig,
  clients: AwsClients,
  recorder: OutcomeRecorder = powertoolsRecorder('Task'),
): BatchDeps<'Task'> {
  const tasks = new DynamoDbTaskStore(clients.documents, config);
  return {
    applier: {
      queueType: 'Task',
      apply: (update, meta) => applyTask(update, meta, { tasks, now }),
    },
    deadLetters: new SqsDeadLetterQueue(clients.sqs, config.deadLetterQueueUrl),
    recorder,
    now,
  };
}
