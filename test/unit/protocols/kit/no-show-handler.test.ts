import { NoShowHandler } from '../../../../protocols/kit/no-show-handler';
import {
  bodies,
  computeDirectly,
  fieldChanges,
  KIT_PATIENTS,
  kitChange,
  kitPatient,
  ownChange,
  ownPatient,
  runPort,
} from './kit-ports-support';

/** `arrow.now().isoformat()` of this instant is `2024-06-03T14:05:09.250000+00:00`. */
const NOW = '2024-06-03T14:05:09.250Z';

const NARRATIVE =
  'The patient has missed an appointment. A task has been created for the scheduling team to reschedule the appointment.';

/** The kit's BannerAlertIntervention(narrative, placement=['chart', 'appointment_card'], intent='info'). */
const BANNER = {
  narrative: 'Elm has a prior no-show.',
  placement: ['chart', 'appointment_card'],
  intent: 'info',
};

/** The kit's create_task_payload body for the reschedule task, in its key order. */
function rescheduleTask(
  team = 'cd002206-7a26-40e0-9363-3f5e93befa83',
  bot = '5eede137ecfe4124b8b773040e33be14',
) {
  return `{"integration_type":"Task","integration_source":"SDK","handling_options":{"respond_async":true},"patient_identifier":{"identifier_type":"key","identifier":{"key":"kit-port-patient-0005"}},"integration_payload":{"creator":{"identifier_type":"key","identifier":{"key":"${bot}"}},"status":"OPEN","title":"Reschedule Elm's no-show appointment","team_identifier":"${team}","created":"2024-06-03T14:05:09.250000+00:00","due":"2024-06-03T14:05:09.250000+00:00"}}`;
}

describe('NoShowHandler (kit collective/NoShowHandler.py)', () => {
  it('sends the reschedule task when an appointment note becomes a no-show', async () => {
    const patient = await ownPatient('no-show-history');

    const out = computeDirectly(NoShowHandler, patient, {
      change: ownChange('notestatechange-no-show', patient),
      now: NOW,
    });

    expect(bodies(out)).toEqual([rescheduleTask()]);
    expect(out.result).toMatchObject({ status: 'due', dueIn: null, narratives: [NARRATIVE] });
    expect(out.result.recommendations).toEqual([BANNER]);
  });

  it.each([
    ['from nothing', [null, 'NSW'], 1],
    ['from no-show to no-show', ['NSW', 'NSW'], 0],
    ['to checked in', ['BKD', 'CVD'], 0],
    ['back from no-show', ['NSW', 'BKD'], 0],
  ])('a state change %s sends %s task(s)', async (_label, state, tasks) => {
    const patient = await ownPatient('no-show-history');

    const out = computeDirectly(NoShowHandler, patient, {
      change: fieldChanges(patient, {
        model_name: 'notestatechangeevent',
        created: true,
        deleted: false,
        fields: { state },
        canvas_id: 71,
      }),
      now: NOW,
    });

    expect(out.updates).toHaveLength(tasks);
    // The banner and the due status follow from the patient's history either way.
    expect(out.result.status).toBe('due');
    expect(out.result.recommendations).toEqual([BANNER]);
  });

  it('reads the state from any change, as the kit does: through the runner as an appointment change', async () => {
    const patient = await ownPatient('no-show-history');

    const run = runPort(NoShowHandler, patient, {
      change: fieldChanges(patient, {
        model_name: 'appointment',
        created: false,
        deleted: false,
        fields: { state: ['BKD', 'NSW'] },
        canvas_id: 51,
      }),
      now: NOW,
    });

    expect(run.status).toBe('computed');
    expect(bodies(run)).toEqual([rescheduleTask()]);
    expect(run.result).toMatchObject({ status: 'due', narratives: [NARRATIVE] });
    expect(run.result?.recommendations).toEqual([BANNER]);
  });

  it('keeps the banner without a task on a check-in and on a scheduled run', async () => {
    const patient = await ownPatient('no-show-history');

    const checkedIn = computeDirectly(NoShowHandler, patient, {
      change: ownChange('notestatechange-checked-in', patient),
      now: NOW,
    });
    const scheduled = runPort(NoShowHandler, patient, { now: NOW });

    for (const out of [checkedIn, scheduled]) {
      expect(out.updates).toEqual([]);
      expect(out.result).toMatchObject({ status: 'due', dueIn: null, narratives: [NARRATIVE] });
      expect(out.result?.recommendations).toEqual([BANNER]);
    }
    expect(scheduled.status).toBe('computed');
  });

  it('sends no task for the documented appointment creation (it has no state field)', async () => {
    const patient = await ownPatient('no-show-history');

    const run = runPort(NoShowHandler, patient, {
      change: kitChange('appointment-created', patient),
      now: NOW,
    });

    expect(run.status).toBe('computed');
    expect(run.updates).toEqual([]);
    expect(run.result?.status).toBe('due');
  });

  it('does nothing for a patient with no prior no-show, even on a no-show change', async () => {
    // The data does not show the no-show yet: the kit's denominator reads the appointments.
    const patient = await ownPatient('booked-appointments');

    const out = computeDirectly(NoShowHandler, patient, {
      change: ownChange('notestatechange-no-show', patient),
      now: NOW,
    });

    expect(out.updates).toEqual([]);
    expect(out.result).toMatchObject({ status: 'not_applicable', narratives: [] });
    expect(out.result.recommendations).toEqual([]);
  });

  it.each(KIT_PATIENTS)('is not applicable to the kit dump %s (no appointments)', async (name) => {
    const patient = await kitPatient(name);

    const run = runPort(NoShowHandler, patient, {
      change: kitChange('appointment-created', patient),
      now: NOW,
    });

    expect(run.status).toBe('computed');
    expect(run.updates).toEqual([]);
    expect(run.result).toMatchObject({ status: 'not_applicable', recommendations: [] });
  });

  it('reads the team and the bot key from the settings', async () => {
    const patient = await ownPatient('no-show-history');
    const settings = {
      NO_SHOW_TEAM_IDENTIFIER: 'a1b2c3d4-0000-4000-8000-000000000001',
      CANVAS_BOT_KEY: 'kitportbot000000000000000000000a',
    };

    const out = computeDirectly(NoShowHandler, patient, {
      change: ownChange('notestatechange-no-show', patient),
      now: NOW,
      settings,
    });

    expect(bodies(out)).toEqual([
      rescheduleTask('a1b2c3d4-0000-4000-8000-000000000001', 'kitportbot000000000000000000000a'),
    ]);
  });

  it('writes `created` and `due` without a fraction when the instant has none', async () => {
    const patient = await ownPatient('no-show-history');

    const out = computeDirectly(NoShowHandler, patient, {
      change: ownChange('notestatechange-no-show', patient),
      now: '2024-06-03T14:05:09Z',
    });

    expect(out.updates[0]?.integration_payload).toMatchObject({
      created: '2024-06-03T14:05:09+00:00',
      due: '2024-06-03T14:05:09+00:00',
    });
  });

  it('is not relevant to a change of another type', async () => {
    const patient = await ownPatient('no-show-history');

    const run = runPort(NoShowHandler, patient, {
      change: ownChange('consent-opt-out-rejected', patient),
      now: NOW,
    });

    expect(run.status).toBe('not_relevant');
  });
});
