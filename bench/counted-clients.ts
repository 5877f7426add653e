import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AwsClients } from '../lib/aws/clients';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/credentials';
import { CapacityCounter } from './capacity-counter';
import { RequestCounter } from './request-counter';

export interface CountedClients extends AwsClients {
  capacity: CapacityCounter;
  requests: RequestCounter;
  destroy(): void;
}

/**
 * The clients the functions build (`awsClients`: same document marshalling), pointed at the local
 * emulators, with DynamoDB capacity and SQS requests counted.
 */
export function countedClients(endpoints: { dynamodb: string; sqs: string }): CountedClients {
  const config = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const dynamodb = new DynamoDBClient({ ...config, endpoint: endpoints.dynamodb });
  const capacity = new CapacityCounter();
  capacity.attach(dynamodb);
  const sqs = new SQSClient({ ...config, endpoint: endpoints.sqs });
  const requests = new RequestCounter();
  requests.attach(sqs);
  return {
    dynamodb,
    documents: DynamoDBDocumentClient.from(dynamodb, {
      marshallOptions: { removeUndefinedValues: true },
    }),
    sqs,
    capacity,
    requests,
    destroy() {
      dynamodb.destroy();
      sqs.destroy();
    },
  };
}
