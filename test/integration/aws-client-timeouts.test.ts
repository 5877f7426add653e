import { createServer, type Server, type Socket } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { awsClients, HTTP_TIMEOUTS, httpTimeoutConfig } from '../../lib/aws/clients';

// A hung connection is what no emulator produces on demand: this server accepts TCP connections
// and reads the requests but never answers, as a dead load balancer or a half-open socket would.

let server: Server;
let endpoint: string;
const sockets = new Set<Socket>();
let requests = 0;

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (chunk) => {
      // One HTTP request per request line (bodies are small JSON, no pipelining).
      requests += chunk.toString('latin1').match(/^POST \//gm)?.length ?? 0;
    });
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  endpoint = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  requests = 0;
});

const local = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };

describe('AWS client HTTP timeouts', () => {
  it("abandons a request that gets no answer and retries it with the SDK's default attempts", async () => {
    // The production options with short numbers, so the test takes a second, not 25.
    const client = new DynamoDBClient({
      ...local,
      ...httpTimeoutConfig({ connectionTimeoutMs: 300, requestTimeoutMs: 300 }),
      endpoint,
    });
    const started = Date.now();

    const error = await client.send(new ListTablesCommand({})).catch((e: unknown) => e);

    const elapsed = Date.now() - started;
    const defaultAttempts = await client.config.maxAttempts();
    client.destroy();
    expect(defaultAttempts).toBeGreaterThan(1);
    expect(error).toMatchObject({ name: 'TimeoutError', $metadata: { attempts: defaultAttempts } });
    expect(requests).toBe(defaultAttempts);
    expect(elapsed).toBeGreaterThanOrEqual(defaultAttempts * 300);
    expect(elapsed).toBeLessThan(10_000);
  });

  it('configures the clients the functions use with the documented timeouts', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'x',
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      AWS_ENDPOINT_URL_SQS: endpoint,
    });
    try {
      const { dynamodb, sqs } = awsClients();
      // The handler reads its configuration when the first request starts; abort that request.
      const abort = AbortSignal.timeout(200);
      await Promise.allSettled([
        dynamodb.send(new ListTablesCommand({}), { abortSignal: abort }),
        sqs.send(new GetQueueUrlCommand({ QueueName: 'q' }), { abortSignal: abort }),
      ]);

      for (const client of [dynamodb, sqs]) {
        // `httpHandlerConfigs` is part of the SDK's HttpHandler interface; the config type hides it.
        const handler = client.config.requestHandler as unknown as {
          httpHandlerConfigs(): Record<string, unknown>;
        };
        expect(handler.httpHandlerConfigs()).toMatchObject({
          connectionTimeout: HTTP_TIMEOUTS.connectionTimeoutMs,
          requestTimeout: HTTP_TIMEOUTS.requestTimeoutMs,
          throwOnRequestTimeout: true,
        });
      }
    } finally {
      process.env = saved;
    }
  });
});
