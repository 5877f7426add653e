import fc from 'fast-check';
import {
  isCommonResultShape,
  ProtocolResult,
  ProtocolResultShapeSchema,
} from '../../../lib/protocol/protocol-result';

/**
 * The runner checks a result by hand in its common form (isCommonResultShape) and with the schema
 * otherwise: whatever the hand check accepts, the schema must accept.
 */

const hostile = fc.constantFrom<unknown>(
  undefined,
  null,
  0,
  -1,
  1.5,
  2 ** 53,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  '1',
  'due',
  'satisfied',
  'bogus',
  [],
  ['a'],
  [1],
  [{ key: 'k' }],
  {},
  new Date(0),
  new Date(Number.NaN),
  true,
);

describe('the runner’s hand check of a result’s shape', () => {
  it('accepts only what the schema accepts', () => {
    const field = fc.oneof(hostile, fc.anything());
    const mostly = (valid: fc.Arbitrary<unknown>) =>
      fc.oneof({ arbitrary: valid, weight: 6 }, { arbitrary: field, weight: 1 });
    const result = fc.record(
      {
        status: mostly(fc.constantFrom('due', 'satisfied', 'not_applicable')),
        narratives: mostly(fc.array(fc.string(), { maxLength: 2 })),
        recommendations: mostly(fc.constant([])),
        dueIn: mostly(fc.oneof(fc.constant(null), fc.integer())),
        daysOfNotice: mostly(fc.nat()),
        nextReview: mostly(fc.oneof(fc.constant(null), fc.date())),
      },
      { requiredKeys: [] },
    );
    let accepted = 0;
    fc.assert(
      fc.property(result, (value) => {
        if (!isCommonResultShape(value)) return;
        accepted += 1;
        expect(ProtocolResultShapeSchema.safeParse(value).success).toBe(true);
      }),
      { numRuns: 20_000, seed: 13 },
    );
    expect(accepted).toBeGreaterThan(500);
  });

  it('accepts a protocol’s usual result, leaves the rest to the schema', () => {
    const result = new ProtocolResult();
    result.addNarrative('n');
    result.dueIn = -3;
    expect(isCommonResultShape(result)).toBe(true);
    result.addRecommendation({ key: 'k', rank: 1, button: 'b', title: 't' });
    expect(isCommonResultShape(result)).toBe(false);
    expect(isCommonResultShape(null)).toBe(false);
    expect(isCommonResultShape([])).toBe(false);
  });
});
