import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { groupItem, labelItem } from '../../lib/aws/table-items';
import type { TestStack } from './local-stack';

/** Writes groups, patients and labels the way staff tooling would (docs/data-model.md). */
export async function seedGroup(stack: TestStack, groupId: string, name: string, active = true) {
  await stack.documents.send(
    new PutCommand({
      TableName: stack.tables.GroupsTable,
      Item: groupItem({ groupId, name, active }),
    }),
  );
}

/** A patient that exists (the appliers only check existence); its document is empty. */
export async function seedPatient(stack: TestStack, patientKey: string) {
  await stack.documents.send(
    new PutCommand({ TableName: stack.tables.PatientsTable, Item: { patientKey, data: {} } }),
  );
}

export async function seedLabel(stack: TestStack, name: string, active: boolean) {
  await stack.documents.send(
    new PutCommand({ TableName: stack.tables.LabelsTable, Item: labelItem({ name, active }) }),
  );
}

/** Handlers log JSON and EMF to stdout; tests keep the output readable. */
export function quietPowertools() {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
}
