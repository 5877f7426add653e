/** Width of the zero-padded epoch milliseconds: string order then equals numeric order. */
const EPOCH_DIGITS = 16;

/**
 * An update's version as one string, `<computed-at ms, 16 digits>#<update id>`: comparing two as
 * strings compares `computed-at` first and breaks ties on the update id, the same total order as
 * memberships use (docs/queue-contract.md). Stored per task field and as comment ids.
 */
export function changeVersion(computedAt: number, updateId: string): string {
  return `${String(computedAt).padStart(EPOCH_DIGITS, '0')}#${updateId}`;
}
