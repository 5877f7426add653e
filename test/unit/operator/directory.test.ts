import {
  createGroup,
  deactivateLabel,
  findTasks,
  groupMembers,
  listLabels,
  patientGroups,
  patientResults,
  protocolResults,
  readPages,
  searchGroups,
} from '../../../lib/operator';
import type { MembershipSummary, ResultSummary, TaskSummary } from '../../../lib/ports';
import { fakeDirectory, pagedReader } from './fakes';

// The operator's directory logic over an in-memory OperatorDirectory (fakes.ts): validation,
// not-found, what is listed, limits, joins and order. The DynamoDB adapter is proven against
// DynamoDB Local in test/integration/operator/directory.test.ts.

const member = (groupId: string, patientKey: string, extra: Partial<MembershipSummary> = {}) => ({
  groupId,
  patientKey,
  active: true,
  startedAt: '2024-01-01T00:00:00.000Z',
  ...extra,
});

const task = (patientKey: string, taskId: string, extra: Partial<TaskSummary> = {}) => ({
  patientKey,
  taskId,
  status: 'OPEN',
  ...extra,
});

const result = (patientKey: string, status: string, protocol = 'p'): ResultSummary => ({
  patientKey,
  protocol,
  status,
  dueIn: null,
  nextReview: null,
});

describe('readPages', () => {
  it('reads past empty pages to the last one', async () => {
    const reader = pagedReader([1, 2, 3, 4, 5]);
    expect(await readPages(reader)).toEqual({ items: [1, 2, 3, 4, 5], truncated: false });
    expect(reader.pagesRead).toBe(6);
  });

  it('counts only the accepted items towards the limit, and says when more match', async () => {
    const odd = (n: number) => n % 2 === 1;
    expect(await readPages(pagedReader([1, 2, 3, 4, 5]), { limit: 2, accept: odd })).toEqual({
      items: [1, 3],
      truncated: true,
    });
    // Exactly the limit and nothing more: not truncated.
    expect(await readPages(pagedReader([1, 2, 3, 4]), { limit: 2, accept: odd })).toEqual({
      items: [1, 3],
      truncated: false,
    });
    expect(await readPages(pagedReader([]))).toEqual({ items: [], truncated: false });
  });
});

describe('groups', () => {
  const data = () =>
    fakeDirectory({
      groups: [
        { groupId: 'g-1', name: 'diabetes care', active: true },
        { groupId: 'g-2', name: 'diabetes (retired)', active: false },
      ],
    });

  it('searches by folded name, exact on request, and names a blank argument', async () => {
    const { directory } = data();
    expect((await searchGroups(directory, 'DIAB')).map((g) => g.groupId)).toEqual(['g-2', 'g-1']);
    expect(await searchGroups(directory, 'Diabetes Care', { exact: true })).toEqual([
      { groupId: 'g-1', name: 'diabetes care', active: true },
    ]);
    await expect(searchGroups(directory, '  ')).rejects.toMatchObject({
      kind: 'invalid-argument',
      message: 'text: must not be blank',
    });
  });

  it('refuses an active duplicate name and an existing id; an inactive namesake is fine', async () => {
    const { directory, writes } = data();
    await expect(createGroup(directory, { name: 'DIABETES CARE' })).rejects.toMatchObject({
      kind: 'refused',
      message:
        'an active group with this name already exists (g-1); pass --allow-duplicate-name to create another',
    });
    await expect(
      createGroup(directory, { name: 'Other', groupId: 'g-2', allowDuplicateName: true }),
    ).rejects.toMatchObject({ kind: 'refused', message: 'a group with id g-2 already exists' });
    expect(writes).toEqual([]);

    expect(await createGroup(directory, { name: 'Diabetes (retired)', groupId: 'g-3' })).toEqual({
      groupId: 'g-3',
      name: 'Diabetes (retired)',
      active: true,
    });
    const random = await createGroup(directory, { name: 'Asthma' });
    expect(random.groupId).toMatch(/^[0-9a-f-]{36}$/);
    expect(writes).toEqual(['group g-3', `group ${random.groupId}`]);
  });
});

describe('memberships', () => {
  const { directory } = fakeDirectory({
    patients: ['p-1', 'p-2'],
    groups: [
      { groupId: 'g-1', name: 'one', active: true },
      { groupId: 'g-2', name: 'two', active: false },
    ],
    memberships: [
      member('g-1', 'p-1'),
      member('g-1', 'p-2', { active: false, endedAt: '2024-02-01T00:00:00.000Z' }),
      // A tombstone: "not in" for a patient who never was a member.
      { groupId: 'g-1', patientKey: 'p-3', active: false },
      member('g-2', 'p-1', { active: false }),
      member('g-gone', 'p-1'),
    ],
  });

  it("lists a group's active members, ended ones with includeEnded, never tombstones", async () => {
    expect((await groupMembers(directory, 'g-1')).map((m) => m.patientKey)).toEqual(['p-1']);
    expect(
      (await groupMembers(directory, 'g-1', { includeEnded: true })).map((m) => m.patientKey),
    ).toEqual(['p-1', 'p-2']);
    await expect(groupMembers(directory, 'g-nope')).rejects.toMatchObject({
      kind: 'not-found',
      message: 'no group with id g-nope',
    });
  });

  it("joins a patient's groups with their names; a missing group stays unnamed", async () => {
    expect(await patientGroups(directory, 'p-1')).toEqual([
      expect.objectContaining({ groupId: 'g-1', groupName: 'one', groupActive: true }),
      member('g-gone', 'p-1'),
    ]);
    expect(
      (await patientGroups(directory, 'p-1', { includeEnded: true })).map((g) => g.groupId),
    ).toEqual(['g-1', 'g-2', 'g-gone']);
  });

  it('says an unknown patient is not found without repeating the key', async () => {
    const error = await patientGroups(directory, 'p-secret').catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'not-found' });
    expect((error as Error).message).not.toContain('p-secret');
  });
});

describe('findTasks', () => {
  const { directory } = fakeDirectory({
    patients: ['p-1'],
    tasks: [
      task('p-1', 'a', { labels: ['Urgent'], due: '2024-03-01T09:00:00' }),
      task('p-1', 'b', { labels: ['urgent'], dueInstant: '2024-01-31T21:30:00.000000Z' }),
      task('p-1', 'c', { status: 'COMPLETED' }),
      task('p-2', 'd', { labels: ['URGENT'], due: '2024-02-15T00:00:00' }),
      task('p-2', 'e', { labels: ['other'] }),
    ],
  });
  const ids = async (input: Parameters<typeof findTasks>[1]) =>
    (await findTasks(directory, input)).tasks.map((t) => t.taskId);

  it("queries one patient's tasks, scans without a patient", async () => {
    expect((await findTasks(directory, { patientKey: 'p-1' })).access).toBe('query');
    expect(await ids({ patientKey: 'p-1', status: 'completed' })).toEqual(['c']);
    expect((await findTasks(directory, {})).access).toBe('scan');
    expect(await ids({ status: 'OPEN' })).toEqual(['a', 'b', 'd', 'e']);
    await expect(findTasks(directory, { patientKey: 'p-9' })).rejects.toMatchObject({
      kind: 'not-found',
    });
  });

  it('matches labels case-folded and counts only matches towards the limit', async () => {
    expect(await ids({ label: 'URGENT' })).toEqual(['a', 'b', 'd']);
    const limited = await findTasks(directory, { label: 'urgent', limit: 2 });
    expect(limited.tasks.map((t) => t.taskId)).toEqual(['a', 'b']);
    expect(limited.truncated).toBe(true);
    expect((await findTasks(directory, { label: 'urgent', limit: 3 })).truncated).toBe(false);
  });

  it('passes the due bound as a UTC instant and sorts by due instant, none last', async () => {
    expect(await ids({ dueBefore: '2024-02-01T00:00:00+00:00' })).toEqual(['b']);
    expect(await ids({ sort: 'due' })).toEqual(['b', 'd', 'a', 'c', 'e']);
  });

  it('refuses malformed filters, naming them', async () => {
    await expect(findTasks(directory, { status: 'DONE' })).rejects.toMatchObject({
      message: '--status: must be one of OPEN, COMPLETED, CLOSED',
    });
    await expect(findTasks(directory, { sort: 'title' })).rejects.toMatchObject({
      message: '--sort: must be "due"',
    });
    await expect(findTasks(directory, { assigneeKey: ' ' })).rejects.toMatchObject({
      message: '--assignee: must not be blank',
    });
  });
});

describe('labels', () => {
  const data = () =>
    fakeDirectory({
      labels: [
        { nameKey: 'urgent', name: 'Urgent', active: true },
        { nameKey: 'follow-up', name: 'Follow-up', active: true },
        { nameKey: 'old', name: 'Old', active: false, deactivatedAt: '2024-01-01T00:00:00.000Z' },
      ],
    });

  it('lists active labels in name order, inactive ones on request', async () => {
    const { directory } = data();
    expect((await listLabels(directory)).map((l) => l.name)).toEqual(['Follow-up', 'Urgent']);
    expect((await listLabels(directory, { includeInactive: true })).map((l) => l.name)).toEqual([
      'Follow-up',
      'Old',
      'Urgent',
    ]);
  });

  it('deactivates by any spelling once; an unknown name is not found', async () => {
    const { directory, writes } = data();
    const at = new Date('2024-05-01T10:00:00Z');
    expect(await deactivateLabel(directory, 'URGENT', at)).toMatchObject({
      nameKey: 'urgent',
      active: false,
      deactivatedAt: '2024-05-01T10:00:00.000Z',
      changed: true,
    });
    expect(await deactivateLabel(directory, 'old')).toMatchObject({
      changed: false,
      deactivatedAt: '2024-01-01T00:00:00.000Z',
    });
    await expect(deactivateLabel(directory, 'Nope')).rejects.toMatchObject({
      kind: 'not-found',
      message: 'no label named "Nope"',
    });
    expect(writes).toEqual(['label urgent']);
  });
});

describe('protocol results', () => {
  const { directory } = fakeDirectory({
    patients: ['p-1', 'p-9'],
    results: [
      result('p-5', 'due'),
      result('p-1', 'due'),
      result('p-3', 'due'),
      result('p-2', 'satisfied'),
      result('p-4', 'satisfied'),
      result('p-6', 'not_applicable'),
      result('p-1', 'satisfied', 'a-first'),
    ],
  });

  it('merges the partitions of each status in patient-key order, statuses in index order', async () => {
    const page = await protocolResults(directory, { protocol: 'p' });
    expect(page.results.map((r) => `${r.status}:${r.patientKey}`)).toEqual([
      'due:p-1',
      'due:p-3',
      'due:p-5',
      'satisfied:p-2',
      'satisfied:p-4',
    ]);
    expect(page.truncated).toBe(false);
    expect(
      (await protocolResults(directory, { protocol: 'p', status: ' SATISFIED ' })).results.map(
        (r) => r.patientKey,
      ),
    ).toEqual(['p-2', 'p-4']);
  });

  it('stops at the limit within a status or across statuses, and says more match', async () => {
    const within = await protocolResults(directory, { protocol: 'p', limit: 2 });
    expect(within.results.map((r) => r.patientKey)).toEqual(['p-1', 'p-3']);
    expect(within.truncated).toBe(true);
    const across = await protocolResults(directory, { protocol: 'p', limit: 3 });
    expect(across.results).toHaveLength(3);
    expect(across.truncated).toBe(true);
    expect((await protocolResults(directory, { protocol: 'p', limit: 5 })).truncated).toBe(false);
  });

  it('refuses an unindexed status with the reason, and an unknown one with the choices', async () => {
    await expect(
      protocolResults(directory, { protocol: 'p', status: 'not_applicable' }),
    ).rejects.toMatchObject({
      kind: 'invalid-argument',
      message: expect.stringContaining('--status: not_applicable results are not indexed'),
    });
    await expect(
      protocolResults(directory, { protocol: 'p', status: 'late' }),
    ).rejects.toMatchObject({ message: '--status: must be one of due, satisfied' });
  });

  it("lists a patient's results; an unknown patient is not found", async () => {
    expect((await patientResults(directory, 'p-1')).map((r) => r.protocol)).toEqual([
      'a-first',
      'p',
    ]);
    expect(await patientResults(directory, 'p-9')).toEqual([]);
    await expect(patientResults(directory, 'p-0')).rejects.toMatchObject({ kind: 'not-found' });
  });
});
