/**
 * One page of a collection (issue 14): every list the API answers has this shape, paged with
 * `?after=<next>` and `?limit=`. `next` is the cursor of the following page; null at the end.
 */
export interface Page<T> {
  items: T[];
  /** Pass as ?after= for the next page; null at the end. */
  next: string | null;
}

/**
 * The cursor of a list held whole: the key of a page's last item, base64url, so clients pass it back
 * unread rather than build one (the key's form may change without breaking them).
 */
export function cursorOf(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

/** The key a cursor names; undefined when the text is not one cursorOf wrote. */
export function keyOfCursor(cursor: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  return cursorOf(key) === cursor ? key : undefined;
}

/**
 * A page of a list held whole, in the list's order: at most `limit` items after the item whose key
 * the cursor names. Undefined when the cursor names no item of the list (not one of its cursors, or
 * the item is gone): the caller says so, rather than silently starting again from the top.
 */
export function pageOfList<T>(items: readonly T[], keyOf: (item: T) => string, after: string | undefined, limit: number): Page<T> | undefined {
  let start = 0;
  if (after !== undefined) {
    const key = keyOfCursor(after);
    const i = key === undefined ? -1 : items.findIndex((item) => keyOf(item) === key);
    if (i < 0) return undefined;
    start = i + 1;
  }
  const page = items.slice(start, start + limit);
  return { items: page, next: start + limit < items.length && page.length > 0 ? cursorOf(keyOf(page.at(-1)!)) : null };
}
