/**
 * The case-folded form of a label or group name: the key that makes "Urgent" and "urgent" one label.
 * NFKC first, so visually identical spellings fold together too.
 */
export function foldName(name: string): string {
  return name.normalize('NFKC').toLowerCase();
}

/** First code point of a folded name: the partition of the group search index. */
export function nameInitial(nameKey: string): string {
  return String.fromCodePoint(nameKey.codePointAt(0) ?? 0x20);
}
