import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

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
    const dynamodb = new DynamoDBClient({});
    clients = {
      dynamodb,
      documents: DynamoDBDocumentClient.from(dynamodb, {
        marshallOptions: { removeUndefinedValues: true },
      }),
      sqs: new SQSClient({}),
    };
  }
  return clients;
}
