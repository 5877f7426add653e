import type { z } from 'zod';
import {
  KeySchema,
  KitDateTimeSchema,
  kitDateTimeUtc,
  LabelNameSchema,
  type TaskStatus,
  TaskStatusSchema,
} from '../../schemas';
import { OperatorError } from './operator-error';

/**
 * Argument validation with the project's own schemas. The message names the argument and the
 * rule, never the value (a patient key typed by mistake is still a patient identifier).
 */
function parseWith<T>(schema: z.ZodType<T>, argument: string, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const rule = parsed.error.issues[0]?.message ?? 'is invalid';
  throw new OperatorError('invalid-argument', `${argument}: ${rule}`);
}

export function parseKeyArgument(argument: string, value: unknown): string {
  return parseWith(KeySchema, argument, value);
}

export function parseTaskStatusArgument(argument: string, value: unknown): TaskStatus {
  return parseWith(
    TaskStatusSchema,
    argument,
    typeof value === 'string' ? value.toUpperCase() : value,
  );
}

/**
 * A datetime in any form a message may carry (`2024-02-06T09:30:00`, `...-05:00`, `...Z`, 1 to 6
 * fractional digits; no offset: UTC), returned as its normalized UTC instant
 * (`YYYY-MM-DDThh:mm:ss.ffffffZ`), the form tasks store in `dueInstant` and `createdInstant`.
 */
export function parseDateTimeArgument(argument: string, value: unknown): string {
  return kitDateTimeUtc(parseWith(KitDateTimeSchema, argument, value)) as string;
}

/** A group or label name: the label rules (non-empty, at most 200 characters), not blank. */
export function parseNameArgument(argument: string, value: unknown): string {
  const name = parseWith(LabelNameSchema, argument, value);
  if (name.trim() === '')
    throw new OperatorError('invalid-argument', `${argument}: must not be blank`);
  return name;
}

export function parsePositiveIntArgument(argument: string, value: unknown): number {
  const text = String(value).trim();
  const number = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(number) || number < 1)
    throw new OperatorError('invalid-argument', `${argument}: must be a positive integer`);
  return number;
}
