import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { type BatchDeps, processUpdateBatch } from '../apply/process-update-batch';
import { DEFAULT_UNKNOWN_TASK_ATTEMPTS } from '../apply/unknown-task';
import { parseEnvironment, positiveIntegerVariable, requiredVariable } from '../environment';
import {
  type ApplierContext,
  type ApplyUpdate,
  type MessageTypeName,
  type MessageTypeOf,
  messageType,
  type StoreOf,
  TABLES,
  type TableKey,
  type UpdateOfType,
} from '../message-types';
import type { OutcomeRecorder } from '../ports/outcome-recorder';
import { type AwsClients, awsClients } from './clients';
import { PowertoolsOutcomeRecorder } from './powertools-recorder';
import { SqsDeadLetterQueue } from './sqs-dead-letter-queue';

/**
 * The apply side's composition root: one applier Lambda per message type, wired from its registry
 * entry (`lib/message-types.ts`). Its environment (the tables its store reaches, its DLQ, the
 * unknown-task grace) is parsed with one zod schema built from the entry; the handler supplies only
 * the AWS adapter of the type's store port.
 */

/** The tables an applier of type T reaches (its registry entry's `applier.tables`). */
export type ApplierTableKey<T extends MessageTypeName> = Extract<
  keyof MessageTypeOf<T>['applier']['tables'],
  TableKey
>;

/** Each of those tables' physical name, by registry table key (`tasks`, `labels`, ...). */
export type ApplierTables<T extends MessageTypeName> = {
  readonly [K in ApplierTableKey<T>]: string;
};

/** Builds the type's store (its DynamoDB adapter) over the clients and its tables. */
export type ApplierStoreFactory<T extends MessageTypeName> = (
  clients: AwsClients,
  tables: ApplierTables<T>,
) => StoreOf<T>;

/** An applier's settings, from its environment. */
export interface ApplierConfig<T extends MessageTypeName> {
  tables: ApplierTables<T>;
  deadLetterQueueUrl: string;
  /** `UNKNOWN_TASK_ATTEMPTS` for a type with `unknownTaskGrace` (else the default, unused). */
  unknownTaskAttempts: number;
}

export const UNKNOWN_TASK_ATTEMPTS_VARIABLE = 'UNKNOWN_TASK_ATTEMPTS';

function tableKeysOf<T extends MessageTypeName>(type: T): ApplierTableKey<T>[] {
  return Object.keys(messageType(type).applier.tables) as ApplierTableKey<T>[];
}

/**
 * The applier's environment schema: its tables' variables (in `TABLES` order), its DLQ's URL and,
 * when its messages may arrive before their task, the optional `UNKNOWN_TASK_ATTEMPTS`.
 */
export function applierEnvironmentSchema(type: MessageTypeName) {
  const entry = messageType(type);
  const keys = new Set<string>(tableKeysOf(type));
  const shape: Record<string, z.ZodType> = {};
  for (const [key, table] of Object.entries(TABLES))
    if (keys.has(key)) shape[table.env] = requiredVariable;
  shape[entry.env.deadLetterQueueUrl] = requiredVariable;
  if (entry.applier.unknownTaskGrace)
    shape[UNKNOWN_TASK_ATTEMPTS_VARIABLE] = positiveIntegerVariable(DEFAULT_UNKNOWN_TASK_ATTEMPTS);
  return z.object(shape);
}

/** The variables the applier of `type` reads (required ones first). */
export function applierEnvironmentVariables(type: MessageTypeName): string[] {
  return Object.keys(applierEnvironmentSchema(type).shape);
}

/** Parses the applier's environment; names every missing or malformed variable at once. */
export function readApplierConfig<T extends MessageTypeName>(
  type: T,
  env: Record<string, string | undefined> = process.env,
): ApplierConfig<T> {
  const entry = messageType(type);
  const parsed = parseEnvironment(applierEnvironmentSchema(type), env) as Record<string, unknown>;
  const tables = Object.fromEntries(
    tableKeysOf(type).map((key) => [key, String(parsed[TABLES[key].env])]),
  ) as ApplierTables<T>;
  return {
    tables,
    deadLetterQueueUrl: String(parsed[entry.env.deadLetterQueueUrl]),
    unknownTaskAttempts: entry.applier.unknownTaskGrace
      ? Number(parsed[UNKNOWN_TASK_ATTEMPTS_VARIABLE])
      : DEFAULT_UNKNOWN_TASK_ATTEMPTS,
  };
}

/** The Powertools recorder; service name and namespace come from POWERTOOLS_* variables. */
export function powertoolsRecorder(type: MessageTypeName): OutcomeRecorder {
  return new PowertoolsOutcomeRecorder(new Logger(), new Metrics(), type);
}

export interface ApplierDepsOptions<T extends MessageTypeName> {
  /** The store's adapter factory (a handler's `store`), or a store already built (tests). */
  store: ApplierStoreFactory<T> | StoreOf<T>;
  clients: AwsClients;
  /** The settings; default: parsed from `env`. */
  config?: ApplierConfig<T>;
  /** Read when `config` is not given; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Default: the Powertools recorder (one log line and one metric per record). */
  recorder?: OutcomeRecorder;
  now?: () => Date;
}

/** The batch dependencies of the applier of `type`: for the handler, and for bench/tests/local. */
export function applierDeps<T extends MessageTypeName>(
  type: T,
  options: ApplierDepsOptions<T>,
): BatchDeps<T> {
  const entry = messageType(type);
  const config = options.config ?? readApplierConfig(type, options.env);
  const now = options.now ?? (() => new Date());
  const store =
    typeof options.store === 'function'
      ? (options.store as ApplierStoreFactory<T>)(options.clients, config.tables)
      : options.store;
  // The entry's factory is typed per type; MESSAGE_TYPES is a union, so it is narrowed here.
  const create = entry.applier.create as unknown as (
    store: StoreOf<T>,
    context: ApplierContext,
  ) => ApplyUpdate<UpdateOfType<T>>;
  const apply = create(store, { now, unknownTaskAttempts: config.unknownTaskAttempts });
  return {
    applier: { queueType: type, apply },
    deadLetters: new SqsDeadLetterQueue(options.clients.sqs, config.deadLetterQueueUrl),
    recorder: options.recorder ?? powertoolsRecorder(type),
    now,
  };
}

/** An applier Lambda handler, with the type and store factory it was built from. */
export interface ApplierHandler<T extends MessageTypeName> {
  (event: SQSEvent, context?: Context): Promise<SQSBatchResponse>;
  readonly type: T;
  readonly store: ApplierStoreFactory<T>;
}

/**
 * The applier Lambda of `type` (`ReportBatchItemFailures`). Its dependencies are built on the
 * first invocation and kept for the container's life (clients included); a bad environment fails
 * that invocation with every missing or malformed variable named.
 */
export function createApplierHandler<T extends MessageTypeName>(
  type: T,
  store: ApplierStoreFactory<T>,
): ApplierHandler<T> {
  let deps: BatchDeps<T> | undefined;
  const handler = async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
    deps ??= applierDeps(type, { store, clients: awsClients() });
    return processUpdateBatch(event, deps, context);
  };
  return Object.assign(handler, { type, store });
}
