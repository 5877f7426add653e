import { createApplierHandler } from '../lib/aws/applier-root';
import { DynamoDbTaskStore } from '../lib/aws/dynamodb-task-store';

/** Applies Task updates (task creation) from the Task queue; env from the registry entry. */
export const handler = createApplierHandler(
  'Task',
  ({ documents }, t) =>
    new DynamoDbTaskStore(documents, {
      patientsTable: t.patients,
      tasksTable: t.tasks,
      labelsTable: t.labels,
    }),
);
