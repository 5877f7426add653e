import type { ProvisionedResources } from '../../local/provision';
import type { AwsService, CallTarget, RecordedCall } from './aws-call-recorder';

/**
 * One permission a call needs: an IAM action on a resource named by its CloudFormation logical id
 * (`MembershipsTable`, `MembershipsTable/index/activeMembers`, `GroupQueue`), the form the
 * roles in resources/iam.yml and the generated ones name them in (`Fn::GetAtt [X, Arn]`).
 */
export interface Permission {
  action: string;
  resource: string;
}

/**
 * The IAM action of each DynamoDB item kind in a transaction. DynamoDB authorises a transaction
 * per item with the item-level action, not with a TransactWriteItems action ("Using IAM with
 * DynamoDB transactions", DynamoDB Developer Guide): Put, Update, Delete and Get need PutItem,
 * UpdateItem, DeleteItem and GetItem, ConditionCheck needs ConditionCheckItem.
 */
const TRANSACTION_ITEM_ACTIONS: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
  Get: 'dynamodb:GetItem',
};

/** DynamoDB operations authorised by the action of the same name on the table (or index). */
const DYNAMODB_SAME_NAME = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'DescribeTable',
  'BatchGetItem',
  'BatchWriteItem',
]);

/**
 * SQS operations and their action. The batch versions are authorised by the single-message action
 * (SQS API reference, AddPermission: "SendMessage, DeleteMessage, or ChangeMessageVisibility ...
 * also grants permissions for the corresponding batch versions").
 */
const SQS_ACTIONS: Record<string, string> = {
  SendMessage: 'sqs:SendMessage',
  SendMessageBatch: 'sqs:SendMessage',
  ReceiveMessage: 'sqs:ReceiveMessage',
  DeleteMessage: 'sqs:DeleteMessage',
  DeleteMessageBatch: 'sqs:DeleteMessage',
  ChangeMessageVisibility: 'sqs:ChangeMessageVisibility',
  ChangeMessageVisibilityBatch: 'sqs:ChangeMessageVisibility',
  GetQueueAttributes: 'sqs:GetQueueAttributes',
  GetQueueUrl: 'sqs:GetQueueUrl',
};

/**
 * Physical names to logical ids, from the provisioned stack: table names, and queue URLs or
 * names. Kept apart per service: a table and a queue may share a name (the task-comments ones do).
 */
export class LogicalIds {
  readonly #tables = new Map<string, string>();
  readonly #queues = new Map<string, string>();

  constructor(resources: ProvisionedResources) {
    for (const [id, table] of Object.entries(resources.tables)) this.#tables.set(table, id);
    for (const [id, queue] of Object.entries(resources.queues)) {
      this.#queues.set(queue.url, id);
      this.#queues.set(queue.name, id);
    }
  }

  /** The logical id; a name the stack does not declare stays visible as `?name` (never allowed). */
  of(service: AwsService, name: string): string {
    const ids = service === 'dynamodb' ? this.#tables : this.#queues;
    return ids.get(name) ?? `?${name}`;
  }
}

function dynamoDbAction(call: RecordedCall, target: CallTarget): string {
  if (call.operation === 'TransactWriteItems' || call.operation === 'TransactGetItems') {
    const action = TRANSACTION_ITEM_ACTIONS[target.part ?? ''];
    if (action) return action;
    throw new Error(`no IAM action known for a ${call.operation} item of kind ${target.part}`);
  }
  if (DYNAMODB_SAME_NAME.has(call.operation)) return `dynamodb:${call.operation}`;
  throw new Error(`no IAM mapping for DynamoDB ${call.operation}: add it to iam-permissions.ts`);
}

/** The permissions one recorded call needs, one per target. */
export function requiredPermissions(call: RecordedCall, ids: LogicalIds): Permission[] {
  if (call.targets.length === 0)
    throw new Error(`${call.functionName}: ${call.service} ${call.operation} names no resource`);
  return call.targets.map((target) => {
    const logicalId = ids.of(call.service, target.resource);
    if (call.service === 'sqs') {
      const action = SQS_ACTIONS[call.operation];
      if (!action)
        throw new Error(`no IAM mapping for SQS ${call.operation}: add it to iam-permissions.ts`);
      return { action, resource: logicalId };
    }
    return {
      action: dynamoDbAction(call, target),
      // A Query or Scan on an index is authorised on the index's ARN (table/.../index/name).
      resource: target.index === undefined ? logicalId : `${logicalId}/index/${target.index}`,
    };
  });
}

/** Every distinct permission of a function's calls, with the operations that needed it. */
export function permissionsOf(
  calls: readonly RecordedCall[],
  ids: LogicalIds,
): Map<string, { permission: Permission; operations: Set<string> }> {
  const out = new Map<string, { permission: Permission; operations: Set<string> }>();
  for (const call of calls) {
    for (const permission of requiredPermissions(call, ids)) {
      const key = `${permission.action} on ${permission.resource}`;
      const entry = out.get(key) ?? { permission, operations: new Set<string>() };
      entry.operations.add(call.operation);
      out.set(key, entry);
    }
  }
  return out;
}
