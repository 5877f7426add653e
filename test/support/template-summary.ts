import { functionGrants, functionLogicalId, resourceName, templateFunctionKeys } from './iam-roles';
import type { CloudFormationTemplate, TemplateResource } from './serverless-package';

/**
 * What two packaged templates must share to be equivalent: every resource by logical id with its
 * properties, except what changes on every package or was added on purpose. Left out: the Lambda
 * versions and the functions' `Code` (content hashes, S3 keys with a timestamp), the outputs
 * naming them, and the issue 12 additions (queue policies, DLQs' RedriveAllowPolicy, the KMS key
 * use policy). Roles are compared by what they grant (action on resource pairs, sorted), not by
 * how their statements are grouped; alarms without their description text.
 */
export interface TemplateSummary {
  resources: Record<string, { Type: string; Properties?: unknown; DependsOn?: unknown }>;
  conditions: Record<string, unknown>;
}

/** Resource types added by issue 12 (checked by test/e2e/package.test.ts, not compared here). */
const ADDED_TYPES = new Set(['AWS::SQS::QueuePolicy']);
const ADDED_RESOURCES = new Set(['KmsKeyUsePolicy']);

/** The role's grants as sorted `Effect action on resource` lines (roles named by a function). */
function roleGrants(template: CloudFormationTemplate): Map<string, string[]> {
  const byRole = new Map<string, string[]>();
  for (const key of templateFunctionKeys(template)) {
    const roleId = resourceName(template.Resources[functionLogicalId(key)]?.Properties?.Role);
    const grants = functionGrants(template, key)
      .map((g) => `${g.effect} ${g.action} on ${g.resource}`)
      .sort();
    byRole.set(roleId, [...new Set(grants)]);
  }
  return byRole;
}

export function summarize(template: CloudFormationTemplate): TemplateSummary {
  const grants = roleGrants(template);
  const resources: TemplateSummary['resources'] = {};
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type === 'AWS::Lambda::Version') continue;
    if (ADDED_TYPES.has(resource.Type) || ADDED_RESOURCES.has(id)) continue;
    const properties = structuredClone(resource.Properties ?? {}) as Record<string, unknown>;
    if (resource.Type === 'AWS::Lambda::Function') delete properties.Code;
    if (resource.Type === 'AWS::SQS::Queue') delete properties.RedriveAllowPolicy;
    if (resource.Type === 'AWS::CloudWatch::Alarm') delete properties.AlarmDescription;
    if (resource.Type === 'AWS::IAM::Role') {
      properties.Policies = grants.get(id) ?? properties.Policies;
    }
    const summary: TemplateSummary['resources'][string] = {
      Type: resource.Type,
      Properties: properties,
    };
    if ((resource as TemplateResource).DependsOn !== undefined)
      summary.DependsOn = [resource.DependsOn].flat().sort();
    resources[id] = summary;
  }
  return { resources, conditions: template.Conditions ?? {} };
}

/** Issue 12's renames: logical ids (and the ids built on them), variables, physical names. */
export const ISSUE_12_RENAMES = {
  logicalIds: {
    GroupUpdatesDeadLetterQueue: 'GroupDeadLetterQueue',
    GroupUpdatesQueue: 'GroupQueue',
    TaskUpdatesDeadLetterQueue: 'TaskDeadLetterQueue',
    TaskUpdatesQueue: 'TaskQueue',
    TaskLifecycleDeadLetterQueue: 'TaskUpdateDeadLetterQueue',
    TaskLifecycleQueue: 'TaskUpdateQueue',
    TaskCommentsDeadLetterQueue: 'TaskCommentDeadLetterQueue',
    TaskCommentsQueue: 'TaskCommentQueue',
  },
  variables: {
    GROUP_UPDATES_QUEUE_URL: 'GROUP_QUEUE_URL',
    GROUP_UPDATES_DLQ_URL: 'GROUP_DLQ_URL',
    TASK_UPDATES_QUEUE_URL: 'TASK_QUEUE_URL',
    TASK_UPDATES_DLQ_URL: 'TASK_DLQ_URL',
    TASK_LIFECYCLE_QUEUE_URL: 'TASK_UPDATE_QUEUE_URL',
    TASK_LIFECYCLE_DLQ_URL: 'TASK_UPDATE_DLQ_URL',
    TASK_COMMENTS_QUEUE_URL: 'TASK_COMMENT_QUEUE_URL',
    TASK_COMMENTS_DLQ_URL: 'TASK_COMMENT_DLQ_URL',
  },
  /** Queue name suffixes (`<service>-<stage>-<suffix>[-dlq]`); table names do not change. */
  queueNames: {
    'group-updates': 'group',
    'task-updates': 'task',
    'task-lifecycle': 'task-update',
    'task-comments': 'task-comment',
  },
} as const;

/** A summary of the template before issue 12, in the new names. */
export function renamed(summary: TemplateSummary, prefix: string): TemplateSummary {
  let text = JSON.stringify(summary);
  // Longest first, so a DLQ's id is not taken for its queue's.
  const ids = Object.entries(ISSUE_12_RENAMES.logicalIds).sort((a, b) => b[0].length - a[0].length);
  for (const [from, to] of ids) text = text.replaceAll(from, to);
  for (const [from, to] of Object.entries(ISSUE_12_RENAMES.variables))
    text = text.replaceAll(`"${from}"`, `"${to}"`);
  const out = JSON.parse(text) as TemplateSummary;
  // Queue and alarm names only: a table may share a queue's old name (task-comments).
  const names = Object.entries(ISSUE_12_RENAMES.queueNames);
  const rename = (name: string) => {
    for (const [from, to] of names) {
      const old = `${prefix}-${from}`;
      if (name === old || name.startsWith(`${old}-dlq`))
        return `${prefix}-${to}${name.slice(old.length)}`;
    }
    return name;
  };
  for (const resource of Object.values(out.resources)) {
    const props = resource.Properties as Record<string, unknown>;
    if (resource.Type === 'AWS::SQS::Queue') props.QueueName = rename(String(props.QueueName));
    if (resource.Type === 'AWS::CloudWatch::Alarm')
      props.AlarmName = rename(String(props.AlarmName));
    // Grants are sorted by name, and the names changed.
    if (resource.Type === 'AWS::IAM::Role' && Array.isArray(props.Policies)) props.Policies.sort();
  }
  return out;
}

/** The differences, one line each (`id: before → after`); none when equivalent. */
export function differences(before: TemplateSummary, after: TemplateSummary): string[] {
  const out: string[] = [];
  const ids = new Set([...Object.keys(before.resources), ...Object.keys(after.resources)]);
  for (const id of [...ids].sort()) {
    const a = JSON.stringify(sortKeys(before.resources[id]));
    const b = JSON.stringify(sortKeys(after.resources[id]));
    if (a !== b) out.push(`${id}: ${a ?? 'absent'} → ${b ?? 'absent'}`);
  }
  if (JSON.stringify(sortKeys(before.conditions)) !== JSON.stringify(sortKeys(after.conditions)))
    out.push(
      `Conditions: ${JSON.stringify(before.conditions)} → ${JSON.stringify(after.conditions)}`,
    );
  return out;
}

/** Objects with their keys sorted (key order is not meaning in a template). */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  return value;
}
