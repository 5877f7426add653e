import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { type OfflineStack, startOfflineStack } from '../../local/offline-stack';
import { deadLetterQueues, readDeadLetters, waitUntilDrained } from '../../local/run-metrics';
import { demoAppointmentId, demoPatientKey } from '../../local/seed-demo-data';

jest.setTimeout(180_000);

const KIT_CHANGE = JSON.parse(
  readFileSync(
    join(__dirname, '../../..', 'shared', 'kit-fixtures', 'changes', 'appointment-created.json'),
    'utf8',
  ),
) as Record<string, unknown>;

/** The seeded patient the events concern (it has an appointment), and one they do not. */
const PATIENT = 3;
const OTHER = 1;

/**
 * Change events as Canvas sends them, end to end through serverless-offline: the real
 * computeOnChange (bundled by serverless-esbuild) fed by the local SQS event source, over DynamoDB
 * Local seeded with the demo patients. What each computed is read from the function's own
 * `change recomputed` line; a refused event from its `change event rejected` line and the DLQ.
 */
describe('kit change events through serverless-offline', () => {
  let stack: OfflineStack;
  const output: string[] = [];

  beforeAll(async () => {
    expect(demoAppointmentId(PATIENT)).toBeDefined();
    stack = await startOfflineStack({
      stage: 'e2ekit',
      patients: 3,
      visibilityTimeoutSeconds: 2,
      params: { recomputeScheduleEnabled: 'false' },
      onLine: (line) => output.push(line),
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  /** The function's JSON log lines with this message, from `from` on. */
  const logged = (message: string, from: number) =>
    output.slice(from).flatMap((line) => {
      const start = line.indexOf('{');
      if (start < 0) return [];
      try {
        const json = JSON.parse(line.slice(start)) as Record<string, unknown>;
        return json.message === message ? [json] : [];
      } catch {
        return [];
      }
    });

  /** Sends one body to the changes queue and waits until every queue has drained. */
  const send = async (body: unknown) => {
    const from = output.length;
    const { MessageId } = await stack.sqs.send(
      new SendMessageCommand({
        QueueUrl: stack.resources.queues.ChangesQueue?.url,
        MessageBody: JSON.stringify(body),
      }),
    );
    await waitUntilDrained(stack.sqs, stack.resources, { intervalMs: 300, stableChecks: 4 });
    return { from, messageId: MessageId };
  };

  it('the documented change event recomputes the appointment protocol for its patient', async () => {
    const { from, messageId } = await send({
      patient_key: demoPatientKey(PATIENT),
      field_changes: KIT_CHANGE,
    });
    expect(logged('change recomputed', from)).toEqual([
      expect.objectContaining({
        messageId,
        patientKey: demoPatientKey(PATIENT),
        changeTypes: ['appointment'],
        unknownFieldChangesKeys: 0,
        // The reminder computed (appointment 14 is not this patient's: nothing to send); the
        // diabetes group (condition, patient) was not relevant.
        counts: expect.objectContaining({ computed: 1, notRelevant: 1 }),
      }),
    ]);
    expect(output.slice(from).join('\n')).not.toContain(demoPatientKey(OTHER));
  });

  it('a notestatechangeevent with a state change recomputes it too; a patient change does not', async () => {
    const noteState = await send({
      patient_key: demoPatientKey(PATIENT),
      model_name: 'notestatechangeevent',
      created: true,
      deleted: false,
      fields: { note_id: [null, 26], state: [null, 'CVD'] },
      canvas_id: 91,
      external_id: null,
      external_identifiers: null,
    });
    expect(logged('change recomputed', noteState.from)).toEqual([
      expect.objectContaining({
        patientKey: demoPatientKey(PATIENT),
        changeTypes: ['appointment'],
        counts: expect.objectContaining({ computed: 1, notRelevant: 1 }),
      }),
    ]);

    const address = await send({
      patient_key: demoPatientKey(PATIENT),
      field_changes: { ...KIT_CHANGE, model_name: 'patientaddress', created: false, fields: {} },
    });
    // Only the diabetes group (a patient protocol) computed: one Group update, no Task.
    expect(logged('change recomputed', address.from)).toEqual([
      expect.objectContaining({
        changeTypes: ['patient'],
        counts: expect.objectContaining({
          computed: 1,
          notRelevant: 1,
          updates: expect.objectContaining({ Group: 1, Task: 0, TaskUpdate: 0 }),
        }),
      }),
    ]);
  });

  it('dead-letters an event whose change type cannot be determined, with its reason', async () => {
    const { from, messageId } = await send({
      patient_key: demoPatientKey(PATIENT),
      field_changes: { ...KIT_CHANGE, model_name: 'somethingnew' },
    });
    const rejections = logged('change event rejected', from);
    expect(rejections.length).toBeGreaterThan(0);
    for (const line of rejections)
      expect(line).toMatchObject({ messageId, reason: 'unknown-change-type' });
    expect(logged('change recomputed', from)).toEqual([]);
    const changesDlq = deadLetterQueues(stack.resources).find(
      (q) => q.logicalId === 'ChangesDeadLetterQueue',
    );
    expect((await readDeadLetters(stack.sqs, changesDlq?.url ?? '')).total).toBe(1);
  });
});
