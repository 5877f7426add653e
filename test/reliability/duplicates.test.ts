import '../support/quiet-sdk-warning';
import fc from 'fast-check';
import { handler as groupHandler } from '../../handlers/apply-group-membership';
import { handler as taskHandler } from '../../handlers/apply-task';
import {
  createTaskPayload,
  ensurePatientInGroup,
  ensurePatientNotInGroup,
} from '../../lib/update-helpers';
import type { CreateTaskUpdate } from '../../schemas';
import type { TestStack } from '../support/local-stack';
import {
  consume,
  type Outgoing,
  queueDepth,
  scanAll,
  seedPatients,
  sendAll,
  size,
  stringAttributes,
} from '../support/reliability';
import { seedGroup } from '../support/seed';
import { takeAll } from '../support/sqs-driver';
import { typeDeadLetterQueue, typeQueue } from '../support/type-queues';
import { useTestStack } from '../support/use-test-stack';

// The same updates are applied in three namespaces: `once-` delivers each once, in order, one at a
// time; `thrice-` delivers each three times (three SQS messages with one update id) in the same
// order; `shuffled-` delivers the three copies of every update shuffled, to four concurrent
// pollers, so copies race. All end in the same state, with no extra task and no extra label. (The
// membership's period history, startedAt/endedAt, depends on the order distinct updates arrive in,
// so it is compared for the in-order run only.)

const PATIENTS = size(12, 100);
const T0 = 1_700_000_000_000;

const testStack = useTestStack();
let stack: TestStack;

beforeAll(async () => {
  stack = testStack();
});

interface Update {
  queue: 'Group' | 'Task';
  build: (ns: string) => Outgoing;
}

/** A seeded scenario: memberships changing over time, tasks (some deduplicated), rejections. */
function scenario(): Update[] {
  const [plan] = fc.sample(
    fc.record({
      memberships: fc.array(
        fc.record({
          patient: fc.nat({ max: PATIENTS - 1 }),
          group: fc.nat({ max: 1 }),
          active: fc.boolean(),
        }),
        { minLength: PATIENTS * 2, maxLength: PATIENTS * 2 },
      ),
      tasks: fc.array(
        fc.record({
          patient: fc.nat({ max: PATIENTS - 1 }),
          dedupe: fc.option(fc.constantFrom('annual-review', 'a1c'), { nil: undefined }),
          labels: fc.subarray(['Urgent', 'urgent', 'Follow-up', 'Diabetes']),
        }),
        { minLength: PATIENTS, maxLength: PATIENTS },
      ),
    }),
    { numRuns: 1, seed: 77 },
  );
  if (!plan) throw new Error('no plan');
  const updates: Update[] = [];
  plan.memberships.forEach((m, i) => {
    updates.push({
      queue: 'Group',
      build: (ns) => ({
        body: (m.active ? ensurePatientInGroup : ensurePatientNotInGroup)(
          `${ns}p-${m.patient}`,
          `${ns}g-${m.group}`,
        ),
        metadata: { updateId: `${ns}m-${i}`, computedAt: T0 + i, protocol: 'dup-check' },
      }),
    });
  });
  plan.tasks.forEach((t, i) => {
    updates.push({
      queue: 'Task',
      build: (ns) => ({
        body: createTaskPayload({
          patientKey: `${ns}p-${t.patient}`,
          createdByKey: 'staff-1',
          title: t.dedupe ?? `Task ${i}`,
          // Two computations of one dedupe key send the same task (which one wins is order).
          labels: (t.dedupe === undefined ? t.labels : ['Urgent', t.dedupe]).map(
            (l) => `${ns}${l}`,
          ),
          ...(t.dedupe === undefined ? {} : { dedupeKey: t.dedupe }),
        }),
        metadata: { updateId: `${ns}t-${i}`, computedAt: T0 + i },
      }),
    });
  });
  // Rejections: an unknown patient on each queue.
  updates.push({
    queue: 'Group',
    build: (ns) => ({
      body: ensurePatientInGroup(`${ns}nobody`, `${ns}g-0`),
      metadata: { updateId: `${ns}r-1` },
    }),
  });
  updates.push({
    queue: 'Task',
    build: (ns) => ({
      body: createTaskPayload({ patientKey: `${ns}nobody`, createdByKey: 'staff-1' }),
      metadata: { updateId: `${ns}r-2` },
    }),
  });
  return updates;
}

const strip = (ns: string, value: unknown) =>
  typeof value === 'string' && value.startsWith(ns) ? value.slice(ns.length) : value;

/** The namespace's state, without namespace prefixes and wall-clock times. */
async function state(ns: string, withHistory = true) {
  const memberships = (await scanAll(stack.documents, stack.tables.MembershipsTable as string))
    .filter((m) => String(m.groupId).startsWith(ns))
    .map((m) => ({
      groupId: strip(ns, m.groupId),
      patientKey: strip(ns, m.patientKey),
      active: m.active,
      version: m.version,
      lastUpdateId: strip(ns, m.lastUpdateId),
      lastProtocol: m.lastProtocol,
      ...(withHistory
        ? { hasStart: m.startedAt !== undefined, hasEnd: m.endedAt !== undefined }
        : {}),
    }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  const tasks = (await scanAll(stack.documents, stack.tables.TasksTable as string))
    .filter((t) => String(t.patientKey).startsWith(ns))
    .map((t) => ({
      patientKey: strip(ns, t.patientKey),
      // A deduplicated task is whichever copy of the key won; its identity is the key.
      id: t.dedupeKey ?? strip(ns, t.sourceUpdateId),
      title: t.title,
      status: t.status,
      labels: (t.labels as string[] | undefined)?.map((l) => strip(ns, l)),
    }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  const labels = (await scanAll(stack.documents, stack.tables.LabelsTable as string))
    .filter((l) => String(l.nameKey).startsWith(ns.toLowerCase()))
    .map((l) => ({ nameKey: strip(ns.toLowerCase(), l.nameKey), active: l.active }))
    .sort((a, b) => String(a.nameKey).localeCompare(String(b.nameKey)));
  return { memberships, tasks, labels };
}

async function drainBoth(concurrency: number, batchSize: number) {
  const stats = await Promise.all([
    consume(stack.sqs, typeQueue(stack, 'Group'), groupHandler, {
      concurrency,
      batchSize,
    }),
    consume(stack.sqs, typeQueue(stack, 'Task'), taskHandler, {
      concurrency,
      batchSize,
    }),
  ]);
  const dead = [
    ...(await takeAll(stack.sqs, typeDeadLetterQueue(stack, 'Group'))),
    ...(await takeAll(stack.sqs, typeDeadLetterQueue(stack, 'Task'))),
  ].map(stringAttributes);
  return { stats, dead };
}

async function seed(ns: string) {
  await seedGroup(stack, `${ns}g-0`, `${ns} group 0`);
  await seedGroup(stack, `${ns}g-1`, `${ns} group 1`);
  await seedPatients(
    stack.documents,
    stack.tables.PatientsTable as string,
    Array.from({ length: PATIENTS }, (_, p) => `${ns}p-${p}`),
  );
}

async function send(updates: Update[], ns: string) {
  for (const queue of ['Group', 'Task'] as const) {
    await sendAll(
      stack.sqs,
      typeQueue(stack, queue),
      updates.filter((u) => u.queue === queue).map((u) => u.build(ns)),
      1,
    );
  }
}

describe('duplicates: every message delivered three times', () => {
  it('ends in the same state as one delivery each, with no extra task or label', async () => {
    const updates = scenario();
    await seed('once-');
    await seed('thrice-');
    await seed('shuffled-');
    const [shuffle] = fc.sample(
      fc.shuffledSubarray([...updates, ...updates, ...updates], {
        minLength: updates.length * 3,
        maxLength: updates.length * 3,
      }),
      { numRuns: 1, seed: 78 },
    );

    await send(updates, 'once-');
    const once = await drainBoth(1, 1);
    await send(
      updates.flatMap((u) => [u, u, u]),
      'thrice-',
    );
    const thrice = await drainBoth(1, 1);
    await send(shuffle ?? [], 'shuffled-');
    const shuffled = await drainBoth(4, 10);

    // One task per update, or per patient and dedupe key; none for the unknown patient.
    const expectedTasks = new Set(
      updates.flatMap((u) => {
        const { body, metadata } = u.build('');
        if (u.queue !== 'Task') return [];
        const task = body as CreateTaskUpdate;
        const patient = task.patient_identifier.identifier.key;
        if (patient === 'nobody') return [];
        const dedupe = task.integration_payload.dedupe_key;
        return [dedupe === undefined ? metadata?.updateId : `${patient}/${dedupe}`];
      }),
    ).size;
    const onceState = await state('once-');
    expect(thrice.stats.map((s) => s.records).reduce((a, b) => a + b)).toBe(updates.length * 3);
    expect(shuffled.stats.map((s) => s.records).reduce((a, b) => a + b)).toBe(updates.length * 3);
    expect([...thrice.stats, ...shuffled.stats].map((s) => s.handlerErrors)).toEqual([0, 0, 0, 0]);
    expect(onceState.tasks).toHaveLength(expectedTasks);
    expect(onceState.memberships.length).toBeGreaterThan(0);
    expect(await state('thrice-')).toEqual(onceState);
    expect(await state('shuffled-', false)).toEqual(await state('once-', false));
    // Each delivery of a rejected update is dead-lettered, always with the same identity.
    expect(once.dead.map((a) => a['update-id']).sort()).toEqual(['once-r-1', 'once-r-2']);
    for (const [ns, run] of [
      ['thrice-', thrice],
      ['shuffled-', shuffled],
    ] as const) {
      expect(run.dead.map((a) => a['update-id']).sort()).toEqual(
        ['r-1', 'r-1', 'r-1', 'r-2', 'r-2', 'r-2'].map((id) => `${ns}${id}`),
      );
    }
    for (const type of ['Group', 'Task'] as const) {
      expect(await queueDepth(stack.sqs, typeQueue(stack, type))).toEqual({
        visible: 0,
        inFlight: 0,
        delayed: 0,
      });
    }
  }, 300_000);
});
