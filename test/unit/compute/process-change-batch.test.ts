import type { Context, SQSRecord } from 'aws-lambda';
import {
  CHANGE_BODY_NOT_JSON,
  type ChangeBatchDeps,
  type ChangeRecomputed,
  type ChangeRejected,
  processChangeBatch,
  REASSERT_ATTRIBUTE,
  reassertRequested,
} from '../../../lib/compute';
import { UPDATE_ATTRIBUTE } from '../../../schemas';
import { sqsRecord } from '../../support/apply-fakes';
import {
  failingUpdateQueue,
  GroupEveryone,
  InMemoryPatientSource,
  InMemoryUpdateQueue,
  RecordingComputeRecorder,
  TwoTasks,
} from './fakes';

// The change function's record handling over the ports, with in-memory fakes (no I/O): what each
// record is recorded as, and which records are reported failed.

const context = {} as Context;

const condition = {
  patient_key: 'p1',
  model_name: 'condition',
  created: true,
  deleted: false,
  fields: {},
  canvas_id: 1,
  external_id: null,
};

function deps(overrides: Partial<ChangeBatchDeps> = {}) {
  const recorder = new RecordingComputeRecorder();
  const updates = new InMemoryUpdateQueue();
  return {
    recorder,
    updates,
    deps: {
      protocols: [GroupEveryone, TwoTasks],
      patients: InMemoryPatientSource.of(['p1']),
      updates,
      recorder,
      now: () => new Date('2030-01-01T00:00:00Z'),
      ...overrides,
    } satisfies ChangeBatchDeps,
  };
}

describe('processChangeBatch', () => {
  it('recomputes a change at its SentTimestamp, records its summary, acknowledges it', async () => {
    const { recorder, updates, deps: d } = deps();
    const record = sqsRecord(condition, {}, {});
    const response = await processChangeBatch({ Records: [record] }, d, context);

    expect(response.batchItemFailures).toEqual([]);
    expect(updates.sent).toHaveLength(1);
    // SentTimestamp 1700000000000 (the fake record's), not the clock.
    expect(updates.sent[0]?.attributes[UPDATE_ATTRIBUTE.computedAt]?.StringValue).toBe(
      new Date(1_700_000_000_000).toISOString(),
    );
    const [summary] = recorder.of('changeRecomputed').map(([s]) => s as ChangeRecomputed);
    expect(summary).toMatchObject({
      messageId: record.messageId,
      patientKey: 'p1',
      changeTypes: ['condition'],
      unknownFieldChangesKeys: 0,
      counts: { patients: 1, updates: { Group: 1, Task: 0 } },
    });
    expect(recorder.calls.at(-1)?.kind).toBe('publish');
  });

  it('uses the clock only when the record has no valid SentTimestamp', async () => {
    const { updates, deps: d } = deps();
    const record = sqsRecord(condition);
    const noSent = { ...record, attributes: { ...record.attributes, SentTimestamp: '' } };
    await processChangeBatch({ Records: [noSent as SQSRecord] }, d, context);
    expect(updates.sent[0]?.attributes[UPDATE_ATTRIBUTE.computedAt]?.StringValue).toBe(
      '2030-01-01T00:00:00.000Z',
    );
  });

  it('records a rejection by reason and reports the record failed; never quotes the body', async () => {
    const { recorder, deps: d } = deps();
    const notJson = sqsRecord('{"patient_key": "Jane Doe", ');
    const unknown = sqsRecord({ ...condition, patient_key: 'Jane Doe' });
    const response = await processChangeBatch({ Records: [notJson, unknown] }, d, context);

    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      [notJson.messageId, unknown.messageId].sort(),
    );
    const rejections = recorder.of('changeRejected').map(([r]) => r as ChangeRejected);
    expect(rejections).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          messageId: notJson.messageId,
          receiveCount: '1',
          reason: 'invalid-change-event',
          detail: CHANGE_BODY_NOT_JSON,
        }),
        expect.objectContaining({ messageId: unknown.messageId, reason: 'unknown-patient' }),
      ]),
    );
    // An unknown key is whatever the producer typed: not carried.
    expect(JSON.stringify(recorder.calls)).not.toContain('Jane Doe');
    expect(recorder.of('publish')).toHaveLength(1);
  });

  it('records a failed send with the record identity and the error, and reports it failed', async () => {
    const failure = new Error('queue down');
    const { recorder, deps: d } = deps({ updates: failingUpdateQueue(failure) });
    const record = sqsRecord(condition);
    const response = await processChangeBatch({ Records: [record] }, d, context);

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(recorder.of('jobFailed')).toEqual([
      [{ messageId: record.messageId, receiveCount: '1' }, failure],
    ]);
    expect(recorder.of('changeRecomputed')).toEqual([]);
    expect(recorder.of('publish')).toHaveLength(1);
  });

  it('reads the reassert attribute only when it is "true"', () => {
    expect(reassertRequested(sqsRecord(condition, { [REASSERT_ATTRIBUTE]: 'true' }))).toBe(true);
    expect(reassertRequested(sqsRecord(condition, { [REASSERT_ATTRIBUTE]: 'yes' }))).toBe(false);
    expect(reassertRequested(sqsRecord(condition))).toBe(false);
  });
});
