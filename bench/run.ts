/**
 * `npm run bench [-- --json]`: every performance figure of issue 5 in one run on the local stack.
 * Progress on stderr (listr2 on a terminal, plain lines otherwise); the report on stdout, with
 * `--json` as one JSON line, the last. See docs/performance.md.
 */
import { Command } from 'commander';
import { Listr, ListrLogger, ProcessOutput } from 'listr2';
import { integerOption } from '../local/integer-option';
import type { OfflineStack } from '../local/offline-stack';
import { startBenchStack } from './bench-stack';
import { type ApplyFigures, measureApply } from './measure-apply';
import { type ComputeFigures, measureCompute } from './measure-compute';
import { type EndToEndFigures, measureEndToEnd } from './measure-end-to-end';
import { measureSegment, type SegmentFigures, stopSegmentChild } from './measure-segment';
import { measureSteadyState, type SteadyStateFigures } from './measure-steady-state';
import { benchResult, renderReport } from './report';

const positiveInt = integerOption(1);

/** The minimums, and small sizes for tests (`--quick`); an explicit option wins. */
const SIZES = {
  full: { patients: 10_000, updates: 10_000, tasks: 1_000, rounds: 4 },
  quick: { patients: 200, updates: 300, tasks: 50, rounds: 1 },
};

const program = new Command('bench')
  .description('Measures apply, enqueue, compute and end-to-end figures on the local stack')
  .option('--json', 'print the figures as one JSON object (the last stdout line)')
  .option('--quick', 'small sizes (a smoke run for tests), unless sizes are given')
  .option(
    '--patients <n>',
    'generated patients: compute, the segment, end to end (default 10000)',
    positiveInt,
  )
  .option(
    '--updates <n>',
    'membership updates per measured apply pass (default 10000)',
    positiveInt,
  )
  .option(
    '--tasks <n>',
    'task updates applied to measure their write units (default 1000)',
    positiveInt,
  )
  .option(
    '--rounds <n>',
    'measured apply rounds, each an applier, a raw and a peer pass (default 4)',
    positiveInt,
  )
  .option(
    '--concurrency <n>',
    'apply: batches of 10 in flight (the raw loop: 10x writes)',
    positiveInt,
    4,
  )
  .option(
    '--timeout <seconds>',
    'end to end: give up when a run has not applied by then',
    positiveInt,
    900,
  )
  .option('--verbose', 'copy the functions’ output (serverless offline) to stderr')
  .parse();

const options = program.opts<{
  json?: boolean;
  quick?: boolean;
  patients?: number;
  updates?: number;
  tasks?: number;
  rounds?: number;
  concurrency: number;
  timeout: number;
  verbose?: boolean;
}>();
const defaults = options.quick ? SIZES.quick : SIZES.full;
const sizes = {
  patients: options.patients ?? defaults.patients,
  updates: options.updates ?? defaults.updates,
  tasks: options.tasks ?? defaults.tasks,
  rounds: options.rounds ?? defaults.rounds,
};

interface Ctx {
  /** The stack being started: Ctrl-C during the start waits for it, then stops it. */
  starting?: Promise<OfflineStack>;
  stack?: OfflineStack;
  compute?: ComputeFigures;
  apply?: ApplyFigures;
  segment?: SegmentFigures;
  endToEnd?: EndToEndFigures;
  steadyState?: SteadyStateFigures;
}

/** Set when the stack could not start: a distinct message and exit code. */
class StackStartError extends Error {}

const ctx: Ctx = {};
let stopping: Promise<void> | undefined;
const stopStack = () => {
  stopping ??= (async () => {
    stopSegmentChild();
    const stack = ctx.stack ?? (await ctx.starting?.catch(() => undefined));
    await stack?.stop();
  })();
  return stopping;
};

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\nbench: ${signal}, stopping the local stack\n`);
    void stopStack().then(() => process.exit(130));
  });
}

// Progress goes to stderr, so stdout carries only the report.
const logger = new ListrLogger({
  processOutput: new ProcessOutput(process.stderr, process.stderr),
});
const tasks = new Listr<Ctx>(
  [
    {
      title: `Compute: the protocols over ${sizes.patients} generated patients (CPU only)`,
      task: (c) => {
        c.compute = measureCompute(sizes.patients);
      },
    },
    {
      title: 'Start the local stack (DynamoDB Local, local SQS, serverless offline)',
      task: async (c, task) => {
        try {
          c.starting = startBenchStack({
            patients: sizes.patients,
            onProgress: (message) => {
              task.output = message;
            },
            onLine: options.verbose ? (line) => process.stderr.write(`${line}\n`) : undefined,
          });
          c.stack = await c.starting;
        } catch (error) {
          throw new StackStartError((error as Error).message, { cause: error });
        }
      },
    },
    {
      title: `Apply: applier vs raw conditional writes vs the Powertools peer (${sizes.updates} updates, ${options.concurrency} batches in flight)`,
      task: async (c, task) => {
        c.apply = await measureApply(required(c.stack), {
          ...sizes,
          concurrency: options.concurrency,
          onProgress: (message) => {
            task.output = message;
          },
        });
      },
    },
    {
      title: `Enqueue and memory: one ${sizes.patients}-patient segment in a child process`,
      task: async (c) => {
        c.segment = await measureSegment(required(c.stack), sizes.patients);
      },
    },
    {
      title: `End to end: recomputations of ${sizes.patients} patients through serverless offline`,
      task: async (c, task) => {
        c.endToEnd = await measureEndToEnd(required(c.stack), {
          patients: sizes.patients,
          timeoutMs: options.timeout * 1000,
          onProgress: (message) => {
            task.output = message;
          },
        });
      },
    },
    {
      // After the end-to-end runs, which sent, applied and recorded these patients' updates.
      title: `Steady state: a second scheduled recomputation of the ${sizes.patients} patients, nothing changed`,
      task: async (c) => {
        c.steadyState = await measureSteadyState(required(c.stack), sizes.patients);
      },
    },
    {
      title: 'Stop the local stack',
      task: () => stopStack(),
    },
  ],
  {
    ctx,
    exitOnError: true,
    registerSignalListeners: false,
    rendererOptions: { logger },
    fallbackRendererOptions: { logger },
    // Plain lines on stderr unless both streams are terminals (listr2 also checks stdout).
    fallbackRendererCondition: () => !process.stderr.isTTY,
    fallbackRenderer: 'simple',
  },
);

function required(stack: OfflineStack | undefined): OfflineStack {
  if (!stack) throw new Error('the local stack is not running');
  return stack;
}

async function main(): Promise<number> {
  try {
    await tasks.run();
  } catch (error) {
    await stopStack();
    const what =
      error instanceof StackStartError ? 'the local stack could not start' : 'the run failed';
    process.stderr.write(`bench: ${what}: ${(error as Error).message}\n`);
    return 1;
  }
  const { compute, apply, segment, endToEnd, steadyState } = ctx;
  if (!compute || !apply || !segment || !endToEnd || !steadyState) {
    process.stderr.write('bench: the run ended without every figure\n');
    return 1;
  }
  const figures = { compute, apply, segment, endToEnd, steadyState };
  const result = benchResult(figures);
  if (options.json) {
    // The readable report still goes to stderr, beside the progress; stdout is the JSON line.
    process.stderr.write(renderReport(result, figures));
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    process.stdout.write(renderReport(result, figures));
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  async (error) => {
    await stopStack();
    process.stderr.write(`bench: ${String(error)}\n`);
    process.exit(1);
  },
);
