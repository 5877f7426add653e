import { AsyncLocalStorage } from 'node:async_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';

export type AwsService = 'dynamodb' | 'sqs';

/**
 * One resource a call touches: a table (and index) for DynamoDB, a queue for SQS. For a
 * transaction, `part` is the kind of the item (`Put`, `Update`, `Delete`, `ConditionCheck`,
 * `Get`), which decides the IAM action; for a batch write, the request kind.
 */
export interface CallTarget {
  /** Table name, or queue URL (queue name for the calls that take a name). */
  resource: string;
  index?: string;
  part?: string;
}

/** One call a function made through its SDK clients, as sent (retries are not calls). */
export interface RecordedCall {
  functionName: string;
  service: AwsService;
  /** The API operation: the SDK command name without `Command` (`TransactWriteItems`). */
  operation: string;
  targets: CallTarget[];
}

/** Calls made outside `during` (by no function the test drives). */
export const NO_FUNCTION = '(no function)';

type Input = Record<string, unknown>;

function tableTarget(input: Input): CallTarget[] {
  if (typeof input.TableName !== 'string') return [];
  return [
    {
      resource: input.TableName,
      ...(typeof input.IndexName === 'string' ? { index: input.IndexName } : {}),
    },
  ];
}

/** The tables and item kinds of a transaction (`TransactItems: [{ Put: { TableName } }, ...]`). */
function transactionTargets(items: unknown): CallTarget[] {
  if (!Array.isArray(items)) return [];
  return items.flatMap((item: Record<string, Input | undefined>) =>
    Object.entries(item)
      .filter(([, request]) => typeof request?.TableName === 'string')
      .map(([part, request]) => ({ resource: String(request?.TableName), part })),
  );
}

/** The tables of a batch (`RequestItems` keyed by table); a batch write also names its kinds. */
function batchTargets(requestItems: unknown): CallTarget[] {
  if (typeof requestItems !== 'object' || requestItems === null) return [];
  return Object.entries(requestItems).flatMap(([table, requests]) => {
    if (!Array.isArray(requests)) return [{ resource: table }];
    const parts = new Set(requests.flatMap((r: object) => Object.keys(r)));
    return [...parts].map((part) => ({ resource: table, part }));
  });
}

export function dynamoDbTargets(operation: string, input: Input): CallTarget[] {
  switch (operation) {
    case 'TransactWriteItems':
    case 'TransactGetItems':
      return transactionTargets(input.TransactItems);
    case 'BatchGetItem':
    case 'BatchWriteItem':
      return batchTargets(input.RequestItems);
    default:
      return tableTarget(input);
  }
}

export function sqsTargets(input: Input): CallTarget[] {
  if (typeof input.QueueUrl === 'string') return [{ resource: input.QueueUrl }];
  if (typeof input.QueueName === 'string') return [{ resource: input.QueueName }];
  return [];
}

/**
 * Records every call the SDK clients make, per function, as SDK middleware (so the production
 * stores and senders run unchanged). A `DynamoDBDocumentClient.from(client)` shares the client's
 * middleware stack, so its commands are recorded too, under the low-level operation name. The
 * function a call belongs to is the one whose `during` it runs in (AsyncLocalStorage), so calls
 * are attributed right even when work overlaps.
 */
export class AwsCallRecorder {
  readonly calls: RecordedCall[] = [];
  readonly #current = new AsyncLocalStorage<string>();

  attach(clients: { dynamodb: DynamoDBClient; sqs: SQSClient }): void {
    this.#attachTo(clients.dynamodb, 'dynamodb');
    this.#attachTo(clients.sqs, 'sqs');
  }

  /** Runs `work` as `functionName`: the calls it makes are that function's. */
  during<T>(functionName: string, work: () => Promise<T>): Promise<T> {
    return this.#current.run(functionName, work);
  }

  #attachTo(client: DynamoDBClient | SQSClient, service: AwsService): void {
    (client as DynamoDBClient).middlewareStack.add(
      (next, context) => (args) => {
        const operation = (context.commandName ?? 'unknown').replace(/Command$/, '');
        const input = (args.input ?? {}) as Input;
        // Recorded before sending: IAM authorises a call before its conditions are evaluated, so
        // a call that fails (a refused condition, a cancelled transaction) needed its grant too.
        this.calls.push({
          functionName: this.#current.getStore() ?? NO_FUNCTION,
          service,
          operation,
          targets: service === 'dynamodb' ? dynamoDbTargets(operation, input) : sqsTargets(input),
        });
        return next(args);
      },
      { step: 'initialize', name: 'iamCoverageCallRecorder' },
    );
  }

  callsOf(functionName: string): RecordedCall[] {
    return this.calls.filter((call) => call.functionName === functionName);
  }
}
