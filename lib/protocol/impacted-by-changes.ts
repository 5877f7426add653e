import type { ChangeType } from '../../schemas';

/**
 * The kit's `impacted_by_changes`: a protocol is computed when no change types are given (a
 * scheduled recomputation), when it declares none, or when one given type is among its declared
 * ones. Otherwise it is not relevant for this computation.
 */
export function impactedByChanges(
  computeOnChangeTypes: readonly ChangeType[],
  changeTypes: readonly ChangeType[],
): boolean {
  if (changeTypes.length === 0 || computeOnChangeTypes.length === 0) return true;
  return computeOnChangeTypes.some((type) => changeTypes.includes(type));
}
