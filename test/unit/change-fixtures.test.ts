import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FixtureError,
  loadChangeEvent,
  looksLikeChangeShorthand,
  parseChangeShorthand,
} from '../../lib';

describe('parseChangeShorthand', () => {
  it.each([
    ['appointment:created:appt-0001', 'appointment', true, false, 'appt-0001'],
    ['condition:updated:cond-1', 'condition', false, false, 'cond-1'],
    ['consent:deleted:42', 'consent', false, true, '42'],
  ])('%s', (text, model, created, deleted, id) => {
    const change = parseChangeShorthand(text, 'p1');

    expect(change).toEqual({
      patientKey: 'p1',
      changeTypes: [model],
      fieldChanges: {
        model_name: model,
        created,
        deleted,
        fields: {},
        canvas_id: id,
        external_id: null,
        external_identifiers: null,
      },
    });
  });

  it.each([
    ['appointments:created:1', /unknown change type "appointments"/],
    ['appointment:made:1', /action must be created, updated or deleted/],
    ['appointment', /must be a change event file or/],
  ])('refuses %s', (text, message) => {
    expect(() => parseChangeShorthand(text, 'p1')).toThrow(message);
  });

  it('tells a shorthand from a file name', () => {
    expect(looksLikeChangeShorthand('appointment:created:1')).toBe(true);
    expect(looksLikeChangeShorthand('changes/appointment.json')).toBe(false);
  });
});

describe('loadChangeEvent', () => {
  let folder: string;

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'change-'));
  });

  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  const EVENT = {
    model_name: 'condition',
    created: false,
    deleted: false,
    fields: { clinical_status: ['active', 'resolved'] },
    canvas_id: 7,
    external_id: null,
  };

  it("fills in the fixture patient's key when the file has none", async () => {
    const file = join(folder, 'change.json');
    await writeFile(file, JSON.stringify(EVENT));

    const change = await loadChangeEvent(file, 'p1');

    expect(change).toEqual({ patientKey: 'p1', changeTypes: ['condition'], fieldChanges: EVENT });
  });

  it('reads the kit field_changes object unchanged (the documented change event)', async () => {
    const kit = join(__dirname, '../../../shared/kit-fixtures/changes/appointment-created.json');
    const change = await loadChangeEvent(kit, 'p1');

    expect(change.changeTypes).toEqual(['appointment']);
    expect(change.fieldChanges).toMatchObject({ model_name: 'appointment', canvas_id: 14 });
    expect(change.fieldChanges.external_identifiers).toBeNull();
  });

  it('reads the envelope form, and takes the given change types for a model it does not know', async () => {
    const file = join(folder, 'change.json');
    await writeFile(file, JSON.stringify({ field_changes: { ...EVENT, model_name: 'newmodel' } }));

    await expect(loadChangeEvent(file, 'p1')).rejects.toThrow(
      /change\.json: field_changes\.model_name: no change type is known for model "newmodel"; give --change-type/,
    );
    const change = await loadChangeEvent(file, 'p1', { changeTypes: ['lab_report'] });
    expect(change.changeTypes).toEqual(['lab_report']);
  });

  it("refuses another patient's change", async () => {
    const file = join(folder, 'change.json');
    await writeFile(file, JSON.stringify({ ...EVENT, patient_key: 'p2' }));

    await expect(loadChangeEvent(file, 'p1')).rejects.toThrow(/patient_key: must be the fixture/);
  });

  it('names the file and the field of an invalid event', async () => {
    const file = join(folder, 'change.json');
    await writeFile(file, JSON.stringify({ ...EVENT, created: 'labs' }));

    const error = await loadChangeEvent(file, 'p1').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(FixtureError);
    expect((error as FixtureError).fields).toEqual(['created']);
    expect((error as FixtureError).message).toContain('change.json: created:');
  });
});
