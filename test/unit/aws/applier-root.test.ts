import type { SQSClient } from '@aws-sdk/client-sqs';
import { handler as applyTaskHandler } from '../../../handlers/apply-task';
import { handler as applyTaskUpdateHandler } from '../../../handlers/apply-task-update';
import { processUpdateBatch } from '../../../lib/apply/process-update-batch';
import {
  applierDeps,
  applierEnvironmentVariables,
  createApplierHandler,
  readApplierConfig,
} from '../../../lib/aws/applier-root';
import type { AwsClients } from '../../../lib/aws/clients';
import { DynamoDbTaskStore } from '../../../lib/aws/dynamodb-task-store';
import { MESSAGE_TYPES, TABLES } from '../../../lib/message-types';
import { createTaskPayload, updateTaskPayload } from '../../../lib/update-helpers';
import { applierHandlerOf } from '../../../local/appliers';
import {
  FakeRecorder,
  FakeTaskLifecycleStore,
  FakeTaskStore,
  sqsRecord,
} from '../../support/apply-fakes';

/** Clients nobody may call: the stores under test are in memory, the DLQ is never reached. */
const UNUSED_CLIENTS = { dynamodb: {}, documents: {}, sqs: {} } as unknown as AwsClients;

describe('the applier environment, from the registry entry', () => {
  it("names each type's tables, its DLQ and, with the unknown-task grace, UNKNOWN_TASK_ATTEMPTS", () => {
    expect(
      Object.fromEntries(
        MESSAGE_TYPES.map((e) => [e.wireName, applierEnvironmentVariables(e.wireName)]),
      ),
    ).toEqual({
      Group: ['PATIENTS_TABLE', 'GROUPS_TABLE', 'MEMBERSHIPS_TABLE', 'GROUP_DLQ_URL'],
      Task: ['PATIENTS_TABLE', 'TASKS_TABLE', 'LABELS_TABLE', 'TASK_DLQ_URL'],
      TaskUpdate: ['TASKS_TABLE', 'LABELS_TABLE', 'TASK_UPDATE_DLQ_URL', 'UNKNOWN_TASK_ATTEMPTS'],
      TaskComment: [
        'TASKS_TABLE',
        'TASK_COMMENTS_TABLE',
        'TASK_COMMENT_DLQ_URL',
        'UNKNOWN_TASK_ATTEMPTS',
      ],
      TaskMetadata: [
        'TASKS_TABLE',
        'TASK_METADATA_TABLE',
        'TASK_METADATA_DLQ_URL',
        'UNKNOWN_TASK_ATTEMPTS',
      ],
    });
  });

  it('every applier reads exactly the tables its entry grants', () => {
    for (const entry of MESSAGE_TYPES) {
      const tableVariables = Object.keys(entry.applier.tables).map(
        (key) => TABLES[key as keyof typeof TABLES].env,
      );
      expect(
        applierEnvironmentVariables(entry.wireName)
          .filter((v) => v.endsWith('_TABLE'))
          .sort(),
      ).toEqual(tableVariables.sort());
    }
  });

  it('parses the tables by registry key, the DLQ URL and the grace (default 3)', () => {
    expect(
      readApplierConfig('TaskUpdate', {
        TASKS_TABLE: 'tasks-t',
        LABELS_TABLE: 'labels-t',
        TASK_UPDATE_DLQ_URL: 'https://dlq',
      }),
    ).toEqual({
      tables: { tasks: 'tasks-t', labels: 'labels-t' },
      deadLetterQueueUrl: 'https://dlq',
      unknownTaskAttempts: 3,
    });
    expect(
      readApplierConfig('TaskUpdate', {
        TASKS_TABLE: 't',
        LABELS_TABLE: 'l',
        TASK_UPDATE_DLQ_URL: 'd',
        UNKNOWN_TASK_ATTEMPTS: '7',
      }).unknownTaskAttempts,
    ).toBe(7);
  });

  it('names every missing variable at once, and a malformed grace, never a value', () => {
    expect(() => readApplierConfig('TaskComment', { TASKS_TABLE: 't' })).toThrow(
      'missing environment variables: TASK_COMMENTS_TABLE, TASK_COMMENT_DLQ_URL',
    );
    expect(() => readApplierConfig('Group', { PATIENTS_TABLE: '' })).toThrow(
      'missing environment variables: PATIENTS_TABLE, GROUPS_TABLE, MEMBERSHIPS_TABLE, GROUP_DLQ_URL',
    );
    expect(() =>
      readApplierConfig('TaskComment', {
        TASKS_TABLE: 't',
        TASK_COMMENTS_TABLE: 'c',
        TASK_COMMENT_DLQ_URL: 'd',
        UNKNOWN_TASK_ATTEMPTS: 'secret-0',
      }),
    ).toThrow(/^environment variable UNKNOWN_TASK_ATTEMPTS must be a positive integer$/);
  });

  it('a type without the grace ignores UNKNOWN_TASK_ATTEMPTS', () => {
    const config = readApplierConfig('Task', {
      PATIENTS_TABLE: 'p',
      TASKS_TABLE: 't',
      LABELS_TABLE: 'l',
      TASK_DLQ_URL: 'd',
      UNKNOWN_TASK_ATTEMPTS: 'not a number',
    });
    expect(config.tables).toEqual({ patients: 'p', tasks: 't', labels: 'l' });
  });
});

describe('applierDeps and createApplierHandler', () => {
  const T0 = 1_700_000_000_000;

  it("applies through the registry entry's applier over the given store", async () => {
    const tasks = new FakeTaskStore();
    tasks.patients.add('p-1');
    const recorder = new FakeRecorder();
    const deps = applierDeps('Task', {
      store: tasks,
      clients: UNUSED_CLIENTS,
      config: {
        tables: { patients: 'p', tasks: 't', labels: 'l' },
        deadLetterQueueUrl: 'd',
        unknownTaskAttempts: 3,
      },
      recorder,
    });
    const body = createTaskPayload({ patientKey: 'p-1', createdByKey: 's', dedupeKey: 'k' });
    const response = await processUpdateBatch(
      { Records: [sqsRecord(body, { 'update-id': 'u-1', 'computed-at': String(T0) })] },
      deps,
    );

    expect(response.batchItemFailures).toEqual([]);
    expect(recorder.results.map((r) => r.outcome)).toEqual(['applied']);
    expect(tasks.tasks.size).toBe(1);
    expect(deps.applier.queueType).toBe('Task');
  });

  it('passes the parsed grace to a lifecycle applier (unknown task: retried, then dead-lettered)', async () => {
    const sent: unknown[] = [];
    const sqs = { send: async (command: unknown) => sent.push(command) } as unknown as SQSClient;
    const recorder = new FakeRecorder();
    const deps = applierDeps('TaskUpdate', {
      store: new FakeTaskLifecycleStore(),
      clients: { ...UNUSED_CLIENTS, sqs },
      env: {
        TASKS_TABLE: 't',
        LABELS_TABLE: 'l',
        TASK_UPDATE_DLQ_URL: 'd',
        UNKNOWN_TASK_ATTEMPTS: '2',
      },
      recorder,
    });
    const body = updateTaskPayload({ patientKey: 'p-1', dedupeKey: 'missing', status: 'CLOSED' });
    const record = (receiveCount: number) => {
      const r = sqsRecord(body, { 'update-id': 'u-1', 'computed-at': String(T0) });
      r.attributes.ApproximateReceiveCount = String(receiveCount);
      return r;
    };
    await processUpdateBatch({ Records: [record(1)] }, deps);
    await processUpdateBatch({ Records: [record(2)] }, deps);

    expect(recorder.results.map((r) => [r.outcome, r.reason])).toEqual([
      ['retried', 'task-not-found'],
      ['rejected', 'unknown-task'],
    ]);
    expect(sent).toHaveLength(1);
  });

  it('builds the store from its factory with the tables by registry key', () => {
    const seen: unknown[] = [];
    applierDeps('TaskUpdate', {
      store: (_clients, tables) => {
        seen.push(tables);
        return new FakeTaskLifecycleStore();
      },
      clients: UNUSED_CLIENTS,
      env: { TASKS_TABLE: 'tasks-x', LABELS_TABLE: 'labels-x', TASK_UPDATE_DLQ_URL: 'd' },
      recorder: new FakeRecorder(),
    });
    expect(seen).toEqual([{ tasks: 'tasks-x', labels: 'labels-x' }]);
  });

  it('a handler reads its environment on the first invocation and names what is missing', async () => {
    const handler = createApplierHandler('TaskUpdate', () => new FakeTaskLifecycleStore());
    const saved = { ...process.env };
    delete process.env.TASKS_TABLE;
    delete process.env.LABELS_TABLE;
    delete process.env.TASK_UPDATE_DLQ_URL;
    try {
      await expect(handler({ Records: [] })).rejects.toThrow(
        'missing environment variables: TASKS_TABLE, LABELS_TABLE, TASK_UPDATE_DLQ_URL',
      );
    } finally {
      process.env = saved;
    }
  });

  it("each handler file is its entry's handler, with the type's DynamoDB store", () => {
    for (const entry of MESSAGE_TYPES) {
      const handler = applierHandlerOf(entry.wireName);
      expect(handler.type).toBe(entry.wireName);
    }
    expect(applyTaskHandler.type).toBe('Task');
    expect(applyTaskUpdateHandler.type).toBe('TaskUpdate');
    const store = applyTaskHandler.store(UNUSED_CLIENTS, {
      patients: 'p',
      tasks: 't',
      labels: 'l',
    });
    expect(store).toBeInstanceOf(DynamoDbTaskStore);
  });
});
