import { UPDATE_TYPES as SDK_UPDATE_TYPES, UpdateSchema as SdkUpdateSchema } from '../../lib';
import {
  MESSAGE_TYPES,
  messageType,
  screamingSnake,
  UPDATE_QUEUE_URL_ENV,
  UPDATE_SCHEMA_BY_TYPE,
  UPDATE_TYPES,
  UpdateSchema,
  UpdateTypeSchema,
} from '../../lib/message-types';
import { createTaskPayload, ensurePatientInGroup } from '../../lib/update-helpers';

describe('the message-type registry', () => {
  it('derives every name from the wire name and the queue name', () => {
    expect(
      MESSAGE_TYPES.map((e) => [
        e.wireName,
        e.queue.logicalId,
        e.queue.deadLetterLogicalId,
        e.queueName,
        e.env.queueUrl,
        e.env.deadLetterQueueUrl,
        e.applier.handler,
        e.applier.roleLogicalId,
      ]),
    ).toEqual([
      [
        'Group',
        'GroupQueue',
        'GroupDeadLetterQueue',
        'group',
        'GROUP_QUEUE_URL',
        'GROUP_DLQ_URL',
        'handlers/apply-group-membership.handler',
        'ApplyGroupMembershipRole',
      ],
      [
        'Task',
        'TaskQueue',
        'TaskDeadLetterQueue',
        'task',
        'TASK_QUEUE_URL',
        'TASK_DLQ_URL',
        'handlers/apply-task.handler',
        'ApplyTaskRole',
      ],
      [
        'TaskUpdate',
        'TaskUpdateQueue',
        'TaskUpdateDeadLetterQueue',
        'task-update',
        'TASK_UPDATE_QUEUE_URL',
        'TASK_UPDATE_DLQ_URL',
        'handlers/apply-task-update.handler',
        'ApplyTaskUpdateRole',
      ],
      [
        'TaskComment',
        'TaskCommentQueue',
        'TaskCommentDeadLetterQueue',
        'task-comment',
        'TASK_COMMENT_QUEUE_URL',
        'TASK_COMMENT_DLQ_URL',
        'handlers/apply-task-comment.handler',
        'ApplyTaskCommentRole',
      ],
      [
        'TaskMetadata',
        'TaskMetadataQueue',
        'TaskMetadataDeadLetterQueue',
        'task-metadata',
        'TASK_METADATA_QUEUE_URL',
        'TASK_METADATA_DLQ_URL',
        'handlers/apply-task-metadata.handler',
        'ApplyTaskMetadataRole',
      ],
    ]);
  });

  it('screams a wire name with an underscore before each capital but the first', () => {
    expect(['Group', 'TaskUpdate', 'TaskMetadata', 'A1Thing'].map(screamingSnake)).toEqual([
      'GROUP',
      'TASK_UPDATE',
      'TASK_METADATA',
      'A1_THING',
    ]);
  });

  it('lists the types, their schemas and queue variables in registry order', () => {
    const names = MESSAGE_TYPES.map((e) => e.wireName);
    expect([...UPDATE_TYPES]).toEqual(names);
    expect(Object.keys(UPDATE_SCHEMA_BY_TYPE)).toEqual(names);
    expect(Object.keys(UPDATE_QUEUE_URL_ENV)).toEqual(names);
    for (const entry of MESSAGE_TYPES) {
      expect(UPDATE_SCHEMA_BY_TYPE[entry.wireName]).toBe(entry.schema);
      expect(UPDATE_QUEUE_URL_ENV[entry.wireName]).toBe(entry.env.queueUrl);
      expect(messageType(entry.wireName)).toBe(entry);
      expect(UpdateTypeSchema.parse(entry.wireName)).toBe(entry.wireName);
    }
    expect(UpdateTypeSchema.safeParse('Widget').success).toBe(false);
    expect(() => messageType('Widget' as never)).toThrow('unknown message type Widget');
  });

  it('the union parses each type with its own schema and names every type when none matches', () => {
    expect(UpdateSchema.parse(ensurePatientInGroup('p', 'g')).integration_type).toBe('Group');
    expect(
      UpdateSchema.parse(createTaskPayload({ patientKey: 'p', createdByKey: 's' }))
        .integration_type,
    ).toBe('Task');
    const refused = UpdateSchema.safeParse({ integration_type: 'Widget' });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues.map((i) => i.message)).toEqual([
      'integration_type must be one of "Group", "Task", "TaskUpdate", "TaskComment", "TaskMetadata"',
    ]);
  });

  it('the SDK exports the same values', () => {
    expect(SdkUpdateSchema).toBe(UpdateSchema);
    expect(SDK_UPDATE_TYPES).toBe(UPDATE_TYPES);
  });
});
