import type { SQSClient } from '@aws-sdk/client-sqs';

/**
 * Counts the requests an SQS client makes, by SDK command name, as SDK middleware (so the
 * production senders run unchanged). Counted at the `build` step, once per call to `send`: the
 * SDK's own transport retries are not requests the code made.
 */
export class RequestCounter {
  readonly byCommand: Record<string, number> = {};

  attach(client: SQSClient): void {
    client.middlewareStack.add(
      (next, context) => (args) => {
        const command = context.commandName ?? 'unknown';
        this.byCommand[command] = (this.byCommand[command] ?? 0) + 1;
        return next(args);
      },
      { step: 'build', name: 'benchRequestCounter' },
    );
  }

  /** Requests that put messages on a queue. */
  sendRequests(): number {
    return (this.byCommand.SendMessageBatchCommand ?? 0) + (this.byCommand.SendMessageCommand ?? 0);
  }

  total(): number {
    return Object.values(this.byCommand).reduce((sum, n) => sum + n, 0);
  }
}
