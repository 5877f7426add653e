import { Command } from 'commander';
import {
  type DeadLetterRoute,
  deadLetterDepth,
  findDeadLetterRoute,
  OperatorError,
  type PeekResult,
  parsePositiveIntArgument,
  peekDeadLetters,
  purgeDeadLetters,
  redriveDeadLetters,
} from '../../lib/operator';
import { withTarget } from '../context';
import { NotConfirmedError, UsageError } from '../errors';
import { count, renderTable } from '../output';

function routeNamed(routes: readonly DeadLetterRoute[], name: string): DeadLetterRoute {
  const route = findDeadLetterRoute(routes, name);
  if (!route)
    throw new OperatorError(
      'not-found',
      `no dead-letter queue for "${name}" (known: ${routes.map((r) => r.name).join(', ')})`,
    );
  return route;
}

function renderPeek(peek: PeekResult, showBody: boolean): string {
  const title = `${peek.route.name}: ${peek.route.deadLetter.queueName} — ${peek.depth.visible} visible, ${peek.depth.inFlight} in flight`;
  if (peek.messages.length === 0) return `${title}\n(no messages shown)`;
  const head = ['message id', 'update id', 'reason', 'detail', 'receives', 'sent'];
  const rows = peek.messages.map((m) => [
    m.messageId,
    m.updateId,
    m.reason,
    m.detail,
    m.receiveCount,
    m.sentAt,
    ...(showBody ? [m.body] : []),
  ]);
  return `${title}\n${renderTable(showBody ? [...head, 'body'] : head, rows)}`;
}

function routeJson(route: DeadLetterRoute) {
  return {
    name: route.name,
    ...(route.updateType ? { updateType: route.updateType } : {}),
    queue: route.source.queueName,
    deadLetterQueue: route.deadLetter.queueName,
  };
}

async function confirmPurge(route: DeadLetterRoute, visible: number, yes: boolean) {
  if (yes) return;
  const what = `${count(visible, 'message')} of ${route.deadLetter.queueName}`;
  if (!process.stdin.isTTY)
    throw new UsageError(
      `refusing to destroy ${what} without confirmation: stdin is not a terminal; pass --yes`,
    );
  const { default: confirm } = await import('@inquirer/confirm');
  const confirmed = await confirm(
    { message: `Destroy ${what}? This cannot be undone.`, default: false },
    // The prompt goes to stderr so that stdout stays the result (one JSON document with --json).
    { output: process.stderr },
  ).catch((error: unknown) => {
    // Ctrl-C at the prompt: a refusal like any other.
    if (error instanceof Error && error.name === 'ExitPromptError') return false;
    throw error;
  });
  if (!confirmed) throw new NotConfirmedError('purge not confirmed; nothing was deleted');
}

export function dlqCommand(): Command {
  const dlq = new Command('dlq').description(
    'dead-letter queues: list (peek), redrive after a fix, purge. <type> is an update type (Group, Task, ...) or another queue (changes, compute-jobs); `dlq list` names them all',
  );

  dlq
    .command('list')
    .description('peek at dead-lettered messages (nothing is consumed); all DLQs, or one')
    .argument('[type]', 'the update type or queue (default: every DLQ)')
    .option('--limit <n>', 'at most n messages per DLQ', '10')
    .option('--show-body', 'also print message bodies (they can hold patient data)')
    .action(
      (
        type: string | undefined,
        options: { limit: string; showBody?: boolean },
        command: Command,
      ) =>
        withTarget(command, async ({ target, output }) => {
          const limit = parsePositiveIntArgument('--limit', options.limit);
          const routes = type === undefined ? target.routes : [routeNamed(target.routes, type)];
          const peeks: (PeekResult | { route: DeadLetterRoute; missing: true })[] = [];
          for (const route of routes) {
            try {
              peeks.push(
                await peekDeadLetters(target.queues, route, {
                  limit,
                  includeBody: options.showBody === true,
                }),
              );
            } catch (error) {
              // Listing every DLQ: one the stack lacks (e.g. a local stack started before a queue was
              // added to serverless.yml) is reported, and the others are still listed.
              if (
                type !== undefined ||
                !(error instanceof OperatorError) ||
                error.kind !== 'unavailable'
              )
                throw error;
              peeks.push({ route, missing: true });
            }
          }
          output.result(
            peeks.map((p) =>
              'missing' in p
                ? { ...routeJson(p.route), missing: true }
                : { ...routeJson(p.route), ...p.depth, messages: p.messages },
            ),
            () =>
              peeks
                .map((p) =>
                  'missing' in p
                    ? `${p.route.name}: ${p.route.deadLetter.queueName} — no such queue on this stack`
                    : renderPeek(p, options.showBody === true),
                )
                .join('\n\n'),
          );
        }),
    );

  dlq
    .command('redrive')
    .description(
      'move dead-lettered messages back to their queue after a fix: same body, original attributes without the rejection-* ones; each deleted from the DLQ only after its send succeeded',
    )
    .argument('<type>', 'the update type or queue')
    .option('--max <n>', 'move at most n messages (default: all visible at the start)')
    .action((type: string, options: { max?: string }, command: Command) =>
      withTarget(command, async ({ target, output }) => {
        const route = routeNamed(target.routes, type);
        const max =
          options.max === undefined ? undefined : parsePositiveIntArgument('--max', options.max);
        const result = await redriveDeadLetters(target.queues, route, { max });
        output.result(
          {
            ...routeJson(route),
            found: result.found,
            moved: result.moved,
            movedNotDeleted: result.movedNotDeleted,
          },
          () =>
            `moved ${count(result.moved, 'message')} from ${route.deadLetter.queueName} to ${route.source.queueName}` +
            (result.movedNotDeleted > 0
              ? `; ${result.movedNotDeleted} sent but not deleted from the DLQ (they will show there again; redriving them twice is harmless)`
              : ''),
        );
      }),
    );

  dlq
    .command('purge')
    .description(
      'destroy the messages of a DLQ, after confirmation (--yes skips it; required when not on a terminal)',
    )
    .argument('<type>', 'the update type or queue')
    .option('--yes', 'do not ask for confirmation')
    .action((type: string, options: { yes?: boolean }, command: Command) =>
      withTarget(command, async ({ target, output }) => {
        const route = routeNamed(target.routes, type);
        const { visible } = await deadLetterDepth(target.queues, route);
        if (visible > 0) await confirmPurge(route, visible, options.yes === true);
        const result =
          visible > 0
            ? await purgeDeadLetters(target.queues, route, { max: visible })
            : { deleted: 0 };
        output.result({ ...routeJson(route), deleted: result.deleted }, () =>
          visible === 0
            ? `${route.deadLetter.queueName} is empty; nothing to purge`
            : `deleted ${count(result.deleted, 'message')} from ${route.deadLetter.queueName}`,
        );
      }),
    );

  return dlq;
}
