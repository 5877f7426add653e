import { CHANGE_TYPES, type ChangeType } from '../../schemas';

/**
 * Which change types a Canvas model's change stands for, when the producer names only the model
 * (`field_changes.model_name`) and not the change types. The one table of this mapping; it is
 * documented in docs/queue-contract.md ("Change types from model names").
 *
 * Canvas writes `model_name` as Django does: the model class's name in lower case, without
 * underscores (`billinglineitem`, `notestatechangeevent`, `patientaddress`). Sources: Canvas's
 * "Field Changes" page (`appointment` and `notestatechangeevent` both reach a
 * `CHANGE_TYPE.APPOINTMENT` protocol; deletions of a patient's care team member, address, phone
 * number, email, consent or contact), the kit's own protocols (`billinglineitem` under
 * `BILLING_LINE_ITEM`, `messagetransmission` under `MESSAGE`, `notestatechangeevent` with a
 * `state` change under `APPOINTMENT`), and canvas-plugins' data models and event types
 * (`PatientAddress`, `PatientContactPoint`, `PatientContactPerson`, `PatientExternalIdentifier`,
 * `CareTeamMembership`, `PatientConsent`, `ImmunizationStatement`, and the task comment model).
 *
 * A model not listed has no change type here: its event needs `change_types` (or, in the dry run,
 * `--change-type`), else it is dead-lettered as `unknown-change-type`.
 */
const EXTRA_MODELS: readonly (readonly [model: string, types: readonly ChangeType[]])[] = [
  // The appointment's note changing state (booked, checked in, no-show, cancelled...).
  ['notestatechangeevent', ['appointment']],
  // The patient's sub-records: the patient change type.
  ['patientaddress', ['patient']],
  ['patientcontactpoint', ['patient']], // telecom: phone numbers and emails
  ['patientcontactperson', ['patient']], // contacts
  ['patientexternalidentifier', ['patient']],
  ['careteammembership', ['patient']],
  ['patientconsent', ['consent']],
  ['immunizationstatement', ['immunization']],
  ['messagetransmission', ['message']],
  ['taskcomment', ['task']],
];

function buildTable(): ReadonlyMap<string, readonly ChangeType[]> {
  // A Map, not an object: `constructor` or `__proto__` as a model name finds nothing.
  const table = new Map<string, readonly ChangeType[]>();
  for (const type of CHANGE_TYPES) {
    // The change type's own name, and the Django form of its model (`billing_line_item` ->
    // `billinglineitem`).
    table.set(type, [type]);
    table.set(type.replaceAll('_', ''), [type]);
  }
  for (const [model, types] of EXTRA_MODELS) table.set(model, types);
  return table;
}

/** Model name to change types: every entry of the mapping, for docs and tests. */
export const MODEL_CHANGE_TYPES: ReadonlyMap<string, readonly ChangeType[]> = buildTable();

/** The change types a change of that model stands for; undefined when the mapping has none. */
export function changeTypesForModel(modelName: string): readonly ChangeType[] | undefined {
  return MODEL_CHANGE_TYPES.get(modelName);
}
