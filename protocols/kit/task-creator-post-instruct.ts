import {
  createTaskPayload,
  KitDateTime,
  Protocol,
  type ProtocolMeta,
  ProtocolResult,
} from '../../lib';
import { CANVAS_BOT_KEY } from './no-show-handler';

/**
 * The kit's `example_protocols/task_creator_post_instruct.py` (`CreateTaskPostInstruct`): when
 * an instruction is created whose first coding is "Fasting Labs", a task to follow up on the
 * hemoglobin A1c order, due seven days after the instruction was created (its offset kept, as
 * `arrow.get(created).shift(days=7).isoformat()`), assigned to the patient's lead care team
 * member (none: no assignee), created by the Canvas bot, created now (the injected `now`).
 *
 * Where the kit would raise (the changed instruction is not in the patient's data, so
 * `.first()` is `None`), this sends nothing.
 *
 * Setting: `CANVAS_BOT_KEY`, the staff key tasks are created by (kit default
 * `5eede137ecfe4124b8b773040e33be14`).
 */
export const FASTING_LABS = 'Fasting Labs';

export class CreateTaskPostInstruct extends Protocol {
  static readonly meta: ProtocolMeta = {
    key: 'kit-create-task-post-instruct',
    title: 'Instruction Task Creator',
    version: 'v1.0.0',
    description: 'Generates a task after a specific instruct command in completed',
    types: [],
    computeOnChangeTypes: ['instruction'],
    notificationOnly: true,
  };

  /** The staff key of the patient's first lead care team member; '' when there is none. */
  patientCareTeamLead(): string {
    for (const member of this.patient.patient.careTeamMemberships ?? []) {
      if (member.lead) return member.staff?.key ?? '';
    }
    return '';
  }

  computeResults(): ProtocolResult {
    const result = new ProtocolResult();
    const change = this.fieldChanges;
    if (change?.model_name !== 'instruction') return result;

    const instruction = this.patient.instructions.filter({ id: change.canvas_id }).first();
    if (instruction === undefined) return result;

    const coding = instruction.coding ?? [];
    if (coding.length === 0 || coding[0]?.display !== FASTING_LABS) return result;

    // The kit's arrow.get(instruct.get('created')) raises without a date: so does this, naming
    // the field (a malformed record fails the run; it is never guessed).
    if (!instruction.created) throw new TypeError('instruction.created: missing');
    const instructed = KitDateTime.get(instruction.created);
    this.setUpdates([
      createTaskPayload({
        patientKey: this.patient.patient.key,
        createdByKey: this.settings.string('CANVAS_BOT_KEY', CANVAS_BOT_KEY),
        status: 'OPEN',
        title: `Follow up on Hemoglobin A1c order from ${instructed.format('MM/DD/YYYY')}`,
        assigneeIdentifier: this.patientCareTeamLead(),
        due: instructed.shift({ days: 7 }).isoformat(),
        created: this.arrowNow.isoformat(),
        labels: [],
      }),
    ]);
    return result;
  }
}
