import { createApplierHandler } from '../lib/aws/applier-root';
import { DynamoDbTaskMetadataStore } from '../lib/aws/dynamodb-task-metadata-store';

/** Applies TaskMetadata messages (a key/value on a task); env from the registry entry. */
export const handler = createApplierHandler(
  'TaskMetadata',
  ({ documents }, t) =>
    new DynamoDbTaskMetadataStore(documents, {
      tasksTable: t.tasks,
      taskMetadataTable: t.taskMetadata,
    }),
);
