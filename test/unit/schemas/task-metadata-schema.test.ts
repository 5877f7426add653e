import { TaskMetadataUpdateSchema } from '../../../lib';
import { rejectionDetail } from '../../../lib/validation-error';

const message = (payload: Record<string, unknown>): Record<string, unknown> => ({
  integration_type: 'TaskMetadata',
  integration_source: 'SDK',
  handling_options: { respond_async: true },
  patient_identifier: { identifier_type: 'key', identifier: { key: 'p1' } },
  integration_payload: { task: { dedupe_key: 'reminder:1' }, key: 'outreach_status', ...payload },
});

function refusal(body: unknown): { paths: string[]; detail: string } {
  const result = TaskMetadataUpdateSchema.safeParse(body);
  if (result.success) throw new Error('expected a refusal');
  return {
    paths: result.error.issues.map((issue) => issue.path.join('.')),
    detail: rejectionDetail(result.error),
  };
}

describe('TaskMetadataUpdateSchema', () => {
  it('accepts a key and value on a task named by dedupe_key or by task_id', () => {
    const byDedupe = message({ value: 'called twice' });
    const byId = message({ value: 'x', task: { task_id: 'update:u1' } });

    expect(TaskMetadataUpdateSchema.parse(byDedupe)).toEqual(byDedupe);
    expect(TaskMetadataUpdateSchema.parse(byId)).toEqual(byId);
  });

  it('accepts the empty string as a value, and keys of every allowed character up to 256', () => {
    expect(TaskMetadataUpdateSchema.safeParse(message({ value: '' })).success).toBe(true);
    for (const key of ['a', '0', 'reminder.attempts', 'ns:key-1_b', `k${'x'.repeat(255)}`])
      expect(TaskMetadataUpdateSchema.safeParse(message({ key, value: 'v' })).success).toBe(true);
    expect(TaskMetadataUpdateSchema.safeParse(message({ value: 'v'.repeat(2000) })).success).toBe(
      true,
    );
  });

  it.each([
    ['a null value (metadata is never cleared)', { value: null }, 'integration_payload.value'],
    ['no value', {}, 'integration_payload.value'],
    ['a number value', { value: 3 }, 'integration_payload.value'],
    ['a value over 2000 characters', { value: 'v'.repeat(2001) }, 'integration_payload.value'],
    ['an empty key', { key: '', value: 'v' }, 'integration_payload.key'],
    ['a key with a space', { key: 'Jane Doe', value: 'v' }, 'integration_payload.key'],
    ['a key starting with _', { key: '_x', value: 'v' }, 'integration_payload.key'],
    ['a key with a slash', { key: 'a/b', value: 'v' }, 'integration_payload.key'],
    ['a non-ASCII key', { key: 'café', value: 'v' }, 'integration_payload.key'],
    ['a key over 256 characters', { key: 'k'.repeat(257), value: 'v' }, 'integration_payload.key'],
    ['a key that is not a string', { key: 7, value: 'v' }, 'integration_payload.key'],
    ['no task', { task: undefined, value: 'v' }, 'integration_payload.task'],
    [
      'a task named twice',
      { task: { dedupe_key: 'd', task_id: 't' }, value: 'v' },
      'integration_payload.task',
    ],
  ])('refuses %s, naming the field', (_what, payload, path) => {
    const { paths, detail } = refusal(message(payload));

    expect(paths).toEqual([path]);
    expect(detail).toContain(path);
  });

  it('never quotes the key or the value in its refusal', () => {
    const { detail } = refusal(message({ key: 'Jane Doe 1970-01-01', value: 'v'.repeat(2001) }));

    expect(detail).not.toContain('Jane');
    expect(detail).not.toContain('vvvv');
  });

  it('refuses unknown payload keys without naming them', () => {
    const { detail } = refusal(message({ value: 'v', secret_name: 'Jane' }));

    expect(detail).not.toContain('secret_name');
    expect(detail).toContain('integration_payload');
  });
});
