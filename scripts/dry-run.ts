import { readFile, stat } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import { Command, CommanderError, Option } from 'commander';
import {
  type ChangeEvent,
  type ChangeType,
  ChangeTypeSchema,
  computeProtocols,
  FixtureError,
  loadChangeEvent,
  loadPatientFixture,
  looksLikeChangeShorthand,
  type Patient,
  type ProtocolClass,
  ProtocolModuleError,
  type ProtocolRun,
  ProtocolSettings,
  parseChangeShorthand,
  pickProtocolClass,
  type Recommendation,
  SETTINGS_ENV_VAR,
  SettingsError,
  toInstant,
  type Update,
} from '../lib';

/**
 * Shows what a protocol would send for a fixture patient, optionally for a simulated change.
 * Nothing is sent anywhere. Usage: npm run dry-run -- --help
 */

const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  notFound: 3,
  invalidInput: 4,
  protocolFile: 5,
  protocolFailed: 6,
  invalidUpdate: 7,
} as const;

const EXIT_HELP = `
Change shorthand:
  <type>:<created|updated|deleted>:<id>   e.g. appointment:created:appt-0001, condition:updated:cond-0101
  The id is the change's canvas_id; fields are empty. A file instead holds the kit's field_changes
  object unchanged (as Canvas's "Field Changes" page shows it), or a changes-queue message (flat,
  or the envelope with field_changes); patient_key may be left out: it is the fixture patient's.
  The change types come from the file's change_types, else --change-type, else the model mapping
  (docs/queue-contract.md); --change-type <type> is for a model the mapping does not know.

Exit codes:
  0  the protocol ran (computed or not relevant)
  1  unexpected internal error
  2  usage error (bad option, bad --now, bad change shorthand, bad --change-type)
  3  a file or folder was not found
  4  the fixture or change event is invalid (bad JSON, schema violation)
  5  the protocol file cannot be used (does not load, no protocol class, several without --protocol)
  6  the protocol failed (threw, returned a malformed result or meta, or read a setting not set)
  7  the protocol set an invalid update
  When the protocol's own code threw, stderr also shows the error's "name: message" and the stack
  frames in the protocol file (file:line:col). The "error:" line on stdout is what the compute
  Lambda would log: unknown field names are withheld there and named on stderr (and in --json's
  error.authorMessage).

Examples:
  npm run dry-run -- protocols/diabetes-care-group.ts fixtures/patients/diabetic-with-appointment
  npm run dry-run -- protocols/appointment-reminder.ts fixtures/patients/diabetic-with-appointment \\
    --change appointment:created:appt-0001 --now 2024-02-01T12:00:00Z --json
  npm run dry-run -- protocols/appointment-reminder.ts fixtures/patients/diabetic-with-appointment \\
    --change ../shared/kit-fixtures/changes/appointment-created.json
`;

/** A failure the user can fix: a message and an exit code, no stack trace. */
class UserError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

interface Options {
  change?: string;
  changeType?: string[];
  now?: string;
  json?: boolean;
  protocol?: string;
  settings?: string;
}

async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('dry-run')
    .description('Show what a protocol would send for a fixture patient (nothing is sent).')
    .argument('<protocol-file>', 'TypeScript file exporting a protocol class')
    .argument('<fixture-dir>', 'folder of JSON files, one per collection (patient.json, ...)')
    .option('--change <file-or-shorthand>', 'simulated change: a JSON file or <type>:<action>:<id>')
    .option(
      '--change-type <type>',
      "the change's kit change type, for a model the mapping does not know (repeatable)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--now <iso>', 'the computation instant (ISO datetime; no offset: UTC); default: now')
    .option('--json', 'print one JSON object instead of text')
    .option(
      '--settings <file>',
      `protocol settings, a JSON object (default: the ${SETTINGS_ENV_VAR} environment variable, else none)`,
    )
    .addOption(new Option('--protocol <name>', 'which protocol, when the file exports several'))
    .addHelpText('after', EXIT_HELP)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');

  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    throw error;
  }
  const [protocolFile = '', fixtureDir = ''] = program.args;
  const options = program.opts<Options>();

  const now = parseNow(options.now);
  const protocolClass = await loadProtocolClass(protocolFile, options.protocol);
  const patient = await loadPatient(fixtureDir);
  const changeTypes = parseChangeTypes(options.changeType, options.change);
  const change = options.change ? await loadChange(options.change, patient, changeTypes) : null;
  const settings = await loadSettings(options.settings);

  const [run] = computeProtocols({ protocols: [protocolClass], patient, change, now, settings });
  if (!run) throw new Error('no run returned');
  // The runner keeps what the protocol threw, and the names of unknown keys, out of its logged
  // error; this is the author's own terminal over fixture data, so it shows them, to find the bug.
  const thrown = run.thrown === undefined ? undefined : describeThrown(run.thrown, protocolFile);
  const authorMessage = run.error?.authorMessage;

  if (options.json) {
    const error = run.error && {
      ...run.error,
      ...(authorMessage === undefined ? {} : { authorMessage }),
      ...(thrown === undefined ? {} : { thrown }),
    };
    const output = {
      ...run,
      error,
      patient: patient.patient.key,
      now: now.toISOString(),
      change: change?.fieldChanges ?? null,
      changeTypes: change?.changeTypes ?? [],
      settings: { source: settings.source, keys: settings.keys() },
    };
    process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
  } else {
    process.stdout.write(formatRun(run, patient, change, now, settings));
  }
  if (run.status !== 'failed') return EXIT.ok;
  process.stderr.write(
    `error: protocol ${run.protocol} failed [${run.error?.code}]: ${authorMessage ?? run.error?.message}\n`,
  );
  if (thrown) process.stderr.write(formatThrown(thrown));
  return run.error?.code === 'invalid-update' ? EXIT.invalidUpdate : EXIT.protocolFailed;
}

/** What a protocol threw: its `name: message` and the stack frames inside the protocol's file. */
interface ThrownDetail {
  name: string;
  message: string;
  /** `Class.method (file:line:col)`, the file relative to the working folder; innermost first. */
  at: string[];
}

function describeThrown(thrown: unknown, protocolFile: string): ThrownDetail {
  if (!(thrown instanceof Error))
    return { name: 'non-Error value thrown', message: inspect(thrown, { depth: 2 }), at: [] };
  const path = resolve(protocolFile);
  // tsx maps frames back to the .ts source: a plain path, or a file URL for an ES module (the
  // URL first: it contains the path, and must be replaced whole).
  const locations = [pathToFileURL(path).href, path];
  const at = (thrown.stack ?? '')
    .split('\n')
    .map((line) => /^\s+at (.*)$/.exec(line)?.[1])
    .filter((frame): frame is string => frame !== undefined)
    .filter((frame) => locations.some((location) => frame.includes(`${location}:`)))
    .map((frame) =>
      locations.reduce((text, location) => text.split(location).join(displayPath(path)), frame),
    );
  return { name: thrown.name, message: thrown.message, at };
}

function displayPath(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere.startsWith('..') ? path : fromHere;
}

function formatThrown(thrown: ThrownDetail): string {
  const frames = thrown.at.map((frame) => `    at ${frame}\n`).join('');
  return `  ${thrown.name}: ${thrown.message}\n${frames}`;
}

function parseNow(text: string | undefined): Date {
  // The CLI may read the clock; protocols never do (they get this value).
  if (text === undefined) return new Date();
  try {
    return toInstant(text);
  } catch (error) {
    throw new UserError(EXIT.usage, `--now: ${(error as Error).message.replace(/^now: /, '')}`);
  }
}

async function loadProtocolClass(file: string, wanted: string | undefined): Promise<ProtocolClass> {
  const path = resolve(file);
  if (!(await isFile(path))) throw new UserError(EXIT.notFound, `${file}: no such file`);
  let moduleExports: Record<string, unknown>;
  try {
    moduleExports = exportsOf(await import(pathToFileURL(path).href));
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : '';
    throw new UserError(EXIT.protocolFile, `${file}: cannot be loaded (${name}: ${message})`);
  }
  try {
    return pickProtocolClass(moduleExports, wanted);
  } catch (error) {
    if (error instanceof ProtocolModuleError)
      throw new UserError(EXIT.protocolFile, `${file}: ${error.message}`);
    throw error;
  }
}

/** A module's exports; a CommonJS module's also sit under `default`. */
function exportsOf(namespace: Record<string, unknown>): Record<string, unknown> {
  const inner = namespace.default;
  if (typeof inner === 'object' && inner !== null)
    return { ...namespace, ...(inner as Record<string, unknown>) };
  return namespace;
}

async function loadPatient(folder: string): Promise<Patient> {
  try {
    return await loadPatientFixture(folder);
  } catch (error) {
    throw fixtureUserError(error);
  }
}

function parseChangeTypes(
  values: readonly string[] | undefined,
  change: string | undefined,
): ChangeType[] | undefined {
  if (values === undefined) return undefined;
  if (change === undefined) throw new UserError(EXIT.usage, '--change-type goes with --change');
  return values.map((value) => {
    const parsed = ChangeTypeSchema.safeParse(value);
    if (!parsed.success)
      throw new UserError(EXIT.usage, `--change-type: unknown change type "${value}"`);
    return parsed.data;
  });
}

async function loadChange(
  value: string,
  patient: Patient,
  changeTypes: readonly ChangeType[] | undefined,
): Promise<ChangeEvent> {
  const key = patient.patient.key;
  try {
    if (await isFile(value)) return await loadChangeEvent(value, key, { changeTypes });
    if (looksLikeChangeShorthand(value)) {
      if (changeTypes) throw new UserError(EXIT.usage, '--change-type goes with a change file');
      return parseChangeShorthand(value, key);
    }
  } catch (error) {
    if (error instanceof FixtureError && error.file === '--change')
      throw new UserError(EXIT.usage, error.message);
    throw fixtureUserError(error);
  }
  if (value.endsWith('.json') || value.includes('/'))
    throw new UserError(EXIT.notFound, `${value}: no such file`);
  throw new UserError(
    EXIT.usage,
    '--change: must be a change event file or <type>:<created|updated|deleted>:<id>',
  );
}

/** `--settings FILE`, else `PROTOCOL_SETTINGS` (as the compute functions read it), else none. */
async function loadSettings(file: string | undefined): Promise<ProtocolSettings> {
  try {
    if (file === undefined) return ProtocolSettings.fromEnvironment(process.env);
    if (!(await isFile(file))) throw new UserError(EXIT.notFound, `${file}: no such file`);
    return ProtocolSettings.fromJson(await readFile(file, 'utf8'), file);
  } catch (error) {
    if (error instanceof SettingsError) throw new UserError(EXIT.invalidInput, error.message);
    throw error;
  }
}

function describeSettings(settings: ProtocolSettings): string {
  if (settings.source === 'none') return `none (no --settings, ${SETTINGS_ENV_VAR} unset)`;
  const keys = settings.keys();
  return `${settings.source} (${keys.length ? keys.join(', ') : 'no keys'})`;
}

function fixtureUserError(error: unknown): unknown {
  if (!(error instanceof FixtureError)) return error;
  const missing = ['not-found', 'not-a-folder', 'missing-patient'].includes(error.code);
  return new UserError(missing ? EXIT.notFound : EXIT.invalidInput, error.message);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function formatRun(
  run: ProtocolRun,
  patient: Patient,
  change: ChangeEvent | null,
  now: Date,
  settings: ProtocolSettings,
): string {
  const lines: [string, string][] = [
    ['protocol', `${run.protocol} ${run.version}`],
    ['patient', patient.patient.key],
    ['change', describeChange(change)],
    ['now', now.toISOString()],
    ['settings', describeSettings(settings)],
    ['run', run.status],
  ];
  const result = run.result;
  if (result) {
    lines.push(['status', result.status]);
    lines.push(['narratives', result.narratives.length ? result.narratives.join('\n  ') : '-']);
    lines.push(['recommendations', formatRecommendations(result.recommendations)]);
    lines.push(['due in', result.dueIn === null ? '-' : `${result.dueIn} days`]);
    lines.push(['days of notice', String(result.daysOfNotice)]);
    lines.push(['next review', result.nextReview ?? '-']);
  }
  if (run.error) lines.push(['error', `[${run.error.code}] ${run.error.message}`]);
  const width = Math.max(...lines.map(([label]) => label.length)) + 2;
  let out = lines.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}`).join('\n');
  out += `\n\nupdates (${run.updates.length}):\n`;
  out += run.updates.length ? formatUpdates(run.updates) : '(none)\n';
  return out;
}

/** One line per recommendation: `[rank] key: title (button)`, then its other fields as JSON. */
function formatRecommendations(recommendations: readonly Recommendation[]): string {
  if (recommendations.length === 0) return '-';
  return recommendations
    .map((r) => {
      const { key, rank, title, button, ...rest } = r;
      const head = [
        rank === undefined ? undefined : `[${rank}]`,
        key === undefined ? undefined : `${key}:`,
        title,
        button === undefined ? undefined : `(${button})`,
      ].filter((part) => part !== undefined);
      const more = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
      return `${head.join(' ') || '(banner)'}${more}`;
    })
    .join('\n  ');
}

/**
 * Each update as the exact body the compute Lambda puts on its type's queue (`JSON.stringify`, the
 * helpers' key order), one per line so it can be diffed with the kit's JSON. A heading names the
 * `integration_type` (which selects the queue) before each run of updates of one type.
 */
function formatUpdates(updates: readonly Update[]): string {
  let out = '';
  let type: string | undefined;
  for (const update of updates) {
    if (update.integration_type !== type) {
      type = update.integration_type;
      out += `${type}:\n`;
    }
    out += `${JSON.stringify(update)}\n`;
  }
  return out;
}

function describeChange(change: ChangeEvent | null): string {
  if (!change) return 'none (scheduled recomputation)';
  const fields = change.fieldChanges;
  const action = fields.deleted ? 'deleted' : fields.created ? 'created' : 'updated';
  const id = fields.canvas_id ?? fields.external_id ?? '-';
  return `${fields.model_name} ${action} (id ${id}), change types ${change.changeTypes.join(', ')}`;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UserError) {
      process.stderr.write(`error: ${error.message}\n`);
      process.exitCode = error.exitCode;
      return;
    }
    // A bug in the dry run itself: the name only, the stack can quote fixture data.
    const name = error instanceof Error ? error.name : 'unknown';
    process.stderr.write(`error: unexpected internal error (${name})\n`);
    process.exitCode = EXIT.internal;
  },
);
