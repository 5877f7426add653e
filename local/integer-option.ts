import { InvalidArgumentError } from 'commander';

/**
 * A commander option parser for a whole number from `min` to `max` (the scripts' `--patients`,
 * `--timeout`, ports, ...). Refuses anything else with `message`, which commander prints with
 * the option's name.
 */
export function integerOption(
  min: number,
  max: number = Number.MAX_SAFE_INTEGER,
  message = `must be an integer ≥ ${min}`,
): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(message);
    return n;
  };
}
