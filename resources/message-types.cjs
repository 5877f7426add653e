// osls entry points for the generated infrastructure (resources/infrastructure.cjs): serverless.yml
// names them as `${file(resources/message-types.cjs):<name>}`. Each loads the message-type
// registry (lib/message-types.ts, through tsx, which osls cannot read by itself) and the
// settings from serverless.yml and the stage params. No AWS call: `serverless package` and
// `serverless print` stay offline.
'use strict';

const infrastructure = require('./infrastructure.cjs');

let registry;
/** lib/message-types.ts, loaded once per osls process (tsx's namespaced require, no global hook). */
function loadRegistry() {
  if (!registry) registry = require('tsx/cjs/api').require('../lib/message-types.ts', __filename);
  return registry;
}

const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:(iam|sts)::\d{12}:\S+$/;

/** A list param: a YAML list, or one string of comma-separated values (as `--param` gives). */
async function principalList(resolveVariable, name) {
  const value = await resolveVariable(`param:${name}`);
  const list = (Array.isArray(value) ? value : String(value ?? '').split(','))
    .map((item) => String(item).trim())
    .filter((item) => item !== '');
  for (const item of list)
    if (!PRINCIPAL_ARN.test(item))
      throw new Error(
        `param ${name}: "${item}" is not an IAM principal ARN (arn:aws:iam::<account>:role/<name>, wildcards allowed)`,
      );
  return list;
}

async function integer(resolveVariable, name, min, max) {
  const value = Number(await resolveVariable(name));
  if (!Number.isInteger(value) || value < min || value > max)
    throw new Error(`${name} must be an integer from ${min} to ${max}`);
  return value;
}

async function kmsSettings(resolveVariable) {
  const kmsKeyArn = String((await resolveVariable('param:kmsKeyArn')) ?? '').trim();
  if (kmsKeyArn !== '' && !KMS_KEY_ARN.test(kmsKeyArn))
    throw new Error(
      `param kmsKeyArn: "${kmsKeyArn}" is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>; an alias cannot be granted in IAM)`,
    );
  return {
    kmsKeyArn,
    // SQS's range for KmsDataKeyReusePeriodSeconds.
    kmsDataKeyReusePeriodSeconds: await integer(
      resolveVariable,
      'param:kmsDataKeyReusePeriodSeconds',
      60,
      86400,
    ),
  };
}

/** What every generator may read. */
async function settings(resolveVariable) {
  return {
    service: String(await resolveVariable('self:service')),
    stage: String(await resolveVariable('sls:stage')),
    maxReceiveCount: await integer(resolveVariable, 'self:custom.maxReceiveCount', 1, 1000),
    unknownTaskAttempts: await integer(resolveVariable, 'self:custom.unknownTaskAttempts', 1, 1000),
    timeouts: await resolveVariable('self:custom.timeouts'),
    visibilityTimeouts: await resolveVariable('self:custom.visibilityTimeouts'),
    alarmTopicArn: String((await resolveVariable('param:alarmTopicArn')) ?? ''),
    outsideProducerPrincipals: await principalList(resolveVariable, 'outsideProducerPrincipals'),
    outsideUpdateProducerPrincipals: await principalList(
      resolveVariable,
      'outsideUpdateProducerPrincipals',
    ),
    operatorPrincipals: await principalList(resolveVariable, 'operatorPrincipals'),
    ...(await kmsSettings(resolveVariable)),
  };
}

/** An entry point: the generator's result under `key` (`Resources`), or as it is. */
const entry =
  (generate, key) =>
  async ({ resolveVariable }) => {
    const value = generate(loadRegistry(), await settings(resolveVariable), resolveVariable);
    const resolved = await value;
    return key ? { [key]: resolved } : resolved;
  };

module.exports = {
  /** functions: the appliers. */
  functions: entry(infrastructure.applierFunctions),
  /** resources: every queue, DLQ and queue policy. */
  queues: entry(infrastructure.queueResources, 'Resources'),
  /** resources: the DLQ alarms. */
  alarms: entry(infrastructure.deadLetterAlarms, 'Resources'),
  /** resources: the appliers' roles. */
  roles: entry(infrastructure.applierRoles, 'Resources'),
  /** resources: the customer-managed key's use by every role (none without a key). */
  kms: entry(infrastructure.kmsResources, 'Resources'),
  /** provider.environment: custom.environment plus the tables' and message types' variables. */
  environment: entry(async (reg, s, resolveVariable) =>
    infrastructure.environment(reg, s, await resolveVariable('self:custom.environment')),
  ),
  /** custom.tables. */
  tableNames: entry(infrastructure.tableNames),
  /** A table's SSESpecification. */
  tableEncryption: async ({ resolveVariable }) =>
    infrastructure.tableEncryption(await kmsSettings(resolveVariable)),
  /** The compute roles' SendMessage resources: every message type's queue. */
  updateQueueArns: async () => infrastructure.updateQueueArns(loadRegistry()),
};
