import { changeEventDetail } from '../../lib/compute';
import { changeMessageDetail } from '../../lib/protocol';
import { rejectionDetail } from '../../lib/validation-error';
import {
  ChangeEnvelopeSchema,
  ComputeJobSchema,
  FlatChangeEventSchema,
  GroupMembershipUpdateSchema,
} from '../../schemas';

const SECRET = 'Jane Canary Doe';

const VALID_FIELD_CHANGES = {
  model_name: 'appointment',
  created: true,
  deleted: false,
  fields: {},
  canvas_id: 1,
  external_id: null,
};
const VALID = { patient_key: 'p1', ...VALID_FIELD_CHANGES };

function changeError(event: Record<string, unknown>) {
  const parsed = FlatChangeEventSchema.safeParse({ ...VALID, ...event });
  if (parsed.success) throw new Error('expected the schema to refuse the event');
  return parsed.error;
}

describe('rejection details of change events, compute jobs and updates', () => {
  it('counts unknown envelope keys instead of naming them (field_changes keeps its unknown ones)', () => {
    expect(FlatChangeEventSchema.safeParse({ ...VALID, [SECRET]: 1 }).success).toBe(true);
    const parsed = ChangeEnvelopeSchema.safeParse({
      patient_key: 'p1',
      field_changes: VALID_FIELD_CHANGES,
      [SECRET]: 1,
      [`${SECRET} 2`]: 2,
    });
    if (parsed.success) throw new Error('expected the schema to refuse the envelope');
    const detail = changeMessageDetail(parsed.error, 'field_changes.');
    expect(detail).toBe('(message): 2 unknown fields (names withheld, see the message body)');
  });

  it('reports a bad value under the envelope field_changes.fields there, the field name withheld', () => {
    const parsed = ChangeEnvelopeSchema.safeParse({
      patient_key: 'p1',
      field_changes: { ...VALID_FIELD_CHANGES, fields: { [SECRET]: 'x', [`${SECRET}2`]: 'y' } },
    });
    if (parsed.success) throw new Error('expected the schema to refuse the envelope');
    expect(changeMessageDetail(parsed.error, 'field_changes.')).toBe(
      'field_changes.fields: must be a pair [old, new] (key withheld)',
    );
  });

  it('reports a bad value under `fields` at `fields`, the field name withheld', () => {
    const detail = changeEventDetail(
      changeError({ fields: { [SECRET]: 'not a pair', ok: [1, 2] } }),
    );
    expect(detail).toBe('fields: must be a pair [old, new] (key withheld)');
  });

  it('keeps the schema paths and messages of the other fields, never the values', () => {
    const detail = changeEventDetail(changeError({ model_name: 7, created: SECRET }));
    expect(detail).toContain('model_name: must be a string');
    expect(detail).toContain('created: must be a boolean');
    expect(detail).not.toContain(SECRET);
  });

  it('withholds the key names of a compute job start key', () => {
    const parsed = ComputeJobSchema.safeParse({
      runId: 'r',
      computedAt: '2024-03-01T06:00:00Z',
      segment: 0,
      totalSegments: 1,
      startKey: { [SECRET]: true },
    });
    if (parsed.success) throw new Error('expected the schema to refuse the job');
    const detail = rejectionDetail(parsed.error, ['startKey']);
    expect(detail).toMatch(/^startKey: .*\(key withheld\)$/);
    expect(detail).not.toContain(SECRET);
  });

  it('with no map fields, reports a problem inside an object at its full path', () => {
    const parsed = GroupMembershipUpdateSchema.safeParse({
      integration_type: 'Group',
      integration_source: 'SDK',
      handling_options: { respond_async: true },
      integration_payload: {
        externally_exposable_id: 'g1',
        group_type: 'patientgroup',
        members: { mode: 'appendOrRemove', entries: [{ uuid: 'p1', [SECRET]: true }] },
      },
    });
    if (parsed.success) throw new Error('expected the schema to refuse the update');

    const detail = rejectionDetail(parsed.error);

    expect(detail).toBe(
      'integration_payload.members.entries[0]: 1 unknown field (names withheld, see the message body)',
    );
  });
});
