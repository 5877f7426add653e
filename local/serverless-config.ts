import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The project root (this file lives in `local/`). */
export const PROJECT_ROOT = resolve(__dirname, '..');

/** The part of the resolved serverless.yml the local stack reads. */
export interface ResolvedServerlessConfig {
  service: string;
  provider: { stage: string; region: string; environment?: Record<string, unknown> };
  custom?: Record<string, unknown>;
  functions?: Record<string, Record<string, unknown>>;
  resources?: { Resources?: Record<string, CloudFormationResource> };
}

export interface CloudFormationResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

async function configFingerprint(stage: string): Promise<string> {
  const hash = createHash('sha256').update(stage);
  const resourceDir = join(PROJECT_ROOT, 'resources');
  const files = [
    'serverless.yml',
    ...(await readdir(resourceDir)).sort().map((f) => join('resources', f)),
  ];
  for (const file of files) hash.update(file).update(await readFile(join(PROJECT_ROOT, file)));
  return hash.digest('hex').slice(0, 16);
}

/**
 * serverless.yml as osls resolves it (`serverless print`), so the local stack creates exactly the
 * tables and queues that a deploy would. Printing takes seconds, so the result is cached under
 * `.local/` keyed by the content of serverless.yml and resources/.
 */
export async function loadServerlessConfig(
  stage: string,
  /** Aborting it kills a `serverless print` in progress. */
  signal?: AbortSignal,
): Promise<ResolvedServerlessConfig> {
  const cacheDir = join(PROJECT_ROOT, '.local', 'serverless-print');
  const cacheFile = join(cacheDir, `${stage}-${await configFingerprint(stage)}.json`);
  try {
    return JSON.parse(await readFile(cacheFile, 'utf8')) as ResolvedServerlessConfig;
  } catch {
    // Not cached yet.
  }
  const bin = join(PROJECT_ROOT, 'node_modules', '.bin', 'serverless');
  let stdout: string;
  try {
    ({ stdout } = await run(bin, ['print', '--format', 'json', '--stage', stage], {
      cwd: PROJECT_ROOT,
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
      signal,
    }));
  } catch (error) {
    signal?.throwIfAborted();
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`serverless print failed: ${stderr.trim() || (error as Error).message}`);
  }
  const config = JSON.parse(stdout) as ResolvedServerlessConfig;
  await mkdir(cacheDir, { recursive: true });
  await writeFile(cacheFile, JSON.stringify(config));
  return config;
}

/**
 * The CloudFormation resources of one type, by logical id. The local stack asks only for tables
 * and queues; everything else serverless.yml declares (IAM roles, alarms, log groups, conditions)
 * has no local counterpart and is ignored.
 */
export function resourcesOfType(
  config: ResolvedServerlessConfig,
  type: string,
): [string, Record<string, unknown>][] {
  return Object.entries(config.resources?.Resources ?? {})
    .filter(([, resource]) => resource.Type === type)
    .map(([logicalId, resource]) => [logicalId, resource.Properties ?? {}]);
}
