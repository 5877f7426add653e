import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixtureError, loadPatientFixture } from '../../lib';

const PATIENT = {
  key: 'tmp-patient-0001',
  firstName: 'Synthetic',
  lastName: 'Fixture',
  birthDate: '1970-01-01',
  sexAtBirth: 'F',
};

let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'fixture-twice-'));
  await writeFile(join(folder, 'patient.json'), JSON.stringify(PATIENT));
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('loadPatientFixture: one collection in two files', () => {
  it.each([
    ['lab_reports.json', 'labReports.json'],
    ['lab_reports.json', 'lab-reports.json'],
  ])('refuses %s beside %s, naming both files', async (one, other) => {
    await writeFile(join(folder, one), '[]');
    await writeFile(join(folder, other), '[]');

    const error = await loadPatientFixture(folder).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(FixtureError);
    const fixtureError = error as FixtureError;
    expect(fixtureError.code).toBe('duplicate-collection');
    // Files are read in sorted order: the later one is the file at fault, the earlier is named.
    const [first, second] = [one, other].sort();
    expect(fixtureError.message).toBe(
      `${join(folder, second as string)}: same collection (labReports) as ${first}: keep one of the two files`,
    );
  });

  it('still loads a single spelling', async () => {
    await writeFile(
      join(folder, 'labReports.json'),
      JSON.stringify([{ id: 1, originalDate: '2024-01-02', loincCodes: [{ code: '4548-4' }] }]),
    );

    const patient = await loadPatientFixture(folder);

    expect(patient.labReports).toHaveLength(1);
  });
});
