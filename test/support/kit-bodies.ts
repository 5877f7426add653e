import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root (the fixture paths are relative to it). */
const repoRoot = join(__dirname, '..', '..');

/**
 * One line of `fixtures/kit-bodies/*.jsonl` (written by `scripts/kit-bodies.py`): a body as the
 * kit's helpers build it for a real protocol's arguments, serialized by Python's `json.dumps`.
 */
export interface KitBodyEntry {
  type: 'Task' | 'Group';
  /** The raw body, exactly as a Python producer sends it. */
  body: string;
  /** The kit protocol whose helper call it reproduces. */
  source: string;
  /** The helper's arguments, as the protocol passes them (snake_case, Python's None as null). */
  arguments?: Record<string, unknown>;
  expect: {
    outcome: 'applied' | 'rejected';
    reason?: string;
    detail?: string;
    status?: string;
    active?: boolean;
    due?: string;
    dueInstant?: string;
    created?: string;
    createdInstant?: string;
  };
}

export const KIT_BODIES_DIR = join(repoRoot, 'fixtures', 'kit-bodies');

export function readKitBodies(name: 'applied.jsonl' | 'refused.jsonl'): KitBodyEntry[] {
  return readFileSync(join(KIT_BODIES_DIR, name), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as KitBodyEntry);
}
