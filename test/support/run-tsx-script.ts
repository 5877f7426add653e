import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../local/serverless-config';

export interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a project script (`scripts/demo.ts`, `bench/run.ts`) through tsx as a user would, no stdin. */
export function runTsxScript(script: string, args: readonly string[]): Promise<ScriptRun> {
  return new Promise((resolve) => {
    const child = spawn(join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), [script, ...args], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
