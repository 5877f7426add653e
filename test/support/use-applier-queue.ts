import type { Message } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { type BatchDeps, processUpdateBatch } from '../../lib/apply/process-update-batch';
import {
  type ApplierConfig,
  type ApplierHandler,
  applierDeps,
  readApplierConfig,
} from '../../lib/aws/applier-root';
import { type AwsClients, awsClients } from '../../lib/aws/clients';
import type { MessageTypeName, StoreOf } from '../../lib/message-types';
import type { OutcomeRecorder } from '../../lib/ports/outcome-recorder';
import { applierHandlerOf } from '../../local/appliers';
import type { UpdateMetadataInput } from '../../schemas';
import { FakeRecorder } from './apply-fakes';
import type { TestStack } from './local-stack';
import { drain, type QueueRef, type SqsHandler, sendUpdate, takeAll } from './sqs-driver';
import { typeDeadLetterQueue, typeQueue } from './type-queues';
import { type UseTestStackOptions, useTestStack } from './use-test-stack';

/** A message type's queue and DLQ on a test stack of the file's own, with its real applier. */
export interface ApplierQueue<T extends MessageTypeName> {
  readonly type: T;
  readonly stack: TestStack;
  /** The type's queue and DLQ (the registry's logical ids, as serverless.yml declares them). */
  readonly queue: QueueRef;
  readonly dlq: QueueRef;
  /** The real handler (`handlers/apply-*.ts`, found by the registry entry's handler path). */
  readonly handler: ApplierHandler<T>;
  /** Another type's queue (e.g. the Task queue, to create the task a lifecycle message acts on). */
  queueOf(type: MessageTypeName): QueueRef;
  /** Another type's DLQ. */
  deadLetterQueueOf(type: MessageTypeName): QueueRef;
  /** Sends a body (an object is JSON-encoded, a string sent as is) with update attributes. */
  send(body: unknown, metadata?: UpdateMetadataInput): Promise<string>;
  /** Delivers the queue to `handler` (default the real one) until it is empty. */
  drain(
    handler?: SqsHandler,
    options?: { batchSize?: number; maxBatches?: number },
  ): Promise<SQSBatchResponse[]>;
  /** Receives and deletes everything on the DLQ. */
  deadLetters(): Promise<Message[]>;
  /** The applier's settings, parsed from the environment the handler reads. */
  config(): ApplierConfig<T>;
  /** The type's real DynamoDB store, over `clients` (default the handler's). */
  store(clients?: AwsClients): StoreOf<T>;
  /** The real batch dependencies; override the clients, the recorder or the store. */
  deps(options?: {
    clients?: AwsClients;
    recorder?: OutcomeRecorder;
    store?: StoreOf<T>;
  }): BatchDeps<T>;
  /** The real applier with a recorder the test reads (the handler logs instead). */
  recordingApplier(options?: { clients?: AwsClients; store?: StoreOf<T> }): {
    recorder: FakeRecorder;
    deps: BatchDeps<T>;
    handle: (event: SQSEvent) => Promise<SQSBatchResponse>;
  };
}

/**
 * The set-up the applier tests share, as jest hooks (call at the top level, before the file's
 * own `beforeAll`): `useTestStack` (a stack of the file's own, its environment on process.env),
 * then the type's queue and DLQ from the registry entry, the real handler, and the helpers to
 * send, drain, read the DLQ and build the real deps. The returned function gives it from then on.
 */
export function useApplierQueue<T extends MessageTypeName>(
  type: T,
  options: UseTestStackOptions = {},
): () => ApplierQueue<T> {
  const testStack = useTestStack(options);
  const handler = applierHandlerOf(type);
  let current: ApplierQueue<T> | undefined;

  beforeAll(() => {
    const stack = testStack();
    const queue = typeQueue(stack, type);
    const dlq = typeDeadLetterQueue(stack, type);
    const deps: ApplierQueue<T>['deps'] = (overrides = {}) =>
      applierDeps(type, {
        store: overrides.store ?? handler.store,
        clients: overrides.clients ?? awsClients(),
        recorder: overrides.recorder ?? new FakeRecorder(),
      });
    current = {
      type,
      stack,
      queue,
      dlq,
      handler,
      queueOf: (other) => typeQueue(stack, other),
      deadLetterQueueOf: (other) => typeDeadLetterQueue(stack, other),
      send: (body, metadata) => sendUpdate(stack.sqs, queue, body, metadata),
      drain: (consumer = handler, drainOptions) => drain(stack.sqs, queue, consumer, drainOptions),
      deadLetters: () => takeAll(stack.sqs, dlq),
      config: () => readApplierConfig(type),
      store: (clients = awsClients()) => handler.store(clients, readApplierConfig(type).tables),
      deps,
      recordingApplier(recordingOptions = {}) {
        const recorder = new FakeRecorder();
        const built = deps({ ...recordingOptions, recorder });
        return { recorder, deps: built, handle: (event) => processUpdateBatch(event, built) };
      },
    };
  });

  return () => {
    if (!current)
      throw new Error('useApplierQueue: the stack is not started yet (use it in a hook or test)');
    return current;
  };
}
