import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dryRunIn, useTempFolder } from '../support/dry-run';

const ROOT = join(__dirname, '../..');
const RECOMMENDS = 'test/cli/protocols/recommends.ts';
const KIT_PATIENT = join(ROOT, '..', 'shared', 'kit-fixtures', 'full_detailed_patient');
const NOW = ['--now', '2024-02-01T12:00:00Z'];

function dryRun(args: string[], env: Record<string, string> = {}) {
  const { PROTOCOL_SETTINGS: _unset, ...rest } = process.env;
  return dryRunIn({ ...rest, ...env }, args);
}

describe('dry-run: settings and recommendations', () => {
  const folder = useTempFolder('dry-run-settings-');
  let settingsFile: string;

  beforeAll(async () => {
    settingsFile = join(folder(), 'settings.json');
    await writeFile(settingsFile, '{"TEAM_IDENTIFIER":"team-from-file","OTHER":1}');
  });

  it('over a kit dump, with --settings: says where settings came from and prints recommendations', () => {
    const out = dryRun([RECOMMENDS, KIT_PATIENT, ...NOW, '--settings', settingsFile]);

    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^patient: +da3dffbe18cc441f9f92da4da8e1c231$/m);
    expect(out.stdout).toContain(`settings:        ${settingsFile} (TEAM_IDENTIFIER, OTHER)`);
    expect(out.stdout).toMatch(/^status: +due$/m);
    expect(out.stdout).toMatch(/^narratives: +team team-from-file$/m);
    expect(out.stdout).toContain(
      'recommendations: [1] RECOMMEND_A1C: Order Hemoglobin A1c (Order) {"command":{"type":"labOrder"}}',
    );
    expect(out.stdout).toContain(
      '  (banner) {"narrative":"Prior no-show.","placement":["chart"],"intent":"info"}',
    );
    expect(out.stdout).not.toContain('team-from-file,'); // values are never listed
  });

  it('--json carries the settings source and keys, and the recommendations', () => {
    const out = dryRun([RECOMMENDS, KIT_PATIENT, ...NOW, '--json'], {
      PROTOCOL_SETTINGS: '{"TEAM_IDENTIFIER":"team-from-env"}',
    });

    expect(out.code).toBe(0);
    const run = JSON.parse(out.stdout);
    expect(run.settings).toEqual({ source: 'PROTOCOL_SETTINGS', keys: ['TEAM_IDENTIFIER'] });
    expect(run.result.narratives).toEqual(['team team-from-env']);
    expect(run.result.recommendations).toEqual([
      {
        key: 'RECOMMEND_A1C',
        rank: 1,
        button: 'Order',
        title: 'Order Hemoglobin A1c',
        command: { type: 'labOrder' },
      },
      { narrative: 'Prior no-show.', placement: ['chart'], intent: 'info' },
    ]);
  });

  it('without settings, a required one fails the run (exit 6) naming the key', () => {
    const out = dryRun([RECOMMENDS, KIT_PATIENT, ...NOW]);

    expect(out.code).toBe(6);
    expect(out.stdout).toMatch(/^settings: +none \(no --settings, PROTOCOL_SETTINGS unset\)$/m);
    expect(out.stderr).toContain(
      'error: protocol recommends failed [invalid-settings]: settings.TEAM_IDENTIFIER: not set',
    );
  });

  it('refuses a missing settings file (exit 3) and a malformed one (exit 4), never quoting values', async () => {
    expect(dryRun([RECOMMENDS, KIT_PATIENT, '--settings', join(folder(), 'nope.json')]).code).toBe(
      3,
    );
    const bad = join(folder(), 'bad.json');
    await writeFile(bad, '{"TEAM_IDENTIFIER":{"name":"Synthetic Secret"}}');
    const out = dryRun([RECOMMENDS, KIT_PATIENT, '--settings', bad]);
    expect(out.code).toBe(4);
    expect(out.stderr).toMatch(/^error: .*bad\.json: TEAM_IDENTIFIER: must be a string/m);
    expect(out.stderr).not.toContain('Synthetic Secret');
  });
});
