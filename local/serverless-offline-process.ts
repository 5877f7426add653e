import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PROJECT_ROOT } from './serverless-config';

export interface ServerlessOfflineOptions {
  /** The service folder (default: the project). */
  cwd?: string;
  stage: string;
  lambdaPort: number;
  httpPort: number;
  /** Extra environment for serverless (AWS_* variables reach the Lambdas too). */
  env?: Record<string, string>;
  /** `--param key=value` pairs. */
  params?: Record<string, string>;
  /** Every output line of serverless (stdout and stderr), as it comes. */
  onLine?(line: string): void;
  /** How long to wait for the Lambda endpoint to listen (default 120 s: the first build is slow). */
  startTimeoutMs?: number;
  /** Aborting it while serverless starts stops its process group and rejects with the reason. */
  signal?: AbortSignal;
}

export interface ServerlessOfflineProcess {
  pid: number;
  /** The last lines of output, for error messages. */
  tail(): string;
  /** Resolves when serverless has exited (on its own or after `stop`). */
  exited: Promise<number | null>;
  /** SIGINT to the whole process group (serverless and its workers); SIGKILL if it lingers. */
  stop(timeoutMs?: number): Promise<void>;
}

const READY = /Offline \[http for lambda\] listening on/;

/**
 * Starts `serverless offline start` (osls) in its own process group, so that stopping it also
 * stops everything it started, and resolves once its Lambda endpoint listens.
 */
export async function startServerlessOffline(
  options: ServerlessOfflineOptions,
): Promise<ServerlessOfflineProcess> {
  const bin = join(PROJECT_ROOT, 'node_modules', '.bin', 'serverless');
  const args = [
    'offline',
    'start',
    '--stage',
    options.stage,
    '--lambdaPort',
    String(options.lambdaPort),
    '--httpPort',
    String(options.httpPort),
    '--host',
    '127.0.0.1',
    '--noSponsor',
  ];
  for (const [key, value] of Object.entries(options.params ?? {})) {
    args.push('--param', `${key}=${value}`);
  }
  const child: ChildProcess = spawn(bin, args, {
    cwd: options.cwd ?? PROJECT_ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...options.env,
    },
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${bin}`);

  const lines: string[] = [];
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      if (lines.length > 200) lines.shift();
      if (READY.test(line)) markReady();
      options.onLine?.(line);
    });
  }
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
  const tail = () => lines.slice(-40).join('\n');

  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is gone already.
    }
  };
  const stop = async (timeoutMs = 10_000) => {
    if (child.exitCode === null && child.signalCode === null) signalGroup('SIGINT');
    const timer = setTimeout(() => signalGroup('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
    // Anything of the group still alive (a worker's child, say) goes too.
    signalGroup('SIGKILL');
  };

  const timeoutMs = options.startTimeoutMs ?? 120_000;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const outcome = await Promise.race([
    ready.then(() => 'ready' as const),
    exited.then(() => 'exited' as const),
    new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    }),
    new Promise<'aborted'>((resolve) => {
      onAbort = () => resolve('aborted');
      if (options.signal?.aborted) onAbort();
      else options.signal?.addEventListener('abort', onAbort, { once: true });
    }),
  ]);
  clearTimeout(timer);
  if (onAbort) options.signal?.removeEventListener('abort', onAbort);
  if (outcome !== 'ready') {
    await stop();
    options.signal?.throwIfAborted();
    throw new Error(
      outcome === 'exited'
        ? `serverless offline exited while starting:\n${tail()}`
        : `serverless offline did not listen within ${timeoutMs} ms:\n${tail()}`,
    );
  }
  return { pid, tail, exited, stop };
}

/** Invokes a function through serverless-offline's Lambda API, as `aws lambda invoke` would. */
export async function invokeOfflineFunction(
  lambdaPort: number,
  functionName: string,
  payload: unknown = {},
): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(
      `http://127.0.0.1:${lambdaPort}/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-amz-invocation-type': 'RequestResponse' },
        body: JSON.stringify(payload),
      },
    );
  } catch (error) {
    // fetch says only "fetch failed"; the cause says why (refused, reset, ...).
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(
      `invoking ${functionName}: serverless offline did not answer on port ${lambdaPort} (${cause?.code ?? cause?.message ?? (error as Error).message})`,
    );
  }
  const text = await response.text();
  const body = text ? (JSON.parse(text) as unknown) : undefined;
  if (!response.ok || response.headers.get('x-amz-function-error')) {
    throw new Error(`invoking ${functionName} failed (${response.status}): ${text}`);
  }
  return body;
}
