import { createServer, type Server, Socket } from 'node:net';

/**
 * A TCP proxy on loopback in front of a local service, so a test can cut the network at once:
 * every open connection is reset (requests in flight end with an unknown outcome, as when a server
 * dies) and new ones are reset until `restore`.
 */
export interface FaultProxy {
  endpoint: string;
  port: number;
  /** Resets every connection now and every new one until `restore`. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startFaultProxy(targetPort: number): Promise<FaultProxy> {
  const open = new Set<Socket>();
  let isCut = false;
  const track = (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  };
  const server: Server = createServer((client) => {
    track(client);
    if (isCut) {
      client.resetAndDestroy();
      return;
    }
    const upstream = new Socket();
    track(upstream);
    upstream.connect(targetPort, '127.0.0.1');
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.resetAndDestroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('fault proxy has no port');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    port: address.port,
    cut() {
      isCut = true;
      for (const socket of open) socket.resetAndDestroy();
    },
    restore() {
      isCut = false;
    },
    close() {
      for (const socket of open) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
