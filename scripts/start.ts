/**
 * `npm start`: the local stack (DynamoDB Local, local SQS, demo data) and serverless-offline
 * running the real functions. One recomputation at start, then on the schedule; one line per
 * cycle. Ctrl-C stops everything.
 */
import { Command } from 'commander';
import { COMPUTE_SUMMARY_MESSAGES } from '../lib/aws/compute-telemetry';
import { integerOption } from '../local/integer-option';
import { launchOfflineStack, type OfflineStack } from '../local/offline-stack';
import {
  acknowledgedByType,
  addComputeTotals,
  type ByType,
  type ComputeTotals,
  computeCountsOfLine,
  emptyComputeTotals,
  readBatchReports,
  readDeadLetters,
  UPDATE_QUEUES,
  UPDATE_TYPES,
  waitUntilDrained,
  zeroByType,
} from '../local/run-metrics';

const port = integerOption(1, 65535, 'not a port');
const count = integerOption(0);

const options = new Command('start')
  .description('Runs the functions locally on an embedded stack, recomputing on a schedule')
  .option('--patients <n>', 'demo patients to seed', count, 25)
  .option(
    '--rate <expression>',
    'recomputation schedule, e.g. "rate(5 minutes)" (default: serverless.yml, RECOMPUTE_RATE)',
  )
  .option('--dynamodb-port <port>', 'DynamoDB Local', port, 8000)
  .option('--sqs-port <port>', 'local SQS', port, 9324)
  .option('--lambda-port <port>', 'serverless-offline Lambda API (invoke)', port, 3002)
  .option('--http-port <port>', 'serverless-offline HTTP server', port, 3000)
  .option(
    '--visibility <seconds>',
    'visibility timeout of the local queues (default: serverless.yml, 6x the consumer timeout)',
    count,
  )
  .option('--verbose', 'print everything serverless offline prints (the functions’ logs)')
  .parse()
  .opts<{
    patients: number;
    rate?: string;
    dynamodbPort: number;
    sqsPort: number;
    lambdaPort: number;
    httpPort: number;
    visibility?: number;
    verbose?: boolean;
  }>();

const say = (message: string) => process.stdout.write(`${message}\n`);
const time = () => new Date().toISOString().slice(11, 19);
const byType = (counts: ByType) => UPDATE_TYPES.map((t) => `${t} ${counts[t]}`).join(', ');

/** Totals since start; a cycle's line shows the difference. */
interface Totals {
  compute: ComputeTotals;
  acknowledged: ByType;
  deadLettered: ByType;
  rejectedByApplier: ByType;
}

/** Lines of the functions' output are counted here from the first one on. */
const compute = emptyComputeTotals();
/** Set while the cycle loop waits for the next recomputation; called to wake it. */
let cycleStarted: (() => void) | undefined;
let pendingCycles = 0;

// Installed before anything starts: Ctrl-C during startup stops what has started so far
// (serverless runs in its own process group and would outlive us) and leaves no run folder.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (launch.stopping) return;
    say(`\n[${time()}] ${signal}: stopping serverless offline, local SQS and DynamoDB Local`);
    cycleStarted?.();
    void launch.stop().then(() => {
      say(`[${time()}] stopped`);
      process.exit(0);
    });
  });
}

const launch = launchOfflineStack({
  stage: 'local',
  patients: options.patients,
  ports: {
    dynamodb: options.dynamodbPort,
    sqs: options.sqsPort,
    lambda: options.lambdaPort,
    http: options.httpPort,
  },
  visibilityTimeoutSeconds: options.visibility,
  params: options.rate ? { recomputeRate: options.rate } : {},
  onProgress: (message) => say(`[${time()}] ${message}`),
  onLine: (line) => {
    const counts = computeCountsOfLine(line);
    if (counts) addComputeTotals(compute, counts);
    // The planner's summary line marks a recomputation, at start or on the schedule.
    if (line.includes(JSON.stringify(COMPUTE_SUMMARY_MESSAGES.planned))) {
      pendingCycles += 1;
      cycleStarted?.();
    }
    if (options.verbose || /"level":"(ERROR|CRITICAL)"|^\s*×/.test(line)) {
      process.stderr.write(`${line}\n`);
    }
  },
});
async function main(): Promise<void> {
  let cycles = 0;
  let stack: OfflineStack;
  try {
    stack = await launch.started;
  } catch (error) {
    // Stopped by Ctrl-C while starting: the signal handler finishes and exits.
    if (launch.stopping) return;
    throw new Error(`the local stack could not start: ${(error as Error).message}`);
  }
  const stopping = () => launch.stopping;

  say(
    `[${time()}] ready: DynamoDB Local ${stack.dynamodbEndpoint}, SQS ${stack.sqsEndpoint}, ` +
      `Lambda API http://127.0.0.1:${stack.lambdaPort} (e.g. invoke ${stack.functionName('planRecomputation')})`,
  );
  const declaredRate = (
    stack.config.functions?.planRecomputation?.events as
      | { schedule?: { rate?: string[] } }[]
      | undefined
  )?.[0]?.schedule?.rate?.[0];
  say(
    `[${time()}] schedule: ${options.rate ?? declaredRate ?? 'see serverless.yml'} ` +
      '(after the recomputation now). Ctrl-C stops everything.',
  );

  const seenDeadLetters = new Map<string, Map<string, string>>();
  const totals = async (): Promise<Totals> => {
    const deadLettered = zeroByType();
    const rejectedByApplier = zeroByType();
    for (const type of UPDATE_TYPES) {
      const dlq = stack.resources.queues[UPDATE_QUEUES[type].deadLetterQueue];
      if (!dlq) continue;
      const seen = seenDeadLetters.get(type) ?? new Map<string, string>();
      seenDeadLetters.set(type, seen);
      // A short hide: the messages stay in the DLQ for an operator.
      const summary = await readDeadLetters(stack.sqs, dlq.url, {
        visibilityTimeoutSeconds: 1,
        seen,
      });
      deadLettered[type] = summary.total;
      rejectedByApplier[type] = summary.rejectedByApplier;
    }
    return {
      compute: structuredClone(compute),
      acknowledged: acknowledgedByType(readBatchReports(stack.reportFile), stack.resources),
      deadLettered,
      rejectedByApplier,
    };
  };

  let before = await totals();
  await stack.invoke('planRecomputation', { time: new Date().toISOString() });
  while (!stopping()) {
    if (pendingCycles === 0) {
      await new Promise<void>((resolve) => {
        cycleStarted = resolve;
      });
      cycleStarted = undefined;
      if (stopping()) break;
    }
    pendingCycles = 0;
    const started = Date.now();
    try {
      await waitUntilDrained(stack.sqs, stack.resources, { timeoutMs: 3_600_000 });
    } catch (error) {
      if (stopping()) break;
      throw error;
    }
    if (stopping()) break;
    const after = await totals();
    cycles += 1;
    const diff = (a: ByType, b: ByType) =>
      Object.fromEntries(UPDATE_TYPES.map((t) => [t, a[t] - b[t]])) as ByType;
    const rejected = diff(after.deadLettered, before.deadLettered);
    const applied = Object.fromEntries(
      UPDATE_TYPES.map((t) => [
        t,
        after.acknowledged[t] -
          before.acknowledged[t] -
          (after.rejectedByApplier[t] - before.rejectedByApplier[t]),
      ]),
    ) as ByType;
    say(
      `[${time()}] cycle ${cycles}: ${after.compute.patients - before.compute.patients} patients, ` +
        `updates ${byType(diff(after.compute.updates, before.compute.updates))}` +
        ` (${after.compute.unchangedUpdates - before.compute.unchangedUpdates} unchanged, not sent); ` +
        `applied ${byType(applied)}; rejected ${byType(rejected)} ` +
        `(${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
    before = after;
  }
}

// main returns only when Ctrl-C stops it (the signal handler exits). Any error, at startup or
// later, stops whatever runs before exiting.
main().catch(async (error) => {
  if (launch.stopping) return;
  process.stderr.write(`npm start: ${(error as Error).message}\n`);
  await launch.stop();
  process.exit(1);
});
