import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CHANGE_TYPES,
  ChangeEnvelopeSchema,
  changeTypesForModel,
  FieldChangesSchema,
  FlatChangeEventSchema,
  MODEL_CHANGE_TYPES,
  readChangeMessage,
} from '../../../lib';
import { syntheticFlatChange } from '../support/patients';

const ROOT = join(__dirname, '../../..');
/** The documented change event (Canvas's "Field Changes" page), unchanged. */
const KIT_CHANGE = JSON.parse(
  readFileSync(
    join(ROOT, '..', 'shared', 'kit-fixtures', 'changes', 'appointment-created.json'),
    'utf8',
  ),
) as Record<string, unknown>;

describe('FieldChangesSchema (the kit field_changes object)', () => {
  it('accepts the documented change event unchanged, external_identifiers included', () => {
    const parsed = FieldChangesSchema.safeParse(KIT_CHANGE);
    expect(parsed.success).toBe(true);
    expect(parsed.data).toEqual(KIT_CHANGE);
  });

  it('accepts external_identifiers as null, a list, or absent', () => {
    for (const external_identifiers of [null, [], [{ system: 'x', value: 'y' }], undefined])
      expect(FieldChangesSchema.safeParse({ ...KIT_CHANGE, external_identifiers }).success).toBe(
        true,
      );
  });

  it('keeps a key the platform adds later', () => {
    const parsed = FieldChangesSchema.parse({ ...KIT_CHANGE, added_later: { a: 1 } });
    expect(parsed.added_later).toEqual({ a: 1 });
  });

  it('accepts any model name, integer and string ids, and null ones', () => {
    expect(
      FieldChangesSchema.safeParse({ ...KIT_CHANGE, model_name: 'somethingnew' }).success,
    ).toBe(true);
    expect(
      FieldChangesSchema.safeParse({ ...KIT_CHANGE, canvas_id: 'a', external_id: null }).success,
    ).toBe(true);
  });

  it.each([
    [{ model_name: '' }, 'model_name'],
    [{ model_name: 3 }, 'model_name'],
    [{ fields: { status: ['only-one'] } }, 'fields.status'],
    [{ created: 'yes' }, 'created'],
    [{ canvas_id: -1 }, 'canvas_id'],
    [{ external_identifiers: 'x' }, 'external_identifiers'],
  ])('refuses %j at %s', (override, path) => {
    const result = FieldChangesSchema.safeParse({ ...KIT_CHANGE, ...override });

    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain(path);
  });
});

describe('the envelope and the flat form', () => {
  it('the envelope is strict at its own level', () => {
    const envelope = { patient_key: 'p1', field_changes: KIT_CHANGE };
    expect(ChangeEnvelopeSchema.safeParse(envelope).success).toBe(true);
    expect(
      ChangeEnvelopeSchema.safeParse({ ...envelope, change_type: 'appointment' }).success,
    ).toBe(false);
    expect(ChangeEnvelopeSchema.safeParse({ ...envelope, change_types: [] }).success).toBe(false);
    expect(
      ChangeEnvelopeSchema.safeParse({ ...envelope, change_types: ['appointments'] }).success,
    ).toBe(false);
  });

  it('the flat form needs the patient key', () => {
    expect(FlatChangeEventSchema.safeParse(KIT_CHANGE).success).toBe(false);
    expect(FlatChangeEventSchema.safeParse({ ...KIT_CHANGE, patient_key: 'p1' }).success).toBe(
      true,
    );
  });
});

describe('the model to change type mapping', () => {
  it.each(CHANGE_TYPES)('maps change type %s own model to it', (type) => {
    expect(changeTypesForModel(type)).toEqual([type]);
    expect(changeTypesForModel(type.replaceAll('_', ''))).toEqual([type]);
  });

  it.each([
    ['notestatechangeevent', 'appointment'],
    ['patientaddress', 'patient'],
    ['patientcontactpoint', 'patient'],
    ['patientcontactperson', 'patient'],
    ['patientexternalidentifier', 'patient'],
    ['careteammembership', 'patient'],
    ['patientconsent', 'consent'],
    ['messagetransmission', 'message'],
  ])('maps %s to %s', (model, type) => {
    expect(changeTypesForModel(model)).toEqual([type]);
  });

  it('knows nothing of other models, nor of Object.prototype names', () => {
    for (const model of ['appointments', 'constructor', '__proto__', 'toString', 'hasOwnProperty'])
      expect(changeTypesForModel(model)).toBeUndefined();
    expect([...MODEL_CHANGE_TYPES.values()].flat().every((t) => CHANGE_TYPES.includes(t))).toBe(
      true,
    );
  });
});

describe('readChangeMessage', () => {
  it('reads the envelope with the kit object unchanged; types from the model', () => {
    const read = readChangeMessage({ patient_key: 'p1', field_changes: KIT_CHANGE });
    expect(read).toEqual({
      ok: true,
      change: { patientKey: 'p1', changeTypes: ['appointment'], fieldChanges: KIT_CHANGE },
      unknownKeys: 0,
    });
  });

  it('takes the change types the envelope names over the mapping, deduplicated', () => {
    const read = readChangeMessage({
      patient_key: 'p1',
      change_types: ['patient', 'coverage', 'patient'],
      field_changes: { ...KIT_CHANGE, model_name: 'unheardof' },
    });
    expect(read.ok && read.change.changeTypes).toEqual(['patient', 'coverage']);
  });

  it('reads the flat form: patient_key out, the rest is field_changes', () => {
    const read = readChangeMessage(syntheticFlatChange({ model_name: 'notestatechangeevent' }));
    expect(read.ok && read.change.patientKey).toBe('test-patient-0001');
    expect(read.ok && read.change.changeTypes).toEqual(['appointment']);
    expect(read.ok && 'patient_key' in read.change.fieldChanges).toBe(false);
  });

  it('keeps and counts unknown field_changes keys, __proto__ counted but not kept', () => {
    const body = JSON.parse(
      '{"patient_key":"p1","field_changes":{"model_name":"appointment","created":true,"deleted":false,"fields":{},"canvas_id":1,"external_id":null,"new_key":1,"constructor":{"prototype":{"x":1}},"__proto__":{"polluted":true}}}',
    );
    const read = readChangeMessage(body);
    expect(read.ok && read.unknownKeys).toBe(3);
    expect(read.ok && read.change.fieldChanges.new_key).toBe(1);
    expect(read.ok && Object.getPrototypeOf(read.change.fieldChanges)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('uses the given change types only when the message names none', () => {
    const unknownModel = { patient_key: 'p1', field_changes: { ...KIT_CHANGE, model_name: 'x' } };
    expect(readChangeMessage(unknownModel, { changeTypes: ['task'] })).toMatchObject({
      ok: true,
      change: { changeTypes: ['task'] },
    });
    expect(
      readChangeMessage(
        { ...unknownModel, change_types: ['lab_report'] },
        { changeTypes: ['task'] },
      ),
    ).toMatchObject({ ok: true, change: { changeTypes: ['lab_report'] } });
  });

  it('refuses an event whose change type cannot be determined, naming the field not the model', () => {
    const read = readChangeMessage(syntheticFlatChange({ model_name: 'Jane Canary Doe' }));
    expect(read).toMatchObject({ ok: false, reason: 'unknown-change-type' });
    expect(!read.ok && read.detail).toMatch(/^model_name: no change type is known/);
    expect(!read.ok && read.detail).not.toContain('Jane');
  });

  it.each([
    [undefined],
    [null],
    [[]],
    ['text'],
    [{ patient_key: 'p1', field_changes: 'x' }],
    [{ field_changes: KIT_CHANGE }],
    [{ ...KIT_CHANGE }],
  ])('refuses %j as invalid-change-event', (body) => {
    expect(readChangeMessage(body)).toMatchObject({ ok: false, reason: 'invalid-change-event' });
  });
});
