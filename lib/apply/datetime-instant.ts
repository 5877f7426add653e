import { kitDateTimeUtc } from '../../schemas';

/**
 * The normalized UTC instant stored beside a message datetime. The value has passed the schema,
 * which accepts exactly what `kitDateTimeUtc` reads, so a failure here is a bug, not bad input.
 */
export function utcInstantOf(value: string): string {
  const instant = kitDateTimeUtc(value);
  if (instant === undefined) throw new TypeError('a validated datetime has no UTC instant');
  return instant;
}
