import type { Server } from 'node:http';
import { createSqsServer } from 'local-aws-sqs';
import { LOCAL_REGION } from './credentials';
import { assertPortFree, freePort } from './ports';

export interface SqsLocal {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts `local-aws-sqs` in this process: SQS's JSON protocol (SDK v3), visibility timeouts,
 * batch calls and redrive to a DLQ after maxReceiveCount.
 */
export async function startSqsLocal(options: { port?: number } = {}): Promise<SqsLocal> {
  const port = options.port ?? (await freePort());
  if (options.port !== undefined) await assertPortFree(port, 'local SQS');
  const server: Server = await createSqsServer({
    port,
    hostname: '127.0.0.1',
    region: LOCAL_REGION,
    // Tests and the demo delete and recreate queues freely.
    emulateQueueCreationLifecycle: false,
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections?.();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
