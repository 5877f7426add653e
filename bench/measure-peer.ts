/**
 * The peer (issue 13): the usual TypeScript answer to "apply SQS updates idempotently", measured on
 * the same steady-state membership updates as our applier. Powertools batch (`BatchProcessor`,
 * `processPartialResponse`) around Powertools idempotency (`makeIdempotent` with its
 * `DynamoDBPersistenceLayer`, keyed on the update id, in its own table on the same DynamoDB Local)
 * around a plain conditional write of the membership (an `UpdateItem` guarded by the version only).
 * Parse and zod validation are ours (`parseUpdateRecord`), so the two differ only in how they make
 * the write safe to repeat.
 */

import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseUpdateRecord } from '../lib/apply/parse-update-record';
import { UPDATE_ATTRIBUTE } from '../schemas';

/** Powertools' default schema: partition key `id` (S), TTL on `expiration`. */
export async function ensureIdempotencyTable(
  dynamodb: DynamoDBClient,
  tableName: string,
): Promise<void> {
  try {
    await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
  await dynamodb.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
    }),
  );
}

/** What the peer needs: the counted clients (capacity is read at their middleware) and tables. */
export interface PeerDeps {
  dynamodb: DynamoDBClient;
  documents: DynamoDBDocumentClient;
  membershipsTable: string;
  idempotencyTable: string;
  now?: () => Date;
}

/** Counts the peer's record outcomes (as our recorder does), so the bench can check the state. */
export interface PeerTally {
  written: number;
  stale: number;
  rejected: number;
}

/** Lambda's context, as far as Powertools reads it (the remaining time bounds INPROGRESS). */
function benchContext(): Context {
  return {
    functionName: 'bench-peer',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:bench-peer',
    memoryLimitInMB: '1024',
    awsRequestId: 'bench-peer',
    logGroupName: '/aws/lambda/bench-peer',
    logStreamName: 'bench',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * The peer's handler for one SQS event of Group updates. One entry per message (the bench's
 * updates), written with a plain `UpdateItem`: the desired state and the newer version, under the
 * condition that the stored version is older. A failed condition is a stale update (acknowledged).
 */
export function peerHandler(
  deps: PeerDeps,
  tally: PeerTally,
): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const now = deps.now ?? (() => new Date());
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: deps.idempotencyTable,
    awsSdkV3Client: deps.dynamodb,
  });
  const config = new IdempotencyConfig({
    eventKeyJmesPath: `messageAttributes."${UPDATE_ATTRIBUTE.updateId}".stringValue`,
    expiresAfterSeconds: 3600,
  });
  const applyRecord = async (record: SQSRecord): Promise<string> => {
    const parsed = parseUpdateRecord(record, 'Group', now());
    if (!parsed.ok) {
      tally.rejected += 1;
      return 'rejected';
    }
    const { update, meta } = parsed;
    const groupId = update.integration_payload.externally_exposable_id;
    for (const entry of update.integration_payload.members.entries) {
      try {
        await deps.documents.send(
          new UpdateCommand({
            TableName: deps.membershipsTable,
            Key: { groupId, patientKey: entry.uuid },
            UpdateExpression:
              'SET active = :active, version = :v, lastUpdateId = :id, updatedAt = :at, lastProtocol = :p',
            ConditionExpression: 'attribute_not_exists(version) OR version < :v',
            ExpressionAttributeValues: {
              ':active': entry.inactive !== true,
              ':v': meta.version,
              ':id': meta.updateId,
              ':at': now().toISOString(),
              ':p': meta.protocol ?? 'unknown',
            },
          }),
        );
        tally.written += 1;
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
        tally.stale += 1;
      }
    }
    return 'done';
  };
  const idempotentRecord = makeIdempotent(applyRecord, { persistenceStore, config });
  return async (event) => {
    const context = benchContext();
    config.registerLambdaContext(context);
    const processor = new BatchProcessor(EventType.SQS);
    return processPartialResponse(event, idempotentRecord, processor, {
      context,
      throwOnFullBatchFailure: false,
    });
  };
}
