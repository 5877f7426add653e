import '../../support/quiet-sdk-warning';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ensureIdempotencyTable, type PeerTally, peerHandler } from '../../../bench/measure-peer';
import { sqsRecord } from '../../../bench/sqs-records';
import { ensurePatientInGroup } from '../../../lib/update-helpers';
import { encodeUpdateAttributes } from '../../../schemas';
import type { TestStack } from '../../support/local-stack';
import { useTestStack } from '../../support/use-test-stack';

/**
 * The bench's peer (Powertools batch + idempotency around a plain conditional write) on DynamoDB
 * Local: it must be the idempotent applier it stands for, or its figures compare nothing.
 */
const testStack = useTestStack();
let stack: TestStack;
const IDEMPOTENCY_TABLE = 'peer-test-idempotency';
const GROUP = '00000000-0000-4000-9000-00000000peer';

beforeAll(async () => {
  stack = testStack();
  await ensureIdempotencyTable(stack.dynamodb, IDEMPOTENCY_TABLE);
  // A second call finds the table and leaves it.
  await ensureIdempotencyTable(stack.dynamodb, IDEMPOTENCY_TABLE);
});

function record(patientKey: string, updateId: string, computedAt: number, messageId = updateId) {
  return sqsRecord({
    messageId,
    body: JSON.stringify(ensurePatientInGroup(patientKey, GROUP)),
    attributes: encodeUpdateAttributes({ updateId, computedAt, protocol: 'peer-test' }),
    queueArn: 'arn:aws:sqs:us-east-1:000000000000:peer-test',
  });
}

async function membership(patientKey: string) {
  const { Item } = await stack.documents.send(
    new GetCommand({
      TableName: stack.tables.MembershipsTable,
      Key: { groupId: GROUP, patientKey },
      ConsistentRead: true,
    }),
  );
  return Item;
}

describe('the bench peer (Powertools idempotency, DynamoDB Local)', () => {
  it('writes each update once, keyed on the update id: a redelivery is answered from its record', async () => {
    const tally: PeerTally = { written: 0, stale: 0, rejected: 0 };
    const handle = peerHandler(
      {
        dynamodb: stack.dynamodb,
        documents: stack.documents,
        membershipsTable: stack.tables.MembershipsTable as string,
        idempotencyTable: IDEMPOTENCY_TABLE,
      },
      tally,
    );
    const t0 = Date.now() - 60_000;

    const first = await handle({ Records: [record('peer-p1', 'peer-u1', t0)] });
    // The same update delivered again (another SQS message id): no second write.
    const again = await handle({ Records: [record('peer-p1', 'peer-u1', t0, 'other-message')] });
    // A newer update of the same membership writes; an older one is stale.
    const newer = await handle({ Records: [record('peer-p1', 'peer-u2', t0 + 1)] });
    const older = await handle({ Records: [record('peer-p1', 'peer-u0', t0 - 1)] });

    expect([first, again, newer, older].flatMap((r) => r.batchItemFailures)).toEqual([]);
    expect(tally).toEqual({ written: 2, stale: 1, rejected: 0 });
    expect(await membership('peer-p1')).toMatchObject({
      active: true,
      version: t0 + 1,
      lastUpdateId: 'peer-u2',
    });
    const { Items } = await stack.documents.send(
      new ScanCommand({ TableName: IDEMPOTENCY_TABLE, ConsistentRead: true }),
    );
    // One record per update id, each completed.
    expect(Items?.map((i) => i.status).sort()).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
  });
});
