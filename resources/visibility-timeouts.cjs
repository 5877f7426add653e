// Each queue's visibility timeout, derived from its consumer's timeout (serverless.yml,
// custom.timeouts) times custom.visibilityTimeoutFactor: AWS asks for at least 6x the function
// timeout on a Lambda event source, so a message is not handed out again while a slow or retried
// invocation still holds it. serverless.yml has no arithmetic; osls resolves this file at load.
'use strict';

module.exports = async ({ resolveVariable }) => {
  const timeouts = await resolveVariable('self:custom.timeouts');
  const factor = Number(await resolveVariable('self:custom.visibilityTimeoutFactor'));
  if (!Number.isInteger(factor) || factor < 6)
    throw new Error('custom.visibilityTimeoutFactor must be an integer of at least 6');
  const visibility = {};
  for (const [consumer, seconds] of Object.entries(timeouts)) {
    const timeout = Number(seconds);
    if (!Number.isInteger(timeout) || timeout < 1)
      throw new Error(`custom.timeouts.${consumer} must be a positive integer (seconds)`);
    // Lambda's longest timeout (900 s) times 6 stays far below SQS's 12-hour maximum.
    visibility[consumer] = timeout * factor;
  }
  return visibility;
};
