import type { PageReader } from '../ports/operator-directory';

export interface PageResult<T> {
  items: T[];
  /** True when `limit` stopped the reading while more items may match. */
  truncated: boolean;
}

/**
 * Every page of a listing, keeping the items `accept` keeps, until `limit` of them (default: all).
 * A store may filter after reading a page (DynamoDB's FilterExpression), so a page may be empty
 * while more follow: only the page's `next` says when to stop.
 */
export async function readPages<T>(
  read: PageReader<T>,
  options: { limit?: number; accept?: (item: T) => boolean } = {},
): Promise<PageResult<T>> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const items: T[] = [];
  let cursor: Parameters<PageReader<T>>[0];
  do {
    const page = await read(cursor);
    for (const item of page.items) {
      if (options.accept && !options.accept(item)) continue;
      if (items.length === limit) return { items, truncated: true };
      items.push(item);
    }
    cursor = page.next;
  } while (cursor);
  return { items, truncated: false };
}
