import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { MembershipContentionError } from '../../../lib/apply/apply-group-membership';
import { classifyFailure, DeadLetterSendError } from '../../../lib/apply/failure-reason';
import { TransactionInterruptedError } from '../../../lib/aws/transaction-cancellation';

const named = (name: string, extra: object = {}) =>
  Object.assign(new Error(name), { name, ...extra });

describe('classifyFailure', () => {
  it.each([
    [named('ThrottlingException'), 'throttled'],
    [named('ProvisionedThroughputExceededException'), 'throttled'],
    [named('RequestLimitExceeded'), 'throttled'],
    [new TransactionInterruptedError('TransactionConflict'), 'transaction-conflict'],
    [new TransactionInterruptedError('ThrottlingError'), 'throttled'],
    [named('InternalServerError'), 'service-unavailable'],
    [named('Error', { code: 'ECONNREFUSED' }), 'network'],
    [new Error('outer', { cause: named('Error', { code: 'ETIMEDOUT' }) }), 'network'],
    [new AggregateError([named('Error', { code: 'ECONNREFUSED' })]), 'network'],
    [new Error('socket hang up'), 'network'],
    [new MembershipContentionError('x'), 'contention'],
    [
      new DeadLetterSendError('x', { cause: named('ThrottlingException') }),
      'dead-letter-send-failed',
    ],
    [named('ValidationException'), 'unknown'],
    ['a string', 'unknown'],
  ])('%s is retried as %s', (error, reason) => {
    expect(classifyFailure(error)).toBe(reason);
  });

  it('does not mistake a cancelled transaction for a conflict without its reasons', () => {
    const error = new TransactionCanceledException({ message: 'cancelled', $metadata: {} });

    expect(classifyFailure(error)).toBe('unknown');
  });
});
