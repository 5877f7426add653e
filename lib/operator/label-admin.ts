import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { foldName } from '../ports/names';
import { parseNameArgument } from './arguments';
import type { DirectoryContext } from './directory-context';
import { isConditionFailure, OperatorError } from './operator-error';
import { scanPages } from './paginate';

export interface LabelSummary {
  nameKey: string;
  name: string;
  active: boolean;
  createdAt?: string;
  deactivatedAt?: string;
}

function labelSummary(item: Record<string, unknown>): LabelSummary {
  const label: LabelSummary = {
    nameKey: String(item.nameKey),
    name: String(item.name ?? item.nameKey),
    active: item.active === true,
  };
  if (typeof item.createdAt === 'string') label.createdAt = item.createdAt;
  if (typeof item.deactivatedAt === 'string') label.deactivatedAt = item.deactivatedAt;
  return label;
}

/** Labels in name order: active ones, or every one with `includeInactive`. A Scan (labels are few). */
export async function listLabels(
  context: DirectoryContext,
  options: { includeInactive?: boolean } = {},
): Promise<LabelSummary[]> {
  const { items } = await scanPages(
    context.documents,
    { TableName: context.tables.labels },
    { accept: (item) => options.includeInactive === true || item.active === true },
  );
  return items
    .map(labelSummary)
    .sort((a, b) => (a.nameKey < b.nameKey ? -1 : a.nameKey > b.nameKey ? 1 : 0));
}

export interface DeactivatedLabel extends LabelSummary {
  /** False when the label was already inactive (nothing changed but the call is idempotent). */
  changed: boolean;
}

/**
 * Deactivates a label (case-folded name): new tasks naming it are then refused by the task
 * applier (`inactive-label`). One conditional update on an active label; when the condition fails
 * the old item it returns tells an inactive label (nothing to do, `changed: false`) from an
 * unknown name (not-found; nothing is created).
 */
export async function deactivateLabel(
  context: DirectoryContext,
  name: string,
  now: Date = new Date(),
): Promise<DeactivatedLabel> {
  const nameKey = foldName(parseNameArgument('name', name));
  try {
    const { Attributes } = await context.documents.send(
      new UpdateCommand({
        TableName: context.tables.labels,
        Key: { nameKey },
        UpdateExpression: 'SET active = :false, deactivatedAt = :now',
        ConditionExpression: 'attribute_exists(nameKey) AND active = :true',
        ExpressionAttributeValues: { ':false': false, ':true': true, ':now': now.toISOString() },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { ...labelSummary(Attributes ?? { nameKey, active: false }), changed: true };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const old = (error as { Item?: Record<string, { S?: string; BOOL?: boolean }> }).Item;
    if (!old?.nameKey) throw new OperatorError('not-found', `no label named "${name}"`);
    return {
      ...labelSummary({
        nameKey: old.nameKey.S,
        name: old.name?.S,
        active: old.active?.BOOL === true,
        createdAt: old.createdAt?.S,
        deactivatedAt: old.deactivatedAt?.S,
      }),
      changed: false,
    };
  }
}
