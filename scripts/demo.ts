/**
 * `npm run demo -- --json [--patients N] [--inject FILE]`: one recomputation through the real
 * functions under serverless-offline, on a throwaway local stack. The last stdout line (with
 * --json) is the run's summary; progress goes to stderr.
 */
import Table from 'cli-table3';
import { Command } from 'commander';
import { type InjectedMessage, injectMessages, readInjectFile } from '../local/inject';
import { integerOption } from '../local/integer-option';
import { launchOfflineStack, type OfflineStack } from '../local/offline-stack';
import {
  acknowledgedByType,
  addComputeTotals,
  type ByType,
  computeCountsOfLine,
  countTables,
  deadLetterQueues,
  emptyComputeTotals,
  readBatchReports,
  readDeadLetters,
  UPDATE_QUEUES,
  UPDATE_TYPES,
  waitUntilDrained,
  zeroByType,
} from '../local/run-metrics';

export interface DemoSummary {
  patients: number;
  protocolsRun: number;
  enqueued: ByType;
  injected: number;
  applied: ByType;
  rejected: ByType;
  deadLettered: number;
  deadLetterReasons: Record<string, number>;
  memberships: { active: number; inactive: number };
  tasks: number;
  labels: number;
  taskComments: number;
}

const positiveInt = integerOption(0);

const program = new Command('demo')
  .description('Runs one recomputation for N demo patients on a throwaway local stack')
  .option('--json', 'print the summary as one JSON object (the last stdout line)')
  .option('--patients <n>', 'demo patients to seed', positiveInt, 10)
  .option('--inject <file>', 'JSON lines {"type","body","attributes"} to put on the queues')
  .option(
    '--visibility <seconds>',
    'visibility timeout of the local queues: a failed message is retried this often',
    positiveInt,
    3,
  )
  .option(
    '--timeout <seconds>',
    'give up when the queues have not drained by then',
    positiveInt,
    300,
  )
  .option('--verbose', 'copy the functions’ output (serverless offline) to stderr')
  .parse();

const options = program.opts<{
  json?: boolean;
  patients: number;
  inject?: string;
  visibility: number;
  timeout: number;
  verbose?: boolean;
}>();

const progress = (message: string) => process.stderr.write(`demo: ${message}\n`);

/** Exit code after Ctrl-C (128 + SIGINT), once everything is stopped. */
const INTERRUPTED = 130;

async function run(): Promise<number> {
  let injected: InjectedMessage[] = [];
  if (options.inject) {
    try {
      injected = readInjectFile(options.inject);
    } catch (error) {
      progress((error as Error).message);
      return 2;
    }
  }

  const compute = emptyComputeTotals();
  const launch = launchOfflineStack({
    stage: 'local',
    patients: options.patients,
    visibilityTimeoutSeconds: options.visibility,
    // One recomputation, invoked below; the schedule stays off.
    params: { recomputeScheduleEnabled: 'false' },
    onProgress: progress,
    onLine: (line) => {
      const counts = computeCountsOfLine(line);
      if (counts) addComputeTotals(compute, counts);
      if (options.verbose) process.stderr.write(`${line}\n`);
    },
  });
  // Installed as the launch begins, before any step of it completes: Ctrl-C during startup stops
  // what has started so far (serverless outlives us otherwise) and leaves no run folder.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (launch.stopping) return;
      progress(`${signal}: stopping`);
      void launch.stop().then(() => process.exit(INTERRUPTED));
    });
  }
  const stop = () => launch.stop();
  /** After Ctrl-C, whatever failed because of it is not reported as the run's failure. */
  const interrupted = async () => {
    await stop();
    return INTERRUPTED;
  };

  let stack: OfflineStack;
  try {
    stack = await launch.started;
  } catch (error) {
    if (launch.stopping) return interrupted();
    progress(`the local stack could not start: ${(error as Error).message}`);
    return 1;
  }

  try {
    progress('running one recomputation (planRecomputation)');
    await stack.invoke('planRecomputation', { time: new Date().toISOString() });
    if (injected.length > 0) {
      progress(`injecting ${injected.length} message(s)`);
      await injectMessages(stack.sqs, stack.resources, injected);
    }
    progress('waiting for every queue to drain');
    await waitUntilDrained(stack.sqs, stack.resources, { timeoutMs: options.timeout * 1000 });

    const acknowledged = acknowledgedByType(readBatchReports(stack.reportFile), stack.resources);
    const applied = zeroByType();
    const rejected = zeroByType();
    const deadLetterReasons: Record<string, number> = {};
    let deadLettered = 0;
    const updateDlqs = new Map(
      UPDATE_TYPES.map((type) => [UPDATE_QUEUES[type].deadLetterQueue, type] as const),
    );
    for (const dlq of deadLetterQueues(stack.resources)) {
      const summary = await readDeadLetters(stack.sqs, dlq.url);
      deadLettered += summary.total;
      for (const [reason, n] of Object.entries(summary.reasons)) {
        deadLetterReasons[reason] = (deadLetterReasons[reason] ?? 0) + n;
      }
      const type = updateDlqs.get(dlq.logicalId);
      if (type) {
        rejected[type] = summary.total;
        // A record the applier dead-lettered itself was acknowledged (deleted) like a success.
        applied[type] = acknowledged[type] - summary.rejectedByApplier;
      }
    }
    const tables = await countTables(stack.documents, stack.resources);
    const summary: DemoSummary = {
      patients: options.patients,
      protocolsRun: compute.protocolRuns,
      enqueued: compute.updates,
      injected: injected.length,
      applied,
      rejected,
      deadLettered,
      deadLetterReasons,
      ...tables,
    };
    await stop();

    if (options.json) {
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    } else {
      const table = new Table({ head: ['', ...UPDATE_TYPES] });
      const row = (counts: ByType) => UPDATE_TYPES.map((type) => counts[type]);
      table.push(
        ['enqueued', ...row(summary.enqueued)],
        ['applied', ...row(summary.applied)],
        ['rejected', ...row(summary.rejected)],
      );
      process.stdout.write(
        `${summary.patients} patients, ${summary.protocolsRun} protocol runs, ${summary.injected} injected\n${table.toString()}\n` +
          `memberships: ${summary.memberships.active} active, ${summary.memberships.inactive} inactive; ` +
          `tasks: ${summary.tasks}; labels: ${summary.labels}; task comments: ${summary.taskComments}; dead-lettered: ${summary.deadLettered} ${JSON.stringify(summary.deadLetterReasons)}\n`,
      );
    }
    return 0;
  } catch (error) {
    if (launch.stopping) return interrupted();
    progress(`the run failed: ${(error as Error).message}`);
    await stop();
    return 1;
  }
}

run().then(
  (code) => process.exit(code),
  (error) => {
    progress(String(error));
    process.exit(1);
  },
);
