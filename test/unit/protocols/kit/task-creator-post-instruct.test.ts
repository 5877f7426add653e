import { CreateTaskPostInstruct } from '../../../../protocols/kit/task-creator-post-instruct';
import {
  bodies,
  fieldChanges,
  KIT_PATIENTS,
  kitPatient,
  ownChange,
  ownPatient,
  runPort,
  withPatientRecord,
} from './kit-ports-support';

const NOW = '2024-06-03T14:05:09Z';

function followUpTask(options: { title: string; due: string; assignee?: string }): string {
  const assignee = options.assignee
    ? `,"assignee":{"identifier_type":"key","identifier":{"key":"${options.assignee}"}}`
    : '';
  return `{"integration_type":"Task","integration_source":"SDK","handling_options":{"respond_async":true},"patient_identifier":{"identifier_type":"key","identifier":{"key":"kit-port-patient-0007"}},"integration_payload":{"creator":{"identifier_type":"key","identifier":{"key":"5eede137ecfe4124b8b773040e33be14"}},"status":"OPEN","title":"${options.title}","created":"2024-06-03T14:05:09+00:00","due":"${options.due}"${assignee}}}`;
}

const LEAD = 'kitportstaff0004dddddddddddddddd';

function instructionCreated(patient: Parameters<typeof fieldChanges>[0], id: number | string) {
  return fieldChanges(patient, {
    model_name: 'instruction',
    created: true,
    deleted: false,
    fields: { id: [null, id] },
    canvas_id: id,
  });
}

describe('CreateTaskPostInstruct (kit example_protocols/task_creator_post_instruct.py)', () => {
  it('sends the follow-up task, due 7 days after the Fasting Labs instruction, to the lead', async () => {
    const patient = await ownPatient('fasting-labs-instruction');

    const run = runPort(CreateTaskPostInstruct, patient, {
      change: ownChange('instruction-fasting-labs-created', patient),
      now: NOW,
    });

    expect(run.status).toBe('computed');
    expect(run.result).toMatchObject({ status: 'not_applicable', narratives: [] });
    // arrow.get('2022-02-23T18:13:40.635715Z').shift(days=7).isoformat()
    expect(bodies(run)).toEqual([
      followUpTask({
        title: 'Follow up on Hemoglobin A1c order from 02/23/2022',
        due: '2022-03-02T18:13:40.635715+00:00',
        assignee: LEAD,
      }),
    ]);
  });

  it("keeps the instruction's own offset in the due date and its day in the title", async () => {
    const patient = await ownPatient('fasting-labs-instruction');

    const run = runPort(CreateTaskPostInstruct, patient, {
      change: instructionCreated(patient, 33),
      now: NOW,
    });

    expect(bodies(run)).toEqual([
      followUpTask({
        title: 'Follow up on Hemoglobin A1c order from 03/03/2022',
        due: '2022-03-10T09:00:00-08:00',
        assignee: LEAD,
      }),
    ]);
  });

  it('finds the instruction by an id sent as text too', async () => {
    const patient = await ownPatient('fasting-labs-instruction');

    const run = runPort(CreateTaskPostInstruct, patient, {
      change: instructionCreated(patient, '31'),
      now: NOW,
    });

    expect(run.updates).toHaveLength(1);
  });

  it('sends nothing for another instruction, one without coding, or one not in the data', async () => {
    const patient = await ownPatient('fasting-labs-instruction');
    const changes = [
      ownChange('instruction-low-salt-created', patient),
      instructionCreated(patient, 34),
      instructionCreated(patient, 99),
    ];

    for (const change of changes) {
      const run = runPort(CreateTaskPostInstruct, patient, { change, now: NOW });
      expect(run.status).toBe('computed');
      expect(run.updates).toEqual([]);
    }
  });

  it('leaves the assignee out when no care team member is the lead', async () => {
    const fixture = await ownPatient('fasting-labs-instruction');
    const patient = withPatientRecord(fixture, {
      careTeamMemberships: fixture.patient.careTeamMemberships?.map((member) => ({
        ...member,
        lead: false,
      })),
    });

    const run = runPort(CreateTaskPostInstruct, patient, {
      change: ownChange('instruction-fasting-labs-created', patient),
      now: NOW,
    });

    expect(bodies(run)).toEqual([
      followUpTask({
        title: 'Follow up on Hemoglobin A1c order from 02/23/2022',
        due: '2022-03-02T18:13:40.635715+00:00',
      }),
    ]);
  });

  it.each(KIT_PATIENTS)('sends nothing for the kit dump %s (no instructions)', async (name) => {
    const patient = await kitPatient(name);

    const run = runPort(CreateTaskPostInstruct, patient, {
      change: instructionCreated(patient, 31),
      now: NOW,
    });

    expect(run.status).toBe('computed');
    expect(run.updates).toEqual([]);
  });

  it('sends nothing on a scheduled run and is not relevant to other changes', async () => {
    const patient = await ownPatient('fasting-labs-instruction');

    const scheduled = runPort(CreateTaskPostInstruct, patient, { now: NOW });
    const consent = runPort(CreateTaskPostInstruct, patient, {
      change: ownChange('consent-opt-out-rejected', patient),
      now: NOW,
    });

    expect(scheduled.updates).toEqual([]);
    expect(consent.status).toBe('not_relevant');
  });

  it('fails, as the kit raises, on a Fasting Labs instruction without its created date', async () => {
    const fixture = await ownPatient('fasting-labs-instruction');
    const patient = structuredClone(fixture);
    const instruction = patient.instructions.find((i) => i.id === 31);
    if (!instruction) throw new Error('fixture has no instruction 31');
    instruction.created = null;

    const run = runPort(CreateTaskPostInstruct, patient, {
      change: ownChange('instruction-fasting-labs-created', patient),
      now: NOW,
    });

    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ code: 'protocol-error', message: 'TypeError' });
    expect(run.updates).toEqual([]);
  });

  it('reads the bot key from the settings', async () => {
    const patient = await ownPatient('fasting-labs-instruction');

    const run = runPort(CreateTaskPostInstruct, patient, {
      change: ownChange('instruction-fasting-labs-created', patient),
      now: NOW,
      settings: { CANVAS_BOT_KEY: 'kitportbot000000000000000000000a' },
    });

    expect(run.updates[0]?.integration_payload).toMatchObject({
      creator: { identifier_type: 'key', identifier: { key: 'kitportbot000000000000000000000a' } },
    });
  });
});
