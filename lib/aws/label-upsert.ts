import type { LabelRef } from '../ports';

/**
 * The transaction item that ensures a label a task is given: creates a missing label, leaves an
 * active one as it is, refuses an inactive one (the condition fails). Two writers racing on a new
 * label: one transaction wins, the other conflicts or finds it created; either way one item.
 */
export function labelUpsert(
  labelsTable: string,
  label: LabelRef,
  provenance: { at: string; updateId: string },
) {
  return {
    Update: {
      TableName: labelsTable,
      Key: { nameKey: label.nameKey },
      UpdateExpression:
        'SET #name = if_not_exists(#name, :name), #active = if_not_exists(#active, :true), ' +
        'createdAt = if_not_exists(createdAt, :at), ' +
        'createdByUpdateId = if_not_exists(createdByUpdateId, :updateId)',
      ConditionExpression: 'attribute_not_exists(nameKey) OR #active = :true',
      ExpressionAttributeNames: { '#name': 'name', '#active': 'active' },
      ExpressionAttributeValues: {
        ':name': label.name,
        ':true': true,
        ':at': provenance.at,
        ':updateId': provenance.updateId,
      },
    },
  };
}
