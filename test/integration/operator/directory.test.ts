import '../../support/quiet-sdk-warning';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { capacitySince } from '../../../bench/capacity-counter';
import { countedClients } from '../../../bench/counted-clients';
import { taskItemFor } from '../../../lib/apply/apply-task';
import { ACTIVE_GROUP_ID } from '../../../lib/aws/dynamodb-membership-store';
import {
  dynamoDbOperatorDirectory,
  type OperatorTables,
} from '../../../lib/aws/dynamodb-operator-directory';
import { batchPutItems } from '../../../lib/aws/table-items';
import {
  createGroup,
  deactivateLabel,
  findTasks,
  groupMembers,
  listLabels,
  OperatorError,
  patientGroups,
  searchGroups,
} from '../../../lib/operator';
import type { OperatorDirectory } from '../../../lib/ports';
import { createTaskPayload } from '../../../lib/update-helpers';
import { startTestStack, type TestStack } from '../../support/local-stack';
import { operatorTablesOf } from '../../support/operator-tables';
import { seedGroup, seedLabel, seedPatient } from '../../support/seed';

let stack: TestStack;
let tables: OperatorTables;
let directory: OperatorDirectory;

/** Items large enough that DynamoDB's 1 MB page limit splits a Query or Scan into several pages. */
const PAGE_FILLER = 'x'.repeat(120_000);

function membership(groupId: string, patientKey: string, active: boolean, extra = {}) {
  return {
    groupId,
    patientKey,
    active,
    version: 1,
    lastUpdateId: 'u',
    ...(active
      ? // As the applier writes it: the sparse index key only while active.
        { startedAt: '2024-01-01T00:00:00.000Z', [ACTIVE_GROUP_ID]: groupId }
      : {
          startedAt: '2024-01-01T00:00:00.000Z',
          endedAt: '2024-02-01T00:00:00.000Z',
          periods: [
            {
              startedAt: '2024-01-01T00:00:00.000Z',
              endedAt: '2024-02-01T00:00:00.000Z',
              endedByUpdateId: 'u',
            },
          ],
        }),
    ...extra,
  };
}

function task(patientKey: string, taskId: string, fields: Record<string, unknown> = {}) {
  return {
    patientKey,
    taskId,
    creatorKey: 'staff-1',
    status: 'OPEN',
    sourceUpdateId: taskId,
    computedAt: 1,
    appliedAt: '2024-01-01T00:00:00.000Z',
    ...fields,
  };
}

async function rejection(promise: Promise<unknown>): Promise<OperatorError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OperatorError);
  return error as OperatorError;
}

beforeAll(async () => {
  stack = await startTestStack();
  tables = operatorTablesOf(stack);
  directory = dynamoDbOperatorDirectory(stack.documents, tables);
  await seedGroup(stack, 'g-diabetes', 'Diabetes care');
  await seedGroup(stack, 'g-diet', 'Diet coaching');
  await seedGroup(stack, 'g-retired', 'Diabetes (retired)', false);
  await seedGroup(stack, 'g-heart', 'Heart failure');
  for (const key of ['p-1', 'p-2', 'p-3', 'p-none']) await seedPatient(stack, key);
  await batchPutItems(stack.documents, tables.memberships, [
    membership('g-diabetes', 'p-1', true),
    membership('g-diabetes', 'p-2', false),
    // A tombstone: "not in" for a patient who never was a member.
    { groupId: 'g-diabetes', patientKey: 'p-3', active: false, version: 5, lastUpdateId: 'u' },
    membership('g-diet', 'p-1', true),
    membership('g-retired', 'p-1', false),
  ]);
  await batchPutItems(stack.documents, tables.tasks, [
    task('p-1', 'update:a', {
      title: 'Call',
      status: 'OPEN',
      due: '2024-03-01T09:00:00',
      assigneeKey: 'staff-2',
      teamId: 'team-1',
      labels: ['Urgent', 'Follow-up'],
      // Attributes the CLI does not document: not shown.
      fieldVersions: { status: 3 },
    }),
    task('p-1', 'update:b', { status: 'COMPLETED', due: '2024-01-01T09:00:00' }),
    task('p-2', 'update:c', { status: 'OPEN', labels: ['urgent'], teamId: 'team-2' }),
    task('p-3', 'update:d', { status: 'CLOSED' }),
  ]);
  await seedLabel(stack, 'Urgent', true);
  await seedLabel(stack, 'Follow-up', true);
  await seedLabel(stack, 'Retired', false);
});

afterAll(async () => {
  await stack?.stop();
});

describe('group admin (DynamoDB Local)', () => {
  it('searches by case-folded name prefix on the byName index, exact on request', async () => {
    expect(await searchGroups(directory, 'DIAB')).toEqual([
      { groupId: 'g-retired', name: 'Diabetes (retired)', active: false },
      { groupId: 'g-diabetes', name: 'Diabetes care', active: true },
    ]);
    expect(await searchGroups(directory, 'diabetes CARE', { exact: true })).toEqual([
      { groupId: 'g-diabetes', name: 'Diabetes care', active: true },
    ]);
    expect(await searchGroups(directory, 'diab', { exact: true })).toEqual([]);
    expect(await searchGroups(directory, 'zzz')).toEqual([]);
  });

  it('creates a group with its search keys and a random UUID id by default', async () => {
    const created = await createGroup(directory, { name: 'Asthma review' });

    expect(created.groupId).toMatch(/^[0-9a-f-]{36}$/);
    const { Item } = await stack.documents.send(
      new GetCommand({ TableName: tables.groups, Key: { groupId: created.groupId } }),
    );
    expect(Item).toEqual({
      groupId: created.groupId,
      name: 'Asthma review',
      nameKey: 'asthma review',
      nameInitial: 'a',
      active: true,
    });
    expect(await searchGroups(directory, 'asth')).toEqual([created]);
  });

  it('refuses an existing id without overwriting the group', async () => {
    const error = await rejection(createGroup(directory, { name: 'Other', groupId: 'g-heart' }));

    expect(error.kind).toBe('refused');
    expect(error.message).toBe('a group with id g-heart already exists');
    expect((await searchGroups(directory, 'heart'))[0]).toMatchObject({ groupId: 'g-heart' });
    expect(await searchGroups(directory, 'other')).toEqual([]);
  });

  it('refuses a second active group with the same folded name unless allowed', async () => {
    const error = await rejection(
      createGroup(directory, { name: 'HEART FAILURE', groupId: 'g-2' }),
    );
    expect(error.kind).toBe('refused');
    expect(error.message).toContain('(g-heart)');

    const allowed = await createGroup(directory, {
      name: 'HEART FAILURE',
      groupId: 'g-heart-2',
      allowDuplicateName: true,
    });
    expect(allowed).toEqual({ groupId: 'g-heart-2', name: 'HEART FAILURE', active: true });
    // An inactive group of that name does not block a new one.
    expect(
      await createGroup(directory, { name: 'diabetes (RETIRED)', groupId: 'g-retired-2' }),
    ).toMatchObject({ groupId: 'g-retired-2' });
  });

  it('names the bad argument', async () => {
    expect((await rejection(createGroup(directory, { name: '  ' }))).message).toBe(
      'name: must not be blank',
    );
    expect(
      (await rejection(createGroup(directory, { name: 'ok', groupId: 'k'.repeat(300) }))).message,
    ).toBe('--id: must be at most 256 characters');
  });
});

describe('directory queries (DynamoDB Local)', () => {
  it("lists a group's active members, and ended ones with --all (never tombstones)", async () => {
    expect(await groupMembers(directory, 'g-diabetes')).toEqual([
      expect.objectContaining({
        groupId: 'g-diabetes',
        patientKey: 'p-1',
        active: true,
        startedAt: '2024-01-01T00:00:00.000Z',
      }),
    ]);
    const all = await groupMembers(directory, 'g-diabetes', { includeEnded: true });
    expect(all).toEqual([
      expect.objectContaining({ patientKey: 'p-1', active: true, endedAt: undefined }),
      expect.objectContaining({
        patientKey: 'p-2',
        active: false,
        endedAt: '2024-02-01T00:00:00.000Z',
        periods: [
          {
            startedAt: '2024-01-01T00:00:00.000Z',
            endedAt: '2024-02-01T00:00:00.000Z',
            endedByUpdateId: 'u',
          },
        ],
      }),
    ]);
  });

  it("reads a group's active members from the sparse index, not its inactive items", async () => {
    await seedGroup(stack, 'g-sparse', 'Sparse group');
    // Many large tombstones ("not in" for every non-qualifying patient) and one member.
    await batchPutItems(stack.documents, tables.memberships, [
      membership('g-sparse', 'p-sparse-member', true),
      ...Array.from({ length: 6 }, (_, i) => ({
        groupId: 'g-sparse',
        patientKey: `p-sparse-${i}`,
        active: false,
        version: 1,
        lastUpdateId: 'u',
        filler: PAGE_FILLER,
      })),
    ]);
    const clients = countedClients({
      dynamodb: stack.dynamodbEndpoint,
      sqs: stack.sqsEndpoint,
    });
    const counted = dynamoDbOperatorDirectory(clients.documents, tables);
    try {
      const before = clients.capacity.snapshot();
      const members = await groupMembers(counted, 'g-sparse');
      const afterMembers = clients.capacity.snapshot();
      await groupMembers(counted, 'g-sparse', { includeEnded: true });
      const history = capacitySince(afterMembers, clients.capacity.snapshot());

      expect(members.map((m) => m.patientKey)).toEqual(['p-sparse-member']);
      // The tombstones are ~120 KB each: reading them costs tens of units, the index under one.
      expect(capacitySince(before, afterMembers).QueryCommand?.capacityUnits).toBeLessThan(1);
      expect(history.QueryCommand?.capacityUnits).toBeGreaterThan(50);
    } finally {
      clients.destroy();
    }
  });

  it('reads every page of a large group', async () => {
    await seedGroup(stack, 'g-big', 'Big group');
    await batchPutItems(
      stack.documents,
      tables.memberships,
      Array.from({ length: 12 }, (_, i) =>
        membership('g-big', `p-big-${String(i).padStart(2, '0')}`, i % 3 !== 0, {
          filler: PAGE_FILLER,
        }),
      ),
    );

    expect(await groupMembers(directory, 'g-big')).toHaveLength(8);
    expect(await groupMembers(directory, 'g-big', { includeEnded: true })).toHaveLength(12);
  });

  it('reports an unknown group as not found', async () => {
    const error = await rejection(groupMembers(directory, 'g-nope'));
    expect(error).toMatchObject({ kind: 'not-found', message: 'no group with id g-nope' });
  });

  it("gives a patient's groups with their names", async () => {
    expect(await patientGroups(directory, 'p-1')).toEqual([
      expect.objectContaining({ groupId: 'g-diabetes', groupName: 'Diabetes care', active: true }),
      expect.objectContaining({ groupId: 'g-diet', groupName: 'Diet coaching', active: true }),
    ]);
    expect(
      (await patientGroups(directory, 'p-1', { includeEnded: true })).map((g) => g.groupId),
    ).toEqual(['g-diabetes', 'g-diet', 'g-retired']);
    expect(await patientGroups(directory, 'p-none')).toEqual([]);
  });

  it('says an unknown patient is not found without repeating the key', async () => {
    const error = await rejection(patientGroups(directory, 'p-secret-123'));
    expect(error.kind).toBe('not-found');
    expect(error.message).not.toContain('p-secret-123');
  });

  it("queries a patient's tasks and shows only the documented fields", async () => {
    const result = await findTasks(directory, { patientKey: 'p-1' });

    expect(result.access).toBe('query');
    expect(result.tasks).toEqual([
      {
        patientKey: 'p-1',
        taskId: 'update:a',
        status: 'OPEN',
        title: 'Call',
        due: '2024-03-01T09:00:00',
        assigneeKey: 'staff-2',
        teamId: 'team-1',
        labels: ['Urgent', 'Follow-up'],
        creatorKey: 'staff-1',
        appliedAt: '2024-01-01T00:00:00.000Z',
      },
      expect.objectContaining({ taskId: 'update:b', status: 'COMPLETED' }),
    ]);
    expect(
      (await findTasks(directory, { patientKey: 'p-1', status: 'completed' })).tasks.map(
        (t) => t.taskId,
      ),
    ).toEqual(['update:b']);
  });

  it('scans every task with filters combined, labels case-folded', async () => {
    const ids = async (filters: Parameters<typeof findTasks>[1]) =>
      (await findTasks(directory, filters)).tasks.map((t) => t.taskId).sort();

    expect((await findTasks(directory, {})).access).toBe('scan');
    expect(await ids({ status: 'OPEN' })).toEqual(['update:a', 'update:c']);
    expect(await ids({ label: 'URGENT' })).toEqual(['update:a', 'update:c']);
    expect(await ids({ label: 'urgent', teamId: 'team-2' })).toEqual(['update:c']);
    expect(await ids({ assigneeKey: 'staff-2' })).toEqual(['update:a']);
    expect(await ids({ dueBefore: '2024-02-01T00:00:00' })).toEqual(['update:b']);
    expect(await ids({ status: 'CLOSED', label: 'urgent' })).toEqual([]);
  });

  it('stops at --limit and says more match', async () => {
    const limited = await findTasks(directory, { limit: 2 });
    expect(limited.tasks).toHaveLength(2);
    expect(limited.truncated).toBe(true);
    expect((await findTasks(directory, { limit: 50 })).truncated).toBe(false);
  });

  it('refuses malformed filters, naming them', async () => {
    expect((await rejection(findTasks(directory, { status: 'DONE' }))).message).toBe(
      '--status: must be one of OPEN, COMPLETED, CLOSED',
    );
    expect(
      (await rejection(findTasks(directory, { dueBefore: '2024-02-30T00:00:00' }))).message,
    ).toBe(
      '--due-before: must be a real datetime formatted YYYY-MM-DDThh:mm:ss, optionally with .f to .ffffff and Z or ±hh:mm',
    );
    expect((await rejection(findTasks(directory, { sort: 'title' }))).message).toBe(
      '--sort: must be "due"',
    );
    expect((await rejection(findTasks(directory, { patientKey: ' ' }))).message).toBe(
      '--patient: must not be blank',
    );
  });
});

describe('labels (DynamoDB Local)', () => {
  it('lists active labels in name order, inactive ones with --all', async () => {
    expect((await listLabels(directory)).map((l) => l.name)).toEqual(['Follow-up', 'Urgent']);
    expect(
      (await listLabels(directory, { includeInactive: true })).map((l) => [l.name, l.active]),
    ).toEqual([
      ['Follow-up', true],
      ['Retired', false],
      ['Urgent', true],
    ]);
  });

  it('deactivates a label by any spelling, once', async () => {
    const at = new Date('2024-05-01T10:00:00Z');
    const first = await deactivateLabel(directory, 'FOLLOW-UP', at);
    const again = await deactivateLabel(directory, 'follow-up', new Date('2024-06-01T00:00:00Z'));

    expect(first).toMatchObject({
      nameKey: 'follow-up',
      name: 'Follow-up',
      active: false,
      changed: true,
    });
    expect(again).toMatchObject({ changed: false, deactivatedAt: '2024-05-01T10:00:00.000Z' });
    const { Item } = await stack.documents.send(
      new GetCommand({ TableName: tables.labels, Key: { nameKey: 'follow-up' } }),
    );
    expect(Item).toMatchObject({ active: false, deactivatedAt: '2024-05-01T10:00:00.000Z' });
  });

  it('refuses an unknown label and creates nothing', async () => {
    const error = await rejection(deactivateLabel(directory, 'Nonexistent'));

    expect(error).toMatchObject({ kind: 'not-found', message: 'no label named "Nonexistent"' });
    const { Item } = await stack.documents.send(
      new GetCommand({ TableName: tables.labels, Key: { nameKey: 'nonexistent' } }),
    );
    expect(Item).toBeUndefined();
  });
});

describe('task datetimes: the filter and the sort read the normalized instant', () => {
  /** Tasks as the applier stores them from real messages (`taskItemFor`). */
  const applied = (taskId: string, due: string | undefined) =>
    taskItemFor(
      createTaskPayload({ patientKey: 'p-when', createdByKey: 'staff-1', due }),
      { updateId: taskId, version: 1 },
      new Date('2024-01-01T00:00:00Z'),
    );

  beforeAll(async () => {
    await seedPatient(stack, 'p-when');
    await batchPutItems(stack.documents, tables.tasks, [
      // 2024-02-01T01:00Z: after the bound, though its text sorts before it.
      applied('t-east', '2024-01-31T20:00:00-05:00'),
      // 2024-01-31T21:30Z: before the bound, though its text sorts after it.
      applied('t-india', '2024-02-01T03:00:00+05:30'),
      applied('t-micro', '2024-01-31T23:59:59.999999Z'),
      applied('t-none', undefined),
      // Stored before instants existed: compared by its `due` (no offset, UTC).
      task('p-when', 'update:t-legacy', { due: '2024-01-31T23:59:59' }),
      task('p-when', 'update:t-legacy-at', { due: '2024-02-01T00:00:00' }),
    ]);
  });

  it('stores the string as sent and its UTC instant', async () => {
    const { tasks } = await findTasks(directory, { patientKey: 'p-when' });
    expect(tasks.find((t) => t.taskId === 'update:t-india')).toMatchObject({
      due: '2024-02-01T03:00:00+05:30',
      dueInstant: '2024-01-31T21:30:00.000000Z',
    });
  });

  it.each([
    ['2024-02-01T00:00:00', ['update:t-india', 'update:t-legacy', 'update:t-micro']],
    ['2024-02-01T00:00:00Z', ['update:t-india', 'update:t-legacy', 'update:t-micro']],
    ['2024-01-31T19:00:00-05:00', ['update:t-india', 'update:t-legacy', 'update:t-micro']],
    ['2024-01-31T23:59:59.999999', ['update:t-india', 'update:t-legacy']],
    ['2024-01-31T23:59:59.5+00:00', ['update:t-india', 'update:t-legacy']],
    ['2024-01-31T23:59:59', ['update:t-india']],
    [
      '2024-02-01T06:00:00.001+05:00',
      [
        'update:t-east',
        'update:t-india',
        'update:t-legacy',
        'update:t-legacy-at',
        'update:t-micro',
      ],
    ],
  ])('--due-before %s', async (dueBefore, expected) => {
    const query = await findTasks(directory, { patientKey: 'p-when', dueBefore });
    const scan = await findTasks(directory, { dueBefore });
    expect(query.tasks.map((t) => t.taskId).sort()).toEqual(expected);
    expect(
      scan.tasks
        .filter((t) => t.patientKey === 'p-when')
        .map((t) => t.taskId)
        .sort(),
    ).toEqual(expected);
  });

  it('--sort due: earliest instant first, legacy tasks by their due, tasks without a due last', async () => {
    const { tasks } = await findTasks(directory, { patientKey: 'p-when', sort: 'due' });
    expect(tasks.map((t) => t.taskId)).toEqual([
      'update:t-india',
      'update:t-legacy',
      'update:t-micro',
      'update:t-legacy-at',
      'update:t-east',
      'update:t-none',
    ]);
  });
});
