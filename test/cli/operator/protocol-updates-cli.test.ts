import '../../support/quiet-sdk-warning';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { DeleteQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { EXIT } from '../../../cli/exit-codes';
import { membershipItem } from '../../../lib/aws/dynamodb-membership-store';
import { DynamoDbProtocolResultStore } from '../../../lib/aws/dynamodb-protocol-result-store';
import type { RecordedResult } from '../../../lib/compute';
import { freePort } from '../../../local/ports';
import { startTestStack, TEST_STAGE, type TestStack } from '../../support/local-stack';
import { seedGroup, seedLabel, seedPatient } from '../../support/seed';
import { receiveMessages, takeAll } from '../../support/sqs-driver';

const ROOT = join(__dirname, '../../..');
const BIN = join(ROOT, 'bin/protocol-updates.mjs');

let stack: TestStack;
let targetArgs: string[];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI as a process, as an operator runs it (stdin not a terminal). */
function cli(...args: string[]): Promise<Run> {
  const env = { ...process.env };
  delete env.AWS_ENDPOINT_URL_DYNAMODB;
  delete env.AWS_ENDPOINT_URL_SQS;
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...targetArgs, ...args],
      { cwd: ROOT, env, encoding: 'utf8' },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
    child.stdin?.end();
  });
}

beforeAll(async () => {
  stack = await startTestStack();
  targetArgs = [
    '--stage',
    TEST_STAGE,
    '--dynamodb-endpoint',
    stack.dynamodbEndpoint,
    '--sqs-endpoint',
    stack.sqsEndpoint,
  ];
  await seedGroup(stack, 'g-diabetes', 'Diabetes care');
  await seedGroup(stack, 'g-retired', 'Diabetes (retired)', false);
  await seedPatient(stack, 'p-1');
  await seedLabel(stack, 'Urgent', true);
  await stack.documents.send(
    new PutCommand({
      TableName: stack.tables.MembershipsTable,
      // The applier's own item shape, so the members index (`activeMembers`) holds it too.
      Item: membershipItem({ groupId: 'g-diabetes', patientKey: 'p-1' }, true, {
        version: 1,
        updateId: 'u-1',
        protocol: 'diabetes-care-group',
        at: '2024-01-01T00:00:00.000Z',
      }),
    }),
  );
  await stack.documents.send(
    new PutCommand({
      TableName: stack.tables.TasksTable,
      Item: {
        patientKey: 'p-1',
        taskId: 'update:t-1',
        creatorKey: 'staff-1',
        status: 'OPEN',
        title: 'Call the patient',
        due: '2024-03-01T09:00:00',
        labels: ['Urgent'],
        sourceUpdateId: 't-1',
        computedAt: 1,
        appliedAt: '2024-01-01T00:00:00.000Z',
      },
    }),
  );
  // Results as the compute functions record them: p-1 satisfied, p-2 due, p-3 not applicable.
  await seedPatient(stack, 'p-2');
  const result = (
    patientKey: string,
    protocol: string,
    status: string,
    extra: Record<string, unknown> = {},
  ): RecordedResult => ({
    patientKey,
    protocol,
    protocolVersion: '1.0.0',
    contentHash: 'c',
    updatesDigest: 'd',
    updatesSentAt: '2024-01-01T06:00:00.000Z',
    computedAt: '2024-01-01T06:00:00.000Z',
    updatesCount: 1,
    result: {
      status,
      narratives: [`${status} narrative`],
      dueIn: null,
      nextReview: null,
      ...extra,
    },
  });
  await new DynamoDbProtocolResultStore(
    stack.documents,
    String(stack.tables.ProtocolResultsTable),
  ).putMany([
    result('p-1', 'diabetes-care-group', 'satisfied'),
    result('p-1', 'appointment-reminder', 'not_applicable'),
    result('p-2', 'diabetes-care-group', 'due', {
      dueIn: 5,
      nextReview: '2024-01-06T06:00:00.000Z',
    }),
    result('p-3', 'diabetes-care-group', 'not_applicable'),
    // Spread over the index's shards (by patient key): listed in key order all the same.
    ...Array.from({ length: 12 }, (_, i) =>
      result(`p-s${String(i).padStart(2, '0')}`, 'appointment-reminder', 'pending'),
    ),
  ]);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe('protocol-updates CLI (process, local stack)', () => {
  it('searches groups: a table for people, one JSON document with --json', async () => {
    const [table, json] = await Promise.all([
      cli('groups', 'search', 'DIAB'),
      cli('groups', 'search', 'diab', '--json'),
    ]);

    expect(table).toMatchObject({ code: EXIT.ok, stderr: '' });
    expect(table.stdout).toMatch(/│ g-diabetes +│ Diabetes care +│ yes +│/);
    expect(table.stdout).toMatch(/│ g-retired +│ Diabetes \(retired\) +│ no +│/);
    expect(table.stdout).toMatch(/^2 groups$/m);
    expect(JSON.parse(json.stdout)).toEqual([
      { groupId: 'g-retired', name: 'Diabetes (retired)', active: false },
      { groupId: 'g-diabetes', name: 'Diabetes care', active: true },
    ]);
  });

  it('creates a group and refuses a duplicate name with exit 5', async () => {
    const created = await cli('groups', 'create', 'Heart failure', '--id', 'g-heart', '--json');
    const duplicate = await cli('groups', 'create', 'HEART failure');

    expect(created.code).toBe(EXIT.ok);
    expect(JSON.parse(created.stdout)).toEqual({
      groupId: 'g-heart',
      name: 'Heart failure',
      active: true,
    });
    expect(duplicate).toMatchObject({ code: EXIT.refused, stdout: '' });
    expect(duplicate.stderr).toBe(
      'error: an active group with this name already exists (g-heart); pass --allow-duplicate-name to create another\n',
    );
  });

  it("lists a group's members, and says an unknown group is not found (exit 3)", async () => {
    const [members, unknown] = await Promise.all([
      cli('groups', 'members', 'g-diabetes'),
      cli('groups', 'members', 'g-nope'),
    ]);

    expect(members.code).toBe(EXIT.ok);
    expect(members.stdout).toMatch(/│ p-1 +│ 2024-01-01T00:00:00.000Z +│/);
    expect(unknown).toMatchObject({
      code: EXIT.notFound,
      stderr: 'error: no group with id g-nope\n',
    });
  });

  it("gives a patient's groups and tasks", async () => {
    const [groups, tasks] = await Promise.all([
      cli('patients', 'groups', 'p-1', '--json'),
      cli('patients', 'tasks', 'p-1', '--status', 'open'),
    ]);

    expect(JSON.parse(groups.stdout)).toEqual([
      expect.objectContaining({ groupId: 'g-diabetes', groupName: 'Diabetes care', active: true }),
    ]);
    expect(tasks.code).toBe(EXIT.ok);
    expect(tasks.stdout).toMatch(/│ update:t-1 │ OPEN +│ 2024-03-01T09:00:00 │/);
    expect(tasks.stdout).toMatch(/^1 task$/m);
  });

  it('scans tasks with filters, and names a malformed argument (exit 2)', async () => {
    const [found, badStatus, badDate, offset, badSort] = await Promise.all([
      cli('tasks', '--label', 'urgent', '--due-before', '2024-04-01T00:00:00', '--json'),
      cli('tasks', '--status', 'DONE'),
      cli('tasks', '--due-before', '2024-02-30T10:00:00'),
      // 2024-03-01T09:00:00 UTC is 04:00 at -05:00: due before 04:00:01-05:00, not before 04:00-05:00.
      Promise.all([
        cli('tasks', '--due-before', '2024-03-01T04:00:01-05:00', '--sort', 'due', '--json'),
        cli('tasks', '--due-before', '2024-03-01T04:00:00.000-05:00', '--json'),
      ]),
      cli('tasks', '--sort', 'title'),
    ]);
    expect(offset.map((r) => JSON.parse(r.stdout).tasks.length)).toEqual([1, 0]);
    expect(badSort).toMatchObject({ code: EXIT.usage, stderr: 'error: --sort: must be "due"\n' });

    expect(JSON.parse(found.stdout)).toMatchObject({
      access: 'scan',
      truncated: false,
      tasks: [{ taskId: 'update:t-1', patientKey: 'p-1' }],
    });
    expect(badStatus).toMatchObject({
      code: EXIT.usage,
      stderr: 'error: --status: must be one of OPEN, COMPLETED, CLOSED\n',
    });
    expect(badDate.stderr).toBe(
      'error: --due-before: must be a real datetime formatted YYYY-MM-DDThh:mm:ss, optionally with .f to .ffffff and Z or ±hh:mm\n',
    );
  });

  it('lists and deactivates labels; an unknown label exits 3', async () => {
    const deactivated = await cli('labels', 'deactivate', 'URGENT');
    const list = await cli('labels', 'list', '--all', '--json');
    const unknown = await cli('labels', 'deactivate', 'nosuch');

    expect(deactivated).toMatchObject({ code: EXIT.ok, stdout: 'deactivated label Urgent\n' });
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({ name: 'Urgent', active: false, deactivatedAt: expect.any(String) }),
    ]);
    expect(unknown).toMatchObject({
      code: EXIT.notFound,
      stderr: 'error: no label named "nosuch"\n',
    });
  });

  it('lists, redrives and purges dead letters; purge refuses without --yes off a terminal', async () => {
    const dlq = stack.queues.TaskDeadLetterQueue as { url: string };
    const source = stack.queues.TaskQueue as { url: string };
    for (const id of ['d-1', 'd-2'])
      await stack.sqs.send(
        new SendMessageCommand({
          QueueUrl: dlq.url,
          MessageBody: `{"id":"${id}"}`,
          MessageAttributes: {
            'update-id': { DataType: 'String', StringValue: id },
            'rejection-reason': { DataType: 'String', StringValue: 'unknown-patient' },
          },
        }),
      );

    const list = await cli('dlq', 'list', 'task');
    const listAgain = await cli('dlq', 'list', 'Task', '--json');
    const refused = await cli('dlq', 'purge', 'Task');
    const redrive = await cli('dlq', 'redrive', 'Task', '--max', '1');
    const purge = await cli('dlq', 'purge', 'Task', '--yes', '--json');
    const unknown = await cli('dlq', 'list', 'Nope');

    expect(list.code).toBe(EXIT.ok);
    expect(list.stdout).toContain('Task: protocol-updates-test-task-dlq — 2 visible, 0 in flight');
    expect(list.stdout).toMatch(/│ d-1 +│ unknown-patient │/);
    const [peeked] = JSON.parse(listAgain.stdout);
    expect(peeked).toMatchObject({ name: 'Task', visible: 2, inFlight: 0 });
    expect(peeked.messages).toHaveLength(2);
    expect(refused).toMatchObject({
      code: EXIT.usage,
      stderr:
        'error: refusing to destroy 2 messages of protocol-updates-test-task-dlq without confirmation: stdin is not a terminal; pass --yes\n',
    });
    expect(redrive.stdout).toBe(
      'moved 1 message from protocol-updates-test-task-dlq to protocol-updates-test-task\n',
    );
    expect(JSON.parse(purge.stdout)).toMatchObject({ name: 'Task', deleted: 1 });
    const moved = await receiveMessages(stack.sqs, source as never);
    expect(moved).toHaveLength(1);
    expect(Object.keys(moved[0]?.MessageAttributes ?? {})).toEqual(['update-id']);
    expect(await takeAll(stack.sqs, dlq as never)).toEqual([]);
    expect(unknown.code).toBe(EXIT.notFound);
    expect(unknown.stderr).toMatch(
      /^error: no dead-letter queue for "Nope" \(known: Group, Task, .*changes, compute-jobs/,
    );
  });

  it("lists a protocol's population by status, and a patient's results", async () => {
    const [satisfied, all, patient] = await Promise.all([
      cli('protocols', 'results', 'diabetes-care-group', '--status', 'satisfied', '--json'),
      cli('protocols', 'results', 'diabetes-care-group'),
      cli('patients', 'results', 'p-1', '--json'),
    ]);

    expect(JSON.parse(satisfied.stdout)).toEqual({
      results: [
        {
          patientKey: 'p-1',
          protocol: 'diabetes-care-group',
          protocolVersion: '1.0.0',
          status: 'satisfied',
          dueIn: null,
          nextReview: null,
        },
      ],
      truncated: false,
    });
    // Every indexed status; not_applicable (p-3) is not in the sparse index.
    expect(all.code).toBe(EXIT.ok);
    expect(all.stdout).toMatch(/│ p-2 +│ due +│ 5 +│ 2024-01-06T06:00:00.000Z │ 1.0.0 +│/);
    expect(all.stdout).toMatch(/│ p-1 +│ satisfied +│/);
    expect(all.stdout).not.toMatch(/p-3/);
    expect(all.stdout).toMatch(/^2 results$/m);
    expect(JSON.parse(patient.stdout)).toEqual([
      expect.objectContaining({
        protocol: 'appointment-reminder',
        status: 'not_applicable',
        narratives: ['not_applicable narrative'],
      }),
      expect.objectContaining({
        protocol: 'diabetes-care-group',
        status: 'satisfied',
        computedAt: '2024-01-01T06:00:00.000Z',
        updatesSentAt: '2024-01-01T06:00:00.000Z',
      }),
    ]);
  });

  it('merges the index shards in patient-key order, and says when --limit cut the list', async () => {
    const [all, first] = await Promise.all([
      cli('protocols', 'results', 'appointment-reminder', '--status', 'pending', '--json'),
      cli('protocols', 'results', 'appointment-reminder', '--limit', '5', '--json'),
    ]);
    const keys = Array.from({ length: 12 }, (_, i) => `p-s${String(i).padStart(2, '0')}`);
    const listed = JSON.parse(all.stdout);
    expect(listed.results.map((r: { patientKey: string }) => r.patientKey)).toEqual(keys);
    expect(listed.truncated).toBe(false);
    const cut = JSON.parse(first.stdout);
    expect(cut.results.map((r: { patientKey: string }) => r.patientKey)).toEqual(keys.slice(0, 5));
    expect(cut.truncated).toBe(true);
  });

  it('refuses an unindexed status (exit 2), an unknown protocol or patient (exit 3)', async () => {
    const [unindexed, unknownStatus, unknownProtocol, unknownPatient] = await Promise.all([
      cli('protocols', 'results', 'diabetes-care-group', '--status', 'not_applicable'),
      cli('protocols', 'results', 'diabetes-care-group', '--status', 'overdue'),
      cli('protocols', 'results', 'no-such-protocol'),
      cli('patients', 'results', 'p-nobody'),
    ]);

    expect(unindexed.code).toBe(EXIT.usage);
    expect(unindexed.stderr).toMatch(/^error: --status: not_applicable results are not indexed/);
    expect(unknownStatus).toMatchObject({
      code: EXIT.usage,
      stderr: expect.stringMatching(/^error: --status: must be one of due, snoozed, pending/),
    });
    expect(unknownProtocol.code).toBe(EXIT.notFound);
    expect(unknownProtocol.stderr).toMatch(/registered: appointment-reminder, diabetes-care-group/);
    expect(unknownPatient).toMatchObject({
      code: EXIT.notFound,
      stderr: 'error: no patient with the given patientKey\n',
    });
  });

  it('forces the full send with --reassert: the jobs carry it, the change event its attribute', async () => {
    const one = await cli('recompute', '--patient', 'p-1', '--reassert', '--json');
    const all = await cli('recompute', '--all', '--reassert');

    expect(JSON.parse(one.stdout)).toMatchObject({ mode: 'patient', reassert: true });
    const [change] = await takeAll(stack.sqs, stack.queues.ChangesQueue as never);
    expect(change?.MessageAttributes?.reassert?.StringValue).toBe('true');
    expect(all.stdout).toMatch(/, sending every update \(--reassert\)$/m);
    const [job] = await takeAll(stack.sqs, stack.queues.ComputeJobsQueue as never);
    expect(JSON.parse(String(job?.Body))).toMatchObject({ reassert: true, segment: 0 });
  });

  it('recomputes one patient (a change event) or all (segment jobs)', async () => {
    const neitherRun = cli('recompute');
    const one = await cli('recompute', '--patient', 'p-1', '--json');
    const all = await cli('recompute', '--all');
    const neither = await neitherRun;

    expect(JSON.parse(one.stdout)).toMatchObject({ mode: 'patient', changeType: 'patient' });
    const [change] = await takeAll(stack.sqs, stack.queues.ChangesQueue as never);
    expect(JSON.parse(String(change?.Body))).toMatchObject({
      patient_key: 'p-1',
      model_name: 'patient',
    });
    expect(all.stdout).toMatch(
      /^planned run operator-[0-9a-f-]+: 1 segment job\(s\) for about \d+ patients/,
    );
    expect(await takeAll(stack.sqs, stack.queues.ComputeJobsQueue as never)).toHaveLength(1);
    expect(neither).toMatchObject({
      code: EXIT.usage,
      stderr: 'error: recompute: give exactly one of --patient <patientKey> or --all\n',
    });
  });

  it('says in one line that a stack does not answer (exit 4), and rejects unknown commands (exit 2)', async () => {
    const port = await freePort();
    const [down, unknown] = await Promise.all([
      cli('--dynamodb-endpoint', `http://127.0.0.1:${port}`, 'groups', 'search', 'x'),
      cli('groups', 'frobnicate'),
    ]);

    expect(down).toMatchObject({
      code: EXIT.unavailable,
      stdout: '',
      stderr: `error: cannot reach DynamoDB at http://127.0.0.1:${port} — is \`npm start\` running? or pass --aws\n`,
    });
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.stderr).toContain("error: unknown command 'frobnicate'");
  });

  it('lists the other DLQs when the stack lacks one (a stack older than serverless.yml)', async () => {
    await stack.sqs.send(
      new DeleteQueueCommand({
        QueueUrl: (stack.queues.ComputeJobsDeadLetterQueue as { url: string }).url,
      }),
    );

    const listed = await cli('dlq', 'list', '--json');
    const one = await cli('dlq', 'list', 'compute-jobs');

    expect(listed.code).toBe(EXIT.ok);
    const byName = Object.fromEntries(
      JSON.parse(listed.stdout).map((q: { name: string }) => [q.name, q]),
    );
    expect(byName['compute-jobs']).toMatchObject({ missing: true });
    expect(byName.Group).toMatchObject({ visible: 0, messages: [] });
    expect(one).toMatchObject({
      code: EXIT.unavailable,
      stderr:
        'error: queue protocol-updates-test-compute-jobs-dlq does not exist on this SQS endpoint (wrong --stage?)\n',
    });
  });
});
