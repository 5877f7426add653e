import type { ChangeEvent, ChangeType, RecordId } from '../../schemas';

/** Reading a change event the way the kit's protocols do (`field_changes`). */

/** The change types one event stands for: its model's. */
export function changeTypesOf(change: ChangeEvent | null | undefined): ChangeType[] {
  return change ? [change.model_name] : [];
}

/** The field's value after the change (the kit's `get_new_field_value`); undefined if untouched. */
export function newFieldValue(change: ChangeEvent | null | undefined, field: string): unknown {
  return change?.fields[field]?.[1];
}

/** The field's value before the change; undefined if untouched. */
export function oldFieldValue(change: ChangeEvent | null | undefined, field: string): unknown {
  return change?.fields[field]?.[0];
}

/** True when the change created a record of that type. */
export function isCreation(change: ChangeEvent | null | undefined, type: ChangeType): boolean {
  return change?.model_name === type && change.created && !change.deleted;
}

/** True when the record id matches the change's `canvas_id` or `external_id`. */
export function changeConcerns(change: ChangeEvent | null | undefined, id: RecordId): boolean {
  if (!change) return false;
  const wanted = String(id);
  return [change.canvas_id, change.external_id].some(
    (candidate) => candidate !== null && String(candidate) === wanted,
  );
}
