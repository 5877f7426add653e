import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { camelCaseStem, FixtureError, loadPatientFixture, PATIENT_COLLECTIONS } from '../../lib';

const REPO_ROOT = join(__dirname, '../..');
const FIXTURES = join(REPO_ROOT, 'fixtures/patients');
/** The kit's own dumps (canvas-medical/open-source-sdk), beside the clone as in CI. */
const KIT_FIXTURES = join(REPO_ROOT, '..', 'shared', 'kit-fixtures');
const PATIENT = {
  key: 'tmp-patient-0001',
  firstName: 'Synthetic',
  lastName: 'Secretname',
  birthDate: '1970-01-01',
  sexAtBirth: 'F',
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
    ['upcoming_appointments', 'upcomingAppointments'],
    ['allergy_intolerances', 'allergyIntolerances'],
    ['inpatient_stay', 'inpatientStay'],
    ['lab-reports', 'labReports'],
    ['imaging_reports_2', 'imagingReports2'],
  ])('%s -> %s', (stem, expected) => {
    expect(camelCaseStem(stem)).toBe(expected);
  });
});

describe('loadPatientFixture: the kit dumps', () => {
  it.each(['full_detailed_patient', 'no_details_patient', 'patient_has_appointments'])(
    'loads %s, every file into its camelCased collection',
    async (name) => {
      const dir = join(KIT_FIXTURES, name);
      const patient = await loadPatientFixture(dir);

      expect(patient.patient.key).toMatch(/^[0-9a-f]{32}$/);
      for (const file of await readdir(dir)) {
        const collection = camelCaseStem(file.replace(/\.json$/, ''));
        expect(patient[collection]).toBeDefined();
      }
      for (const collection of PATIENT_COLLECTIONS)
        expect(patient[collection]).toBeInstanceOf(Array);
    },
  );

  it("keeps Canvas's field names, nesting and the fields we do not type", async () => {
    const patient = await loadPatientFixture(join(KIT_FIXTURES, 'full_detailed_patient'));

    // patient.json: typed and untyped fields alike.
    expect(patient.patient.sexAtBirth).toBe('M');
    expect(patient.patient.deceasedDatetime).toBeNull();
    expect(patient.patient.careTeamMemberships).toEqual([]);
    expect(patient.patient.coverages).toHaveLength(1);
    expect(patient.patient.contacts).toHaveLength(3);
    expect(patient.patient.externalIdentifiers).toEqual([{ value: '72342334' }]);
    expect(patient.patient.telecom[0]).toHaveProperty('externallyExposableId');
    expect((patient.patient.addresses[0] as { period: unknown }).period).toEqual({
      start: null,
      end: null,
    });
    // Nested records.
    const [condition] = patient.conditions;
    expect(condition?.coding.map((c) => c.system)).toEqual(['ICD-10', 'http://snomed.info/sct']);
    expect(condition?.periods).toEqual([{ from: '2016-07-22', to: null }]);
    expect(condition?.lastTimestamps?.billed).toBeNull();
    const [note] = patient.upcomingAppointmentNotes;
    expect(note?.providerDisplay?.key).toBe('dbf184ad28a1408bbed184fc8fd2b029');
    expect(note?.stateHistory.map((s) => s.state)).toEqual(['SCH', 'BKD']);
    expect(patient.upcomingAppointments[0]?.state?.state).toBe('BKD');
    // A timestamp written with a space before the time, kept as Canvas wrote it.
    expect(patient.interviews[0]?.noteTimestamp).toBe('2022-02-16 23:17:37.082929+00:00');
    expect(patient.interviews[0]?.responses.map((r) => r.value)).toEqual([
      'Yes',
      'Yes',
      'Yes',
      'No',
    ]);
    expect(patient.allergyIntolerances[0]?.substance?.coding[0]?.code).toBe('900508');
    // Collections we do not type are kept as lists of records.
    expect(patient.suspectHccs).toEqual([]);
    expect(patient.inpatientStay).toEqual([]);
  });

  it('loads a folder holding patient.json alone (the typed collections are empty)', async () => {
    const patient = await loadPatientFixture(join(KIT_FIXTURES, 'patient_has_appointments'));

    expect(patient.conditions).toEqual([]);
    expect(patient.upcomingAppointments).toHaveLength(4);
  });
});

describe('loadPatientFixture: our own fixtures', () => {
  it('loads every file of a folder into the camelCased property', async () => {
    const patient = await loadPatientFixture(join(FIXTURES, 'diabetic-with-appointment'));

    expect(patient.patient.key).toBe('fixture-patient-0001');
    expect(
      patient.patient.careTeamMemberships.map((m) => [m.staff.key, m.role?.code, m.lead]),
    ).toEqual([
      ['fixture-staff-0001', 'PCP', true],
      ['fixture-staff-0003', 'CC', false],
    ]);
    expect(patient.upcomingAppointments).toHaveLength(2);
    expect(patient.upcomingAppointmentNotes).toHaveLength(2);
    expect(patient.conditions).toHaveLength(2);
    expect(patient.consents.map((c) => [c.category?.code, c.state])).toEqual([
      ['HIPAA', 'accepted'],
    ]);
  });

  it.each([
    'diabetic-with-appointment',
    'resolved-diabetes-cancelled-appointment',
    'no-conditions',
  ])('loads the fixture patient %s', async (name) => {
    const patient = await loadPatientFixture(join(FIXTURES, name));

    expect(patient.patient.key).toMatch(/^fixture-patient-/);
  });
});

describe('loadPatientFixture: what real dumps contain', () => {
  it('gives empty collections for files that are absent and ignores non-JSON files', async () => {
    await write('patient.json', PATIENT);
    await write('notes.txt', 'not data');

    const patient = await loadPatientFixture(folder);

    expect(patient.patient).toEqual({
      ...PATIENT,
      coverages: [],
      telecom: [],
      addresses: [],
      contacts: [],
      externalIdentifiers: [],
      careTeamMemberships: [],
    });
    expect(Object.keys(patient).sort()).toEqual(['patient', ...PATIENT_COLLECTIONS].sort());
    for (const collection of PATIENT_COLLECTIONS) expect(patient[collection]).toEqual([]);
  });

  it('reads {} as an empty collection', async () => {
    await write('patient.json', PATIENT);
    await write('conditions.json', {});
    await write('suspect_hccs.json', {});

    const patient = await loadPatientFixture(folder);

    expect(patient.conditions).toEqual([]);
    expect(patient.suspectHccs).toEqual([]);
  });

  it.each([
    '2022-02-16T23:17:37.082929Z',
    '2022-02-16 23:17:37.082929+00:00',
    '2022-02-16T23:17:37Z',
    '2022-02-16T23:17:37',
    '2022-02-16T23:17-05:00',
  ])('accepts the timestamp %s, kept as written', async (timestamp) => {
    await write('patient.json', { ...PATIENT, created: timestamp });
    await write('upcoming_appointments.json', [{ id: 1, startTime: timestamp }]);

    const patient = await loadPatientFixture(folder);

    expect(patient.patient.created).toBe(timestamp);
    expect(patient.upcomingAppointments[0]?.startTime).toBe(timestamp);
  });

  it('accepts null where Canvas sends one, and lists read as [] when null', async () => {
    await write('patient.json', {
      ...PATIENT,
      firstName: null,
      birthDate: null,
      careTeamMemberships: null,
    });
    await write('conditions.json', [
      { id: 1, clinicalStatus: 'active', coding: null, periods: [{ from: null, to: null }] },
    ]);

    const patient = await loadPatientFixture(folder);

    expect(patient.patient.firstName).toBeNull();
    expect(patient.patient.careTeamMemberships).toEqual([]);
    expect(patient.conditions[0]?.coding).toEqual([]);
  });

  it('keeps unknown fields at every level and files of collections we do not type', async () => {
    await write('patient.json', { ...PATIENT, newCanvasField: { nested: [1, 2] } });
    await write('conditions.json', [
      {
        id: 1,
        clinicalStatus: 'active',
        coding: [{ system: 'ICD-10', code: 'E119', extra: true }],
      },
    ]);
    await write('care_gaps.json', [{ id: 7, anything: 'goes' }]);

    const patient = await loadPatientFixture(folder);

    expect(patient.patient.newCanvasField).toEqual({ nested: [1, 2] });
    expect(patient.conditions[0]?.coding[0]).toHaveProperty('extra', true);
    expect(patient.careGaps).toEqual([{ id: 7, anything: 'goes' }]);
  });
});

describe('loadPatientFixture: refusals name the file and field, never the value', () => {
  it('refuses bad JSON naming the file, without quoting its text', async () => {
    await write('patient.json', PATIENT);
    await write('conditions.json', '[{"id": "Secretname", ');

    const error = await failure(folder);

    expect(error.code).toBe('invalid-json');
    expect(error.message).toBe(`${join(folder, 'conditions.json')}: is not valid JSON`);
  });

  it('names the file and the field of a schema violation', async () => {
    await write('patient.json', PATIENT);
    await write('upcoming_appointments.json', [{ id: 1, startTime: 'Secretname' }]);

    const error = await failure(folder);

    expect(error.code).toBe('invalid');
    expect(error.file).toBe(join(folder, 'upcoming_appointments.json'));
    expect(error.fields).toEqual(['[0].startTime']);
    expect(error.message).toMatch(
      /upcoming_appointments\.json: \[0\]\.startTime: must be a timestamp/,
    );
    expect(error.message).not.toContain('Secretname');
  });

  it.each([
    ['patient.json', { ...PATIENT, key: 42 }, 'key'],
    ['patient.json', { ...PATIENT, birthDate: '1970-02-30' }, 'birthDate'],
    [
      'patient.json',
      { ...PATIENT, careTeamMemberships: [{ staff: {} }] },
      'careTeamMemberships[0].staff.key',
    ],
    ['conditions.json', [{ id: 1, clinicalStatus: 'active', coding: 'Secretname' }], '[0].coding'],
    ['conditions.json', { Secretname: 1 }, '(top level)'],
    ['conditions.json', '"Secretname"', '(top level)'],
    ['care_gaps.json', ['Secretname'], '[0]'],
  ])('%s holding %j: refused at %s', async (file, content, field) => {
    if (file !== 'patient.json') await write('patient.json', PATIENT);
    await write(file, content);

    const error = await failure(folder);

    expect(error.code).toBe('invalid');
    expect(error.file).toBe(join(folder, file));
    expect(error.fields).toEqual([field]);
    expect(error.message).not.toContain('Secretname');
  });

  it('refuses a __proto__ key, naming where it is', async () => {
    await write('patient.json', PATIENT);
    await write(
      'conditions.json',
      '[{"id": 1, "clinicalStatus": "active", "__proto__": {"x": 1}}]',
    );

    const error = await failure(folder);

    expect(error.fields).toEqual(['[0].__proto__']);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it.each(['constructor.json', 'to_string.json', '__proto__.json', '2fa.json'])(
    'refuses a file that cannot name a collection: %s',
    async (name) => {
      await write('patient.json', PATIENT);
      await write(name, []);

      const error = await failure(folder);

      expect(error.code).toBe('unknown-collection');
      expect(error.message).toMatch(/not a collection name/);
    },
  );

  it('requires patient.json', async () => {
    await write('upcoming_appointments.json', []);

    const error = await failure(folder);

    expect(error.code).toBe('missing-patient');
    expect(error.file).toBe(join(folder, 'patient.json'));
  });

  it('says when the folder does not exist', async () => {
    const error = await failure(join(folder, 'nope'));

    expect(error.code).toBe('not-found');
  });
});
