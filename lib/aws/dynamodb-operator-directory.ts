import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  type ScanCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { TABLES, type TableKey } from '../message-types';
import { nameInitial } from '../ports/names';
import type {
  GroupSummary,
  LabelDeactivation,
  LabelSummary,
  MembershipPeriod,
  MembershipSummary,
  OperatorDirectory,
  PageReader,
  ResultSummary,
  TaskRecordFilter,
  TaskSummary,
} from '../ports/operator-directory';
import { PROTOCOL_STATUSES } from '../protocol/protocol-result';
import { batchGetItems } from './batch-get-items';
import { ACTIVE_GROUP_ID } from './dynamodb-membership-store';
import {
  RESULT_STATUS_KEY,
  RESULT_STATUS_SHARDS,
  RESULTS_BY_PROTOCOL_STATUS_INDEX,
  statusKeyOf,
  UNINDEXED_STATUSES,
} from './dynamodb-protocol-result-store';
import { groupItem } from './table-items';

type Item = Record<string, unknown>;

/** The tables the operator reads and writes. */
const OPERATOR_TABLE_KEYS = [
  'patients',
  'groups',
  'memberships',
  'tasks',
  'labels',
  'protocolResults',
] as const satisfies readonly TableKey[];

/** The physical name of each table the operator reads and writes, by entity (docs/data-model.md). */
export type OperatorTables = Record<(typeof OPERATOR_TABLE_KEYS)[number], string>;

/** The CloudFormation logical id of each of those tables (from the registry's `TABLES`). */
export const TABLE_LOGICAL_IDS = Object.fromEntries(
  OPERATOR_TABLE_KEYS.map((key) => [key, TABLES[key].logicalId]),
) as Record<keyof OperatorTables, string>;

/** The groups-table search index (resources/tables.yml). */
export const GROUP_NAME_INDEX = 'byName';
/** The memberships-table index of a patient's groups (resources/tables.yml). */
export const MEMBERSHIPS_BY_PATIENT_INDEX = 'byPatient';
/** The sparse memberships-table index of a group's active members (resources/tables.yml). */
const ACTIVE_MEMBERS_INDEX = 'activeMembers';

/** The statuses the sparse index `byProtocolStatus` holds (all but `not_applicable`). */
export const INDEXED_RESULT_STATUSES: readonly string[] = PROTOCOL_STATUSES.filter(
  (status) => !UNINDEXED_STATUSES.includes(status),
);

function text(item: Item, name: string): string | undefined {
  return typeof item[name] === 'string' ? String(item[name]) : undefined;
}

function groupSummary(item: Item): GroupSummary {
  return {
    groupId: String(item.groupId),
    name: String(item.name ?? ''),
    active: item.active === true,
  };
}

function membershipPeriod(value: unknown): MembershipPeriod {
  const period = (value ?? {}) as Item;
  const result: MembershipPeriod = {};
  for (const field of ['startedAt', 'endedAt', 'endedByUpdateId'] as const)
    if (typeof period[field] === 'string') result[field] = period[field] as string;
  return result;
}

function membershipSummary(item: Item): MembershipSummary {
  return {
    groupId: String(item.groupId),
    patientKey: String(item.patientKey),
    active: item.active === true,
    startedAt: text(item, 'startedAt'),
    endedAt: text(item, 'endedAt'),
    lastProtocol: text(item, 'lastProtocol'),
    updatedAt: text(item, 'updatedAt'),
    ...(Array.isArray(item.periods) ? { periods: item.periods.map(membershipPeriod) } : {}),
  };
}

const TASK_TEXT_FIELDS = [
  'title',
  'due',
  'created',
  'dueInstant',
  'createdInstant',
  'assigneeKey',
  'teamId',
  'tag',
  'creatorKey',
  'protocol',
  'appliedAt',
] as const;

/** The documented task fields only; other attributes on the item are left out. */
function taskSummary(item: Item): TaskSummary {
  const task: TaskSummary = {
    patientKey: String(item.patientKey),
    taskId: String(item.taskId),
    status: String(item.status ?? ''),
  };
  for (const field of TASK_TEXT_FIELDS)
    if (typeof item[field] === 'string') task[field] = item[field] as string;
  if (Array.isArray(item.labels)) task.labels = item.labels.map(String);
  return task;
}

function labelSummary(item: Item): LabelSummary {
  const label: LabelSummary = {
    nameKey: String(item.nameKey),
    name: String(item.name ?? item.nameKey),
    active: item.active === true,
  };
  if (typeof item.createdAt === 'string') label.createdAt = item.createdAt;
  if (typeof item.deactivatedAt === 'string') label.deactivatedAt = item.deactivatedAt;
  return label;
}

function resultSummary(item: Item): ResultSummary {
  const summary: ResultSummary = {
    patientKey: String(item.patientKey),
    protocol: text(item, 'protocol') ?? String(item[RESULT_STATUS_KEY] ?? '').split('#')[0] ?? '',
    protocolVersion: text(item, 'protocolVersion'),
    status: text(item, 'status') ?? '',
    dueIn: typeof item.dueIn === 'number' ? item.dueIn : null,
    nextReview: text(item, 'nextReview') ?? null,
  };
  if (Array.isArray(item.narratives)) summary.narratives = item.narratives.map(String);
  if (Array.isArray(item.recommendations)) summary.recommendations = item.recommendations;
  for (const name of ['computedAt', 'updatesSentAt'] as const) {
    const value = text(item, name);
    if (value !== undefined) summary[name] = value;
  }
  if (typeof item.updatesCount === 'number') summary.updatesCount = item.updatesCount;
  return summary;
}

/**
 * Legacy tasks, stored before `dueInstant` existed, hold `due` as `YYYY-MM-DDThh:mm:ss` (UTC, the
 * only form then accepted). `due < instant` for them is `due < ` the instant rounded up to the
 * second, in that form: string order is time order there too.
 */
export function legacyDueBound(instant: string): string {
  if (/\.0{6}Z$/.test(instant)) return instant.slice(0, 19);
  const next = new Date(new Date(`${instant.slice(0, 19)}Z`).getTime() + 1000).toISOString();
  // Past 9999-12-31T23:59:59: above every legacy value (hours stop at 23).
  return /^\d{4}-/.test(next) ? next.slice(0, 19) : '9999-12-31T24';
}

/** The FilterExpression of a task filter (DynamoDB applies it after reading each page). */
function taskFilterExpression(filter: TaskRecordFilter): {
  expression: Pick<
    QueryCommandInput,
    'FilterExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
  >;
  values: Record<string, unknown>;
} {
  const conditions: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const filterOn = (attribute: string, operator: string, value: unknown) => {
    names[`#${attribute}`] = attribute;
    values[`:${attribute}`] = value;
    conditions.push(`#${attribute} ${operator} :${attribute}`);
  };
  if (filter.status) filterOn('status', '=', filter.status);
  if (filter.assigneeKey) filterOn('assigneeKey', '=', filter.assigneeKey);
  if (filter.teamId) filterOn('teamId', '=', filter.teamId);
  // Normalized instants have one fixed width, so string order is time order. A task stored before
  // `dueInstant` existed is compared by its `due` (legacyDueBound).
  if (filter.dueBefore) {
    names['#dueInstant'] = 'dueInstant';
    names['#due'] = 'due';
    values[':dueBefore'] = filter.dueBefore;
    values[':legacyDueBefore'] = legacyDueBound(filter.dueBefore);
    conditions.push(
      '(#dueInstant < :dueBefore OR (attribute_not_exists(#dueInstant) AND #due < :legacyDueBefore))',
    );
  }
  return {
    expression:
      conditions.length > 0
        ? {
            FilterExpression: conditions.join(' AND '),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }
        : {},
    values,
  };
}

/** A conditional write's condition did not hold (by name: the SDK's classes may be duplicated). */
function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/**
 * The operator's directory over DynamoDB (docs/operator-cli.md says which request each command
 * makes): Queries on the tables and their indexes, page by page, a Scan for the tasks of every
 * patient and for the labels, conditional writes for a new group and a label's deactivation.
 */
export function dynamoDbOperatorDirectory(
  documents: DynamoDBDocumentClient,
  tables: OperatorTables,
): OperatorDirectory {
  const pages =
    <T>(
      send: (start: Item | undefined) => Promise<{ Items?: Item[]; LastEvaluatedKey?: Item }>,
      map: (item: Item) => T,
    ): PageReader<T> =>
    async (cursor) => {
      const page = await send(cursor as Item | undefined);
      return {
        items: (page.Items ?? []).map(map),
        ...(page.LastEvaluatedKey ? { next: page.LastEvaluatedKey } : {}),
      };
    };
  const query = <T>(input: QueryCommandInput, map: (item: Item) => T) =>
    pages(
      (ExclusiveStartKey) => documents.send(new QueryCommand({ ...input, ExclusiveStartKey })),
      map,
    );
  const scan = <T>(input: ScanCommandInput, map: (item: Item) => T) =>
    pages(
      (ExclusiveStartKey) => documents.send(new ScanCommand({ ...input, ExclusiveStartKey })),
      map,
    );

  return {
    patients: {
      async exists(patientKey) {
        // The projection keeps the patient document (PHI) out of the read.
        const { Item } = await documents.send(
          new GetCommand({
            TableName: tables.patients,
            Key: { patientKey },
            ProjectionExpression: 'patientKey',
          }),
        );
        return Item !== undefined;
      },
    },

    groups: {
      byName: (nameKey, { exact }) =>
        query(
          {
            TableName: tables.groups,
            IndexName: GROUP_NAME_INDEX,
            KeyConditionExpression: exact
              ? 'nameInitial = :initial AND nameKey = :key'
              : 'nameInitial = :initial AND begins_with(nameKey, :key)',
            ExpressionAttributeValues: { ':initial': nameInitial(nameKey), ':key': nameKey },
          },
          groupSummary,
        ),
      async get(groupId) {
        const { Item } = await documents.send(
          new GetCommand({ TableName: tables.groups, Key: { groupId }, ConsistentRead: true }),
        );
        return Item ? groupSummary(Item) : undefined;
      },
      async getMany(groupIds) {
        const found = await batchGetItems(
          documents,
          [
            {
              table: tables.groups,
              keys: [...new Set(groupIds)].map((groupId) => ({ groupId })),
              attributes: ['groupId', 'name', 'active'],
            },
          ],
          { consistent: false },
        );
        return new Map(
          (found.get(tables.groups) ?? []).map((item) => [
            String(item.groupId),
            groupSummary(item),
          ]),
        );
      },
      async create({ groupId, name }) {
        try {
          await documents.send(
            new PutCommand({
              TableName: tables.groups,
              Item: groupItem({ groupId, name, active: true }),
              ConditionExpression: 'attribute_not_exists(groupId)',
            }),
          );
          return 'created';
        } catch (error) {
          if (isConditionFailure(error)) return 'exists';
          throw error;
        }
      },
    },

    memberships: {
      activeOf: (groupId) =>
        query(
          {
            TableName: tables.memberships,
            IndexName: ACTIVE_MEMBERS_INDEX,
            KeyConditionExpression: '#g = :g',
            ExpressionAttributeNames: { '#g': ACTIVE_GROUP_ID },
            ExpressionAttributeValues: { ':g': groupId },
          },
          // In the index means active (the attribute is removed on deactivation).
          (item) => ({ ...membershipSummary(item), active: true }),
        ),
      allOf: (groupId) =>
        query(
          {
            TableName: tables.memberships,
            KeyConditionExpression: 'groupId = :g',
            ExpressionAttributeValues: { ':g': groupId },
          },
          membershipSummary,
        ),
      ofPatient: (patientKey) =>
        query(
          {
            TableName: tables.memberships,
            IndexName: MEMBERSHIPS_BY_PATIENT_INDEX,
            KeyConditionExpression: 'patientKey = :p',
            ExpressionAttributeValues: { ':p': patientKey },
          },
          membershipSummary,
        ),
    },

    tasks: {
      ofPatient(patientKey, filter) {
        const { expression, values } = taskFilterExpression(filter);
        return query(
          {
            TableName: tables.tasks,
            KeyConditionExpression: 'patientKey = :patientKey',
            ...expression,
            ExpressionAttributeValues: { ...values, ':patientKey': patientKey },
          },
          taskSummary,
        );
      },
      all: (filter) =>
        scan({ TableName: tables.tasks, ...taskFilterExpression(filter).expression }, taskSummary),
    },

    labels: {
      all: () => scan({ TableName: tables.labels }, labelSummary),
      async deactivate(nameKey, at): Promise<LabelDeactivation> {
        try {
          const { Attributes } = await documents.send(
            new UpdateCommand({
              TableName: tables.labels,
              Key: { nameKey },
              UpdateExpression: 'SET active = :false, deactivatedAt = :now',
              ConditionExpression: 'attribute_exists(nameKey) AND active = :true',
              ExpressionAttributeValues: { ':false': false, ':true': true, ':now': at },
              ReturnValues: 'ALL_NEW',
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
          );
          return {
            outcome: 'deactivated',
            label: labelSummary(Attributes ?? { nameKey, active: false }),
          };
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
          // The old item a failed condition returns, as plain AttributeValues.
          const old = (error as { Item?: Record<string, { S?: string; BOOL?: boolean }> }).Item;
          if (!old?.nameKey) return { outcome: 'unknown' };
          return {
            outcome: 'already-inactive',
            label: labelSummary({
              nameKey: old.nameKey.S,
              name: old.name?.S,
              active: old.active?.BOOL === true,
              createdAt: old.createdAt?.S,
              deactivatedAt: old.deactivatedAt?.S,
            }),
          };
        }
      },
    },

    protocolResults: {
      indexedStatuses: INDEXED_RESULT_STATUSES,
      unindexedStatuses: UNINDEXED_STATUSES,
      // `statusKey = <protocol>#<status>#<shard>`: every shard of the status.
      withStatus: (protocol, status) =>
        Array.from({ length: RESULT_STATUS_SHARDS }, (_, shard) =>
          query(
            {
              TableName: tables.protocolResults,
              IndexName: RESULTS_BY_PROTOCOL_STATUS_INDEX,
              KeyConditionExpression: '#k = :k',
              ExpressionAttributeNames: { '#k': RESULT_STATUS_KEY },
              ExpressionAttributeValues: { ':k': statusKeyOf(protocol, status, shard) },
            },
            (item) => ({ ...resultSummary(item), protocol }),
          ),
        ),
      ofPatient: (patientKey) =>
        query(
          {
            TableName: tables.protocolResults,
            KeyConditionExpression: 'patientKey = :p',
            ExpressionAttributeValues: { ':p': patientKey },
          },
          resultSummary,
        ),
    },
  };
}
