import {
  type MessageTypeName,
  messageType,
  UPDATE_TYPES,
  type UpdateType,
} from '../../lib/message-types';
import type { ProvisionedResources } from '../../local/provision';
import type { QueueRef } from './sqs-driver';

/** Names come from the registry (`<Type>Queue`, `<Type>DeadLetterQueue`), never a hand list. */
function declared(resources: Pick<ProvisionedResources, 'queues'>, logicalId: string): QueueRef {
  const queue = resources.queues[logicalId];
  if (!queue)
    throw new Error(`serverless.yml declares no ${logicalId} (the registry's name for it)`);
  return queue;
}

/** A message type's queue on a local stack. */
export function typeQueue(
  resources: Pick<ProvisionedResources, 'queues'>,
  type: MessageTypeName,
): QueueRef {
  return declared(resources, messageType(type).queue.logicalId);
}

/** A message type's DLQ on a local stack. */
export function typeDeadLetterQueue(
  resources: Pick<ProvisionedResources, 'queues'>,
  type: MessageTypeName,
): QueueRef {
  return declared(resources, messageType(type).queue.deadLetterLogicalId);
}

/** Every type's queue URL, as the compute functions send to them. */
export function updateQueueUrls(
  resources: Pick<ProvisionedResources, 'queues'>,
): Record<UpdateType, string> {
  return Object.fromEntries(
    UPDATE_TYPES.map((type) => [type, typeQueue(resources, type).url]),
  ) as Record<UpdateType, string>;
}
