import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * A document client whose every `send` fails with the TransactionCanceledException DynamoDB
 * returns, one cancellation reason per code. A stub because DynamoDB Local cannot be made to
 * cancel a transaction for a conflict or throttling on demand.
 */
export function clientThrowing(...codes: string[]): DynamoDBDocumentClient {
  const error = new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
  return { send: async () => Promise.reject(error) } as unknown as DynamoDBDocumentClient;
}
