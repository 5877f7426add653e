import { foldName } from '../ports/names';
import type { LabelSummary, OperatorDirectory } from '../ports/operator-directory';
import { parseNameArgument } from './arguments';
import { OperatorError } from './operator-error';
import { readPages } from './paginate';

export type { LabelSummary } from '../ports/operator-directory';

/** Labels in name order: active ones, or every one with `includeInactive`. */
export async function listLabels(
  directory: OperatorDirectory,
  options: { includeInactive?: boolean } = {},
): Promise<LabelSummary[]> {
  const { items } = await readPages(directory.labels.all(), {
    accept: (label) => options.includeInactive === true || label.active,
  });
  return items.sort((a, b) => (a.nameKey < b.nameKey ? -1 : a.nameKey > b.nameKey ? 1 : 0));
}

export interface DeactivatedLabel extends LabelSummary {
  /** False when the label was already inactive (nothing changed but the call is idempotent). */
  changed: boolean;
}

/**
 * Deactivates a label (case-folded name): new tasks naming it are then refused by the task
 * applier (`inactive-label`). One conditional write on an active label; an inactive label is left
 * as it is (`changed: false`), an unknown name is not-found (nothing is created).
 */
export async function deactivateLabel(
  directory: OperatorDirectory,
  name: string,
  now: Date = new Date(),
): Promise<DeactivatedLabel> {
  const nameKey = foldName(parseNameArgument('name', name));
  const result = await directory.labels.deactivate(nameKey, now.toISOString());
  if (result.outcome === 'unknown')
    throw new OperatorError('not-found', `no label named "${name}"`);
  return { ...result.label, changed: result.outcome === 'deactivated' };
}
