import type { DocReader } from '../../engine/projections/docs.js';
import { entriesOf, listPage, statusAfter, statusBefore, type StoredUnitItem, type TimelineEntry, type TimelinePage, type UnitStatus } from './timeline.projection.js';

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
  // unit's items hold its status, stored whole only now and then (StoredUnitItem): brought forward
  // along the key order, every item scanned, from the status before the first one read.
  let status: UnitStatus | undefined;
  const whole = async (rows: readonly { key: string; doc: unknown }[]): Promise<TimelineEntry[]> => {
    const entries = await entriesOf(docs, prefix, rows);
    if (collection !== 'unit') return entries;
    const out: TimelineEntry[] = [];
    for (const [i, r] of rows.entries()) {
      const stored = r.doc as StoredUnitItem;
      if (status === undefined && stored.status === undefined) status = await statusBefore(docs, prefix, r.key);
      status = statusAfter(stored, status, entries[i]!.seq);
      out.push({ ...entries[i]!, status });
    }
    return out;
  };
  // Filters are applied while paging along the key order; a page is full or the timeline ends.
  for (let scanned = 0; out.length < limit && scanned < 50; scanned++) {
    // Unit lists are a document an item (each holds the unit's status); indicator and case lists are stored in chunks.
    const page: { key: string; doc: unknown }[] =
      collection === 'unit'
        ? await docs.page<unknown>(collection, prefix, { ...(cursor ? { after: cursor } : {}), limit: Math.max(limit, 100) })
        : await listPage(docs, collection, prefix, cursor, Math.max(limit, 100));
    const entries = await whole(page);
    for (const [i, r] of page.entries()) {
      cursor = r.key;
      if (matches(entries[i]!)) out.push(entries[i]!);
      if (out.length === limit) break;
    }
    if (page.length < Math.max(limit, 100)) {
      return { items: out, next: out.length === limit && cursor ? cursor.slice(prefix.length) : null };
    }
  }
  return { items: out, next: cursor ? cursor.slice(prefix.length) : null };
}
