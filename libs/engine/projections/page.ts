/**
 * One page of a collection (issue 14): every list the API answers has this shape, paged with
 * `?after=<next>` and `?limit=`. `next` is the cursor of the following page; null at the end.
 */
export interface Page<T> {
  items: T[];
  /** Pass as ?after= for the next page; null at the end. */
  next: string | null;
}
