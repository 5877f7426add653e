import { createApplierHandler } from '../lib/aws/applier-root';
import { DynamoDbTaskCommentStore } from '../lib/aws/dynamodb-task-comment-store';

/** Applies TaskComment messages (comments on tasks); env from the registry entry. */
export const handler = createApplierHandler(
  'TaskComment',
  ({ documents }, t) =>
    new DynamoDbTaskCommentStore(documents, {
      tasksTable: t.tasks,
      taskCommentsTable: t.taskComments,
    }),
);
