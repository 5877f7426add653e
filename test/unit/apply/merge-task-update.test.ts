import { changeVersion } from '../../../lib/apply/change-version';
import { mergeTaskUpdate } from '../../../lib/apply/merge-task-update';
import type { StoredTaskState } from '../../../lib/ports';
import type { UpdateTaskPayload } from '../../../schemas';

const T0 = 1_700_000_000_000;
const task = (over: Partial<StoredTaskState> = {}): StoredTaskState => ({
  status: 'OPEN',
  title: 'Call',
  labels: ['Urgent'],
  computedAt: T0,
  sourceUpdateId: 'create',
  ...over,
});
const ref = { dedupe_key: 'k' };
const v = (offset: number, id = `u${offset}`) => changeVersion(T0 + offset, id);

describe('changeVersion', () => {
  it('orders by computed-at first, then by update id, as strings', () => {
    expect(changeVersion(T0, 'b')).toBe(`000${T0}#b`);
    // Zero-padded: a 13-digit time sorts before a 14-digit one, as numbers do.
    expect(changeVersion(9_999_999_999_999, 'z') < changeVersion(10_000_000_000_000, 'a')).toBe(
      true,
    );
    expect(changeVersion(T0, 'a') < changeVersion(T0, 'b')).toBe(true);
    expect(changeVersion(T0, 'zzz') < changeVersion(T0 + 1, 'a')).toBe(true);
  });
});

describe('mergeTaskUpdate', () => {
  it('applies a newer update: values, versions per field, labels per label', () => {
    const payload: UpdateTaskPayload = {
      task: ref,
      status: 'CLOSED',
      due: '2024-02-03T09:00:00',
      labels_added: ['Diabetes', 'urgent'],
      labels_removed: ['Other'],
      assignee: { identifier_type: 'key', identifier: { key: 's2' } },
    };

    const merge = mergeTaskUpdate(task(), payload, v(1));

    expect(merge).toEqual({
      outcome: 'applied',
      staleFields: [],
      change: {
        values: {
          status: 'CLOSED',
          due: '2024-02-03T09:00:00',
          // The normalized instant goes with the string as sent (no offset: UTC).
          dueInstant: '2024-02-03T09:00:00.000000Z',
          assigneeKey: 's2',
        },
        // "urgent" is already on the task (as "Urgent"): its version moves, nothing is added.
        labels: ['Urgent', 'Diabetes'],
        fieldVersions: {
          status: v(1),
          due: v(1),
          assignee: v(1),
          'label:diabetes': v(1),
          'label:urgent': v(1),
          'label:other': v(1),
        },
        labelsToEnsure: [{ name: 'Diabetes', nameKey: 'diabetes', payloadIndex: 0 }],
      },
    });
  });

  it('is a no-op without a write for a redelivery (same version everywhere)', () => {
    const stored = task({ fieldVersions: { status: v(1), 'label:x': v(1) } });

    const merge = mergeTaskUpdate(
      stored,
      { task: ref, status: 'CLOSED', labels_added: ['X'] },
      v(1),
    );

    expect(merge).toEqual({ outcome: 'no-op', staleFields: [] });
  });

  it('keeps newer fields and applies the others, naming the stale ones (labels by position)', () => {
    const stored = task({ fieldVersions: { title: v(5), 'label:b': v(5) } });

    const merge = mergeTaskUpdate(
      stored,
      { task: ref, status: 'COMPLETED', title: 'Old title', labels_added: ['A', 'B'] },
      v(2),
    );

    expect(merge.outcome).toBe('applied');
    expect(merge.staleFields).toEqual(['title', 'labels_added[1]']);
    expect(merge.change?.values).toEqual({ status: 'COMPLETED' });
    expect(merge.change?.labels).toEqual(['Urgent', 'A']);
    expect(merge.change?.fieldVersions).toEqual({
      title: v(5),
      'label:b': v(5),
      status: v(2),
      'label:a': v(2),
    });
  });

  it('is stale when every field is newer than the update', () => {
    const stored = task({ fieldVersions: { status: v(9) } });

    expect(mergeTaskUpdate(stored, { task: ref, status: 'OPEN' }, v(3))).toEqual({
      outcome: 'stale',
      staleFields: ['status'],
    });
  });

  it('compares a never-changed field with the creation version', () => {
    const older = changeVersion(T0 - 1, 'zzz');
    const tie = changeVersion(T0, 'create');

    expect(mergeTaskUpdate(task(), { task: ref, title: 'x' }, older).outcome).toBe('stale');
    expect(mergeTaskUpdate(task(), { task: ref, title: 'x' }, tie).outcome).toBe('no-op');
    expect(mergeTaskUpdate(task(), { task: ref, title: 'x' }, v(0, 'creatf')).outcome).toBe(
      'applied',
    );
  });

  it('records a newer version of an unchanged value, as a no-op that still writes', () => {
    const merge = mergeTaskUpdate(task(), { task: ref, status: 'OPEN' }, v(1));

    expect(merge.outcome).toBe('no-op');
    expect(merge.change).toEqual({
      values: { status: 'OPEN' },
      fieldVersions: { status: v(1) },
      labelsToEnsure: [],
    });
  });

  it('removes labels case-insensitively and leaves an empty list empty', () => {
    const merge = mergeTaskUpdate(task(), { task: ref, labels_removed: ['URGENT'] }, v(1));

    expect(merge.outcome).toBe('applied');
    expect(merge.change?.labels).toEqual([]);
    expect(merge.change?.fieldVersions).toEqual({ 'label:urgent': v(1) });
  });

  it('lets a removal newer than an add win for that label only', () => {
    const afterAdd = task({
      labels: ['Urgent', 'Fresh'],
      fieldVersions: { 'label:fresh': v(1) },
    });

    const olderRemove = mergeTaskUpdate(afterAdd, { task: ref, labels_removed: ['Fresh'] }, v(0));
    const newerRemove = mergeTaskUpdate(afterAdd, { task: ref, labels_removed: ['fresh'] }, v(2));

    expect(olderRemove).toEqual({ outcome: 'stale', staleFields: ['labels_removed[0]'] });
    expect(newerRemove.change?.labels).toEqual(['Urgent']);
  });
});
