import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PatientInput } from '../../schemas';
import { foldName, nameInitial } from '../ports/names';

/**
 * The items a writer puts in the tables the functions read (docs/data-model.md). Seeding, tests
 * and tools build items here so the layout has one definition.
 */

/** A patients-table item: the patient document in `data`, keyed by its patient key. */
export function patientItem(patient: PatientInput, updatedAt?: string) {
  return {
    patientKey: patient.patient.key,
    data: patient,
    ...(updatedAt === undefined ? {} : { updatedAt }),
  };
}

/** A groups-table item with its search-by-name keys. */
export function groupItem(group: { groupId: string; name: string; active: boolean }) {
  const nameKey = foldName(group.name);
  return { ...group, nameKey, nameInitial: nameInitial(nameKey) };
}

/** A labels-table item. */
export function labelItem(label: { name: string; active: boolean }) {
  return { nameKey: foldName(label.name), name: label.name, active: label.active };
}

/** Puts items 25 to a request, retrying what DynamoDB leaves unprocessed. */
export async function batchPutItems(
  documents: DynamoDBDocumentClient,
  table: string,
  items: Record<string, unknown>[],
) {
  for (let i = 0; i < items.length; i += 25) {
    let pending: Record<string, unknown>[] | undefined = items
      .slice(i, i + 25)
      .map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending && pending.length > 0; attempt++) {
      if (attempt > 10) throw new Error(`could not write to ${table}: unprocessed items remain`);
      const { UnprocessedItems } = await documents.send(
        new BatchWriteCommand({ RequestItems: { [table]: pending } }),
      );
      pending = UnprocessedItems?.[table] as Record<string, unknown>[] | undefined;
    }
  }
}
