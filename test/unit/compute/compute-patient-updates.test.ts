import { computePatientUpdates, SILENT_LOG, updateIdFor } from '../../../lib/compute';
import { UpdateSchema } from '../../../lib/message-types';
import { UpdateMessageAttributesSchema } from '../../../schemas';
import { GroupEveryone, patientNamed, recordingLog, ThrowsForOnePatient, TwoTasks } from './fakes';

const computedAt = new Date('2024-03-01T06:00:00.000Z');

function compute(patientKey: string, origin = 'run:r1') {
  return computePatientUpdates({
    protocols: [GroupEveryone, TwoTasks, ThrowsForOnePatient],
    patient: patientNamed(patientKey),
    change: null,
    computedAt,
    origin,
    log: SILENT_LOG,
  });
}

describe('computePatientUpdates', () => {
  it('turns every update into a message on its type with the queue contract attributes', () => {
    const { updates, counts } = compute('p1');

    expect(updates.map((u) => u.type)).toEqual(['Group', 'Task', 'Task', 'Group']);
    for (const update of updates) {
      expect(UpdateSchema.parse(JSON.parse(update.body)).integration_type).toBe(update.type);
      const attributes = UpdateMessageAttributesSchema.parse(
        Object.fromEntries(Object.entries(update.attributes).map(([k, v]) => [k, v.StringValue])),
      );
      expect(attributes['computed-at']).toBe(computedAt.getTime());
    }
    expect(updates[1]?.attributes.protocol?.StringValue).toBe('two-tasks');
    expect(updates[1]?.attributes['computed-at']?.StringValue).toBe('2024-03-01T06:00:00.000Z');
    expect(counts).toMatchObject({ patients: 1, protocolRuns: 3, computed: 3, failed: 0 });
    expect(counts.updates).toEqual({
      Group: 2,
      Task: 2,
      TaskUpdate: 0,
      TaskComment: 0,
      TaskMetadata: 0,
    });
  });

  it('keeps the helpers key order in the body (the kit wire JSON)', () => {
    const [group] = compute('p1').updates;
    expect(Object.keys(JSON.parse(group?.body ?? '{}'))).toEqual([
      'integration_type',
      'integration_source',
      'handling_options',
      'integration_payload',
    ]);
  });

  it('gives deterministic update ids from origin, protocol, patient and position', () => {
    const first = compute('p1').updates.map((u) => u.attributes['update-id']?.StringValue);
    const again = compute('p1').updates.map((u) => u.attributes['update-id']?.StringValue);
    const otherRun = compute('p1', 'run:r2').updates.map(
      (u) => u.attributes['update-id']?.StringValue,
    );

    expect(again).toEqual(first);
    expect(new Set(first).size).toBe(first.length);
    expect(otherRun.filter((id) => first.includes(id))).toEqual([]);
    expect(first[2]).toBe(
      updateIdFor({ origin: 'run:r1', protocol: 'two-tasks', patientKey: 'p1', position: 1 }),
    );
    expect(first[0]).toMatch(/^[0-9a-f]{32}$/);
  });

  it('logs and counts a protocol that throws, and still sends the other protocols updates', () => {
    const { log, warnings } = recordingLog();
    const { updates, counts } = computePatientUpdates({
      protocols: [GroupEveryone, ThrowsForOnePatient, TwoTasks],
      patient: patientNamed('explodes'),
      change: null,
      computedAt,
      origin: 'run:r1',
      log,
    });

    expect(counts).toMatchObject({ computed: 2, failed: 1 });
    expect(updates.map((u) => u.attributes.protocol?.StringValue)).toEqual([
      'group-everyone',
      'two-tasks',
      'two-tasks',
    ]);
    expect(warnings).toEqual([
      {
        message: 'protocol run failed',
        fields: expect.objectContaining({
          protocol: 'throws-for-one',
          patientKey: 'explodes',
          errorCode: 'protocol-error',
        }),
      },
    ]);
    // The thrown message may quote patient data: only the error's kind is logged.
    expect(JSON.stringify(warnings)).not.toContain('boom');
  });
});

describe('updateIdFor', () => {
  it('keeps the parts apart (no ambiguity from concatenation)', () => {
    const a = updateIdFor({ origin: 'run:a:b', protocol: 'c', patientKey: 'p', position: 0 });
    const b = updateIdFor({ origin: 'run:a', protocol: 'b:c', patientKey: 'p', position: 0 });
    expect(a).not.toBe(b);
  });
});
