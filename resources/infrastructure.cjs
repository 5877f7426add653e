// The per-message-type infrastructure, generated from the message-type registry
// (lib/message-types.ts): each type's queue and DLQ, their policies and alarms, its applier
// function and role, the variables naming its queues, and the compute roles' SendMessage grants.
// The two pipeline queues (compute jobs, change events) are declared below and go through the same
// generators. Pure functions of (registry, settings): resources/message-types.cjs loads the
// registry and the settings for osls; the unit tests call these with their own settings.
'use strict';

/** SQS keeps a message at most 14 days; the queues and DLQs keep them that long. */
const RETENTION_SECONDS = 1209600;

/** The roles of the functions that are not a message type's applier (resources/iam.yml). */
const PIPELINE_ROLES = {
  planner: 'PlanRecomputationRole',
  segment: 'ComputeSegmentRole',
  onChange: 'ComputeOnChangeRole',
};

/** The compute functions send every message type's updates: the type queues' only producers. */
const UPDATE_PRODUCER_ROLES = [PIPELINE_ROLES.segment, PIPELINE_ROLES.onChange];

/**
 * The queues that carry no message type. `consumer` names the custom.timeouts entry whose
 * visibility the queue gets; `producerRoles` the roles that may SendMessage to it (the planner's
 * jobs, a segment's continuation jobs); `outsideProducers` whether the `outsideProducerPrincipals`
 * param's principals may too (change events come from outside the stack).
 */
const PIPELINE_QUEUES = [
  {
    logicalId: 'ComputeJobsQueue',
    deadLetterLogicalId: 'ComputeJobsDeadLetterQueue',
    queueName: 'compute-jobs',
    consumer: 'compute',
    producerRoles: [PIPELINE_ROLES.planner, PIPELINE_ROLES.segment],
    outsideProducers: false,
    alarmDescription:
      'Compute segment jobs that failed maxReceiveCount times: patients were not recomputed; see docs/operator-cli.md (dlq list, redrive)',
  },
  {
    logicalId: 'ChangesQueue',
    deadLetterLogicalId: 'ChangesDeadLetterQueue',
    queueName: 'changes',
    consumer: 'changes',
    producerRoles: [],
    outsideProducers: true,
    alarmDescription:
      'Change events rejected or failed maxReceiveCount times: patients were not recomputed; see docs/operator-cli.md (dlq list, redrive)',
  },
];

const arnOf = (logicalId) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

/**
 * Every queue, type queues first: logical ids, physical name suffix, consumer timeout, who may
 * send to it and to its DLQ.
 */
function queueSpecs(registry) {
  const typeQueues = registry.MESSAGE_TYPES.map((entry) => ({
    logicalId: entry.queue.logicalId,
    deadLetterLogicalId: entry.queue.deadLetterLogicalId,
    queueName: entry.queueName,
    consumer: 'applier',
    producerRoles: UPDATE_PRODUCER_ROLES,
    outsideProducers: 'updates',
    // The applier dead-letters what it refuses (with the reason) itself.
    deadLetterProducerRoles: [entry.applier.roleLogicalId],
    alarmDescription: `${entry.wireName} messages the applier rejected (or that failed maxReceiveCount times); see docs/operator-cli.md (dlq list, redrive)`,
  }));
  const pipeline = PIPELINE_QUEUES.map((spec) => ({ ...spec, deadLetterProducerRoles: [] }));
  return [...typeQueues, ...pipeline];
}

/** Queue encryption: the customer-managed key when one is given, else SQS-managed keys. */
function queueEncryption(settings) {
  if (!settings.kmsKeyArn) return { SqsManagedSseEnabled: true };
  return {
    KmsMasterKeyId: settings.kmsKeyArn,
    KmsDataKeyReusePeriodSeconds: settings.kmsDataKeyReusePeriodSeconds,
  };
}

/**
 * A queue's resource policy. TLS only (`aws:SecureTransport`), for every action and principal.
 * SendMessage (and so SendMessageBatch) is denied to every principal whose ARN is not in
 * `senders`: an explicit Deny, which no identity policy in the account can outweigh, so the list
 * really is the only producers. An empty list denies every send (SQS's own redrive to a DLQ is
 * not a principal's SendMessage and is not affected).
 */
function queuePolicy(queueLogicalId, senders) {
  const resource = arnOf(queueLogicalId);
  const sendDeny = {
    Sid: 'SendOnlyFromProducers',
    Effect: 'Deny',
    Principal: '*',
    Action: 'sqs:SendMessage',
    Resource: resource,
  };
  if (senders.length > 0) sendDeny.Condition = { ArnNotLike: { 'aws:PrincipalArn': senders } };
  return {
    Type: 'AWS::SQS::QueuePolicy',
    Properties: {
      Queues: [{ Ref: queueLogicalId }],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DenyWithoutTls',
            Effect: 'Deny',
            Principal: '*',
            Action: 'sqs:*',
            Resource: resource,
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
          sendDeny,
        ],
      },
    },
  };
}

/** `<service>-<stage>-<name>`. */
const physicalName = (settings, name) => `${settings.service}-${settings.stage}-${name}`;

/**
 * The queue's ARN built from its name: a DLQ's RedriveAllowPolicy cannot `Fn::GetAtt` its source,
 * whose RedrivePolicy already names the DLQ (CloudFormation would refuse the circular dependency).
 */
const queueArnByName = (name) => ({
  'Fn::Sub': `arn:\${AWS::Partition}:sqs:\${AWS::Region}:\${AWS::AccountId}:${name}`,
});

/** Every queue, its DLQ, and the policy of each. */
function queueResources(registry, settings) {
  const resources = {};
  for (const spec of queueSpecs(registry)) {
    const name = physicalName(settings, spec.queueName);
    const visibility = settings.visibilityTimeouts[spec.consumer];
    if (visibility === undefined)
      throw new Error(`custom.visibilityTimeouts has no entry for consumer ${spec.consumer}`);
    const outside =
      spec.outsideProducers === 'updates'
        ? settings.outsideUpdateProducerPrincipals
        : spec.outsideProducers
          ? settings.outsideProducerPrincipals
          : [];
    resources[spec.deadLetterLogicalId] = {
      Type: 'AWS::SQS::Queue',
      Properties: {
        QueueName: `${name}-dlq`,
        MessageRetentionPeriod: RETENTION_SECONDS,
        ...queueEncryption(settings),
        // Only its own queue may dead-letter into it.
        RedriveAllowPolicy: {
          redrivePermission: 'byQueue',
          sourceQueueArns: [queueArnByName(name)],
        },
      },
    };
    resources[spec.logicalId] = {
      Type: 'AWS::SQS::Queue',
      Properties: {
        QueueName: name,
        VisibilityTimeout: visibility,
        MessageRetentionPeriod: RETENTION_SECONDS,
        ...queueEncryption(settings),
        RedrivePolicy: {
          deadLetterTargetArn: arnOf(spec.deadLetterLogicalId),
          maxReceiveCount: settings.maxReceiveCount,
        },
      },
    };
    // The operator's `dlq redrive` sends a dead letter back to its queue with the operator's own
    // credentials (lib/operator/dead-letter-admin.ts), and `recompute --patient` sends a change
    // event: the operators are producers of every source queue, never of a DLQ.
    resources[`${spec.logicalId}Policy`] = queuePolicy(spec.logicalId, [
      ...spec.producerRoles.map(arnOf),
      ...outside,
      ...settings.operatorPrincipals,
    ]);
    resources[`${spec.deadLetterLogicalId}Policy`] = queuePolicy(
      spec.deadLetterLogicalId,
      spec.deadLetterProducerRoles.map(arnOf),
    );
  }
  return resources;
}

/** One alarm per DLQ: anything in it needs an operator. `HasAlarmTopic` is in alarms.yml. */
function deadLetterAlarms(registry, settings) {
  const actions = {
    'Fn::If': ['HasAlarmTopic', [settings.alarmTopicArn], { Ref: 'AWS::NoValue' }],
  };
  const resources = {};
  for (const spec of queueSpecs(registry)) {
    resources[`${spec.deadLetterLogicalId}Alarm`] = {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: `${physicalName(settings, spec.queueName)}-dlq-not-empty`,
        AlarmDescription: spec.alarmDescription,
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [
          { Name: 'QueueName', Value: { 'Fn::GetAtt': [spec.deadLetterLogicalId, 'QueueName'] } },
        ],
        Statistic: 'Maximum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: actions,
        OKActions: actions,
      },
    };
  }
  return resources;
}

/** The applier functions, one per message type, each polling its type's queue. */
function applierFunctions(registry, settings) {
  const functions = {};
  for (const entry of registry.MESSAGE_TYPES) {
    const fn = {
      handler: entry.applier.handler,
      description: entry.applier.description,
      timeout: settings.timeouts.applier,
      role: entry.applier.roleLogicalId,
    };
    if (entry.applier.unknownTaskGrace)
      fn.environment = { UNKNOWN_TASK_ATTEMPTS: settings.unknownTaskAttempts };
    fn.events = [
      {
        sqs: {
          arn: arnOf(entry.queue.logicalId),
          batchSize: 10,
          maximumBatchingWindow: 1,
          functionResponseType: 'ReportBatchItemFailures',
        },
      },
    ];
    functions[entry.applier.functionName] = fn;
  }
  return functions;
}

const lambdaTrust = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
};

/**
 * Each applier's role: its logs, its queue (the event source mapping polls with the function's
 * role), exactly the table actions its registry entry states, and SendMessage on its DLQ.
 */
function applierRoles(registry, settings) {
  const roles = {};
  for (const entry of registry.MESSAGE_TYPES) {
    const { functionName } = entry.applier;
    const tableStatements = Object.entries(entry.applier.tables).map(([key, actions]) => {
      const table = registry.TABLES[key];
      if (!table) throw new Error(`${entry.wireName}: the applier names an unknown table ${key}`);
      return { Effect: 'Allow', Action: [...actions], Resource: [arnOf(table.logicalId)] };
    });
    roles[entry.applier.roleLogicalId] = {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: lambdaTrust,
        Policies: [
          {
            PolicyName: functionName,
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
                  Resource: [
                    {
                      'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${physicalName(settings, functionName)}:*`,
                    },
                  ],
                },
                {
                  Effect: 'Allow',
                  Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
                  Resource: [arnOf(entry.queue.logicalId)],
                },
                ...tableStatements,
                {
                  Effect: 'Allow',
                  Action: 'sqs:SendMessage',
                  Resource: [arnOf(entry.queue.deadLetterLogicalId)],
                },
              ],
            },
          },
        ],
      },
    };
  }
  return roles;
}

/**
 * With a customer-managed key, every role (each sends to or receives from an encrypted queue and
 * reads or writes an encrypted table) may use that key, and only for data keys. Without one, no
 * resource at all: the template is the one with AWS-managed keys.
 */
function kmsResources(registry, settings) {
  if (!settings.kmsKeyArn) return {};
  const roles = [
    ...Object.values(PIPELINE_ROLES),
    ...registry.MESSAGE_TYPES.map((e) => e.applier.roleLogicalId),
  ];
  return {
    KmsKeyUsePolicy: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        PolicyName: 'kmsKeyUse',
        Roles: roles.map((role) => ({ Ref: role })),
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
              Resource: [settings.kmsKeyArn],
            },
          ],
        },
      },
    },
  };
}

/** Table encryption: the customer-managed key when given, else the AWS managed `aws/dynamodb`. */
function tableEncryption(settings) {
  if (!settings.kmsKeyArn) return { SSEEnabled: true };
  return { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: settings.kmsKeyArn };
}

/** The tables' physical names, by registry key (custom.tables). */
function tableNames(registry, settings) {
  return Object.fromEntries(
    Object.entries(registry.TABLES).map(([key, t]) => [key, physicalName(settings, t.name)]),
  );
}

/**
 * The functions' environment: the hand-written variables, each table's variable, and each message
 * type's `<TYPE>_QUEUE_URL` and `<TYPE>_DLQ_URL`.
 */
function environment(registry, settings, base) {
  const env = { ...base };
  for (const table of Object.values(registry.TABLES))
    env[table.env] = physicalName(settings, table.name);
  for (const entry of registry.MESSAGE_TYPES) {
    env[entry.env.queueUrl] = { Ref: entry.queue.logicalId };
    env[entry.env.deadLetterQueueUrl] = { Ref: entry.queue.deadLetterLogicalId };
  }
  return env;
}

/** Every message type's queue ARN: what the compute roles may SendMessage to. */
function updateQueueArns(registry) {
  return registry.MESSAGE_TYPES.map((entry) => arnOf(entry.queue.logicalId));
}

module.exports = {
  PIPELINE_QUEUES,
  PIPELINE_ROLES,
  queueSpecs,
  queueResources,
  deadLetterAlarms,
  applierFunctions,
  applierRoles,
  kmsResources,
  tableEncryption,
  tableNames,
  environment,
  updateQueueArns,
};
