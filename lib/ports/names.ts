// Defined with the schemas, which compare label names too (a label both added and removed).
export { foldName } from '../../schemas/primitives';

/** First code point of a folded name: the partition of the group search index. */
export function nameInitial(nameKey: string): string {
  return String.fromCodePoint(nameKey.codePointAt(0) ?? 0x20);
}
