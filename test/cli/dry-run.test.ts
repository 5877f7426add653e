import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppointmentReminder } from '../../protocols/appointment-reminder';
import { dryRun, useTempFolder } from '../support/dry-run';

const ROOT = join(__dirname, '../..');
const REMINDER = 'protocols/appointment-reminder.ts';
const GROUPING = 'protocols/diabetes-care-group.ts';
const DIABETIC = 'fixtures/patients/diabetic-with-appointment';
const NOW = ['--now', '2024-02-01T12:00:00Z'];

function json(stdout: string) {
  return JSON.parse(stdout);
}

describe('dry-run CLI', () => {
  const folder = useTempFolder('dry-run-');

  it('prints the run as one JSON object with --json, for a change shorthand', () => {
    const out = dryRun(
      REMINDER,
      DIABETIC,
      '--change',
      'appointment:created:appt-0001',
      ...NOW,
      '--json',
    );

    expect(out.code).toBe(0);
    expect(out.stderr).toBe('');
    const run = json(out.stdout);
    expect(run).toMatchObject({
      protocol: 'appointment-reminder',
      version: AppointmentReminder.meta.version,
      status: 'computed',
      patient: 'fixture-patient-0001',
      now: '2024-02-01T12:00:00.000Z',
      result: { status: 'not_applicable', dueIn: null, daysOfNotice: 30, nextReview: null },
      change: { model_name: 'appointment', created: true, canvas_id: 'appt-0001' },
    });
    expect(run.updates).toHaveLength(1);
    expect(run.updates[0].integration_payload).toMatchObject({
      due: '2024-02-06T09:30:00',
      dedupe_key: 'appointment-reminder:appt-0001',
    });
  });

  it('reads a change event file', () => {
    const out = dryRun(
      REMINDER,
      DIABETIC,
      '--change',
      'fixtures/changes/appointment-0001-created.json',
      ...NOW,
      '--json',
    );

    expect(out.code).toBe(0);
    expect(json(out.stdout).updates).toHaveLength(1);
  });

  it("takes the kit's field_changes object unchanged (the documented change event), the patient from the fixture", () => {
    const kitChange = join(
      ROOT,
      '..',
      'shared',
      'kit-fixtures',
      'changes',
      'appointment-created.json',
    );
    const out = dryRun(REMINDER, DIABETIC, '--change', kitChange, ...NOW, '--json');

    expect(out.code).toBe(0);
    expect(out.stderr).toBe('');
    const run = json(out.stdout);
    expect(run).toMatchObject({
      status: 'computed',
      patient: 'fixture-patient-0001',
      changeTypes: ['appointment'],
      change: { model_name: 'appointment', canvas_id: 14, external_identifiers: null },
    });
    // Appointment 14 is not the fixture patient's: the reminder says so and sends nothing.
    expect(run.updates).toEqual([]);
    expect(run.result.narratives).toEqual([
      "Appointment 14 not found in the patient's appointments; no reminder sent.",
    ]);
    const text = dryRun(REMINDER, DIABETIC, '--change', kitChange, ...NOW);
    expect(text.stdout).toMatch(
      /^change: +appointment created \(id 14\), change types appointment$/m,
    );
  });

  it('maps a notestatechangeevent to the appointment change type', async () => {
    const file = join(folder(), 'note-state.json');
    await writeFile(
      file,
      JSON.stringify({
        model_name: 'notestatechangeevent',
        created: true,
        deleted: false,
        fields: { state: [null, 'CVD'] },
        canvas_id: 3,
        external_id: null,
        external_identifiers: null,
      }),
    );
    const out = dryRun(REMINDER, DIABETIC, '--change', file, ...NOW, '--json');

    expect(out.code).toBe(0);
    expect(json(out.stdout)).toMatchObject({ status: 'computed', changeTypes: ['appointment'] });
  });

  it('needs --change-type for a model the mapping does not know, and refuses a bad one', async () => {
    const file = join(folder(), 'new-model.json');
    await writeFile(
      file,
      JSON.stringify({
        model_name: 'newmodel',
        created: true,
        deleted: false,
        fields: {},
        canvas_id: 'appt-0001',
        external_id: null,
      }),
    );

    const without = dryRun(REMINDER, DIABETIC, '--change', file, ...NOW);
    expect(without.code).toBe(4);
    expect(without.stderr).toContain(
      'model_name: no change type is known for model "newmodel"; give --change-type <type>',
    );

    const typed = dryRun(
      REMINDER,
      DIABETIC,
      '--change',
      file,
      '--change-type',
      'appointment',
      ...NOW,
      '--json',
    );
    expect(typed.code).toBe(0);
    expect(json(typed.stdout)).toMatchObject({ status: 'computed', changeTypes: ['appointment'] });

    const other = dryRun(
      REMINDER,
      DIABETIC,
      '--change',
      file,
      '--change-type',
      'condition',
      ...NOW,
      '--json',
    );
    expect(json(other.stdout)).toMatchObject({
      status: 'not_relevant',
      changeTypes: ['condition'],
    });

    const bad = dryRun(
      REMINDER,
      DIABETIC,
      '--change',
      file,
      '--change-type',
      'appointments',
      ...NOW,
    );
    expect(bad).toMatchObject({
      code: 2,
      stderr: 'error: --change-type: unknown change type "appointments"\n',
    });
    const alone = dryRun(REMINDER, DIABETIC, '--change-type', 'appointment', ...NOW);
    expect(alone).toMatchObject({ code: 2, stderr: 'error: --change-type goes with --change\n' });
  });

  it('shows the TaskUpdate that closes the reminder for the cancellation fixture', () => {
    const out = dryRun(
      REMINDER,
      'fixtures/patients/resolved-diabetes-cancelled-appointment',
      '--change',
      'fixtures/changes/appointment-1201-cancelled.json',
      ...NOW,
    );

    expect(out.code).toBe(0);
    expect(out.stderr).toBe('');
    expect(out.stdout).toMatch(/^narratives: +Reminder task closed for appointment 1201\.$/m);
    expect(out.stdout).toMatch(/^updates \(1\):\nTaskUpdate:\n\{"integration_type":"TaskUpdate",/m);
    const json = dryRun(
      REMINDER,
      'fixtures/patients/resolved-diabetes-cancelled-appointment',
      '--change',
      'fixtures/changes/appointment-1201-cancelled.json',
      ...NOW,
      '--json',
    );
    expect(JSON.parse(json.stdout).updates).toEqual([
      {
        integration_type: 'TaskUpdate',
        integration_source: 'SDK',
        handling_options: { respond_async: true },
        patient_identifier: { identifier_type: 'key', identifier: { key: 'fixture-patient-0002' } },
        integration_payload: {
          task: { dedupe_key: 'appointment-reminder:1201' },
          status: 'CLOSED',
        },
      },
    ]);
  });

  it('prints the result and the exact update JSON as text by default', () => {
    const out = dryRun(GROUPING, DIABETIC, ...NOW);

    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^protocol: +diabetes-care-group 1\.0\.0$/m);
    expect(out.stdout).toMatch(/^change: +none \(scheduled recomputation\)$/m);
    expect(out.stdout).toMatch(/^status: +satisfied$/m);
    expect(out.stdout).toMatch(/^days of notice: +30$/m);
    expect(out.stdout).toContain(
      '"externally_exposable_id":"5f0c4a52-3c1e-4b8e-9d3a-2f6b1e0d9a11"',
    );
    expect(out.stdout).toContain('updates (1):');
  });

  it('prints each update as the compact queue body, one line, under its type, as --json has it', () => {
    const args = [REMINDER, DIABETIC, '--change', 'appointment:created:appt-0001', ...NOW];

    const text = dryRun(...args);
    const asJson = dryRun(...args, '--json');

    expect(text.code).toBe(0);
    const [update] = json(asJson.stdout).updates;
    // Parsed JSON keeps key order, so this is the body the compute Lambda enqueues.
    const body = JSON.stringify(update);
    expect(body).toMatch(/^\{"integration_type":"Task","integration_source":"SDK",/);
    expect(text.stdout.endsWith(`\nupdates (1):\nTask:\n${body}\n`)).toBe(true);
  });

  it('reports a protocol not relevant to the change, exit 0', () => {
    const out = dryRun(
      GROUPING,
      DIABETIC,
      '--change',
      'appointment:created:appt-0001',
      ...NOW,
      '--json',
    );

    expect(out.code).toBe(0);
    expect(json(out.stdout)).toMatchObject({ status: 'not_relevant', updates: [] });
  });

  it('picks one of several exported protocols with --protocol, and requires it otherwise', () => {
    const several = 'test/cli/protocols/several.ts';

    const picked = dryRun(several, DIABETIC, '--protocol', 'DiabetesCareGroup', ...NOW, '--json');
    const unpicked = dryRun(several, DIABETIC, ...NOW);

    expect(picked.code).toBe(0);
    expect(json(picked.stdout).protocol).toBe('diabetes-care-group');
    expect(unpicked.code).toBe(5);
    expect(unpicked.stderr).toMatch(/exports several protocols .*--protocol <name>/);
  });

  it('exits 6 when the protocol throws, showing the thrown message and where in the protocol', () => {
    const out = dryRun('test/cli/protocols/throws.ts', DIABETIC, ...NOW);

    expect(out.code).toBe(6);
    // The run's error stays the class name only (what the compute Lambda logs) ...
    expect(out.stdout).toMatch(/^error: +\[protocol-error\] RangeError$/m);
    // ... the author's terminal also gets the message (fixture data) and the protocol's frames.
    expect(out.stderr).toMatch(
      /^error: protocol Throws failed \[protocol-error\]: RangeError\n {2}RangeError: bad value for Fixture-One\n {4}at Throws\.computeResults \(test\/cli\/protocols\/throws\.ts:\d+:\d+\)\n$/,
    );
  });

  it('puts the thrown detail in --json too, beside the logged error', () => {
    const out = dryRun('test/cli/protocols/throws.ts', DIABETIC, ...NOW, '--json');

    expect(out.code).toBe(6);
    const { error } = json(out.stdout);
    expect(error).toMatchObject({
      code: 'protocol-error',
      message: 'RangeError',
      thrown: { name: 'RangeError', message: 'bad value for Fixture-One' },
    });
    expect(error.thrown.at).toEqual([
      expect.stringMatching(
        /^Throws\.computeResults \(test\/cli\/protocols\/throws\.ts:\d+:\d+\)$/,
      ),
    ]);
  });

  it('exits 7 when a helper refuses a misspelt argument, naming it and the calling line', () => {
    const out = dryRun('test/cli/protocols/misspelt-argument.ts', DIABETIC, ...NOW);

    expect(out.code).toBe(7);
    // What the compute Lambda would log counts it (a spread data object could key it) ...
    expect(/^error: +\[invalid-update\] (.*)$/m.exec(out.stdout)?.[1]).toMatch(
      /^Invalid task update: \(arguments\): 1 unknown argument \(names withheld, the dry run names them; expected patientKey, /,
    );
    expect(out.stdout).not.toContain('dueDate');
    // ... the author's terminal names it.
    expect(out.stderr).toContain(
      '[invalid-update]: Invalid task update: dueDate: is not an argument',
    );
    expect(out.stderr).toMatch(
      /at MisspeltArgument\.computeResults \(test\/cli\/protocols\/misspelt-argument\.ts:\d+:\d+\)/,
    );
  });

  it('exits 7 for an invalid update, naming the field', () => {
    const out = dryRun('test/cli/protocols/invalid-update.ts', DIABETIC, ...NOW);

    expect(out.code).toBe(7);
    expect(out.stderr).toContain('[invalid-update]: updates[0].integration_source: must be "SDK"');
  });

  it('names an unknown update key for the author, while the logged error only counts it', () => {
    const text = dryRun('test/cli/protocols/unknown-update-key.ts', DIABETIC, ...NOW);
    const asJson = dryRun('test/cli/protocols/unknown-update-key.ts', DIABETIC, ...NOW, '--json');

    expect(text.code).toBe(7);
    // The key is the fixture patient's last name: what the compute Lambda logs withholds it ...
    const logged = 'updates[0]: 1 unknown field (names withheld, the dry run names them)';
    expect(/^error: +\[invalid-update\] (.*)$/m.exec(text.stdout)?.[1]).toBe(logged);
    expect(text.stdout).not.toContain('Fixture-One');
    // ... the author's terminal names it.
    expect(text.stderr).toBe(
      'error: protocol UnknownUpdateKey failed [invalid-update]: updates[0]: Unrecognized key: "Fixture-One"\n',
    );
    expect(asJson.code).toBe(7);
    expect(json(asJson.stdout).error).toEqual({
      code: 'invalid-update',
      message: logged,
      authorMessage: 'updates[0]: Unrecognized key: "Fixture-One"',
    });
  });

  it('exits 4 for a bad fixture, naming the file and field and never the value', async () => {
    const bad = join(folder(), 'bad-fixture');
    await mkdir(bad);
    await writeFile(
      join(bad, 'patient.json'),
      JSON.stringify({
        key: 'k1',
        firstName: 'Secretname',
        lastName: 'L',
        birthDate: '1970-02-30',
        sex: 'F',
      }),
    );

    const out = dryRun(GROUPING, bad, ...NOW);

    expect(out.code).toBe(4);
    expect(out.stderr).toBe(
      `error: ${join(bad, 'patient.json')}: birthDate: must be a real date formatted YYYY-MM-DD\n`,
    );
    expect(out.stdout).toBe('');
  });

  it('exits 4 for a fixture with one collection in two files, naming both', async () => {
    const twice = join(folder(), 'two-care-teams');
    await mkdir(twice);
    await writeFile(
      join(twice, 'patient.json'),
      JSON.stringify({
        key: 'k1',
        firstName: 'F',
        lastName: 'L',
        birthDate: '1970-01-01',
        sex: 'F',
      }),
    );
    await writeFile(join(twice, 'care_team.json'), '[]');
    await writeFile(join(twice, 'careTeam.json'), '[]');

    const out = dryRun(GROUPING, twice, ...NOW);

    expect(out.code).toBe(4);
    expect(out.stderr).toBe(
      `error: ${join(twice, 'care_team.json')}: same collection (careTeam) as careTeam.json: keep one of the two files\n`,
    );
  });

  it('exits 4 for fixture JSON that does not parse', async () => {
    const bad = join(folder(), 'bad-json');
    await mkdir(bad);
    await writeFile(join(bad, 'patient.json'), '{"key": ');

    const out = dryRun(GROUPING, bad, ...NOW);

    expect(out.code).toBe(4);
    expect(out.stderr).toBe(`error: ${join(bad, 'patient.json')}: is not valid JSON\n`);
  });

  it.each([
    [
      'the protocol file',
      ['protocols/missing.ts', DIABETIC],
      /protocols\/missing\.ts: no such file/,
    ],
    ['the fixture folder', [GROUPING, 'fixtures/patients/missing'], /missing: no such folder/],
    [
      'the change file',
      [GROUPING, DIABETIC, '--change', 'changes/missing.json'],
      /missing\.json: no such file/,
    ],
  ])('exits 3 when %s is missing', (_, args, message) => {
    const out = dryRun(...args, ...NOW);

    expect(out.code).toBe(3);
    expect(out.stderr).toMatch(message);
    expect(out.stderr).not.toMatch(/\n\s+at /);
  });

  it.each([
    ['a bad --now', [GROUPING, DIABETIC, '--now', 'tomorrow'], /--now: must be an ISO datetime/],
    [
      'a bad shorthand',
      [GROUPING, DIABETIC, '--change', 'labs:created:1', ...NOW],
      /unknown change type "labs"/,
    ],
    ['a missing argument', [GROUPING], /missing required argument 'fixture-dir'/],
    ['an unknown option', [GROUPING, DIABETIC, '--verbose'], /unknown option '--verbose'/],
  ])('exits 2 for %s', (_, args, message) => {
    const out = dryRun(...args);

    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(message);
  });

  it('exits 5 when the protocol file fails to load or exports no protocol', () => {
    const throwing = dryRun('test/cli/protocols/fails-to-load.ts', DIABETIC, ...NOW);
    const registry = dryRun('protocols/index.ts', DIABETIC, ...NOW);

    expect(throwing.code).toBe(5);
    expect(throwing.stderr).toMatch(
      /fails-to-load\.ts: cannot be loaded \(Error: this module cannot be loaded\)/,
    );
    expect(registry.code).toBe(5);
    expect(registry.stderr).toMatch(/exports no protocol class/);
  });

  it('documents the exit codes in --help', () => {
    const out = dryRun('--help');

    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/Exit codes:/);
    expect(out.stdout).toMatch(/7 +the protocol set an invalid update/);
  });
});
