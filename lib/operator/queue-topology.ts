import { MESSAGE_TYPES, screamingSnake } from '../message-types';

/** The part of the resolved serverless.yml (`serverless print`) the topology reads. */
export interface DeclaredResources {
  provider?: { environment?: Record<string, unknown> };
  resources?: {
    Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  };
}

export interface DeclaredQueue {
  logicalId: string;
  queueName: string;
}

/** A work queue with a redrive policy and the DLQ it redrives to. */
export interface DeadLetterRoute {
  /** What operators type: the update type (`Group`, `Task`, ...) or the queue's kebab name (`changes`). */
  name: string;
  /** Set when the queue carries one message type of the registry (`MESSAGE_TYPES`). */
  updateType?: string;
  source: DeclaredQueue;
  deadLetter: DeclaredQueue;
}

type Intrinsic = { Ref?: string; 'Fn::GetAtt'?: [string, string] };

function referencedLogicalId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const intrinsic = value as Intrinsic;
  return intrinsic['Fn::GetAtt']?.[0] ?? intrinsic.Ref;
}

/** `ComputeJobsQueue` → `compute-jobs`. */
function kebabName(logicalId: string): string {
  return logicalId
    .replace(/Queue$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase();
}

/**
 * The queue of each update type, found the way the functions find it: the provider environment
 * variable the compute functions send that type's updates to (the registry's `env.queueUrl`, e.g.
 * `TASK_QUEUE_URL: { Ref: TaskQueue }`); failing that, the registry's logical id
 * (`<Type>Queue`). A type with neither has no queue in this config (yet) and is left out.
 */
function queueOfUpdateType(
  type: string,
  config: DeclaredResources,
  queueVariables: Readonly<Record<string, string>>,
  isQueue: (logicalId: string) => boolean,
): string | undefined {
  const env = config.provider?.environment ?? {};
  const variables = [queueVariables[type], `${screamingSnake(type)}_QUEUE_URL`];
  for (const variable of variables) {
    const logicalId = variable ? referencedLogicalId(env[variable]) : undefined;
    if (logicalId && isQueue(logicalId)) return logicalId;
  }
  const byName = `${type}Queue`;
  return isQueue(byName) ? byName : undefined;
}

/** The registry's types and their queue variables: the default the CLI uses. */
const REGISTRY_TYPES = MESSAGE_TYPES.map((entry) => entry.wireName);
const REGISTRY_QUEUE_VARIABLES: Readonly<Record<string, string>> = Object.fromEntries(
  MESSAGE_TYPES.map((entry) => [entry.wireName, entry.env.queueUrl]),
);

/**
 * Every queue that dead-letters (has a RedrivePolicy) and its DLQ, from the resolved config, so
 * queues added to serverless.yml (new message types included) show up without CLI changes. Update
 * types come first, in registry order (`MESSAGE_TYPES`), then the other queues (`changes`,
 * `compute-jobs`) by logical id.
 */
export function deadLetterRoutes(
  config: DeclaredResources,
  options: {
    updateTypes?: readonly string[];
    /** Type → the environment variable holding its queue URL. */
    queueVariables?: Readonly<Record<string, string>>;
  } = {},
): DeadLetterRoute[] {
  const updateTypes = options.updateTypes ?? REGISTRY_TYPES;
  const queueVariables = options.queueVariables ?? REGISTRY_QUEUE_VARIABLES;
  const all = config.resources?.Resources ?? {};
  const queues = new Map(
    Object.entries(all)
      .filter(([, resource]) => resource.Type === 'AWS::SQS::Queue')
      .map(([logicalId, resource]) => [logicalId, resource.Properties ?? {}]),
  );
  const declared = (logicalId: string): DeclaredQueue => ({
    logicalId,
    queueName: String(queues.get(logicalId)?.QueueName ?? logicalId),
  });
  const routeOf = (
    logicalId: string,
  ): { source: DeclaredQueue; deadLetter: DeclaredQueue } | undefined => {
    const redrive = queues.get(logicalId)?.RedrivePolicy as
      | { deadLetterTargetArn?: unknown }
      | undefined;
    const target = referencedLogicalId(redrive?.deadLetterTargetArn);
    if (!target || !queues.has(target)) return undefined;
    return { source: declared(logicalId), deadLetter: declared(target) };
  };

  const routes: DeadLetterRoute[] = [];
  const covered = new Set<string>();
  for (const type of updateTypes) {
    const logicalId = queueOfUpdateType(type, config, queueVariables, (id) => queues.has(id));
    const route = logicalId ? routeOf(logicalId) : undefined;
    if (!logicalId || !route || covered.has(logicalId)) continue;
    covered.add(logicalId);
    routes.push({ name: type, updateType: type, ...route });
  }
  for (const logicalId of [...queues.keys()].sort()) {
    if (covered.has(logicalId)) continue;
    const route = routeOf(logicalId);
    if (route) routes.push({ name: kebabName(logicalId), ...route });
  }
  return routes;
}

/** The route an operator named (case-insensitive); undefined when there is none. */
export function findDeadLetterRoute(
  routes: readonly DeadLetterRoute[],
  name: string,
): DeadLetterRoute | undefined {
  const wanted = name.trim().toLowerCase();
  return routes.find((route) => route.name.toLowerCase() === wanted);
}

/**
 * The queue a provider environment variable points at (`CHANGES_QUEUE_URL: { Ref: ChangesQueue }`):
 * the queue the deployed functions themselves use.
 */
export function queueOfEnvironmentVariable(
  config: DeclaredResources,
  variable: string,
): DeclaredQueue | undefined {
  const logicalId = referencedLogicalId(config.provider?.environment?.[variable]);
  const resource = logicalId ? config.resources?.Resources?.[logicalId] : undefined;
  if (!logicalId || resource?.Type !== 'AWS::SQS::Queue') return undefined;
  return { logicalId, queueName: String(resource.Properties?.QueueName ?? logicalId) };
}
