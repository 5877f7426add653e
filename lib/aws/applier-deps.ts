import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { UpdateType } from '../../schemas';
import { applyGroupMembership } from '../apply/apply-group-membership';
import { applyTask } from '../apply/apply-task';
import { applyTaskComment } from '../apply/apply-task-comment';
import { applyTaskUpdate } from '../apply/apply-task-update';
import type { OutcomeRecorder } from '../apply/outcomes';
import type { BatchDeps } from '../apply/process-update-batch';
import type { AwsClients } from './clients';
import type {
  GroupApplierConfig,
  TaskApplierConfig,
  TaskCommentApplierConfig,
  TaskUpdateApplierConfig,
} from './config';
import { DynamoDbMembershipStore } from './dynamodb-membership-store';
import { DynamoDbTaskCommentStore } from './dynamodb-task-comment-store';
import { DynamoDbTaskLifecycleStore } from './dynamodb-task-lifecycle-store';
import { DynamoDbTaskStore } from './dynamodb-task-store';
import { PowertoolsOutcomeRecorder } from './powertools-recorder';
import { SqsDeadLetterQueue } from './sqs-dead-letter-queue';

const now = () => new Date();

/** The Powertools recorder; service name and namespace come from POWERTOOLS_* variables. */
export function powertoolsRecorder(updateType: UpdateType): OutcomeRecorder {
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

export function taskUpdateApplierDeps(
  config: TaskUpdateApplierConfig,
  clients: AwsClients,
  recorder: OutcomeRecorder = powertoolsRecorder('TaskUpdate'),
): BatchDeps<'TaskUpdate'> {
  const tasks = new DynamoDbTaskLifecycleStore(clients.documents, config);
  const { unknownTaskAttempts } = config;
  return {
    applier: {
      queueType: 'TaskUpdate',
      apply: (update, meta, delivery) =>
        applyTaskUpdate(update, meta, delivery, { tasks, now, unknownTaskAttempts }),
    },
    deadLetters: new SqsDeadLetterQueue(clients.sqs, config.deadLetterQueueUrl),
    recorder,
    now,
  };
}

export function taskCommentApplierDeps(
  config: TaskCommentApplierConfig,
  clients: AwsClients,
  recorder: OutcomeRecorder = powertoolsRecorder('TaskComment'),
): BatchDeps<'TaskComment'> {
  const comments = new DynamoDbTaskCommentStore(clients.documents, config);
  const { unknownTaskAttempts } = config;
  return {
    applier: {
      queueType: 'TaskComment',
      apply: (update, meta, delivery) =>
        applyTaskComment(update, meta, delivery, { comments, now, unknownTaskAttempts }),
    },
    deadLetters: new SqsDeadLetterQueue(clients.sqs, config.deadLetterQueueUrl),
    recorder,
    now,
  };
}
