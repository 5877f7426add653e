import {
  createTaskPayload,
  ensurePatientInGroup,
  ensurePatientNotInGroup,
  toPythonJson,
  UpdateSchema,
} from '../../lib';
import { type KitBodyEntry, readKitBodies } from '../support/kit-bodies';

const applied = readKitBodies('applied.jsonl');
const refused = readKitBodies('refused.jsonl');

/** Our helper's input for the kit helper's arguments (names mapped, values unchanged). */
function createTaskInput(args: Record<string, unknown>) {
  return {
    patientKey: args.patient_key,
    createdByKey: args.created_by_key,
    status: args.status,
    title: args.title,
    assigneeIdentifier: args.assignee_identifier,
    teamIdentifier: args.team_identifier,
    due: args.due,
    created: args.created,
    tag: args.tag,
    labels: args.labels,
  } as unknown as Parameters<typeof createTaskPayload>[0];
}

const named = (entries: KitBodyEntry[]) =>
  entries.map((e, i) => [`${i + 1} ${e.source}`, e] as const);

describe('kit bodies (fixtures/kit-bodies, scripts/kit-bodies.py)', () => {
  it('cover the kit forms: offsets, Z-less UTC, microseconds, none, status null, non-ASCII', () => {
    const bodies = applied.map((e) => e.body).join('\n');
    for (const form of [
      '-05:00"',
      '+05:30"',
      '+00:00"',
      '.123456',
      ':11+00:00"',
      '"status": null',
      '\\u00eb',
    ])
      expect(bodies).toContain(form);
    // Python's separators, not JSON.stringify's.
    expect(applied.every((e) => e.body.startsWith('{"integration_type": "'))).toBe(true);
    expect(applied.filter((e) => e.type === 'Task').length).toBeGreaterThanOrEqual(11);
  });

  it.each(named(applied))('body %s passes the schema', (_, entry) => {
    const parsed = UpdateSchema.safeParse(JSON.parse(entry.body));
    expect(parsed.error?.issues).toBeUndefined();
  });

  it.each(named(refused))('body %s is refused naming the field', (_, entry) => {
    const parsed = UpdateSchema.safeParse(JSON.parse(entry.body));
    expect(parsed.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      entry.expect.detail,
    ]);
  });

  it.each(named(applied.filter((e) => e.type === 'Task' && e.arguments?.status !== null)))(
    'createTaskPayload for the arguments of %s is byte-identical under json.dumps',
    (_, entry) => {
      const message = createTaskPayload(createTaskInput(entry.arguments ?? {}));
      expect(toPythonJson(message)).toBe(entry.body);
    },
  );

  it('for status=None the helper writes "OPEN", the value the kit\'s null is applied as', () => {
    const entry = applied.find((e) => e.arguments?.status === null) as KitBodyEntry;
    const ours = toPythonJson(createTaskPayload(createTaskInput(entry.arguments ?? {})));
    expect(ours).toBe(entry.body.replace('"status": null', '"status": "OPEN"'));
  });

  it.each(named(applied.filter((e) => e.type === 'Group')))(
    'the group helper for %s is byte-identical under json.dumps',
    (_, entry) => {
      const args = entry.arguments as { patient_key: string; group_id: string; inactive: boolean };
      const build = args.inactive ? ensurePatientNotInGroup : ensurePatientInGroup;
      expect(toPythonJson(build(args.patient_key, args.group_id))).toBe(entry.body);
    },
  );
});
