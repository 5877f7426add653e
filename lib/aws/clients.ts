import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Per-attempt HTTP timeouts for the SDK clients. Without them a hung connection holds a record
 * until the Lambda times out, and then the whole batch is redelivered.
 *
 * The numbers, against the appliers' 30 s timeout (`custom.timeouts.applier` in serverless.yml):
 * an attempt is abandoned after 6 s (`requestTimeout` covers the whole attempt, connecting
 * included; a healthy DynamoDB or SQS call takes milliseconds, a loaded local emulator well under
 * a second), a connection that is not up after 3 s sooner. The SDK's default retries are kept and
 * count a timeout as transient: DynamoDB makes 4 attempts (SQS 3) with backoff under 0.2 s, so a
 * hung DynamoDB call gives up after about 4 × 6 s = 24 s, inside the 30 s. The record is then
 * reported as a batch item failure and redelivered alone, while the Lambda still answers for the
 * rest of the batch (records run concurrently). 8 s would be 32 s, past the Lambda's timeout.
 * The compute functions (60–300 s) make the same calls and have more room.
 */
export const HTTP_TIMEOUTS = { connectionTimeoutMs: 3_000, requestTimeoutMs: 6_000 } as const;

interface HttpTimeouts {
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
}

/**
 * The client configuration that sets the timeouts. Passed as the SDK's request handler options,
 * so the SDK builds its own NodeHttpHandler (no direct dependency on `@smithy/node-http-handler`).
 * `throwOnRequestTimeout` is needed: without it the handler only logs a warning when
 * `requestTimeout` passes and keeps waiting.
 */
export function httpTimeoutConfig(timeouts: HttpTimeouts = HTTP_TIMEOUTS) {
  return {
    requestHandler: {
      connectionTimeout: timeouts.connectionTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
  };
}

/**
 * The SDK clients, created once per container (module scope) and reused by every invocation.
 * The default configuration honours `AWS_ENDPOINT_URL_DYNAMODB` and `AWS_ENDPOINT_URL_SQS`,
 * which is how the local stack points them at the emulators.
 */
export interface AwsClients {
  dynamodb: DynamoDBClient;
  documents: DynamoDBDocumentClient;
  sqs: SQSClient;
}

let clients: AwsClients | undefined;

export function awsClients(): AwsClients {
  if (!clients) {
    const dynamodb = new DynamoDBClient(httpTimeoutConfig());
    clients = {
      dynamodb,
      documents: DynamoDBDocumentClient.from(dynamodb, {
        marshallOptions: { removeUndefinedValues: true },
      }),
      sqs: new SQSClient(httpTimeoutConfig()),
    };
  }
  return clients;
}
