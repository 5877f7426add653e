import { Protocol, type ProtocolClass, protocolKey } from './protocol';

/** Picking the protocol class out of a module's exports (the dry run loads a file). */

export class ProtocolModuleError extends Error {
  override readonly name = 'ProtocolModuleError';
  constructor(
    readonly code: 'no-protocol' | 'several-protocols' | 'protocol-not-found',
    message: string,
  ) {
    super(message);
  }
}

/** A concrete subclass of `Protocol` with a static `meta` object. */
export function isProtocolClass(value: unknown): value is ProtocolClass {
  if (typeof value !== 'function') return false;
  const candidate = value as { prototype?: unknown; meta?: unknown };
  return (
    candidate.prototype instanceof Protocol &&
    typeof candidate.meta === 'object' &&
    candidate.meta !== null
  );
}

/**
 * The module's protocol class: the only one it exports (default or named), or, with `wanted`,
 * the one whose export name, class name or meta key is `wanted`.
 */
export function pickProtocolClass(
  moduleExports: Record<string, unknown>,
  wanted?: string,
): ProtocolClass {
  const found = new Map<ProtocolClass, Set<string>>();
  for (const [exportName, value] of Object.entries(moduleExports)) {
    if (!isProtocolClass(value)) continue;
    const names = found.get(value) ?? new Set<string>();
    names.add(exportName);
    names.add(value.name);
    names.add(protocolKey(value));
    found.set(value, names);
  }
  const classes = [...found.keys()];
  if (wanted !== undefined) {
    const match = classes.find((c) => found.get(c)?.has(wanted));
    if (!match)
      throw new ProtocolModuleError(
        'protocol-not-found',
        `no exported protocol named "${wanted}" (found: ${listed(classes)})`,
      );
    return match;
  }
  if (classes.length === 0)
    throw new ProtocolModuleError(
      'no-protocol',
      'the file exports no protocol class (a subclass of Protocol with a static meta)',
    );
  const [only] = classes;
  if (classes.length > 1 || !only)
    throw new ProtocolModuleError(
      'several-protocols',
      `the file exports several protocols (${listed(classes)}); choose one with --protocol <name>`,
    );
  return only;
}

function listed(classes: readonly ProtocolClass[]): string {
  return classes.length ? classes.map((c) => protocolKey(c)).join(', ') : 'none';
}
