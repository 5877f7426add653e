import { UPDATE_ATTRIBUTE, type UpdateType } from '../../schemas';
import type { QueuedUpdate } from '../ports/compute';
import type { OutgoingMessage } from './message-batches';

/**
 * An update as the SQS sender's message: the wire JSON, the contract's attributes, and the update
 * id as its label (errors name the update, never the body). The update queue sends these, and the
 * batch carry plans with them, so both cut batches at the same places.
 */
export function updateMessage(update: QueuedUpdate): OutgoingMessage {
  return {
    body: update.body,
    attributes: update.attributes,
    label: `update ${update.attributes[UPDATE_ATTRIBUTE.updateId]?.StringValue ?? '(no id)'}`,
  };
}

/** Updates grouped by type (each type has its own queue), each group in its original order. */
export function updatesByType(updates: readonly QueuedUpdate[]): Map<UpdateType, QueuedUpdate[]> {
  const groups = new Map<UpdateType, QueuedUpdate[]>();
  for (const update of updates) {
    const list = groups.get(update.type) ?? [];
    list.push(update);
    groups.set(update.type, list);
  }
  return groups;
}
