import { createApplierHandler } from '../lib/aws/applier-root';
import { DynamoDbTaskLifecycleStore } from '../lib/aws/dynamodb-task-lifecycle-store';

/** Applies TaskUpdate messages (task lifecycle changes); env from the registry entry. */
export const handler = createApplierHandler(
  'TaskUpdate',
  ({ documents }, t) =>
    new DynamoDbTaskLifecycleStore(documents, { tasksTable: t.tasks, labelsTable: t.labels }),
);
