import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { batchPutItems, groupItem, patientItem } from '../lib/aws/table-items';
import { type OfflineStack, startOfflineStack } from '../local/offline-stack';
import { DEMO_GROUPS } from '../local/seed-demo-data';
import { benchPatientInput } from './synthetic-patients';

export interface BenchStackOptions {
  patients: number;
  onProgress(message: string): void;
  /** Every line serverless prints (the functions' logs). */
  onLine?(line: string): void;
}

/**
 * The local stack the bench measures on (local/offline-stack.ts: DynamoDB Local, local SQS,
 * serverless-offline with the real functions, free ports), with the schedule off and the bench's
 * generated patients and the protocols' groups in the tables.
 */
export async function startBenchStack(options: BenchStackOptions): Promise<OfflineStack> {
  const stack = await startOfflineStack({
    stage: 'bench',
    patients: 0,
    params: { recomputeScheduleEnabled: 'false' },
    onProgress: options.onProgress,
    onLine: options.onLine,
  });
  try {
    const { tables } = stack.resources;
    if (!tables.PatientsTable || !tables.GroupsTable)
      throw new Error('serverless.yml declares no PatientsTable or GroupsTable');
    await batchPutItems(
      stack.documents,
      tables.GroupsTable,
      DEMO_GROUPS.map((group) => groupItem(group)),
    );
    options.onProgress(`seeding ${options.patients} generated patients`);
    const batch = 1_000;
    for (let start = 0; start < options.patients; start += batch) {
      const end = Math.min(options.patients, start + batch);
      await batchPutItems(
        stack.documents,
        tables.PatientsTable,
        Array.from({ length: end - start }, (_, i) =>
          patientItem(benchPatientInput(start + i + 1)),
        ),
      );
      options.onProgress(`seeded ${end}/${options.patients} generated patients`);
    }
    return stack;
  } catch (error) {
    await stack.stop();
    throw error;
  }
}

/** A queue of the local SQS the bench sends to instead of a deployed one: its URL and ARN. */
export async function createSinkQueue(
  sqs: SQSClient,
  queueName: string,
): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queueName }));
  if (!QueueUrl) throw new Error('local SQS returned no queue URL');
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  return { url: QueueUrl, arn: String(Attributes?.QueueArn) };
}
