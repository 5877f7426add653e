import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MESSAGE_TYPES, TABLES } from '../../lib/message-types';
import { PROJECT_ROOT } from '../../local/serverless-config';
import { functionLogicalId } from '../support/iam-roles';
import { type CloudFormationTemplate, packageService } from '../support/serverless-package';
import {
  differences,
  ISSUE_12_RENAMES,
  renamed,
  summarize,
  type TemplateSummary,
} from '../support/template-summary';

jest.setTimeout(120_000);

/**
 * The template `serverless package --stage prod` made before the infrastructure was generated
 * from the registry (main at 549a6b5: hand-written queues, roles and alarms), without its Lambda
 * versions, code locations and outputs (hashes and timestamps).
 */
const BEFORE = JSON.parse(
  readFileSync(
    join(PROJECT_ROOT, 'test', 'e2e', 'fixtures', 'template-before-issue-12.json'),
    'utf8',
  ),
) as CloudFormationTemplate;

/**
 * A message type or table added since (not in the template before) is left out of the comparison:
 * the type's queues, their policies and alarm, its applier (function, log group, event source,
 * role), the compute roles' sends to its queue and its variables; the table and its variable.
 * package.test.ts checks what they get.
 */
function withoutAddedSince(summary: TemplateSummary): TemplateSummary {
  const types = MESSAGE_TYPES.filter(
    (entry) => BEFORE.Resources[functionLogicalId(entry.applier.functionName)] === undefined,
  );
  const tables = Object.values(TABLES).filter((t) => BEFORE.Resources[t.logicalId] === undefined);
  if (types.length === 0 && tables.length === 0) return summary;
  const out = structuredClone(summary);
  const ids: string[] = tables.map((t) => t.logicalId);
  const queues = new Set<string>();
  const variables: string[] = tables.map((t) => t.env);
  for (const entry of types) {
    const fnId = functionLogicalId(entry.applier.functionName);
    ids.push(
      entry.queue.logicalId,
      entry.queue.deadLetterLogicalId,
      `${entry.queue.deadLetterLogicalId}Alarm`,
      fnId,
      fnId.replace(/LambdaFunction$/, 'LogGroup'),
      `${fnId.replace(/LambdaFunction$/, 'EventSourceMappingSQS')}${entry.queue.logicalId}`,
      entry.applier.roleLogicalId,
    );
    queues.add(entry.queue.logicalId).add(entry.queue.deadLetterLogicalId);
    variables.push(entry.env.queueUrl, entry.env.deadLetterQueueUrl);
  }
  for (const id of ids) delete out.resources[id];
  for (const resource of Object.values(out.resources)) {
    const props = resource.Properties as Record<string, unknown>;
    if (resource.Type === 'AWS::IAM::Role' && Array.isArray(props.Policies))
      props.Policies = props.Policies.filter(
        (grant: string) => !queues.has(grant.split(' on ')[1] ?? ''),
      );
    const env = (props.Environment as { Variables?: Record<string, unknown> } | undefined)
      ?.Variables;
    if (resource.Type === 'AWS::Lambda::Function' && env)
      for (const name of variables) delete env[name];
  }
  return out;
}

describe('the packaged template against the one before the registry generated it', () => {
  it('is the same template apart from the renames and the policies added', async () => {
    const packaged = await packageService('prod');
    try {
      const before = renamed(summarize(BEFORE), 'protocol-updates-prod');
      const after = withoutAddedSince(summarize(packaged.template));
      expect(differences(before, after)).toEqual([]);
    } finally {
      await packaged.remove();
    }
  });

  it('does see a difference: an action taken from a role, a queue setting changed', () => {
    const before = renamed(summarize(BEFORE), 'protocol-updates-prod');
    const changed = structuredClone(BEFORE);
    const role = changed.Resources.ApplyTaskRole?.Properties as {
      Policies: { PolicyDocument: { Statement: { Action: unknown }[] } }[];
    };
    const statements = role.Policies[0]?.PolicyDocument.Statement ?? [];
    statements.splice(
      statements.findIndex((s) => JSON.stringify(s.Action).includes('dynamodb:GetItem')),
      1,
    );
    (changed.Resources.ChangesQueue?.Properties as Record<string, unknown>).VisibilityTimeout = 1;
    const found = differences(before, renamed(summarize(changed), 'protocol-updates-prod'));
    expect(found.map((line) => line.split(':')[0])).toEqual(['ApplyTaskRole', 'ChangesQueue']);
  });

  it('renames queue names but never a table that shares an old queue name', () => {
    const before = renamed(summarize(BEFORE), 'protocol-updates-prod');
    expect(before.resources.TaskCommentQueue?.Properties).toMatchObject({
      QueueName: 'protocol-updates-prod-task-comment',
    });
    expect(before.resources.TaskCommentDeadLetterQueue?.Properties).toMatchObject({
      QueueName: 'protocol-updates-prod-task-comment-dlq',
    });
    expect(before.resources.TaskCommentsTable?.Properties).toMatchObject({
      TableName: 'protocol-updates-prod-task-comments',
    });
    expect(Object.keys(ISSUE_12_RENAMES.logicalIds).filter((id) => before.resources[id])).toEqual(
      [],
    );
  });
});
