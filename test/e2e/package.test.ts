import { MESSAGE_TYPES, TABLES } from '../../lib/message-types';
import {
  functionGrants,
  functionLogicalId,
  resourceName,
  templateFunctionKeys,
} from '../support/iam-roles';
import {
  type CloudFormationTemplate,
  type PackagedService,
  packageService,
  printService,
} from '../support/serverless-package';

jest.setTimeout(120_000);

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: unknown };

/** `serverless package` (osls) with no AWS credentials at all: it bundles and templates offline. */
describe('npx serverless package', () => {
  let packaged: PackagedService;
  let resources: Record<string, Resource>;
  let conditions: Record<string, unknown>;
  let artifacts: string[];

  beforeAll(async () => {
    packaged = await packageService('prod');
    resources = packaged.template.Resources as Record<string, Resource>;
    conditions = packaged.template.Conditions ?? {};
    artifacts = packaged.artifacts;
  });

  afterAll(() => packaged?.remove());

  const functions = () =>
    Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');

  it('bundles one artifact per function on nodejs22.x', () => {
    expect(artifacts.sort()).toEqual(
      [
        ...MESSAGE_TYPES.map((entry) => `${entry.applier.functionName}.zip`),
        'computeOnChange.zip',
        'computeSegment.zip',
        'planRecomputation.zip',
      ].sort(),
    );
    for (const [, fn] of functions()) expect(fn.Properties.Runtime).toBe('nodejs22.x');
  });

  it('gives every function a role of its own and no shared default role', () => {
    expect(resources.IamRoleLambdaExecution).toBeUndefined();
    const roles = functions().map(([, fn]) => JSON.stringify(fn.Properties.Role));
    expect(new Set(roles).size).toBe(functions().length);
    for (const [, fn] of functions()) {
      const role = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      expect(resources[role]?.Type).toBe('AWS::IAM::Role');
    }
  });

  it('gives each queue a visibility of at least 6x its consumer timeout, and a DLQ', () => {
    const mappings = Object.values(resources).filter(
      (r) => r.Type === 'AWS::Lambda::EventSourceMapping',
    );
    // One per message type's applier, computeSegment's and computeOnChange's.
    expect(mappings).toHaveLength(MESSAGE_TYPES.length + 2);
    for (const mapping of mappings) {
      const queueId = (mapping.Properties.EventSourceArn as { 'Fn::GetAtt': string[] })[
        'Fn::GetAtt'
      ][0] as string;
      const fnId = (mapping.Properties.FunctionName as { 'Fn::GetAtt': string[] })[
        'Fn::GetAtt'
      ][0] as string;
      const queue = resources[queueId]?.Properties ?? {};
      const timeout = Number(resources[fnId]?.Properties.Timeout);
      // Derived at package time (resources/visibility-timeouts.cjs): a number, not a string.
      expect(typeof queue.VisibilityTimeout).toBe('number');
      expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
      expect(queue.SqsManagedSseEnabled).toBe(true);
      expect((queue.RedrivePolicy as { maxReceiveCount: number }).maxReceiveCount).toBe(5);
      expect(mapping.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    }
  });

  it('schedules the planner and keeps the tables on demand, recoverable and encrypted', () => {
    const rules = Object.values(resources).filter((r) => r.Type === 'AWS::Events::Rule');
    expect(rules.map((r) => r.Properties.ScheduleExpression)).toEqual(['rate(1 hour)']);
    const tables = Object.values(resources).filter((r) => r.Type === 'AWS::DynamoDB::Table');
    expect(tables.length).toBeGreaterThanOrEqual(6);
    for (const table of tables) {
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      });
    }
  });

  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const getAttOf = (value: unknown) => (value as { 'Fn::GetAtt'?: string[] })?.['Fn::GetAtt'];
  /** The logical id of the queue an alarm watches (its QueueName dimension's `Fn::GetAtt`). */
  const watchedQueue = (alarm: Record<string, unknown> | undefined) =>
    getAttOf(((alarm?.Dimensions ?? []) as { Value: unknown }[])[0]?.Value)?.[0];

  it('keeps every function log group for the configured retention (default 30 days)', () => {
    const logGroups = ofType('AWS::Logs::LogGroup');
    expect(logGroups).toHaveLength(functions().length);
    for (const [, group] of logGroups) expect(group.Properties.RetentionInDays).toBe(30);
  });

  it('alarms on every DLQ holding a message, with no actions unless a topic is given', () => {
    const dlqIds = Object.values(resources)
      .filter((r) => r.Type === 'AWS::SQS::Queue' && r.Properties.RedrivePolicy)
      .map(
        (r) =>
          getAttOf(
            (r.Properties.RedrivePolicy as { deadLetterTargetArn: unknown }).deadLetterTargetArn,
          )?.[0],
      );
    expect(dlqIds).toHaveLength(MESSAGE_TYPES.length + 2);
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
    for (const dlqId of dlqIds) {
      const onDlq = alarms.filter(
        (a) => a.MetricName === 'ApproximateNumberOfMessagesVisible' && watchedQueue(a) === dlqId,
      );
      expect({ dlqId, alarms: onDlq.length }).toEqual({ dlqId, alarms: 1 });
      expect(onDlq[0]).toMatchObject({
        Namespace: 'AWS/SQS',
        Statistic: 'Maximum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: { 'Fn::If': ['HasAlarmTopic', expect.any(Array), { Ref: 'AWS::NoValue' }] },
      });
    }
    // The default param leaves the topic empty, so the condition is false: no actions.
    expect(conditions.HasAlarmTopic).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
  });

  it('alarms when the compute jobs queue holds a job older than an hour', () => {
    const ageAlarms = ofType('AWS::CloudWatch::Alarm')
      .map(([, alarm]) => alarm.Properties)
      .filter((a) => a.MetricName === 'ApproximateAgeOfOldestMessage');
    expect(ageAlarms).toHaveLength(1);
    expect(watchedQueue(ageAlarms[0])).toBe('ComputeJobsQueue');
    expect(ageAlarms[0]).toMatchObject({
      Threshold: 3600,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it("generates each message type's queue, DLQ, applier, role and variables from the registry", () => {
    for (const entry of MESSAGE_TYPES) {
      const { queue, applier } = entry;
      const name = `protocol-updates-prod-${entry.queueName}`;
      expect(resources[queue.logicalId]?.Properties).toMatchObject({
        QueueName: name,
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': [queue.deadLetterLogicalId, 'Arn'] },
        },
      });
      expect(resources[queue.deadLetterLogicalId]?.Properties.QueueName).toBe(`${name}-dlq`);

      const fn = resources[functionLogicalId(applier.functionName)]?.Properties ?? {};
      expect(fn).toMatchObject({
        Handler: applier.handler,
        Description: applier.description,
        Timeout: 30,
        Role: { 'Fn::GetAtt': [applier.roleLogicalId, 'Arn'] },
      });
      const variables = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables.UNKNOWN_TASK_ATTEMPTS).toBe(applier.unknownTaskGrace ? '3' : undefined);
      expect(variables[entry.env.queueUrl]).toEqual({ Ref: queue.logicalId });
      expect(variables[entry.env.deadLetterQueueUrl]).toEqual({ Ref: queue.deadLetterLogicalId });

      const mappings = ofType('AWS::Lambda::EventSourceMapping').filter(
        ([, m]) =>
          resourceName(m.Properties.FunctionName) === functionLogicalId(applier.functionName),
      );
      expect(mappings.map(([, m]) => m.Properties)).toEqual([
        expect.objectContaining({
          EventSourceArn: { 'Fn::GetAtt': [queue.logicalId, 'Arn'] },
          BatchSize: 10,
          MaximumBatchingWindowInSeconds: 1,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
        }),
      ]);

      // The role grants exactly the entry's table actions, and SendMessage on its own DLQ only.
      const grants = functionGrants(packaged.template, applier.functionName);
      const tableGrants = grants
        .filter((g) => g.action.startsWith('dynamodb:'))
        .map((g) => `${g.action} on ${g.resource}`)
        .sort();
      const stated = Object.entries(applier.tables as Partial<Record<string, readonly string[]>>)
        .flatMap(([key, actions]) =>
          (actions ?? []).map(
            (action: string) => `${action} on ${TABLES[key as keyof typeof TABLES].logicalId}`,
          ),
        )
        .sort();
      expect(tableGrants).toEqual(stated);
      expect(grants.filter((g) => g.action === 'sqs:SendMessage').map((g) => g.resource)).toEqual([
        queue.deadLetterLogicalId,
      ]);
    }
    // The compute functions may send every type's updates.
    for (const key of ['computeSegment', 'computeOnChange']) {
      const sends = functionGrants(packaged.template, key)
        .filter((g) => g.action === 'sqs:SendMessage')
        .map((g) => g.resource);
      for (const entry of MESSAGE_TYPES) expect(sends).toContain(entry.queue.logicalId);
    }
  });

  it('declares every registry table (resources/tables.yml) under the name its variable holds', () => {
    const fn = functions()[0]?.[1].Properties ?? {};
    const variables = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
    for (const table of Object.values(TABLES)) {
      const name = `protocol-updates-prod-${table.name}`;
      expect(resources[table.logicalId]).toMatchObject({
        Type: 'AWS::DynamoDB::Table',
        Properties: { TableName: name },
      });
      expect(variables[table.env]).toBe(name);
    }
    expect(ofType('AWS::DynamoDB::Table')).toHaveLength(Object.keys(TABLES).length);
  });

  it('denies every queue and DLQ any access without TLS (a queue policy each)', () => {
    const queueIds = ofType('AWS::SQS::Queue').map(([id]) => id);
    expect(queueIds).toHaveLength(2 * (MESSAGE_TYPES.length + 2));
    for (const id of queueIds) {
      const policies = policiesOf(resources, id);
      expect({ id, policies: policies.length }).toEqual({ id, policies: 1 });
      expect(statementsOf(policies[0])).toContainEqual({
        Sid: 'DenyWithoutTls',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sqs:*',
        Resource: { 'Fn::GetAtt': [id, 'Arn'] },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      });
    }
  });

  it('lets only the producer roles send to each queue, the appliers to their DLQs, nobody else', () => {
    const expected: Record<string, string[] | 'nobody'> = {
      ComputeJobsQueue: ['PlanRecomputationRole', 'ComputeSegmentRole'],
      ComputeJobsDeadLetterQueue: 'nobody',
      // No outside producer is configured by default: nothing may send change events.
      ChangesQueue: 'nobody',
      ChangesDeadLetterQueue: 'nobody',
    };
    for (const entry of MESSAGE_TYPES) {
      expected[entry.queue.logicalId] = ['ComputeSegmentRole', 'ComputeOnChangeRole'];
      expected[entry.queue.deadLetterLogicalId] = [entry.applier.roleLogicalId];
    }
    expect(
      Object.fromEntries(queueIdsOf(resources).map((id) => [id, senders(resources, id)])),
    ).toEqual(expected);
    // And the roles whose grants allow a send are exactly the ones the queue policy lets through.
    for (const id of queueIdsOf(resources)) {
      const granted = templateFunctionKeys(packaged.template)
        .filter((key) =>
          functionGrants(packaged.template, key).some(
            (g) => g.effect === 'Allow' && g.action === 'sqs:SendMessage' && g.resource === id,
          ),
        )
        .map((key) => resourceName(resources[functionLogicalId(key)]?.Properties.Role))
        .sort();
      const allowed = senders(resources, id);
      expect({ id, granted }).toEqual({
        id,
        granted: allowed === 'nobody' ? [] : [...allowed].sort(),
      });
    }
  });

  it('lets each DLQ take dead letters from its own queue only (RedriveAllowPolicy)', () => {
    const sources = ofType('AWS::SQS::Queue').filter(([, q]) => q.Properties.RedrivePolicy);
    expect(sources).toHaveLength(MESSAGE_TYPES.length + 2);
    for (const [, source] of sources) {
      const dlqId = getAttOf(
        (source.Properties.RedrivePolicy as { deadLetterTargetArn: unknown }).deadLetterTargetArn,
      )?.[0] as string;
      expect(resources[dlqId]?.Properties.RedriveAllowPolicy).toEqual({
        redrivePermission: 'byQueue',
        sourceQueueArns: [
          {
            'Fn::Sub': `arn:\${AWS::Partition}:sqs:\${AWS::Region}:\${AWS::AccountId}:${source.Properties.QueueName}`,
          },
        ],
      });
    }
  });

  it('encrypts with AWS managed keys and grants no KMS use when no kmsKeyArn is given', () => {
    for (const [, queue] of ofType('AWS::SQS::Queue')) {
      expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
      expect(queue.Properties.KmsMasterKeyId).toBeUndefined();
    }
    for (const [, table] of ofType('AWS::DynamoDB::Table'))
      expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true });
    expect(ofType('AWS::IAM::Policy')).toEqual([]);
    expect(JSON.stringify(packaged.template)).not.toMatch(/kms:/);
  });
});

type Resources = Record<string, Resource>;

const queueIdsOf = (resources: Resources) =>
  Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::SQS::Queue')
    .map(([id]) => id)
    .sort();

/** The queue policies naming a queue. */
const policiesOf = (resources: Resources, queueId: string) =>
  Object.values(resources).filter(
    (r) =>
      r.Type === 'AWS::SQS::QueuePolicy' &&
      (r.Properties.Queues as { Ref?: string }[]).some((q) => q.Ref === queueId),
  );

const statementsOf = (policy: Resource | undefined) =>
  (policy?.Properties.PolicyDocument as { Statement: Record<string, unknown>[] })?.Statement ?? [];

/**
 * Who the queue's policy lets SendMessage: `nobody` for an unconditional Deny, else the principals
 * its Deny exempts (`aws:PrincipalArn` not like any of them): role logical ids, or ARNs as given.
 */
function senders(resources: Resources, queueId: string): string[] | 'nobody' {
  const denies = statementsOf(policiesOf(resources, queueId)[0]).filter(
    (s) => s.Effect === 'Deny' && s.Action === 'sqs:SendMessage',
  );
  if (denies.length !== 1) throw new Error(`${queueId}: ${denies.length} SendMessage denies`);
  const deny = denies[0] ?? {};
  expect(deny).toMatchObject({ Principal: '*', Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } });
  if (deny.Condition === undefined) return 'nobody';
  const principals = (deny.Condition as { ArnNotLike: { 'aws:PrincipalArn': unknown[] } })
    .ArnNotLike['aws:PrincipalArn'];
  expect(Object.keys(deny.Condition as object)).toEqual(['ArnNotLike']);
  return principals.map((p) => resourceName(p));
}

const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const CHANGE_PRODUCER = 'arn:aws:iam::111122223333:role/canvas-change-events';
const UPDATE_PRODUCER = 'arn:aws:iam::111122223333:role/other-protocols';
const OPERATORS = ['arn:aws:iam::111122223333:role/ops-*', 'arn:aws:iam::111122223333:user/alice'];

describe('npx serverless package with a customer-managed key and outside producers', () => {
  let packaged: PackagedService;
  let resources: Resources;
  let template: CloudFormationTemplate;

  beforeAll(async () => {
    packaged = await packageService('prod', {
      kmsKeyArn: KEY,
      kmsDataKeyReusePeriodSeconds: '600',
      outsideProducerPrincipals: CHANGE_PRODUCER,
      outsideUpdateProducerPrincipals: UPDATE_PRODUCER,
      operatorPrincipals: OPERATORS.join(', '),
    });
    template = packaged.template;
    resources = template.Resources as Resources;
  });

  afterAll(() => packaged?.remove());

  it('encrypts every queue and table with the key', () => {
    const queues = Object.values(resources).filter((r) => r.Type === 'AWS::SQS::Queue');
    expect(queues).toHaveLength(2 * (MESSAGE_TYPES.length + 2));
    for (const queue of queues) {
      expect(queue.Properties).toMatchObject({
        KmsMasterKeyId: KEY,
        KmsDataKeyReusePeriodSeconds: 600,
      });
      expect(queue.Properties.SqsManagedSseEnabled).toBeUndefined();
    }
    const tables = Object.values(resources).filter((r) => r.Type === 'AWS::DynamoDB::Table');
    expect(tables).toHaveLength(Object.keys(TABLES).length);
    for (const table of tables)
      expect(table.Properties.SSESpecification).toEqual({
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: KEY,
      });
  });

  it("lets every function's role make and read data keys of that key, and nothing more", () => {
    for (const key of templateFunctionKeys(template)) {
      const kms = functionGrants(template, key)
        .filter((g) => g.action.startsWith('kms:'))
        .map((g) => `${g.effect} ${g.action} on ${g.resource}`)
        .sort();
      expect({ key, kms }).toEqual({
        key,
        kms: [`Allow kms:Decrypt on ${KEY}`, `Allow kms:GenerateDataKey on ${KEY}`],
      });
    }
  });

  it('adds the outside producers and the operators to the queues they may send to', () => {
    const byQueue = Object.fromEntries(
      queueIdsOf(resources).map((id) => [id, senders(resources, id)]),
    );
    expect(byQueue.ChangesQueue).toEqual([CHANGE_PRODUCER, ...OPERATORS]);
    expect(byQueue.ComputeJobsQueue).toEqual([
      'PlanRecomputationRole',
      'ComputeSegmentRole',
      ...OPERATORS,
    ]);
    for (const entry of MESSAGE_TYPES) {
      expect(byQueue[entry.queue.logicalId]).toEqual([
        'ComputeSegmentRole',
        'ComputeOnChangeRole',
        UPDATE_PRODUCER,
        ...OPERATORS,
      ]);
      // Nobody but the applier writes its DLQ (SQS's redrive is no principal's send).
      expect(byQueue[entry.queue.deadLetterLogicalId]).toEqual([entry.applier.roleLogicalId]);
    }
    expect(byQueue.ChangesDeadLetterQueue).toBe('nobody');
    expect(byQueue.ComputeJobsDeadLetterQueue).toBe('nobody');
  });
});

describe('stage params the resolvers refuse (serverless print)', () => {
  it.each([
    [
      'kmsKeyArn',
      'alias/protocol-updates',
      /param kmsKeyArn: "alias\/protocol-updates" is not a KMS key ARN/,
    ],
    [
      'operatorPrincipals',
      'alice',
      /param operatorPrincipals: "alice" is not an IAM principal ARN/,
    ],
    [
      'kmsDataKeyReusePeriodSeconds',
      '5',
      /kmsDataKeyReusePeriodSeconds must be an integer from 60/,
    ],
  ])('%s=%s', async (name, value, message) => {
    await expect(printService('prod', { [name]: value })).rejects.toThrow(message);
  });
});
