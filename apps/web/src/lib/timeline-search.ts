import { matchesSearch } from './search.js';

/** The parts of a timeline entry a reader can search by (api TimelineEntry, kept structural so this stays pure). */
export interface SearchableEntry {
  type: string;
  streamId: string;
  who: { userId: string; role?: string; name?: string } | null;
  onBehalfOf?: string;
  why?: string;
  period?: string;
  summary: { zh: string; en: string };
}

/** How the page says each part, in the reader's language (the same words the entry shows). */
export interface EntryWords {
  type: (type: string) => string;
  subject: (streamId: string) => string;
  /** A role's name; 'system' for the timers. */
  role: (role: string) => string;
  period: (period: string) => string;
  summary: (summary: { zh: string; en: string }) => string;
}

/**
 * Whether a timeline entry matches the auditor's search (issue 15): by what it is about (the
 * subject in words, "财政局 2023年3月 月报", never the stream id), who acted (name, role, on whose
 * behalf), the reason, the event type and summary as the reader reads them, and the period. Every
 * word must occur somewhere, as in the other tables' search.
 */
export function entryMatches(q: string, e: SearchableEntry, say: EntryWords): boolean {
  if (!q.trim()) return true;
  // The timers act as the system, shown as "系统" (Who): searched as shown, not by their internal id.
  const system = !!e.who && (e.who.userId === 'system' || e.who.role === 'system');
  return matchesSearch(
    q,
    say.type(e.type),
    say.subject(e.streamId),
    system ? say.role('system') : (e.who?.name ?? e.who?.userId),
    !system && e.who?.role ? say.role(e.who.role) : null,
    e.onBehalfOf,
    e.why,
    e.period ? say.period(e.period) : null,
    say.summary(e.summary),
  );
}
