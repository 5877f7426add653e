import { join } from 'node:path';
import type { BatchDeps } from '../lib/apply/process-update-batch';
import { type ApplierHandler, applierDeps } from '../lib/aws/applier-root';
import type { AwsClients } from '../lib/aws/clients';
import { type MessageTypeName, messageType } from '../lib/message-types';
import type { OutcomeRecorder } from '../lib/ports/outcome-recorder';

/**
 * The applier handler of a message type, loaded from the path its registry entry names
 * (`applier.handler`, e.g. `handlers/apply-task.handler`): a new type's handler is found without a
 * list to extend. For the bench, tests and local tools that drive the appliers in-process.
 */
export function applierHandlerOf<T extends MessageTypeName>(type: T): ApplierHandler<T> {
  const reference = messageType(type).applier.handler;
  const dot = reference.lastIndexOf('.');
  const file = reference.slice(0, dot);
  const exportName = reference.slice(dot + 1);
  const loaded = require(join(__dirname, '..', file)) as Record<string, unknown>;
  const handler = loaded[exportName] as ApplierHandler<T> | undefined;
  if (typeof handler !== 'function' || handler.type !== type || !handler.store)
    throw new Error(`${reference} is not the createApplierHandler('${type}', ...) handler`);
  return handler;
}

/**
 * The batch dependencies of the real applier of `type` (its handler's store adapter) over the
 * given clients and environment (e.g. a local stack's `handlerEnvironment`).
 */
export function localApplierDeps<T extends MessageTypeName>(
  type: T,
  options: {
    clients: AwsClients;
    env: Record<string, string | undefined>;
    recorder?: OutcomeRecorder;
  },
): BatchDeps<T> {
  return applierDeps(type, { store: applierHandlerOf(type).store, ...options });
}
