import { CHANGE_TYPES, ChangeEventSchema } from '../../lib';
import { syntheticChange } from './support/patients';

describe('ChangeEventSchema', () => {
  it.each(CHANGE_TYPES)('accepts model_name %s', (type) => {
    expect(ChangeEventSchema.safeParse(syntheticChange({ model_name: type })).success).toBe(true);
  });

  it('accepts integer and string ids, and null ones', () => {
    const numeric = syntheticChange({ canvas_id: 12, external_id: null });
    const text = syntheticChange({ canvas_id: null, external_id: 'abc' });

    expect(ChangeEventSchema.safeParse(numeric).success).toBe(true);
    expect(ChangeEventSchema.safeParse(text).success).toBe(true);
  });

  it('accepts fields as [old, new] pairs of any values', () => {
    const change = syntheticChange({ fields: { status: ['a', 'b'], note_id: [null, 3] } });

    expect(ChangeEventSchema.safeParse(change).success).toBe(true);
  });

  it.each([
    [{ model_name: 'appointments' }, 'model_name'],
    [{ fields: { status: ['only-one'] } }, 'fields.status'],
    [{ created: 'yes' }, 'created'],
    [{ patient_key: '' }, 'patient_key'],
    [{ canvas_id: -1 }, 'canvas_id'],
    [{ extra: true }, ''],
  ])('refuses %j at %s', (override, path) => {
    const result = ChangeEventSchema.safeParse({ ...syntheticChange(), ...override });

    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain(path);
  });
});
