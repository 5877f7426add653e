import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { membershipItem } from '../lib/aws/dynamodb-membership-store';
import { batchPutItems } from '../lib/aws/table-items';

export interface MembershipSeed {
  groupId: string;
  patientKey: string;
  active: boolean;
}

/**
 * Puts memberships in bulk (BatchWriteItem), in the layout `DynamoDbMembershipStore.create`
 * writes (`membershipItem`, docs/data-model.md), at an old version, so the next update of each is
 * a steady-state confirming write. The bench seeds this way because DynamoDB Local runs the
 * first-write transactions one at a time (tens per second): creating 10,000 through the applier
 * would take minutes and measure nothing the sample of first writes does not.
 */
export async function seedMemberships(
  documents: DynamoDBDocumentClient,
  membershipsTable: string,
  seeds: readonly MembershipSeed[],
  stamp: { version: number; updateId: string; at: string },
): Promise<void> {
  await batchPutItems(
    documents,
    membershipsTable,
    seeds.map((seed, i) =>
      membershipItem({ groupId: seed.groupId, patientKey: seed.patientKey }, seed.active, {
        version: stamp.version,
        updateId: `${stamp.updateId}-${i}`,
        protocol: 'bench-seed',
        at: stamp.at,
      }),
    ),
  );
}
