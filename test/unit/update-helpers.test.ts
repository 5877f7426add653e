import {
  createTaskPayload,
  ensurePatientInGroup,
  ensurePatientNotInGroup,
  toPythonJson,
  UpdateValidationError,
} from '../../lib';

const GROUP = '00000000-0000-0000-0000-000000000000';

describe('ensurePatientInGroup / ensurePatientNotInGroup', () => {
  it('builds the kit JSON for an active entry', () => {
    expect(JSON.stringify(ensurePatientInGroup('p1', GROUP))).toBe(
      `{"integration_type":"Group","integration_source":"SDK","handling_options":{"respond_async":true},"integration_payload":{"externally_exposable_id":"${GROUP}","group_type":"patientgroup","members":{"mode":"appendOrRemove","entries":[{"uuid":"p1"}]}}}`,
    );
  });

  it('marks the entry inactive for removal', () => {
    expect(ensurePatientNotInGroup('p1', GROUP).integration_payload.members.entries).toEqual([
      { uuid: 'p1', inactive: true },
    ]);
  });

  it('names the argument when a key is empty', () => {
    expect(() => ensurePatientInGroup('', GROUP)).toThrow(/patientKey: must not be empty/);
    expect(() => ensurePatientInGroup('p1', '  ')).toThrow(/groupId: must not be blank/);
  });
});

describe('createTaskPayload', () => {
  it('writes optional keys in the kit order and leaves empty ones out', () => {
    const message = createTaskPayload({
      patientKey: 'p1',
      createdByKey: 's1',
      assigneeIdentifier: 's2',
      labels: ['Urgent'],
      tag: '',
      due: '2024-02-03T09:00:00',
      created: '2024-01-31T09:00:00',
      teamIdentifier: 't1',
      title: 'Call back',
    });
    expect(Object.keys(message.integration_payload)).toEqual([
      'creator',
      'status',
      'title',
      'team_identifier',
      'created',
      'due',
      'labels',
      'assignee',
    ]);
    expect(message.integration_payload.status).toBe('OPEN');
  });

  it('equals Python json.dumps with its default separators and ensure_ascii', () => {
    const message = createTaskPayload({
      patientKey: 'p1',
      createdByKey: 's1',
      title: 'Rappel: café 😀',
    });
    expect(toPythonJson(message)).toBe(
      '{"integration_type": "Task", "integration_source": "SDK", "handling_options": {"respond_async": true}, "patient_identifier": {"identifier_type": "key", "identifier": {"key": "p1"}}, "integration_payload": {"creator": {"identifier_type": "key", "identifier": {"key": "s1"}}, "status": "OPEN", "title": "Rappel: caf\\u00e9 \\ud83d\\ude00"}}',
    );
  });

  it.each([
    [{ status: 'DONE' }, 'status'],
    [{ due: '2024-02-30T09:00:00' }, 'due'],
    [{ created: '2024-01-31 09:00:00' }, 'created'],
    [{ labels: ['ok', ''] }, 'labels[1]'],
    [{ createdByKey: '' }, 'createdByKey'],
  ])('rejects %j naming %s', (override, field) => {
    const input = { patientKey: 'p1', createdByKey: 's1', ...override } as Parameters<
      typeof createTaskPayload
    >[0];
    let caught: unknown;
    try {
      createTaskPayload(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UpdateValidationError);
    expect((caught as UpdateValidationError).fields).toContain(field);
    expect((caught as Error).message).toContain(`${field}:`);
  });
});
