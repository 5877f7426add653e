import { z } from 'zod';

/**
 * The functions' configuration comes from their environment (serverless.yml), parsed with one zod
 * schema per function. These are the shared pieces: a required name, an optional positive integer
 * with a default, and the parse that names every bad variable at once.
 */

/** A variable that must be set and not empty (a table name, a queue URL). */
export const requiredVariable = z.string({ error: 'missing' }).min(1, { error: 'missing' });

/** An optional positive integer; unset or empty: `fallback`. */
export function positiveIntegerVariable(fallback: number) {
  return z
    .string()
    .optional()
    .transform((raw, context) => {
      if (raw === undefined || raw === '') return fallback;
      const value = Number(raw);
      if (!Number.isSafeInteger(value) || value < 1) {
        context.addIssue({ code: 'custom', message: 'must be a positive integer' });
        return z.NEVER;
      }
      return value;
    });
}

const DURATION_UNITS_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `24h`, `90m`, `3600s`, `1d` in milliseconds; undefined for anything else (or not positive). */
export function durationMs(raw: string): number | undefined {
  const match = /^(\d+)(s|m|h|d)$/.exec(raw.trim());
  if (!match) return undefined;
  const value = Number(match[1]) * DURATION_UNITS_MS[match[2] as keyof typeof DURATION_UNITS_MS];
  return Number.isSafeInteger(value) && value >= 1 ? value : undefined;
}

/** An optional duration such as `24h`, `90m`, `3600s` or `1d`, in milliseconds; unset or empty: `fallbackMs`. */
export function durationVariable(fallbackMs: number) {
  return z
    .string()
    .optional()
    .transform((raw, context) => {
      if (raw === undefined || raw === '') return fallbackMs;
      const value = durationMs(raw);
      if (value === undefined) {
        context.addIssue({
          code: 'custom',
          message: 'must be a duration such as 24h, 90m, 3600s or 1d',
        });
        return z.NEVER;
      }
      return value;
    });
}

/** Thrown for a bad environment: names every missing or malformed variable, never a value. */
export class EnvironmentError extends Error {
  override readonly name = 'EnvironmentError';
}

/**
 * Parses `env` with `schema`. Missing variables are listed together
 * (`missing environment variables: A, B`), then each malformed one
 * (`environment variable X must be a positive integer`, `... must be a duration such as 24h, ...`), so one failed start names them all.
 */
export function parseEnvironment<S extends z.ZodObject>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const missing: string[] = [];
  const malformed: string[] = [];
  for (const issue of result.error.issues) {
    const name = String(issue.path[0] ?? '(environment)');
    if (issue.message === 'missing') missing.push(name);
    else malformed.push(`environment variable ${name} ${issue.message}`);
  }
  const lines = [
    ...(missing.length > 0 ? [`missing environment variables: ${missing.join(', ')}`] : []),
    ...malformed,
  ];
  throw new EnvironmentError(lines.join('; '));
}
