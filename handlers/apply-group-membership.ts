import { createApplierHandler } from '../lib/aws/applier-root';
import { DynamoDbMembershipStore } from '../lib/aws/dynamodb-membership-store';

/** Applies Group membership updates from the Group queue; env from the registry entry. */
export const handler = createApplierHandler(
  'Group',
  ({ documents }, t) =>
    new DynamoDbMembershipStore(documents, {
      patientsTable: t.patients,
      groupsTable: t.groups,
      membershipsTable: t.memberships,
    }),
);
