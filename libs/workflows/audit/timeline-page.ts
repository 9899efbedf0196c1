import type { DocReader } from '../../engine/projections/docs.js';
import { entriesOf, listPage, unitListPage, type StoredUnitItem, type TimelineEntry, type TimelinePage } from './timeline.projection.js';

export interface TimelineFilter {
  indicatorNo?: number;
  period?: string;
  from?: string;
  to?: string;
  /** Event types to keep (any of them). */
  types?: string[];
  /** Causes of a standing change to keep (first-figures, own-figure, peer-revision, correction, rule-change): only standing changes with one of them. */
  causes?: string[];
}

/**
 * A page of a timeline (a unit's, an indicator's, a case's) from the timeline projection's
 * documents, filtered while paging along the key order. The API's AuditService and the command
 * line's quick listing (which reads without the application) both page with this.
 */
export async function timelinePage(docs: DocReader, collection: string, prefix: string, filter: TimelineFilter, after: string | undefined, limit: number): Promise<TimelinePage> {
  const matches = (e: TimelineEntry) =>
    (filter.indicatorNo === undefined || e.indicatorNos.includes(filter.indicatorNo)) &&
    (filter.period === undefined || e.period === filter.period || e.period?.startsWith(`${filter.period}-`) === true) &&
    (filter.from === undefined || e.at >= filter.from) &&
    (filter.to === undefined || e.at <= filter.to) &&
    (filter.types === undefined || filter.types.includes(e.type)) &&
    (filter.causes === undefined || (e.cause !== undefined && filter.causes.includes(e.cause.kind)));
  const out: TimelineEntry[] = [];
  let cursor = after ? `${prefix}${after}` : undefined;
  // Each entry is stored once, in its first list; a page reads those stored elsewhere at once. A
  // unit's items come with its status after each, whole (unitListPage).
  const whole = async (rows: readonly { key: string; doc: unknown }[]): Promise<TimelineEntry[]> => {
    const entries = await entriesOf(docs, prefix, rows);
    if (collection !== 'unit') return entries;
    return entries.map((e, i) => ({ ...e, status: (rows[i]!.doc as StoredUnitItem).status! }));
  };
  // Filters are applied while paging along the key order; a page is full or the timeline ends.
  // Unfiltered, every item read is answered: a page reads no more than it holds (each item read
  // may cost a chunk of another list, where its entry is stored).
  const read = Object.values(filter).every((v) => v === undefined) ? limit : Math.max(limit, 100);
  for (let scanned = 0; out.length < limit && scanned < 50; scanned++) {
    // Every list is stored in chunks; a unit's (keyed by their first item, each holding the unit's status) pages its own way.
    const page: { key: string; doc: unknown }[] = collection === 'unit' ? await unitListPage(docs, prefix, cursor, read) : await listPage(docs, collection, prefix, cursor, read);
    const entries = await whole(page);
    for (const [i, r] of page.entries()) {
      cursor = r.key;
      if (matches(entries[i]!)) out.push(entries[i]!);
      if (out.length === limit) break;
    }
    if (page.length < read) {
      return { items: out, next: out.length === limit && cursor ? cursor.slice(prefix.length) : null };
    }
  }
  return { items: out, next: cursor ? cursor.slice(prefix.length) : null };
}
