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

/** Stage params given on the command line (`--param name=value`), over serverless.yml's. */
export type StageParams = Record<string, string>;

const paramArgs = (params: StageParams) =>
  Object.entries(params).flatMap(([name, value]) => ['--param', `${name}=${value}`]);

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
export async function packageService(
  stage: string,
  params: StageParams = {},
): Promise<PackagedService> {
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
      ['package', '--stage', stage, '--package', out, ...paramArgs(params)],
      { cwd: PROJECT_ROOT, env, maxBuffer: 16 * 1024 * 1024 },
    );
    const template = JSON.parse(
      await readFile(join(out, 'cloudformation-template-update-stack.json'), 'utf8'),
    ) as CloudFormationTemplate;
    const artifacts = (await readdir(out)).filter((f) => f.endsWith('.zip'));
    return { template, artifacts, remove: () => rm(dir, { recursive: true, force: true }) };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    // osls writes its error to either stream, depending on the error.
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    const output = `${stdout ?? ''}${stderr ?? ''}`.trim();
    throw new Error(`serverless package failed: ${output || (error as Error).message}`);
  }
}

/**
 * `serverless print` of the resolved configuration (no bundling: about two seconds), for checks of
 * what the resolvers make of the params, and of what they refuse.
 */
export async function printService(
  stage: string,
  params: StageParams = {},
): Promise<Record<string, unknown>> {
  await mkdir(join(PROJECT_ROOT, '.local'), { recursive: true });
  const home = await mkdtemp(join(PROJECT_ROOT, '.local', 'print-'));
  try {
    const { stdout } = await promisify(execFile)(
      join(PROJECT_ROOT, 'node_modules', '.bin', 'serverless'),
      ['print', '--format', 'json', '--stage', stage, ...paramArgs(params)],
      {
        cwd: PROJECT_ROOT,
        env: {
          PATH: process.env.PATH,
          HOME: home,
          SLS_TELEMETRY_DISABLED: '1',
          SLS_NOTIFICATIONS_MODE: 'off',
        },
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    return JSON.parse(stdout) as Record<string, unknown>;
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(
      `serverless print failed: ${`${stdout ?? ''}${stderr ?? ''}`.trim() || (error as Error).message}`,
    );
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
