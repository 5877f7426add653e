import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** The tables the operator functions read and write, by entity (docs/data-model.md). */
export interface OperatorTables {
  patients: string;
  groups: string;
  memberships: string;
  tasks: string;
  labels: string;
  protocolResults: string;
}

export interface DirectoryContext {
  documents: DynamoDBDocumentClient;
  tables: OperatorTables;
}

/** The CloudFormation logical id of each table in resources/tables.yml. */
export const TABLE_LOGICAL_IDS: Record<keyof OperatorTables, string> = {
  patients: 'PatientsTable',
  groups: 'GroupsTable',
  memberships: 'MembershipsTable',
  tasks: 'TasksTable',
  labels: 'LabelsTable',
  protocolResults: 'ProtocolResultsTable',
};
