import { type OperatorTables, TABLE_LOGICAL_IDS } from '../../lib/aws/dynamodb-operator-directory';
import type { TestStack } from './local-stack';

/** The physical names of the tables the operator reads and writes, on a test stack. */
export function operatorTablesOf(stack: Pick<TestStack, 'tables'>): OperatorTables {
  return Object.fromEntries(
    Object.entries(TABLE_LOGICAL_IDS).map(([key, logicalId]) => {
      const name = stack.tables[logicalId];
      if (!name) throw new Error(`the test stack has no ${logicalId}`);
      return [key, name];
    }),
  ) as OperatorTables;
}
