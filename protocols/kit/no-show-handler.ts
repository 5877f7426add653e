import {
  createTaskPayload,
  type ProtocolMeta,
  type ProtocolResult,
  STATUS_DUE,
  STATUS_NOT_APPLICABLE,
  STATUS_SATISFIED,
} from '../../lib';
import { MeasureProtocol } from './measure-protocol';

/**
 * The kit's `collective/NoShowHandler.py` (`NoShowHandler`).
 *
 * - A patient none of whose appointments has ever been a no-show (`NSW` in its `stateHistory`)
 *   is `not_applicable`.
 * - A patient with a prior no-show is `due`, with the kit's banner alert (chart and appointment
 *   card) and narrative, on every computation.
 * - When the triggering change moves a state to `NSW` from anything else (the kit reads
 *   `field_changes['fields']['state']`, an appointment note's `notestatechangeevent`), it also
 *   sends a task for the scheduling team to reschedule, due now and created now (the injected
 *   `now`, as `arrow.now().isoformat()`).
 *
 * Where the kit would raise (a scheduled run with no change, or a change without a `state`
 * field: `'fields' in None`, `KeyError`), this sends no task and still shows the banner.
 *
 * Settings (the kit hard-codes both; its values are the defaults):
 * - `NO_SHOW_TEAM_IDENTIFIER`: the scheduling team (kit: `cd002206-7a26-40e0-9363-3f5e93befa83`);
 * - `CANVAS_BOT_KEY`: the staff key tasks are created by (kit: `5eede137ecfe4124b8b773040e33be14`).
 */
export const NO_SHOW_TEAM_IDENTIFIER = 'cd002206-7a26-40e0-9363-3f5e93befa83';
export const CANVAS_BOT_KEY = '5eede137ecfe4124b8b773040e33be14';

const NO_SHOW = 'NSW';

export class NoShowHandler extends MeasureProtocol {
  static readonly meta: ProtocolMeta = {
    key: 'kit-no-show-handler',
    title: 'No Show Handler',
    description:
      'This protocol outlines the steps to be taken when a patient does not show up for an appointment. It includes creating a task for the scheduling team to reschedule the appointment and adding a banner alert to appointment cards to warn of prior no-shows.',
    version: '1.0.0',
    information: 'https://canvasmedical.com/gallery',
    identifiers: [],
    types: [],
    computeOnChangeTypes: ['appointment'],
    references: [],
  };

  /** Some appointment of the patient's has been a no-show. */
  inDenominator(): boolean {
    return this.patient.appointments.some((appointment) =>
      (appointment.stateHistory ?? []).some((change) => change.state === NO_SHOW),
    );
  }

  inNumerator(): boolean {
    return false;
  }

  /** The change moves a state to no-show: `fields.state` is `[old, 'NSW']` with old not `NSW`. */
  becameNoShow(): boolean {
    const states = this.fieldChanges?.fields?.state;
    return Array.isArray(states) && states[0] !== NO_SHOW && states[1] === NO_SHOW;
  }

  numeratorTasks(result: ProtocolResult): void {
    result.status = STATUS_SATISFIED;
  }

  remainderTasks(result: ProtocolResult): void {
    const firstName = this.patient.firstName;
    if (this.becameNoShow()) {
      const now = this.arrowNow.isoformat();
      this.setUpdates([
        createTaskPayload({
          patientKey: this.patient.patient.key,
          createdByKey: this.settings.string('CANVAS_BOT_KEY', CANVAS_BOT_KEY),
          status: 'OPEN',
          title: `Reschedule ${firstName}'s no-show appointment`,
          teamIdentifier: this.settings.string('NO_SHOW_TEAM_IDENTIFIER', NO_SHOW_TEAM_IDENTIFIER),
          due: now,
          created: now,
          labels: [],
        }),
      ]);
    }
    result.addBannerAlert({
      narrative: `${firstName} has a prior no-show.`,
      placement: ['chart', 'appointment_card'],
      intent: 'info',
    });
    result.addNarrative(
      'The patient has missed an appointment. A task has been created for the scheduling team to reschedule the appointment.',
    );
    result.status = STATUS_DUE;
  }

  excludedTasks(result: ProtocolResult): void {
    result.status = STATUS_NOT_APPLICABLE;
  }
}
