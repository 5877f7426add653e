import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../local/serverless-config';

export interface DryRunOutput {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `scripts/dry-run.ts` through tsx as a user would, from the project root, in `env`. */
export function dryRunIn(env: NodeJS.ProcessEnv, args: readonly string[]): DryRunOutput {
  const child = spawnSync(
    join(PROJECT_ROOT, 'node_modules/.bin/tsx'),
    ['scripts/dry-run.ts', ...args],
    { cwd: PROJECT_ROOT, encoding: 'utf8', env },
  );
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

/** Runs `scripts/dry-run.ts` with these arguments, in the test's environment. */
export function dryRun(...args: string[]): DryRunOutput {
  return dryRunIn(process.env, args);
}

/**
 * A temporary folder for the tests of the enclosing block, as jest hooks: made before them
 * (`mkdtemp` with `prefix`), removed after. The returned function gives its path from then on.
 */
export function useTempFolder(prefix: string): () => string {
  let folder: string | undefined;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    if (folder) await rm(folder, { recursive: true, force: true });
  });
  return () => {
    if (!folder) throw new Error('useTempFolder: the folder is made in beforeAll');
    return folder;
  };
}
