import { z } from 'zod';

/**
 * Per-deployment protocol settings (the kit's `self.settings`): values such as a team or group id
 * that differ between deployments, so they live in configuration, not in a protocol's code.
 *
 * Deployed, they come from the `protocolSettings` stage param in `serverless.yml` (a JSON object),
 * which reaches the compute functions as the `PROTOCOL_SETTINGS` environment variable; the dry run
 * reads them from `--settings FILE`. Keys are identifiers (`TEAM_IDENTIFIER`); values are strings,
 * numbers, booleans, null or lists of strings. Error messages name keys, never values.
 */

export const SETTINGS_ENV_VAR = 'PROTOCOL_SETTINGS';

const SETTING_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export const SettingValueSchema = z.union(
  [
    z.string().max(2000, { error: 'must be at most 2000 characters' }),
    z.number().refine(Number.isFinite, { error: 'must be a finite number' }),
    z.boolean(),
    z.null(),
    z.array(z.string().max(2000), { error: 'must be a list of strings' }).max(1000),
  ],
  { error: 'must be a string, number, boolean, null or a list of strings' },
);
export type SettingValue = z.infer<typeof SettingValueSchema>;

export const ProtocolSettingsSchema = z.record(
  z.string().regex(SETTING_KEY, { error: 'keys must be identifiers (letters, digits, _)' }),
  SettingValueSchema,
  { error: 'must be a JSON object of setting name to value' },
);

/** A setting missing or of the wrong type, or a settings document that does not parse. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

export class ProtocolSettings {
  readonly #values: ReadonlyMap<string, SettingValue>;
  /** Where the values came from (`PROTOCOL_SETTINGS`, a file name, `none`), for the dry run. */
  readonly source: string;

  constructor(values: Readonly<Record<string, SettingValue>> = {}, source = 'none') {
    this.#values = new Map(Object.entries(values));
    this.source = source;
  }

  /** No settings at all. */
  static readonly EMPTY = new ProtocolSettings();

  /** Parses a JSON settings document; `source` names it in errors (`settings.json`). */
  static fromJson(text: string, source: string): ProtocolSettings {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new SettingsError(`${source}: not valid JSON`);
    }
    const result = ProtocolSettingsSchema.safeParse(parsed);
    if (!result.success) {
      const problems = result.error.issues.map((issue) => {
        const path = issue.path.length ? issue.path.map(String).join('.') : '(document)';
        // A key that is not an identifier is data we do not name: count it instead.
        const safePath = issue.path.every((p) => typeof p === 'string' && SETTING_KEY.test(p))
          ? path
          : '(a key)';
        return `${safePath}: ${issue.message}`;
      });
      throw new SettingsError(`${source}: ${problems.join('; ')}`);
    }
    return new ProtocolSettings(result.data, source);
  }

  /** The deployment's settings: `PROTOCOL_SETTINGS` (unset or empty: none). */
  static fromEnvironment(env: Readonly<Record<string, string | undefined>> = process.env) {
    const text = env[SETTINGS_ENV_VAR];
    if (text === undefined || text.trim() === '') return ProtocolSettings.EMPTY;
    return ProtocolSettings.fromJson(text, SETTINGS_ENV_VAR);
  }

  has(key: string): boolean {
    return this.#values.has(key);
  }

  /** The value, or undefined when not set. */
  get(key: string): SettingValue | undefined {
    return this.#values.get(key);
  }

  /**
   * A string setting: required, or with `fallback` (e.g. the kit protocol's hard-coded value) used
   * when the deployment does not set it. Set but not a non-empty string, or unset without a
   * fallback: throws `SettingsError` naming the key.
   */
  string(key: string, fallback?: string): string {
    const value = this.#values.get(key);
    if (value === undefined) {
      if (fallback !== undefined) return fallback;
      throw new SettingsError(`settings.${key}: not set`);
    }
    if (typeof value !== 'string' || value === '')
      throw new SettingsError(`settings.${key}: must be a non-empty string`);
    return value;
  }

  /** The setting names (configuration, not data: safe to print). */
  keys(): string[] {
    return [...this.#values.keys()];
  }

  toJSON(): Record<string, SettingValue> {
    return Object.fromEntries(this.#values);
  }
}
