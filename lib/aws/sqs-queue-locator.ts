import { GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** Queue URLs by queue name (GetQueueUrl), cached; undefined for a queue that does not exist. */
export class SqsQueueLocator {
  readonly #urls = new Map<string, string>();

  constructor(private readonly sqs: SQSClient) {}

  async urlOf(queueName: string): Promise<string | undefined> {
    const cached = this.#urls.get(queueName);
    if (cached) return cached;
    try {
      const { QueueUrl } = await this.sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
      if (QueueUrl) this.#urls.set(queueName, QueueUrl);
      return QueueUrl;
    } catch (error) {
      const name = (error as { name?: string }).name ?? '';
      // The JSON protocol says QueueDoesNotExist; the older query protocol its long form.
      if (name === 'QueueDoesNotExist' || name === 'AWS.SimpleQueueService.NonExistentQueue')
        return undefined;
      throw error;
    }
  }
}
