import { startTestStack, type TestStack, type TestStackOptions } from './local-stack';
import { quietPowertools } from './seed';

export interface UseTestStackOptions extends TestStackOptions {
  /** Silence the handlers' Powertools logs and metrics (default). Off for tests that read them. */
  quiet?: boolean;
}

/**
 * The set-up the handler tests share, as jest hooks: a test stack of the file's own, its
 * environment applied to process.env (handlers read their config at import and first call),
 * stopped and restored after the file. Call at the top level, before the file's own `beforeAll`
 * (hooks run in order); the returned function gives the stack from then on.
 */
export function useTestStack(options: UseTestStackOptions = {}): () => TestStack {
  const { quiet = true, ...stackOptions } = options;
  let stack: TestStack | undefined;
  let restoreEnv: (() => void) | undefined;
  beforeAll(async () => {
    stack = await startTestStack(stackOptions);
    restoreEnv = stack.applyEnv();
    if (quiet) quietPowertools();
  });
  afterAll(async () => {
    restoreEnv?.();
    await stack?.stop();
  });
  return () => {
    if (!stack)
      throw new Error('useTestStack: the stack is not started yet (use it in a hook or test)');
    return stack;
  };
}
