import type { ProvisionedResources } from './provision';
import type { ResolvedServerlessConfig } from './serverless-config';

type Intrinsic = { Ref?: string; 'Fn::GetAtt'?: [string, string] };

/**
 * The environment serverless.yml gives the functions (provider-wide, then the function's own),
 * with CloudFormation references resolved against the local resources: `Ref` of a queue is its
 * URL, of a table its name; `Fn::GetAtt [X, Arn]` an ARN.
 */
export function handlerEnvironment(
  config: ResolvedServerlessConfig,
  resources: ProvisionedResources,
  functionName?: string,
): Record<string, string> {
  const declared: Record<string, unknown> = {
    ...(config.provider.environment ?? {}),
    ...((functionName &&
      (config.functions?.[functionName]?.environment as Record<string, unknown>)) ||
      {}),
  };
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(declared)) {
    env[name] = resolveLocalValue(name, value, resources);
  }
  return env;
}

export function resolveLocalValue(
  name: string,
  value: unknown,
  resources: ProvisionedResources,
): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  const intrinsic = (value ?? {}) as Intrinsic;
  if (intrinsic.Ref) {
    const queue = resources.queues[intrinsic.Ref];
    if (queue) return queue.url;
    const table = resources.tables[intrinsic.Ref];
    if (table) return table;
  }
  const getAtt = intrinsic['Fn::GetAtt'];
  if (getAtt && getAtt[1] === 'Arn') {
    const queue = resources.queues[getAtt[0]];
    if (queue) return queue.arn;
    const table = resources.tables[getAtt[0]];
    if (table) return `arn:aws:dynamodb:us-east-1:000000000000:table/${table}`;
  }
  throw new Error(`cannot resolve environment variable ${name} locally: ${JSON.stringify(value)}`);
}
