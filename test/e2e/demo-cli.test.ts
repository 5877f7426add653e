import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UPDATE_TYPES } from '../../local/run-metrics';
import { demoAppointmentId } from '../../local/seed-demo-data';
import { foldName } from '../../schemas';
import { readKitBodies } from '../support/kit-bodies';
import { runTsxScript } from '../support/run-tsx-script';

jest.setTimeout(180_000);

const runDemo = (args: string[]) => runTsxScript('scripts/demo.ts', args);

const PATIENTS = 5;
/** Demo patients with an appointment (in 2035): the scheduled run sends each a reminder task. */
const APPOINTMENTS = Array.from({ length: PATIENTS }, (_, i) => demoAppointmentId(i + 1)).filter(
  (id) => id !== undefined,
).length;

/**
 * Bodies as the kit's Python producers send them, against the demo's deterministic keys
 * (fixtures/kit-bodies): every one is applied.
 */
const KIT = readKitBodies('applied.jsonl');
const kitCount = (type: string) => KIT.filter((e) => e.type === type).length;
const KIT_LABELS = new Set(
  KIT.flatMap((e) => (JSON.parse(e.body).integration_payload.labels ?? []) as string[]).map(
    foldName,
  ),
);

describe('npm run demo', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'demo-inject-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints one JSON summary where enqueued + injected = applied + rejected; kit bodies all apply', async () => {
    const inject = join(dir, 'poison-and-kit.jsonl');
    writeFileSync(
      inject,
      [
        JSON.stringify({ type: 'Group', body: '{"integration_type": "Group", "oops"' }),
        // Their extra keys (source, arguments, expect) are ignored by the demo.
        ...KIT.map((entry) => JSON.stringify(entry)),
      ].join('\n'),
    );
    const injectedOf = { Group: 1 + kitCount('Group'), Task: kitCount('Task') } as Record<
      string,
      number
    >;
    const { code, stdout, stderr } = await runDemo([
      '--json',
      '--patients',
      String(PATIENTS),
      '--inject',
      inject,
    ]);
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });

    const lines = stdout.trim().split('\n');
    const summary = JSON.parse(lines[lines.length - 1] ?? '');
    expect(APPOINTMENTS).toBeGreaterThan(0);
    expect(summary).toMatchObject({
      patients: PATIENTS,
      protocolsRun: PATIENTS * 2,
      enqueued: {
        Group: PATIENTS,
        Task: APPOINTMENTS,
        TaskUpdate: 0,
        TaskComment: 0,
        TaskMetadata: 0,
      },
      injected: 1 + KIT.length,
      applied: {
        Group: PATIENTS + kitCount('Group'),
        Task: APPOINTMENTS + kitCount('Task'),
        TaskUpdate: 0,
        TaskComment: 0,
        TaskMetadata: 0,
      },
      rejected: { Group: 1, Task: 0, TaskUpdate: 0, TaskComment: 0, TaskMetadata: 0 },
      deadLettered: 1,
      deadLetterReasons: { 'invalid-json': 1 },
      // Odd patients have active diabetes: 1, 3, 5 (the kit's Group bodies agree).
      memberships: { active: 3, inactive: 2 },
      // One reminder per appointment, all labelled Urgent, and one task per kit body.
      tasks: APPOINTMENTS + kitCount('Task'),
      labels: new Set([...KIT_LABELS, 'urgent']).size,
      taskComments: 0,
    });
    for (const type of UPDATE_TYPES) {
      expect(summary.enqueued[type] + (injectedOf[type] ?? 0)).toBe(
        summary.applied[type] + summary.rejected[type],
      );
    }
  });

  it('exits non-zero with a clear message on an unreadable inject file', async () => {
    const { code, stderr } = await runDemo(['--json', '--inject', join(dir, 'missing.jsonl')]);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/cannot read the inject file/);
  });
});
