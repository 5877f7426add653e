import { type PackagedService, packageService } from '../support/serverless-package';

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
        'applyGroupMembership.zip',
        'applyTask.zip',
        'applyTaskComment.zip',
        'applyTaskUpdate.zip',
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
    expect(mappings).toHaveLength(6);
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
    expect(dlqIds).toHaveLength(6);
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
});
