import { changeEnqueuedAt } from '../../lib/compute';
import { sentTimestampMs } from '../../lib/sqs-record';
import { sqsRecord } from '../support/apply-fakes';

/** A record whose `SentTimestamp` is `sent` (absent when undefined). */
function sentAt(sent: string | undefined) {
  const record = sqsRecord({});
  const { SentTimestamp: _, ...others } = record.attributes;
  return {
    ...record,
    attributes: { ...others, ...(sent === undefined ? {} : { SentTimestamp: sent }) },
  } as typeof record;
}

describe('sentTimestampMs', () => {
  it('reads the epoch milliseconds SQS sets', () => {
    expect(sentTimestampMs(sentAt('1700000000123'))).toBe(1_700_000_000_123);
  });

  it.each([
    ['absent', undefined],
    ['empty (Number("") would be 0)', ''],
    ['zero', '0'],
    ['negative', '-1700000000000'],
    ['in exponent form', '1.7e12'],
    ['not a number', 'yesterday'],
    ['beyond a safe integer', '99999999999999999999'],
  ])('is undefined when the value is %s', (_, sent) => {
    expect(sentTimestampMs(sentAt(sent))).toBeUndefined();
  });
});

describe('changeEnqueuedAt', () => {
  it('is the SentTimestamp as a Date', () => {
    expect(changeEnqueuedAt(sentAt('1700000000123'))?.toISOString()).toBe(
      '2023-11-14T22:13:20.123Z',
    );
  });

  it('is undefined for a safe integer past the last instant a Date can hold', () => {
    expect(changeEnqueuedAt(sentAt('9000000000000000'))).toBeUndefined();
  });
});
