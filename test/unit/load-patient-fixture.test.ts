import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { camelCaseStem, FixtureError, loadPatientFixture } from '../../lib';

const FIXTURES = join(__dirname, '../../fixtures/patients');
const PATIENT = {
  key: 'tmp-patient-0001',
  firstName: 'Synthetic',
  lastName: 'Secretname',
  birthDate: '1970-01-01',
  sex: 'F',
};

let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'fixture-'));
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function write(name: string, content: unknown): Promise<void> {
  const text = typeof content === 'string' ? content : JSON.stringify(content);
  await writeFile(join(folder, name), text);
}

async function failure(dir: string): Promise<FixtureError> {
  try {
    await loadPatientFixture(dir);
  } catch (error) {
    if (error instanceof FixtureError) return error;
    throw error;
  }
  throw new Error('expected a FixtureError');
}

describe('camelCaseStem', () => {
  it.each([
    ['patient', 'patient'],
    ['care_team', 'careTeam'],
    ['lab-reports', 'labReports'],
    ['imaging_reports_2', 'imagingReports2'],
  ])('%s -> %s', (stem, expected) => {
    expect(camelCaseStem(stem)).toBe(expected);
  });
});

describe('loadPatientFixture', () => {
  it('loads every file of a folder into the camelCased property', async () => {
    const patient = await loadPatientFixture(join(FIXTURES, 'diabetic-with-appointment'));

    expect(patient.patient.key).toBe('fixture-patient-0001');
    expect(patient.careTeam.map((member) => member.staffKey)).toEqual([
      'fixture-staff-0001',
      'fixture-staff-0003',
    ]);
    expect(patient.appointments).toHaveLength(2);
    expect(patient.conditions).toHaveLength(2);
    expect(patient.consents).toHaveLength(1);
  });

  it.each([
    'diabetic-with-appointment',
    'resolved-diabetes-cancelled-appointment',
    'no-conditions',
  ])('loads the fixture patient %s', async (name) => {
    const patient = await loadPatientFixture(join(FIXTURES, name));

    expect(patient.patient.key).toMatch(/^fixture-patient-/);
  });

  it('gives empty collections for files that are absent and ignores non-JSON files', async () => {
    await write('patient.json', PATIENT);
    await write('notes.txt', 'not data');

    const patient = await loadPatientFixture(folder);

    expect(patient).toEqual({
      patient: PATIENT,
      appointments: [],
      conditions: [],
      consents: [],
      careTeam: [],
    });
  });

  it('refuses bad JSON naming the file, without quoting its text', async () => {
    await write('patient.json', PATIENT);
    await write('conditions.json', '[{"id": "Secretname", ');

    const error = await failure(folder);

    expect(error.code).toBe('invalid-json');
    expect(error.message).toBe(`${join(folder, 'conditions.json')}: is not valid JSON`);
  });

  it('names the file and the field of a schema violation, never the value', async () => {
    await write('patient.json', PATIENT);
    await write('appointments.json', [
      { id: 'a1', startTime: 'Secretname', providerKey: 's1', status: 'confirmed' },
    ]);

    const error = await failure(folder);

    expect(error.code).toBe('invalid');
    expect(error.file).toBe(join(folder, 'appointments.json'));
    expect(error.fields).toEqual(['[0].startTime']);
    expect(error.message).toMatch(/appointments\.json: \[0\]\.startTime: must be an ISO datetime/);
    expect(error.message).not.toContain('Secretname');
  });

  it('refuses a misspelt field (objects are strict)', async () => {
    await write('patient.json', { ...PATIENT, birthdate: '1970-01-01' });

    const error = await failure(folder);

    expect(error.file).toBe(join(folder, 'patient.json'));
    expect(error.message).toMatch(/patient\.json: .*birthdate/);
  });

  it('refuses a file that is not a known collection', async () => {
    await write('patient.json', PATIENT);
    await write('lab_reports.json', []);

    const error = await failure(folder);

    expect(error.code).toBe('unknown-collection');
    expect(error.message).toMatch(/lab_reports\.json: not a known collection .*care_team\.json/);
  });

  it('requires patient.json', async () => {
    await write('appointments.json', []);

    const error = await failure(folder);

    expect(error.code).toBe('missing-patient');
    expect(error.file).toBe(join(folder, 'patient.json'));
  });

  it('says when the folder does not exist', async () => {
    const error = await failure(join(folder, 'nope'));

    expect(error.code).toBe('not-found');
  });
});
