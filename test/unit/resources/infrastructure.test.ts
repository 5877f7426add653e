import { MESSAGE_TYPES, TABLES } from '../../../lib/message-types';

/**
 * resources/infrastructure.cjs as osls calls it (through resources/message-types.cjs), with a
 * registry of the real types plus one made up here: a new entry is all a new type needs for its
 * queues, policies, alarm, applier, role, variables and the compute roles' sends.
 */
// A CommonJS module without types: what these tests read of it.
const infrastructure = require('../../../resources/infrastructure.cjs') as Record<
  string,
  (...args: unknown[]) => Record<string, unknown> & unknown[]
>;

const widget = {
  wireName: 'Widget',
  queueName: 'widget',
  queue: { logicalId: 'WidgetQueue', deadLetterLogicalId: 'WidgetDeadLetterQueue' },
  env: { queueUrl: 'WIDGET_QUEUE_URL', deadLetterQueueUrl: 'WIDGET_DLQ_URL' },
  applier: {
    functionName: 'applyWidget',
    description: 'Validates and applies Widget messages',
    handler: 'handlers/apply-widget.handler',
    roleLogicalId: 'ApplyWidgetRole',
    tables: { tasks: ['dynamodb:GetItem', 'dynamodb:UpdateItem'] },
    unknownTaskGrace: true,
  },
};
const registry = { MESSAGE_TYPES: [...MESSAGE_TYPES, widget], TABLES };

const settings = (overrides: Record<string, unknown> = {}) => ({
  service: 'svc',
  stage: 'st',
  maxReceiveCount: 5,
  unknownTaskAttempts: 3,
  timeouts: { applier: 30, compute: 300, changes: 60, planner: 60 },
  visibilityTimeouts: { applier: 180, compute: 1800, changes: 360, planner: 360 },
  alarmTopicArn: '',
  outsideProducerPrincipals: [],
  outsideUpdateProducerPrincipals: [],
  operatorPrincipals: [],
  kmsKeyArn: '',
  kmsDataKeyReusePeriodSeconds: 300,
  ...overrides,
});

type Resource = { Type: string; Properties: Record<string, unknown> };
const generate = (name: string, s = settings()) =>
  infrastructure[name]?.(registry, s) as unknown as Record<string, Resource>;

describe('the infrastructure generated from the registry', () => {
  it('gives a new type its queue, DLQ, both policies and the DLQ alarm', () => {
    const queues = generate('queueResources');
    expect(queues.WidgetQueue?.Properties).toEqual({
      QueueName: 'svc-st-widget',
      VisibilityTimeout: 180,
      MessageRetentionPeriod: 1209600,
      SqsManagedSseEnabled: true,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': ['WidgetDeadLetterQueue', 'Arn'] },
        maxReceiveCount: 5,
      },
    });
    expect(queues.WidgetDeadLetterQueue?.Properties).toMatchObject({
      QueueName: 'svc-st-widget-dlq',
      RedriveAllowPolicy: { redrivePermission: 'byQueue' },
    });
    expect(Object.keys(queues).filter((id) => id.startsWith('Widget'))).toEqual([
      'WidgetDeadLetterQueue',
      'WidgetQueue',
      'WidgetQueuePolicy',
      'WidgetDeadLetterQueuePolicy',
    ]);
    const sendDeny = (id: string) => {
      const document = queues[id]?.Properties.PolicyDocument as
        | { Statement: Record<string, unknown>[] }
        | undefined;
      return (document?.Statement ?? []).find((s) => s.Sid === 'SendOnlyFromProducers');
    };
    expect(sendDeny('WidgetQueuePolicy')?.Condition).toEqual({
      ArnNotLike: {
        'aws:PrincipalArn': [
          { 'Fn::GetAtt': ['ComputeSegmentRole', 'Arn'] },
          { 'Fn::GetAtt': ['ComputeOnChangeRole', 'Arn'] },
        ],
      },
    });
    expect(sendDeny('WidgetDeadLetterQueuePolicy')?.Condition).toEqual({
      ArnNotLike: { 'aws:PrincipalArn': [{ 'Fn::GetAtt': ['ApplyWidgetRole', 'Arn'] }] },
    });
    expect(generate('deadLetterAlarms').WidgetDeadLetterQueueAlarm?.Properties).toMatchObject({
      AlarmName: 'svc-st-widget-dlq-not-empty',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': ['WidgetDeadLetterQueue', 'QueueName'] } },
      ],
    });
  });

  it("gives a new type its applier, its role, its variables and the compute roles' sends", () => {
    expect(generate('applierFunctions').applyWidget).toEqual({
      handler: 'handlers/apply-widget.handler',
      description: 'Validates and applies Widget messages',
      timeout: 30,
      role: 'ApplyWidgetRole',
      environment: { UNKNOWN_TASK_ATTEMPTS: 3 },
      events: [
        {
          sqs: {
            arn: { 'Fn::GetAtt': ['WidgetQueue', 'Arn'] },
            batchSize: 10,
            maximumBatchingWindow: 1,
            functionResponseType: 'ReportBatchItemFailures',
          },
        },
      ],
    });
    const role = generate('applierRoles').ApplyWidgetRole?.Properties as {
      Policies: { PolicyDocument: { Statement: unknown[] } }[];
    };
    expect(role.Policies[0]?.PolicyDocument.Statement.slice(1)).toEqual([
      {
        Effect: 'Allow',
        Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
        Resource: [{ 'Fn::GetAtt': ['WidgetQueue', 'Arn'] }],
      },
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        Resource: [{ 'Fn::GetAtt': ['TasksTable', 'Arn'] }],
      },
      {
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Resource: [{ 'Fn::GetAtt': ['WidgetDeadLetterQueue', 'Arn'] }],
      },
    ]);
    const env = infrastructure.environment?.(registry, settings(), {
      BASE: 'x',
    }) as unknown as Record<string, unknown>;
    expect(env).toMatchObject({
      BASE: 'x',
      TASKS_TABLE: 'svc-st-tasks',
      WIDGET_QUEUE_URL: { Ref: 'WidgetQueue' },
      WIDGET_DLQ_URL: { Ref: 'WidgetDeadLetterQueue' },
    });
    expect(infrastructure.updateQueueArns?.(registry)).toContainEqual({
      'Fn::GetAtt': ['WidgetQueue', 'Arn'],
    });
  });

  it('with a customer-managed key: KMS on queues and tables, and every role may use the key', () => {
    const key = 'arn:aws:kms:us-east-1:111122223333:key/abc';
    const s = settings({ kmsKeyArn: key, kmsDataKeyReusePeriodSeconds: 900 });
    for (const [, queue] of Object.entries(generate('queueResources', s)).filter(
      ([, r]) => r.Type === 'AWS::SQS::Queue',
    )) {
      expect(queue.Properties).toMatchObject({
        KmsMasterKeyId: key,
        KmsDataKeyReusePeriodSeconds: 900,
      });
      expect(queue.Properties.SqsManagedSseEnabled).toBeUndefined();
    }
    expect(infrastructure.tableEncryption?.(s)).toEqual({
      SSEEnabled: true,
      SSEType: 'KMS',
      KMSMasterKeyId: key,
    });
    const policy = generate('kmsResources', s).KmsKeyUsePolicy?.Properties as {
      Roles: { Ref: string }[];
    };
    expect(policy.Roles.map((r) => r.Ref)).toEqual([
      'PlanRecomputationRole',
      'ComputeSegmentRole',
      'ComputeOnChangeRole',
      ...registry.MESSAGE_TYPES.map((e) => e.applier.roleLogicalId),
    ]);
    // Without a key: nothing.
    expect(generate('kmsResources')).toEqual({});
    expect(infrastructure.tableEncryption?.(settings())).toEqual({ SSEEnabled: true });
  });

  it('refuses an entry naming a table the registry does not have, and a consumer without a visibility', () => {
    const broken = {
      ...widget,
      applier: { ...widget.applier, tables: { gadgets: ['dynamodb:GetItem'] } },
    };
    expect(() =>
      infrastructure.applierRoles?.({ MESSAGE_TYPES: [broken], TABLES }, settings()),
    ).toThrow('Widget: the applier names an unknown table gadgets');
    expect(() =>
      infrastructure.queueResources?.(registry, settings({ visibilityTimeouts: { applier: 180 } })),
    ).toThrow('custom.visibilityTimeouts has no entry for consumer compute');
  });
});
