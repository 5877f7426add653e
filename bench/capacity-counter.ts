import type { ConsumedCapacity, DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** What one command (by SDK command name) cost so far. */
export interface CommandCapacity {
  requests: number;
  /** Requests that threw (a failed condition, a cancelled transaction): DynamoDB returns no
   * capacity on an error, so these are counted but their units are not. */
  failed: number;
  capacityUnits: number;
  /** Of which on tables' own items, and on global secondary indexes. */
  tableUnits: number;
  indexUnits: number;
}

export type CapacitySnapshot = Record<string, CommandCapacity>;

const ZERO: CommandCapacity = {
  requests: 0,
  failed: 0,
  capacityUnits: 0,
  tableUnits: 0,
  indexUnits: 0,
};

function addUnits(
  into: CommandCapacity,
  consumed: ConsumedCapacity | ConsumedCapacity[] | undefined,
): void {
  const list = consumed === undefined ? [] : Array.isArray(consumed) ? consumed : [consumed];
  for (const entry of list) {
    into.capacityUnits += entry.CapacityUnits ?? 0;
    into.tableUnits += entry.Table?.CapacityUnits ?? 0;
    for (const index of Object.values(entry.GlobalSecondaryIndexes ?? {}))
      into.indexUnits += index.CapacityUnits ?? 0;
  }
}

/**
 * Sets `ReturnConsumedCapacity: INDEXES` (the total, plus its split between the table and each
 * index) on every command a DynamoDB client sends and sums the `ConsumedCapacity` of the
 * responses, per command. SDK middleware, so the production stores run
 * unchanged: a `DynamoDBDocumentClient.from(client)` shares the client's middleware stack.
 */
export class CapacityCounter {
  #totals: CapacitySnapshot = {};

  attach(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = context.commandName ?? 'unknown';
        const entry = this.#totals[command] ?? { ...ZERO };
        this.#totals[command] = entry;
        entry.requests += 1;
        try {
          const result = await next({
            ...args,
            // Commands without the parameter drop it when serializing.
            input: { ...(args.input as object), ReturnConsumedCapacity: 'INDEXES' },
          });
          addUnits(
            entry,
            (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] })
              .ConsumedCapacity,
          );
          return result;
        } catch (error) {
          entry.failed += 1;
          throw error;
        }
      },
      { step: 'initialize', name: 'benchCapacityCounter' },
    );
  }

  snapshot(): CapacitySnapshot {
    return structuredClone(this.#totals);
  }
}

/** What happened between two snapshots. */
export function capacitySince(before: CapacitySnapshot, after: CapacitySnapshot): CapacitySnapshot {
  const out: CapacitySnapshot = {};
  for (const [command, now] of Object.entries(after)) {
    const then = before[command] ?? ZERO;
    const delta = {
      requests: now.requests - then.requests,
      failed: now.failed - then.failed,
      capacityUnits: now.capacityUnits - then.capacityUnits,
      tableUnits: now.tableUnits - then.tableUnits,
      indexUnits: now.indexUnits - then.indexUnits,
    };
    if (delta.requests > 0) out[command] = delta;
  }
  return out;
}

export function totalUnits(
  snapshot: CapacitySnapshot,
  field: 'capacityUnits' | 'tableUnits' | 'indexUnits' = 'capacityUnits',
): number {
  return Object.values(snapshot).reduce((sum, entry) => sum + entry[field], 0);
}

export function totalRequests(snapshot: CapacitySnapshot): number {
  return Object.values(snapshot).reduce((sum, entry) => sum + entry.requests, 0);
}

/** The commands whose units are read units (the rest consume write units). */
export const READ_COMMANDS: ReadonlySet<string> = new Set([
  'GetItemCommand',
  'BatchGetItemCommand',
  'QueryCommand',
  'ScanCommand',
  'TransactGetItemsCommand',
]);

/** Read and write units apart: DynamoDB prices them differently (docs/cost.md). */
export function unitsByKind(snapshot: CapacitySnapshot): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const [command, entry] of Object.entries(snapshot)) {
    if (READ_COMMANDS.has(command)) read += entry.capacityUnits;
    else write += entry.capacityUnits;
  }
  return { read, write };
}

export function failedRequests(snapshot: CapacitySnapshot): number {
  return Object.values(snapshot).reduce((sum, entry) => sum + entry.failed, 0);
}
