import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dryRun, useTempFolder } from '../support/dry-run';

/** One dry run per kit port, over its fixture and the change it reacts to. */

const ROOT = join(__dirname, '../..');
const KIT_FIXTURES = join(ROOT, '..', 'shared', 'kit-fixtures');

function json(stdout: string) {
  return JSON.parse(stdout);
}

describe('dry run of the kit ports', () => {
  const folder = useTempFolder('kit-ports-dry-run-');

  it('PatientGrouping: the opt-out consent takes the patient out, with the group from --settings', async () => {
    const settings = join(folder(), 'settings.json');
    await writeFile(
      settings,
      JSON.stringify({ PATIENT_GROUPING_GROUP_ID: '5b1c2d3e-0000-4000-8000-00000000abcd' }),
    );

    const out = dryRun(
      'protocols/kit/patient-grouping.ts',
      'fixtures/patients/consent-opted-out',
      // The shorthand: the kit-form change file (fixtures/changes/consent-opt-out-rejected.json)
      // carries `external_identifiers`, which the change schema takes with the change-event work.
      '--change',
      'consent:updated:12',
      '--settings',
      settings,
      '--now',
      '2024-06-03T14:05:09Z',
      '--json',
    );

    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const run = json(out.stdout);
    expect(run).toMatchObject({ protocol: 'kit-patient-grouping', status: 'computed' });
    expect(run.updates.map((u: unknown) => JSON.stringify(u))).toEqual([
      '{"integration_type":"Group","integration_source":"SDK","handling_options":{"respond_async":true},"integration_payload":{"externally_exposable_id":"5b1c2d3e-0000-4000-8000-00000000abcd","group_type":"patientgroup","members":{"mode":"appendOrRemove","entries":[{"uuid":"kit-port-patient-0001","inactive":true}]}}}',
    ]);
  });

  it('PatientGroupingByCareTeamMember: the kit dump with an empty care team is kept out', () => {
    const out = dryRun(
      'protocols/kit/patient-grouping-by-care-team.ts',
      join(KIT_FIXTURES, 'full_detailed_patient'),
      '--now',
      '2024-06-03T14:05:09Z',
    );

    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^status: +not_applicable$/m);
    expect(out.stdout).toContain(
      '\nupdates (1):\nGroup:\n{"integration_type":"Group","integration_source":"SDK","handling_options":{"respond_async":true},"integration_payload":{"externally_exposable_id":"173e8abd-7de1-4324-b5c3-4a02089213a1","group_type":"patientgroup","members":{"mode":"appendOrRemove","entries":[{"uuid":"da3dffbe18cc441f9f92da4da8e1c231","inactive":true}]}}}\n',
    );
  });

  it('NoShowHandler: a patient with a prior no-show is due, with the banner alert', () => {
    const out = dryRun(
      'protocols/kit/no-show-handler.ts',
      'fixtures/patients/no-show-history',
      '--now',
      '2024-06-03T14:05:09.250Z',
      '--json',
    );

    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const run = json(out.stdout);
    expect(run.result).toMatchObject({ status: 'due' });
    expect(run.result.recommendations).toEqual([
      {
        narrative: 'Elm has a prior no-show.',
        placement: ['chart', 'appointment_card'],
        intent: 'info',
      },
    ]);
    // A scheduled run is no state change: no reschedule task.
    expect(run.updates).toEqual([]);
  });

  it('CreateTaskPostInstruct: a Fasting Labs instruction sends the follow-up task, due in 7 days', () => {
    const out = dryRun(
      'protocols/kit/task-creator-post-instruct.ts',
      'fixtures/patients/fasting-labs-instruction',
      // The shorthand's canvas_id is text ('31'); the instruction is found by it all the same.
      '--change',
      'instruction:created:31',
      '--now',
      '2024-06-03T14:05:09Z',
      '--json',
    );

    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(json(out.stdout).updates[0].integration_payload).toMatchObject({
      title: 'Follow up on Hemoglobin A1c order from 02/23/2022',
      due: '2022-03-02T18:13:40.635715+00:00',
      created: '2024-06-03T14:05:09+00:00',
    });
  });

  it('DiabetesScreening: the kit dump is due, with the lab recommendation in the text output', () => {
    const out = dryRun(
      'protocols/kit/screening-for-diabetes.ts',
      join(KIT_FIXTURES, 'no_details_patient'),
      '--now',
      '2024-06-01T12:00:00Z',
    );

    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^status: +due$/m);
    expect(out.stdout).toContain('Alex should be screened for diabetes.');
    expect(out.stdout).toContain('Order Hemoglobin A1c');
    expect(out.stdout).toContain('updates (0)');
  });
});
