import type { Permission } from './iam-permissions';
import type { CloudFormationTemplate } from './serverless-package';

/**
 * One action on one resource a role's policy names (statements are expanded to pairs). Resources
 * are named as `iam-permissions.ts` names what calls need: `Fn::GetAtt [X, Arn]` is `X`, an index
 * ARN built on it (`${X.Arn}/index/*`) is `X/index/*`; anything else stays as written (`*`, an
 * ARN, a `Fn::Sub` string with its `${AWS::...}` variables).
 */
export interface Grant {
  effect: 'Allow' | 'Deny';
  action: string;
  resource: string;
}

type Intrinsic = {
  'Fn::GetAtt'?: string | [string, string];
  'Fn::Sub'?: string;
  'Fn::Join'?: [string, unknown[]];
  Ref?: string;
};

/** A resource of a statement, as a logical-id based name (see `Grant`). */
export function resourceName(value: unknown): string {
  if (typeof value === 'string') return value;
  const intrinsic = (value ?? {}) as Intrinsic;
  const getAtt = intrinsic['Fn::GetAtt'];
  if (getAtt !== undefined) {
    const [id, attribute] = typeof getAtt === 'string' ? getAtt.split('.') : getAtt;
    if (attribute === 'Arn' && id) return id;
  }
  if (typeof intrinsic['Fn::Sub'] === 'string')
    return intrinsic['Fn::Sub'].replace(/\$\{([A-Za-z0-9]+)\.Arn\}/g, '$1');
  const join = intrinsic['Fn::Join'];
  if (Array.isArray(join)) return join[1].map(resourceName).join(join[0]);
  // `Ref` of a queue is its URL and of a table its name: never a resource of a statement.
  return `?${JSON.stringify(value)}`;
}

const asList = (value: unknown): unknown[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

interface Statement {
  Effect?: string;
  Action?: unknown;
  Resource?: unknown;
  [other: string]: unknown;
}

/** Expands statements to action/resource pairs; refuses what this check cannot evaluate. */
function grantsOf(statements: unknown, where: string): Grant[] {
  return asList(statements).flatMap((raw) => {
    const statement = raw as Statement;
    const unsupported = ['NotAction', 'NotResource', 'Condition', 'NotPrincipal'].filter(
      (key) => statement[key] !== undefined,
    );
    if (unsupported.length > 0)
      throw new Error(
        `${where}: ${unsupported.join(', ')} is not evaluated by the IAM coverage test`,
      );
    if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny')
      throw new Error(`${where}: a statement without Effect Allow or Deny`);
    const effect = statement.Effect;
    return asList(statement.Action).flatMap((action) =>
      asList(statement.Resource).map((resource) => ({
        effect,
        action: String(action),
        resource: resourceName(resource),
      })),
    );
  });
}

/** osls's logical id for a function (`applyTask` → `ApplyTaskLambdaFunction`). */
export function functionLogicalId(functionKey: string): string {
  const normalized = functionKey.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return `${normalized.charAt(0).toUpperCase()}${normalized.slice(1)}LambdaFunction`;
}

/** The function keys of serverless.yml, from the template's Lambda functions. */
export function templateFunctionKeys(template: CloudFormationTemplate): string[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
    .map(([id]) => id.replace(/LambdaFunction$/, ''))
    .map((name) => `${name.charAt(0).toLowerCase()}${name.slice(1)}`)
    .sort();
}

function resourceOf(template: CloudFormationTemplate, id: string, type: string) {
  const resource = template.Resources[id];
  if (resource?.Type !== type) throw new Error(`the template has no ${type} ${id}`);
  return resource.Properties ?? {};
}

/** What one function's role grants: its inline policies and any policy attached to the role. */
export function functionGrants(template: CloudFormationTemplate, functionKey: string): Grant[] {
  const fn = resourceOf(template, functionLogicalId(functionKey), 'AWS::Lambda::Function');
  const roleId = resourceName(fn.Role);
  const role = resourceOf(template, roleId, 'AWS::IAM::Role');
  if (role.ManagedPolicyArns !== undefined)
    throw new Error(`${roleId}: managed policies are not evaluated by the IAM coverage test`);
  const inline = asList(role.Policies).flatMap((policy) => {
    const { PolicyName, PolicyDocument } = policy as {
      PolicyName?: string;
      PolicyDocument?: { Statement?: unknown };
    };
    return grantsOf(PolicyDocument?.Statement, `${roleId} policy ${PolicyName}`);
  });
  const attached = Object.entries(template.Resources)
    .filter(
      ([, r]) =>
        r.Type === 'AWS::IAM::Policy' &&
        asList(r.Properties?.Roles).some((ref) => (ref as Intrinsic).Ref === roleId),
    )
    .flatMap(([id, r]) =>
      grantsOf((r.Properties?.PolicyDocument as { Statement?: unknown })?.Statement, id),
    );
  return [...inline, ...attached];
}

/** The queues (logical ids) Lambda polls for the function: its SQS event source mappings. */
export function eventSourceQueues(template: CloudFormationTemplate, functionKey: string): string[] {
  const fnId = functionLogicalId(functionKey);
  return Object.values(template.Resources)
    .filter(
      (r) =>
        r.Type === 'AWS::Lambda::EventSourceMapping' &&
        resourceName(r.Properties?.FunctionName) === fnId,
    )
    .map((r) => resourceName(r.Properties?.EventSourceArn));
}

/** The function's log group name (`/aws/lambda/<service>-<stage>-<key>`). */
export function logGroupName(template: CloudFormationTemplate, functionKey: string): string {
  const id = functionLogicalId(functionKey).replace(/LambdaFunction$/, 'LogGroup');
  return String(resourceOf(template, id, 'AWS::Logs::LogGroup').LogGroupName);
}

/** IAM's wildcards: `*` any run of characters, `?` one. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}

/** Whether a grant's action and resource cover a permission (actions are case-insensitive). */
export function covers(grant: Grant, permission: Permission): boolean {
  return (
    wildcardMatch(grant.action, permission.action, true) &&
    wildcardMatch(grant.resource, permission.resource)
  );
}

/** IAM's evaluation within one role: an explicit Deny wins, else some Allow is needed. */
export function isAllowed(grants: readonly Grant[], permission: Permission): boolean {
  const matching = grants.filter((grant) => covers(grant, permission));
  return matching.some((g) => g.effect === 'Allow') && !matching.some((g) => g.effect === 'Deny');
}

interface PolicyStatement {
  Effect?: string;
  Principal?: unknown;
  Action?: unknown;
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/**
 * Whether a queue's resource policy (`AWS::SQS::QueuePolicy`) explicitly denies the function's
 * role the permission: a Deny for every principal on that queue and action, without a condition
 * or with an `ArnNotLike aws:PrincipalArn` list that does not name the role. The TLS deny
 * (`aws:SecureTransport` false) never matches: the SDK always calls over TLS. Any other condition
 * is refused, as this check cannot evaluate it. Only Deny statements are read: the roles' own
 * Allow statements grant access within the account.
 */
export function queuePolicyDenies(
  template: CloudFormationTemplate,
  functionKey: string,
  permission: Permission,
): boolean {
  const fn = resourceOf(template, functionLogicalId(functionKey), 'AWS::Lambda::Function');
  const roleId = resourceName(fn.Role);
  const policies = Object.entries(template.Resources).filter(
    ([, r]) =>
      r.Type === 'AWS::SQS::QueuePolicy' &&
      asList(r.Properties?.Queues).some((q) => (q as Intrinsic).Ref === permission.resource),
  );
  return policies.some(([policyId, r]) =>
    asList((r.Properties?.PolicyDocument as { Statement?: unknown })?.Statement).some((raw) => {
      const statement = raw as PolicyStatement;
      if (statement.Effect !== 'Deny' || statement.Principal !== '*') return false;
      const matches =
        asList(statement.Action).some((a) => wildcardMatch(String(a), permission.action, true)) &&
        asList(statement.Resource).some((res) =>
          wildcardMatch(resourceName(res), permission.resource),
        );
      if (!matches) return false;
      const condition = statement.Condition;
      if (condition === undefined) return true;
      const keys = Object.keys(condition);
      if (keys.length === 1 && condition.Bool?.['aws:SecureTransport'] === 'false') return false;
      const exempt = condition.ArnNotLike?.['aws:PrincipalArn'];
      if (keys.length === 1 && exempt !== undefined)
        return !asList(exempt).some((p) => resourceName(p) === roleId);
      throw new Error(`${policyId}: a condition the IAM coverage test does not evaluate`);
    }),
  );
}
