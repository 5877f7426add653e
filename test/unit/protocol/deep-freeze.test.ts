import fc from 'fast-check';
import { deepFreeze } from '../../../lib/protocol/compute-protocols';

/** Every object and list reachable from `value`, through own keys. */
function reachable(value: unknown, found: object[] = []): object[] {
  if (typeof value !== 'object' || value === null) return found;
  found.push(value);
  for (const child of Object.values(value)) reachable(child, found);
  return found;
}

describe('deepFreeze (the runner freezes the patient once)', () => {
  it('freezes every object and list of a JSON value, however nested', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (json) => {
        const value = structuredClone(json);
        deepFreeze(value);
        for (const item of reachable(value)) expect(Object.isFrozen(item)).toBe(true);
      }),
      { numRuns: 500, seed: 13 },
    );
  });

  it('freezes a value too deep for recursion', () => {
    let deep: Record<string, unknown> = { leaf: [{ x: 1 }] };
    for (let i = 0; i < 20_000; i += 1) deep = { next: deep, list: [{ i }] };
    deepFreeze(deep);
    let unfrozen = 0;
    let at: Record<string, unknown> | undefined = deep;
    while (at) {
      const list = (at.list ?? at.leaf) as object[];
      if (!Object.isFrozen(at) || !Object.isFrozen(list) || !Object.isFrozen(list[0] as object))
        unfrozen += 1;
      at = at.next as Record<string, unknown> | undefined;
    }
    expect(unfrozen).toBe(0);
  });
});
