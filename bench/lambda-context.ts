import type { Context } from 'aws-lambda';

/**
 * The Lambda context the bench hands a handler it calls in process: named after the function, with
 * the compute functions' 300 s timeout left (so one segment never needs a continuation).
 */
export function benchLambdaContext(name: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `bench-${name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:bench-${name}`,
    memoryLimitInMB: '1024',
    awsRequestId: 'bench',
    logGroupName: 'bench',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => 300_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
