import { taskCommentPayload, UpdateTaskUpdateSchema, updateTaskPayload } from '../../lib';
import { refusedFields } from '../support/update-validation';

const ENVELOPE =
  '"integration_source":"SDK","handling_options":{"respond_async":true},"patient_identifier":{"identifier_type":"key","identifier":{"key":"p1"}}';

describe('updateTaskPayload', () => {
  it('writes every key in the documented order, labels as added/removed lists', () => {
    const message = updateTaskPayload({
      // Input order deliberately differs from the wire order.
      assigneeIdentifier: 'staff-2',
      removeLabels: ['Old'],
      addLabels: ['Urgent', 'Diabetes'],
      due: '2024-02-03T09:00:00',
      teamIdentifier: 'team-1',
      title: 'Call the patient',
      status: 'COMPLETED',
      dedupeKey: 'reminder:1',
      patientKey: 'p1',
    });

    expect(JSON.stringify(message)).toBe(
      `{"integration_type":"TaskUpdate",${ENVELOPE},"integration_payload":{"task":{"dedupe_key":"reminder:1"},"status":"COMPLETED","title":"Call the patient","team_identifier":"team-1","due":"2024-02-03T09:00:00","labels_added":["Urgent","Diabetes"],"labels_removed":["Old"],"assignee":{"identifier_type":"key","identifier":{"key":"staff-2"}}}}`,
    );
  });

  it('names the task by task id and leaves out empty values', () => {
    const message = updateTaskPayload({
      patientKey: 'p1',
      taskId: 'update:u-1',
      status: 'CLOSED',
      title: '',
      addLabels: [],
    });

    expect(JSON.stringify(message)).toBe(
      `{"integration_type":"TaskUpdate",${ENVELOPE},"integration_payload":{"task":{"task_id":"update:u-1"},"status":"CLOSED"}}`,
    );
    expect(UpdateTaskUpdateSchema.parse(message)).toEqual(message);
  });

  it('copies the label lists: changing the input later does not change the message', () => {
    const labels = ['Urgent'];
    const message = updateTaskPayload({ patientKey: 'p1', taskId: 't', addLabels: labels });
    labels.push('Later');

    expect(message.integration_payload.labels_added).toEqual(['Urgent']);
  });

  it.each([
    [{ patientKey: '' }, 'patientKey', /must not be empty/],
    [{ dedupeKey: undefined }, 'dedupeKey or taskId', /exactly one of dedupe_key or task_id/],
    [{ taskId: 'update:u-1' }, 'dedupeKey or taskId', /exactly one of dedupe_key or task_id/],
    [{ dedupeKey: ' ' }, 'dedupeKey', /must not be blank/],
    [{ status: undefined }, 'the changes', /must change at least one of status, title/],
    [{ status: 'done' }, 'status', /must be one of OPEN, COMPLETED, CLOSED/],
    [{ title: 't'.repeat(2001) }, 'title', /at most 2000/],
    [{ teamIdentifier: 'k'.repeat(257) }, 'teamIdentifier', /at most 256/],
    [{ due: '2024-02-03' }, 'due', /YYYY-MM-DDThh:mm:ss/],
    [{ addLabels: 'Urgent' }, 'addLabels', /must be a list of label names/],
    [{ addLabels: ['x'.repeat(201)] }, 'addLabels[0]', /at most 200/],
    [{ removeLabels: ['a', 'b', 'x'.repeat(201)] }, 'removeLabels[2]', /at most 200/],
    [
      { addLabels: ['Urgent'], removeLabels: ['Other', 'URGENT'] },
      'removeLabels[1]',
      /is also in labels_added/,
    ],
    [{ assigneeIdentifier: '  ' }, 'assigneeIdentifier', /must not be blank/],
  ])('refuses %j naming %s', (override, field, message) => {
    const input = {
      patientKey: 'p1',
      dedupeKey: 'reminder:1',
      status: 'CLOSED',
      ...override,
    } as unknown as Parameters<typeof updateTaskPayload>[0];
    const build = () => updateTaskPayload(input);

    expect(refusedFields(build)).toContain(field);
    expect(build).toThrow(message);
  });

  it('never quotes a value in its error', () => {
    const secret = 'Jane Doe 1970-01-01';
    expect(() => updateTaskPayload({ patientKey: 'p1', taskId: 't', due: secret })).toThrow(
      /due: must be a real datetime/,
    );
    expect(() => updateTaskPayload({ patientKey: 'p1', taskId: 't', due: secret })).not.toThrow(
      secret,
    );
  });
});

describe('taskCommentPayload', () => {
  it('writes task, creator, body and created in that order', () => {
    const message = taskCommentPayload({
      created: '2024-02-01T10:00:00',
      body: 'Patient called back.',
      createdByKey: 'staff-1',
      dedupeKey: 'reminder:1',
      patientKey: 'p1',
    });

    expect(JSON.stringify(message)).toBe(
      `{"integration_type":"TaskComment",${ENVELOPE},"integration_payload":{"task":{"dedupe_key":"reminder:1"},"creator":{"identifier_type":"key","identifier":{"key":"staff-1"}},"body":"Patient called back.","created":"2024-02-01T10:00:00"}}`,
    );
  });

  it('leaves out an empty created', () => {
    const message = taskCommentPayload({
      patientKey: 'p1',
      taskId: 'update:u-1',
      createdByKey: 'staff-1',
      body: 'Done.',
      created: '',
    });

    expect(message.integration_payload).toEqual({
      task: { task_id: 'update:u-1' },
      creator: { identifier_type: 'key', identifier: { key: 'staff-1' } },
      body: 'Done.',
    });
  });

  it.each([
    [{ patientKey: ' ' }, 'patientKey', /must not be blank/],
    [{ createdByKey: '' }, 'createdByKey', /must not be empty/],
    [{ body: '' }, 'body', /must not be empty/],
    [{ body: 'b'.repeat(2001) }, 'body', /at most 2000/],
    [{ body: undefined }, 'body', /must be a string/],
    [{ created: '2024-02-01T10:00:00z' }, 'created', /YYYY-MM-DDThh:mm:ss/],
    [{ created: new Date(Number.NaN) }, 'created', /must be a valid Date/],
    [{ taskId: 't' }, 'dedupeKey or taskId', /exactly one of dedupe_key or task_id/],
  ])('refuses %j naming %s', (override, field, message) => {
    const input = {
      patientKey: 'p1',
      dedupeKey: 'reminder:1',
      createdByKey: 'staff-1',
      body: 'Hello',
      ...override,
    } as unknown as Parameters<typeof taskCommentPayload>[0];
    const build = () => taskCommentPayload(input);

    expect(refusedFields(build)).toContain(field);
    expect(build).toThrow(message);
  });
});
