import type { ChangeEvent, ChangeType, FieldChanges, RecordId } from '../../schemas';

/** Reading a change event the way the kit's protocols do (`field_changes`). */

/** The change types one event stands for (none: a scheduled recomputation). */
export function changeTypesOf(change: ChangeEvent | null | undefined): readonly ChangeType[] {
  return change ? change.changeTypes : [];
}

/** The `[old, new]` pair of a field the change touched; undefined if untouched. */
function fieldPair(
  change: FieldChanges | null | undefined,
  field: string,
): readonly [unknown, unknown] | undefined {
  // Own keys only: `toString` or `constructor` is a field only when the platform sent one.
  if (!change || !Object.hasOwn(change.fields, field)) return undefined;
  return change.fields[field];
}

/** The field's value after the change (the kit's `get_new_field_value`); undefined if untouched. */
export function newFieldValue(change: FieldChanges | null | undefined, field: string): unknown {
  return fieldPair(change, field)?.[1];
}

/** The field's value before the change; undefined if untouched. */
export function oldFieldValue(change: FieldChanges | null | undefined, field: string): unknown {
  return fieldPair(change, field)?.[0];
}

/**
 * True when the change created a record of that type's own model (`model_name` is the type, or
 * its Django form without underscores): a `notestatechangeevent` stands for an `appointment`
 * change but creates no appointment.
 */
export function isCreation(change: FieldChanges | null | undefined, type: ChangeType): boolean {
  if (!change?.created || change.deleted) return false;
  return change.model_name === type || change.model_name === type.replaceAll('_', '');
}

/** True when the record id matches the change's `canvas_id` or `external_id`. */
export function changeConcerns(change: FieldChanges | null | undefined, id: RecordId): boolean {
  if (!change) return false;
  const wanted = String(id);
  return [change.canvas_id, change.external_id].some(
    (candidate) => candidate !== null && String(candidate) === wanted,
  );
}
