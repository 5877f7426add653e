import { TaskMetadataUpdateSchema, taskMetadataPayload } from '../../lib';
import { messageType } from '../../lib/message-types';
import { validationErrorOf } from '../support/update-validation';

const ENVELOPE =
  '"integration_source":"SDK","handling_options":{"respond_async":true},"patient_identifier":{"identifier_type":"key","identifier":{"key":"p1"}}';

describe('taskMetadataPayload', () => {
  it('writes type, envelope, then task, key and value in that order', () => {
    // Input order deliberately differs from the wire order.
    const message = taskMetadataPayload({
      value: 'left a voicemail',
      key: 'outreach_status',
      dedupeKey: 'reminder:1',
      patientKey: 'p1',
    });

    expect(JSON.stringify(message)).toBe(
      `{"integration_type":"TaskMetadata",${ENVELOPE},"integration_payload":{"task":{"dedupe_key":"reminder:1"},"key":"outreach_status","value":"left a voicemail"}}`,
    );
    expect(TaskMetadataUpdateSchema.parse(message)).toEqual(message);
  });

  it('names the task by task id and sends an empty value as given', () => {
    const message = taskMetadataPayload({
      patientKey: 'p1',
      taskId: 'update:u1',
      key: 'k',
      value: '',
    });

    expect(JSON.stringify(message.integration_payload)).toBe(
      '{"task":{"task_id":"update:u1"},"key":"k","value":""}',
    );
  });

  it('builds what the registry entry parses', () => {
    const message = taskMetadataPayload({ patientKey: 'p1', taskId: 't', key: 'k', value: 'v' });

    expect(messageType('TaskMetadata').schema.parse(message)).toEqual(message);
  });

  it.each([
    [{ patientKey: 'p1', key: 'k', value: 'v' }, ['dedupeKey or taskId']],
    [
      { patientKey: 'p1', dedupeKey: 'd', taskId: 't', key: 'k', value: 'v' },
      ['dedupeKey or taskId'],
    ],
    [{ patientKey: 'p1', taskId: 't', key: 'has space', value: 'v' }, ['key']],
    [{ patientKey: 'p1', taskId: 't', key: 'k', value: null }, ['value']],
    [{ patientKey: 'p1', taskId: 't', key: 'k' }, ['value']],
    [{ patientKey: '', taskId: 't', key: 'k', value: 'v' }, ['patientKey']],
    [{ patientKey: 'p1', taskId: '', key: 'k', value: 'v' }, ['taskId']],
  ])('refuses %j naming the argument %j', (input, fields) => {
    const error = validationErrorOf(() => taskMetadataPayload(input as never));

    expect(error.fields).toEqual(fields);
  });

  it('refuses an unknown argument and never quotes a value in its error', () => {
    const unknown = validationErrorOf(() =>
      taskMetadataPayload({
        patientKey: 'p1',
        taskId: 't',
        key: 'k',
        value: 'v',
        val: 'x',
      } as never),
    );
    const bad = validationErrorOf(() =>
      taskMetadataPayload({ patientKey: 'p1', taskId: 't', key: 'Jane Doe', value: 'Diabetic' }),
    );

    expect(unknown.fields).toEqual(['val']);
    expect(bad.message).not.toContain('Jane');
    expect(bad.message).not.toContain('Diabetic');
  });
});
