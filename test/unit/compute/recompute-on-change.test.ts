import { recomputeOnChange, SILENT_LOG } from '../../../lib/compute';
import type { FlatChangeEvent } from '../../../schemas';
import { GroupEveryone, InMemoryPatientSource, InMemoryUpdateQueue, TwoTasks } from './fakes';

const computedAt = new Date('2024-03-02T10:00:00Z');

function change(overrides: Partial<FlatChangeEvent> = {}): FlatChangeEvent {
  return {
    patient_key: 'p1',
    model_name: 'appointment',
    created: true,
    deleted: false,
    fields: { start_time: [null, '2024-03-10T09:00:00'] },
    canvas_id: 42,
    external_id: null,
    ...overrides,
  };
}

async function recompute(event: unknown, patients = InMemoryPatientSource.of(['p1'])) {
  const updates = new InMemoryUpdateQueue();
  const outcome = await recomputeOnChange({
    event,
    changeId: 'msg-1',
    computedAt,
    protocols: [GroupEveryone, TwoTasks],
    patients,
    updates,
    log: SILENT_LOG,
  });
  return { outcome, updates };
}

describe('recomputeOnChange', () => {
  it('recomputes only the protocols the change type impacts', async () => {
    const { outcome, updates } = await recompute(change({ model_name: 'appointment' }));
    expect(outcome).toMatchObject({
      status: 'recomputed',
      patientKey: 'p1',
      counts: { protocolRuns: 2, computed: 1, notRelevant: 1, updates: { Group: 0, Task: 2 } },
    });
    expect(updates.sent.map((u) => u.attributes.protocol?.StringValue)).toEqual([
      'two-tasks',
      'two-tasks',
    ]);
    expect(updates.sent[0]?.attributes['computed-at']?.StringValue).toBe(
      '2024-03-02T10:00:00.000Z',
    );

    const condition = await recompute(change({ model_name: 'condition' }));
    expect(condition.updates.sent.map((u) => u.type)).toEqual(['Group']);
  });

  it('gives the same update ids when the same change message is redelivered', async () => {
    const first = await recompute(change());
    const again = await recompute(change());
    const ids = (r: typeof first) =>
      r.updates.sent.map((u) => u.attributes['update-id']?.StringValue);
    expect(ids(again)).toEqual(ids(first));
  });

  it('rejects an unknown patient clearly, sending nothing and not carrying the unknown key', async () => {
    const { outcome, updates } = await recompute(change({ patient_key: 'nobody' }));
    // An unknown key may be anything a producer typed (a name): it is not passed on to be logged.
    expect(outcome).toEqual({
      status: 'rejected',
      reason: 'unknown-patient',
      detail: 'no such patient',
    });
    expect(updates.sent).toEqual([]);
  });

  it('rejects a malformed event naming the fields, not the values', async () => {
    const { outcome } = await recompute({ ...change(), created: 'secret-value', extra: 'x' });
    expect(outcome).toMatchObject({ status: 'rejected', reason: 'invalid-change-event' });
    const detail = (outcome as { detail: string }).detail;
    expect(detail).toContain('created');
    expect(detail).not.toContain('secret-value');

    expect((await recompute(undefined)).outcome).toMatchObject({ reason: 'invalid-change-event' });
  });

  it('rejects an event whose change type cannot be determined, computing nothing', async () => {
    const { outcome, updates } = await recompute(change({ model_name: 'secret-model' }));
    expect(outcome).toMatchObject({ status: 'rejected', reason: 'unknown-change-type' });
    expect((outcome as { detail: string }).detail).not.toContain('secret-model');
    expect(updates.sent).toEqual([]);
  });

  it('computes the kit field_changes object in the envelope, for the change types it names', async () => {
    const kit = { ...change(), external_identifiers: null, added_later: 1 };
    const { patient_key, ...fieldChanges } = kit;
    const { outcome, updates } = await recompute({
      patient_key,
      change_types: ['condition'],
      field_changes: { ...fieldChanges, model_name: 'somethingnew' },
    });
    expect(outcome).toMatchObject({
      status: 'recomputed',
      changeTypes: ['condition'],
      unknownFieldChangesKeys: 1,
      counts: { computed: 1, notRelevant: 1 },
    });
    expect(updates.sent.map((u) => u.type)).toEqual(['Group']);
  });

  it('a notestatechangeevent recomputes the appointment protocols', async () => {
    const { outcome } = await recompute(
      change({
        model_name: 'notestatechangeevent',
        created: false,
        fields: { state: ['BKD', 'CVD'] },
      }),
    );
    expect(outcome).toMatchObject({
      status: 'recomputed',
      changeTypes: ['appointment'],
      counts: { computed: 1, notRelevant: 1 },
    });
  });

  it('rejects a patient record the schema refuses', async () => {
    const patients = new InMemoryPatientSource([
      {
        kind: 'invalid',
        patientKey: 'p1',
        problems: 'patient.birthDate: must be a real date formatted YYYY-MM-DD',
      },
    ]);
    const { outcome } = await recompute(change(), patients);
    // The patient exists: its key is an id and is kept for the log line.
    expect(outcome).toMatchObject({
      status: 'rejected',
      reason: 'invalid-patient-record',
      patientKey: 'p1',
    });
  });
});
