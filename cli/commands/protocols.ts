import { Command } from 'commander';
import { INDEXED_RESULT_STATUSES } from '../../lib/aws/dynamodb-operator-directory';
import {
  OperatorError,
  type ProtocolResultsPage,
  parsePositiveIntArgument,
  protocolResults,
} from '../../lib/operator';
import { protocolKey } from '../../lib/protocol';
import { PROTOCOLS } from '../../protocols';
import { withTarget } from '../context';
import { count, renderTable } from '../output';

/** The keys of the registered protocols (protocols/index.ts), those the compute functions run. */
export function registeredProtocolKeys(): string[] {
  return PROTOCOLS.map((protocol) => protocolKey(protocol));
}

function renderPopulation(page: ProtocolResultsPage): string {
  if (page.results.length === 0) return 'no recorded result matches';
  const more = page.truncated ? ' (more match: raise --limit)' : '';
  return `${renderTable(
    // From the byProtocolStatus index, which projects these only.
    ['patient', 'status', 'due in (days)', 'next review', 'version'],
    page.results.map((r) => [r.patientKey, r.status, r.dueIn, r.nextReview, r.protocolVersion]),
  )}\n${count(page.results.length, 'result')}${more}`;
}

export function protocolsCommand(): Command {
  const protocols = new Command('protocols').description(
    'the registered protocols and their recorded results',
  );

  protocols
    .command('results')
    .description(
      `a protocol's population by status (the sparse index byProtocolStatus; statuses ${INDEXED_RESULT_STATUSES.join(', ')})`,
    )
    .argument('<protocol>', `the protocol's key (${registeredProtocolKeys().join(', ')})`)
    .option('--status <status>', 'only this status, e.g. due (default: every indexed status)')
    .option('--limit <n>', 'at most n results', '1000')
    .action((protocol: string, options: { status?: string; limit?: string }, command: Command) =>
      withTarget(command, async ({ directory, output }) => {
        const limit = parsePositiveIntArgument('--limit', options.limit ?? '1000');
        const known = registeredProtocolKeys();
        if (!known.includes(protocol))
          throw new OperatorError(
            'not-found',
            `no registered protocol with that key (registered: ${known.join(', ')})`,
          );
        const page = await protocolResults(directory, {
          protocol,
          status: options.status,
          limit,
        });
        output.result(page, () => renderPopulation(page));
      }),
    );

  return protocols;
}
