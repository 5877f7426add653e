import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../local/serverless-config';

export interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: unknown;
}

/** The CloudFormation template a deploy would send (the update-stack one). */
export interface CloudFormationTemplate {
  Resources: Record<string, TemplateResource>;
  Conditions?: Record<string, unknown>;
}

export interface PackagedService {
  template: CloudFormationTemplate;
  /** The artifacts (`<function>.zip`) in the package folder. */
  artifacts: string[];
  /** Removes the package folder and its esbuild work folder. */
  remove(): Promise<void>;
}

/**
 * `serverless package` (osls) into a folder of its own under `.local/`, with no AWS credentials
 * at all: it bundles and templates offline. Its own HOME (no user config is read or written) and
 * esbuild work folder, so it runs beside the demo, `npm start` and other tests.
 */
export async function packageService(stage: string): Promise<PackagedService> {
  await mkdir(join(PROJECT_ROOT, '.local'), { recursive: true });
  const dir = await mkdtemp(join(PROJECT_ROOT, '.local', 'package-'));
  const out = join(dir, 'out');
  try {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: dir,
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
      ESBUILD_WORK_FOLDER: relative(PROJECT_ROOT, join(dir, 'esbuild')),
    };
    await promisify(execFile)(
      join(PROJECT_ROOT, 'node_modules', '.bin', 'serverless'),
      ['package', '--stage', stage, '--package', out],
      { cwd: PROJECT_ROOT, env, maxBuffer: 16 * 1024 * 1024 },
    );
    const template = JSON.parse(
      await readFile(join(out, 'cloudformation-template-update-stack.json'), 'utf8'),
    ) as CloudFormationTemplate;
    const artifacts = (await readdir(out)).filter((f) => f.endsWith('.zip'));
    return { template, artifacts, remove: () => rm(dir, { recursive: true, force: true }) };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`serverless package failed: ${stderr || (error as Error).message}`);
  }
}
