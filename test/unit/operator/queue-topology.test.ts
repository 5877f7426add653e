import { MESSAGE_TYPES } from '../../../lib/message-types';
import { deadLetterRoutes, findDeadLetterRoute } from '../../../lib/operator/queue-topology';

const queue = (name: string, dlq?: string) => ({
  Type: 'AWS::SQS::Queue',
  Properties: {
    QueueName: name,
    ...(dlq ? { RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] } } } : {}),
  },
});

/** A resolved config declaring what the registry names, plus the changes and compute jobs queues. */
function registryConfig() {
  const environment: Record<string, unknown> = { CHANGES_QUEUE_URL: { Ref: 'ChangesQueue' } };
  const resources: Record<string, ReturnType<typeof queue>> = {
    ChangesDeadLetterQueue: queue('svc-changes-dlq'),
    ChangesQueue: queue('svc-changes', 'ChangesDeadLetterQueue'),
    ComputeJobsDeadLetterQueue: queue('svc-compute-jobs-dlq'),
    ComputeJobsQueue: queue('svc-compute-jobs', 'ComputeJobsDeadLetterQueue'),
  };
  for (const entry of [...MESSAGE_TYPES].reverse()) {
    environment[entry.env.queueUrl] = { Ref: entry.queue.logicalId };
    resources[entry.queue.deadLetterLogicalId] = queue(`svc-${entry.queueName}-dlq`);
    resources[entry.queue.logicalId] = queue(
      `svc-${entry.queueName}`,
      entry.queue.deadLetterLogicalId,
    );
  }
  return { provider: { environment }, resources: { Resources: resources } };
}

describe('queue topology from the registry', () => {
  it("routes each message type's DLQ in registry order, then the other queues", () => {
    const routes = deadLetterRoutes(registryConfig());

    expect(
      routes.map((r) => [r.name, r.updateType, r.source.queueName, r.deadLetter.queueName]),
    ).toEqual([
      ['Group', 'Group', 'svc-group', 'svc-group-dlq'],
      ['Task', 'Task', 'svc-task', 'svc-task-dlq'],
      ['TaskUpdate', 'TaskUpdate', 'svc-task-update', 'svc-task-update-dlq'],
      ['TaskComment', 'TaskComment', 'svc-task-comment', 'svc-task-comment-dlq'],
      ['TaskMetadata', 'TaskMetadata', 'svc-task-metadata', 'svc-task-metadata-dlq'],
      ['changes', undefined, 'svc-changes', 'svc-changes-dlq'],
      ['compute-jobs', undefined, 'svc-compute-jobs', 'svc-compute-jobs-dlq'],
    ]);
    expect(findDeadLetterRoute(routes, 'taskupdate')?.deadLetter.logicalId).toBe(
      'TaskUpdateDeadLetterQueue',
    );
  });

  it('finds a type by its <Type>Queue resource when no variable names it', () => {
    const config = registryConfig();
    delete config.provider.environment.TASK_QUEUE_URL;
    expect(findDeadLetterRoute(deadLetterRoutes(config), 'Task')?.source.logicalId).toBe(
      'TaskQueue',
    );
  });

  it('leaves out a type whose queue the config lacks', () => {
    const config = registryConfig();
    delete config.provider.environment.TASK_COMMENT_QUEUE_URL;
    delete config.resources.Resources.TaskCommentQueue;
    expect(deadLetterRoutes(config).map((r) => r.name)).not.toContain('TaskComment');
  });
});
