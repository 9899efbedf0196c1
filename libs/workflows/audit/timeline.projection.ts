import type { DocReader, DocWriter, Projection } from '../../engine/projections/docs.js';
import { formatPeriod, parsePeriod, periodText, previous } from '../plan/period.js';
import { ASSESSMENT_EVENT_TYPES, type AssessmentEvent, type QuarterNotificationSent } from '../assessment/assessment.events.js';
import { PLAN_EVENT_TYPES, type PlanEvent } from '../plan/plan.events.js';
import { RANKING_EVENT_TYPES, type RankingEvent, type StandingCause } from '../ranking/ranking.events.js';
import { REPORTING_EVENT_TYPES, type ReportingEvent } from '../reporting/reporting.events.js';
import { REWARDS_EVENT_TYPES, type RewardsEvent } from '../rewards/rewards.events.js';
import { SUPERVISION_EVENT_TYPES, type SupervisionEvent } from '../supervision/supervision.events.js';
import { ATTACHMENTS_EVENT_TYPES, type AttachmentAdded } from '../attachments/attachments.events.js';
import type { Page } from '../../engine/projections/page.js';

/**
 * The auditors' timelines: every event that touched a unit (and every event about an indicator,
 * and about a supervision case), in the order recorded, with who, when, on whose behalf and why,
 * and the unit's standing after each step. A read model over the workflows' published events.
 */
export const TIMELINE_PROJECTION = 'timeline';

type Tier = 'green' | 'yellow' | 'red';

export interface UnitStatus {
  /** Per indicator the unit owns: the standing of the latest period known. */
  warnings: Record<string, { period: string; rank: number | null; warning: Tier | null }>;
  openCases: { indicatorNo: number; caseNo: number; step: string; escalations: number }[];
  /** Per month: where the report stands. */
  reports: Record<string, string>;
  /** Year-end decision approved for the unit: its one tier, under each indicator it rests on ('none' when the office decided neither). */
  decisions: Record<string, string>;
}

export interface TimelineEntry {
  seq: number;
  position: string;
  streamId: string;
  revision: number;
  eventId: string;
  type: string;
  at: string;
  who: { userId: string; role: string; name?: string };
  onBehalfOf?: string;
  why?: string;
  period?: string;
  indicatorNos: number[];
  summary: { zh: string; en: string };
  /** For a change of standing: why it changed (own figure, a peer's revision, a correction, a rule change). */
  cause?: StandingCause;
  /**
   * For a change of standing: the same indicator's standing in the previous period (month, quarter or
   * year) as known when this one was recorded, so a year reads "rank 3 → 5 since 2023-05" rather than
   * "— → red (first figures)" every month (issue 12). Null when the previous period had none.
   */
  since?: { period: string; rank: number | null; warning: Tier | null } | null;
  caseKey?: string;
  /** The unit's standing after this step (unit timelines only). */
  status?: UnitStatus;
}

/**
 * How the timeline is stored (issue 17). Each entry once, whole, in the first list it is in: its
 * first unit's, else its first indicator's (its home); the other lists it is in (unit, indicator and
 * case lists, all keyed by the plan's sequence number: unitKey, indicatorKey, caseKey) refer to
 * that one (EntryRef). Writing each entry again for every list it is in was most of a rebuild's
 * documents and bytes. Readers page a list along its keys, read the entries a page refers to at
 * once (entriesOf) and make each whole, so every answer is still the entry as built, with the
 * unit's status after each step.
 *
 * A unit's item also holds the unit's status after the entry. Whole on every item it was most of
 * what a rebuild wrote, though most events change one report or one standing of it. So it is stored
 * whole on the first item of each chunk of a unit's list (UnitChunk), and after it as `statusChange`:
 * the standings and reports that changed (merged into the status before), the open cases and
 * decisions when they changed (replacing them); neither field when nothing changed. Readers bring
 * it forward in key order from a chunk's start (statusAfter, unitListPage).
 */
export type StoredEntry = Omit<TimelineEntry, 'status'>;

/**
 * Where an entry is stored whole: in a chunk of a unit's list (`unitId/` and the chunk's first
 * sequence number: its key after the plan's id), or in the `indicator` collection
 * under the indicator's number (its key with the entry's sequence number).
 */
export type EntryRef = string | number;

/** The unit's status after an entry, as stored: whole, or what changed, or (nothing changed) neither. */
export type StoredStatus = { status: UnitStatus; statusChange?: undefined } | { status?: undefined; statusChange?: StatusChange };

/** A unit list's item: the entry (its home) or where it is, and the unit's status after it. */
export type StoredUnitItem = (StoredEntry | { in: EntryRef }) & StoredStatus;

/**
 * Unit lists are stored as chunks too (issue 17, timeline v9): a document an item was four fifths
 * of a rebuild's rows. A chunk is `[seq, item]` pairs in sequence order, up to LIST_CHUNK of them,
 * kept under the unit's prefix and its FIRST item's sequence number, so an entry stored whole in
 * one (its home) can be referred to (EntryRef) before the chunk is full. Its first item stores the
 * unit's status whole, so a chunk is read without any before it. Items are appended to the unit's
 * last chunk while this batch wrote it anyway (a rebuild's page) or it is short (UNIT_REOPEN); a
 * chunk committed with more is left as it is and a new one started, so a rebuild writes each item
 * about once instead of rewriting a growing chunk every page.
 */
export type UnitChunk = readonly (readonly [number, StoredUnitItem])[];

/** Items of a unit's chunk committed earlier that a new item still joins (rewriting them): past it, a new chunk is started. */
export const UNIT_REOPEN = 16;

/** An indicator or case list's item: the entry (its home) or where it is. */
export type StoredListItem = StoredEntry | EntryRef;

/**
 * Indicator and case lists are stored as chunks of items, not one document an item (issue 17): an
 * item is a few bytes (where its entry is), and a document each was a third of a rebuild's rows.
 * A chunk is `[seq, item]` pairs in sequence order, up to LIST_CHUNK of them, kept under the list's
 * prefix and its last item's sequence number once full, and under OPEN_CHUNK (after every number)
 * while it takes new items. An entry whose home is an indicator's list (it touched no unit) is
 * stored whole in the `indicator` collection under its old key, and its item refers to it there.
 * Readers page a list with listPage, which answers the rows one document an item would have.
 */
export type ListChunk = readonly (readonly [number, StoredListItem])[];

/** Items in a full chunk: a page of a hundred items reads three chunks. */
export const LIST_CHUNK = 64;

/** The key (after a list's prefix) of its chunk taking new items: after every sequence number in byte order. */
export const OPEN_CHUNK = '~';

/** Where a list of `collection` ('indicator' or 'case') keeps its chunks. */
export const listCollection = (collection: string) => `${collection}-list`;

/**
 * A page of an indicator or case list, as the rows it would have held one document an item: up to
 * `limit` items with a key (prefix + sequence number) after `after`, in key order. Full chunks are
 * keyed by their last item, so the chunks holding the items after `after` are the first ones keyed
 * after it, the open chunk last.
 */
export async function listPage(docs: DocReader, collection: string, prefix: string, after: string | undefined, limit: number): Promise<{ key: string; doc: StoredListItem }[]> {
  const chunks = await docs.page<ListChunk>(listCollection(collection), prefix, { ...(after !== undefined ? { after } : {}), limit: Math.ceil(limit / LIST_CHUNK) + 1 });
  const rows: { key: string; doc: StoredListItem }[] = [];
  for (const { doc } of chunks) {
    for (const [seq, item] of doc) {
      const key = prefix + pad(seq);
      if (after !== undefined && key <= after) continue;
      rows.push({ key, doc: item });
      if (rows.length === limit) return rows;
    }
  }
  return rows;
}

/** Appends an item to a list's open chunk; a full one is closed first (kept under its last item's key). */
export async function appendListItem(docs: DocWriter, collection: string, prefix: string, seq: number, item: StoredListItem): Promise<void> {
  const chunks = listCollection(collection);
  const open = await docs.peek<ListChunk>(chunks, prefix + OPEN_CHUNK);
  if (open !== undefined && open.length >= LIST_CHUNK) {
    docs.put(chunks, prefix + pad(open[open.length - 1]![0]), open);
    docs.put(chunks, prefix + OPEN_CHUNK, [[seq, item]]);
  } else {
    docs.put(chunks, prefix + OPEN_CHUNK, [...(open ?? []), [seq, item]]);
  }
}

export interface StatusChange {
  warnings?: UnitStatus['warnings'];
  reports?: UnitStatus['reports'];
  openCases?: UnitStatus['openCases'];
  decisions?: UnitStatus['decisions'];
}

/** The `status` document of a unit: its status now, and its last chunk (its first sequence number, and how many items it holds). */
export interface UnitState {
  status: UnitStatus;
  chunk: number;
  items: number;
}

/** A unit's item's status as stored: whole first in a chunk (`first`), else what changed from the status before (`kept`). */
export function storeStatus(kept: Readonly<UnitStatus> | undefined, status: UnitStatus, first: boolean): StoredStatus {
  const change = !first && kept ? statusChange(kept, status) : undefined;
  if (!change) return { status };
  return Object.keys(change).length === 0 ? {} : { statusChange: change };
}

/**
 * What changed from `a` to `b` (b = evolveStatus(a, …), sharing what did not change); undefined when
 * a change cannot say it (a standing or report gone, which evolveStatus never does): stored whole then.
 */
export function statusChange(a: Readonly<UnitStatus>, b: Readonly<UnitStatus>): StatusChange | undefined {
  const change: StatusChange = {};
  for (const field of ['warnings', 'reports'] as const) {
    const [was, now] = [a[field] as Record<string, unknown>, b[field] as Record<string, unknown>];
    if (was === now) continue;
    if (Object.keys(was).some((k) => !Object.hasOwn(now, k))) return undefined;
    const changed = Object.entries(now).filter(([k, v]) => !Object.hasOwn(was, k) || was[k] !== v);
    if (changed.length > 0) (change as Record<string, unknown>)[field] = Object.fromEntries(changed);
  }
  if (a.openCases !== b.openCases) change.openCases = b.openCases;
  if (a.decisions !== b.decisions) change.decisions = b.decisions;
  return change;
}

/**
 * The unit's status after a stored item: as the projection built it. `before` is the status after
 * the unit's previous item, needed unless this one stores its status whole.
 */
export function statusAfter(stored: StoredStatus, before: UnitStatus | undefined, seq?: number): UnitStatus {
  if (stored.status !== undefined) return stored.status;
  if (before === undefined) throw new Error(`unit timeline item ${seq ?? ''}: no status before it to apply its change to`);
  const c = stored.statusChange;
  // Merged as evolveStatus spread them: a key keeps its place, a new one comes last, so the JSON is the same.
  return !c
    ? before
    : {
        warnings: c.warnings ? { ...before.warnings, ...c.warnings } : before.warnings,
        openCases: c.openCases ?? before.openCases,
        reports: c.reports ? { ...before.reports, ...c.reports } : before.reports,
        decisions: c.decisions ?? before.decisions,
      };
}

/**
 * A page of a unit's list, as the rows it would have held one document an item (timeline v8), each
 * with the unit's status after it whole: up to `limit` items with a key (prefix + sequence number)
 * after `after`, in key order. Chunks are keyed by their first item, so the items just after `after`
 * may be in the last chunk keyed at or before it; the chunks keyed after it follow.
 */
export async function unitListPage(docs: DocReader, prefix: string, after: string | undefined, limit: number): Promise<{ key: string; doc: StoredUnitItem }[]> {
  const collection = listCollection('unit');
  // Keys at or before `after`: all keys of a list are as long, and '\x01' sorts before every character of one.
  const chunks = after === undefined ? [] : await docs.page<UnitChunk>(collection, prefix, { after: `${after}\x01`, limit: 1, reverse: true });
  const rows: { key: string; doc: StoredUnitItem }[] = [];
  const take = (chunk: UnitChunk): boolean => {
    let status: UnitStatus | undefined;
    for (const [seq, item] of chunk) {
      status = statusAfter(item, status, seq);
      const key = prefix + pad(seq);
      if (after !== undefined && key <= after) continue;
      if (item.status === status) rows.push({ key, doc: item });
      else {
        const { statusChange: _change, ...rest } = item;
        rows.push({ key, doc: { ...rest, status } as StoredUnitItem });
      }
      if (rows.length === limit) return true;
    }
    return false;
  };
  for (const { doc } of chunks) if (take(doc)) return rows;
  let from = after;
  for (let read = 0; ; read++) {
    // A rebuild's chunks hold a page's items of the unit (a few dozen), those appended command by
    // command UNIT_REOPEN or so: asked for as if full first, as if short after, so a page parses
    // few chunks it does not answer from.
    const want = Math.ceil((limit - rows.length) / (read === 0 ? LIST_CHUNK : UNIT_REOPEN)) + 1;
    const next = await docs.page<UnitChunk>(collection, prefix, { ...(from !== undefined ? { after: from } : {}), limit: want });
    for (const { doc } of next) if (take(doc)) return rows;
    if (next.length < want) return rows;
    from = next[next.length - 1]!.key;
  }
}

/**
 * Appends an item to a unit's list: its entry (`entry`, its home) or where that is, with the unit's
 * status after it (`evolve` of the status before). Returns where the item is (EntryRef).
 */
export async function appendUnitItem(
  docs: DocWriter,
  planId: string,
  unitId: string,
  seq: number,
  entry: StoredEntry | EntryRef,
  evolve: (before: UnitStatus) => UnitStatus,
): Promise<EntryRef> {
  const kept = await docs.peek<UnitState>('status', `${planId}/${unitId}`);
  const status = evolve(kept?.status ?? emptyStatus());
  const chunks = listCollection('unit');
  const last = kept && unitKey(planId, unitId, kept.chunk);
  const open =
    kept && last !== undefined && kept.items < LIST_CHUNK && (kept.items < UNIT_REOPEN || docs.written(chunks, last)) ? await docs.peek<UnitChunk>(chunks, last) : undefined;
  const item = storeStatus(kept?.status, status, open === undefined);
  const stored: StoredUnitItem = typeof entry === 'object' ? { ...entry, ...item } : { in: entry, ...item };
  const state: UnitState = open ? { status, chunk: kept!.chunk, items: kept!.items + 1 } : { status, chunk: seq, items: 1 };
  docs.put(chunks, unitKey(planId, unitId, state.chunk), open ? [...open, [seq, stored]] : [[seq, stored]]);
  docs.put('status', `${planId}/${unitId}`, state);
  return `${unitId}/${pad(state.chunk)}`;
}

/** A unit's whole list, each item with the unit's status after it whole (an export). */
export async function unitList(docs: DocReader, prefix: string): Promise<{ key: string; doc: StoredUnitItem }[]> {
  return unitListPage(docs, prefix, undefined, Number.MAX_SAFE_INTEGER);
}

/**
 * The entries of a page of a list (the plan's unit, indicator or case list `prefix`, keys ending in
 * the sequence number), in its order: those stored there, and those stored elsewhere read at once.
 */
export async function entriesOf(docs: DocReader, prefix: string, rows: readonly { key: string; doc: unknown }[]): Promise<StoredEntry[]> {
  const planId = prefix.slice(0, prefix.indexOf('/'));
  const entries: (StoredEntry | undefined)[] = [];
  const inUnits: [number, string, number][] = [];
  const inIndicators: [number, string][] = [];
  for (const [i, { key, doc }] of rows.entries()) {
    const ref = typeof doc === 'object' && doc !== null && 'in' in doc ? (doc as { in: EntryRef }).in : typeof doc === 'object' ? undefined : (doc as EntryRef);
    const seq = Number(key.slice(-SEQ_WIDTH));
    if (ref === undefined) entries[i] = entryOf(doc as StoredEntry);
    else if (typeof ref === 'string') inUnits.push([i, `${planId}/${ref}`, seq]);
    else inIndicators.push([i, indicatorKey(planId, ref, seq)]);
  }
  if (inIndicators.length > 0) {
    const found = await docs.getMany<StoredEntry>(
      'indicator',
      inIndicators.map(([, k]) => k),
    );
    inIndicators.forEach(([i, k], j) => {
      if (found[j] === undefined) throw new Error(`timeline ${rows[i]!.key}: its entry (indicator ${k}) is missing`);
      entries[i] = entryOf(found[j]);
    });
  }
  if (inUnits.length > 0) {
    // Several entries of a page are often in one chunk: each read once.
    const keys = [...new Set(inUnits.map(([, k]) => k))];
    const chunks = await docs.getMany<UnitChunk>(listCollection('unit'), keys);
    const bySeq = new Map<string, Map<number, StoredUnitItem>>(keys.map((k, j) => [k, new Map(chunks[j] ?? [])]));
    for (const [i, k, seq] of inUnits) {
      const found = bySeq.get(k)!.get(seq);
      if (found === undefined || 'in' in found) throw new Error(`timeline ${rows[i]!.key}: its entry (unit chunk ${k}, ${seq}) is missing`);
      entries[i] = entryOf(found);
    }
  }
  return entries as StoredEntry[];
}

/** The entry of its home item: a unit's carries the unit's status too. */
function entryOf(doc: StoredEntry & { status?: unknown; statusChange?: unknown }): StoredEntry {
  if (doc.status === undefined && doc.statusChange === undefined) return doc;
  const { status: _status, statusChange: _change, ...entry } = doc;
  return entry;
}

/** Every published event type of the workflows; touches() says which of them concern a unit, an indicator or a case. */
export const TIMELINE_EVENT_TYPES = [
  ...PLAN_EVENT_TYPES,
  ...REPORTING_EVENT_TYPES,
  ...RANKING_EVENT_TYPES,
  ...ASSESSMENT_EVENT_TYPES,
  ...SUPERVISION_EVENT_TYPES,
  ...REWARDS_EVENT_TYPES,
  // Issue 16: evidence attached to a report, case or decision is part of the unit's history (and its export).
  ...ATTACHMENTS_EVENT_TYPES,
] as const;

interface PlanIndex {
  /** indicator no → responsible unit ids */
  units: Record<string, string[]>;
  unitIds: string[];
  countyNames: Record<string, string>;
  ours: string;
}

/** Digits of a sequence number in keys: every list key ends with them. */
const SEQ_WIDTH = 10;
export const pad = (n: number, width = SEQ_WIDTH) => String(n).padStart(width, '0');
export const unitKey = (planId: string, unitId: string, seq?: number) => `${planId}/${unitId}/${seq === undefined ? '' : pad(seq)}`;
export const indicatorKey = (planId: string, no: number, seq?: number) => `${planId}/${pad(no, 3)}/${seq === undefined ? '' : pad(seq)}`;
/** The standings of an indicator of a plan, one document: period → standing (read for the previous period's). */
const standingsKey = (planId: string, no: number) => `${planId}/${pad(no, 3)}`;
type Standing = { rank: number | null; warning: Tier | null };
export const caseKey = (planId: string, unitId: string, no: number, caseNo: number, seq?: number) =>
  `${planId}/${unitId}/${pad(no, 3)}/${pad(caseNo, 3)}/${seq === undefined ? '' : pad(seq)}`;

type AnyEvent = PlanEvent | ReportingEvent | RankingEvent | AssessmentEvent | QuarterNotificationSent | SupervisionEvent | RewardsEvent | AttachmentAdded;

export const timelineProjection: Projection = {
  name: TIMELINE_PROJECTION,
  // 2: year-end decisions are per unit (ConflictDecided; a line id is a unit id).
  // 3: a standing change compares with the previous period (since), cases opened on a ground (issue 12).
  // 4: attachments (issue 16); 3 was given to each change on its own branch, so both rebuild.
  // 5: summaries name periods as people read them (2023年8月 / Aug 2023), not 2023-08 (issue 15).
  // 6: a unit entry stores its status whole only every STATUS_EVERY entries, else what changed (issue 17);
  //    5 was given to each change on its own branch, so both rebuild.
  // 7: each entry stored once, in its first list; the others refer to it (issue 17).
  // 8: indicator and case lists stored as chunks of items; an indicator's standings one document (issue 17).
  // 9: unit lists stored as chunks of items too, keyed by their first, each starting with the status whole (issue 17).
  version: 9,
  eventTypes: TIMELINE_EVENT_TYPES,
  async apply(e, docs) {
    const event = { type: e.type, data: e.data } as AnyEvent;
    const planId = planIdOf(event);
    if (!planId) return;
    if (event.type === 'PlanPublished') {
      const plan = event.data.plan;
      const index: PlanIndex = {
        units: Object.fromEntries(plan.indicators.map((i) => [String(i.no), [...i.units]])),
        unitIds: plan.units.map((u) => u.id),
        countyNames: Object.fromEntries(plan.peerGroup.counties.map((c) => [c.id, c.name])),
        ours: plan.peerGroup.counties.find((c) => c.ours)?.id ?? '',
      };
      docs.put('plans', planId, index);
    }
    // Peeked (frozen, not copied): read on every event, never changed in place.
    const index = await docs.peek<PlanIndex>('plans', planId);
    if (!index) return;
    const touched = touches(event, index, await docs.peek<string[]>('decided-units', decidedKey(event)));
    if (touched.units.length === 0 && touched.indicators.length === 0 && !touched.caseKey) return;

    let since: TimelineEntry['since'];
    if (event.type === 'StandingChanged') {
      const d = event.data;
      const parsed = parsePeriod(d.period);
      const before = parsed ? formatPeriod(previous(parsed)) : null;
      const standings = await docs.peek<Record<string, Standing>>('standings', standingsKey(planId, d.indicatorNo));
      const known = before && standings && Object.hasOwn(standings, before) ? standings[before] : undefined;
      since = before && known ? { period: before, ...known } : null;
      docs.put('standings', standingsKey(planId, d.indicatorNo), { ...standings, [d.period]: { rank: d.rank.to, warning: d.warning.to } });
    }

    // Peeked: a number, nothing to copy (get would clone it, on every event).
    const seq = ((await docs.peek<number>('seq', planId)) ?? 0) + 1;
    docs.put('seq', planId, seq);
    const m = e.metadata;
    const base: StoredEntry = {
      seq,
      position: e.position,
      streamId: e.streamId,
      revision: e.revision,
      eventId: e.id,
      type: e.type,
      at: m.recordedAt,
      who: { userId: m.actor.userId, role: m.actor.role, ...(m.actor.name ? { name: m.actor.name } : {}) },
      ...(m.onBehalfOf ? { onBehalfOf: m.onBehalfOf } : {}),
      ...(m.reason ? { why: m.reason } : {}),
      ...(periodOf(event) ? { period: periodOf(event)! } : {}),
      indicatorNos: touched.indicators,
      summary: describe(event, index, since),
      ...(event.type === 'StandingChanged' ? { cause: event.data.cause, since: since ?? null } : {}),
      ...(touched.caseKey ? { caseKey: touched.caseKey } : {}),
    };
    // Stored whole in its first list (its home), referred to from the others.
    let home: EntryRef | undefined = touched.units.length === 0 ? touched.indicators[0] : undefined;
    for (const unitId of touched.units) {
      const stored = await appendUnitItem(docs, planId, unitId, seq, home ?? base, (before) => evolveStatus(before, event, unitId));
      home ??= stored;
    }
    for (const [i, no] of touched.indicators.entries()) {
      // Its home is this list: stored whole where an item of it refers to (entriesOf).
      if (touched.units.length === 0 && i === 0) docs.put('indicator', indicatorKey(planId, no, seq), base);
      await appendListItem(docs, 'indicator', indicatorKey(planId, no), seq, home!);
    }
    if (touched.caseKey) await appendListItem(docs, 'case', `${touched.caseKey}/`, seq, home ?? base);
    if (event.type === 'ProposalApproved') {
      docs.put('decided-units', decidedKey(event), [...new Set(event.data.decisions.map((d) => d.unitId))]);
    }
  },
};

function decidedKey(e: AnyEvent): string {
  if (e.type === 'AttachmentAdded') return e.data.target.kind === 'decision' ? `${e.data.target.planId}/${e.data.target.year}` : '';
  return 'year' in e.data && 'planId' in e.data ? `${e.data.planId}/${(e.data as { year: number }).year}` : '';
}

export function emptyStatus(): UnitStatus {
  return { warnings: {}, openCases: [], reports: {}, decisions: {} };
}

function planIdOf(e: AnyEvent): string | undefined {
  if (e.type === 'PlanPublished') return e.data.plan.id;
  if (e.type === 'AttachmentAdded') return e.data.target.planId;
  return (e.data as { planId?: string }).planId;
}

function periodOf(e: AnyEvent): string | undefined {
  if (e.type === 'AttachmentAdded') {
    const t = e.data.target;
    return t.kind === 'report' ? t.period : t.kind === 'decision' ? String(t.year) : undefined;
  }
  const d = e.data as { period?: string; quarter?: string; year?: number };
  return d.period ?? d.quarter ?? (d.year !== undefined ? String(d.year) : undefined);
}

/** Which units, indicators and case an event is about. */
function touches(e: AnyEvent, index: Readonly<PlanIndex>, decidedUnits: readonly string[] | undefined): { units: readonly string[]; indicators: number[]; caseKey?: string } {
  const unitsOf = (no: number) => index.units[String(no)] ?? [];
  switch (e.type) {
    case 'PlanPublished':
      return { units: [], indicators: [] };
    case 'PlanTargetSet':
    case 'PlanBaselineSet':
      return { units: unitsOf(e.data.indicatorNo), indicators: [e.data.indicatorNo] };
    case 'PlanRuleRevised':
      return { units: index.unitIds, indicators: [] };
    case 'ReportOpened':
    case 'ReportReminderSent':
    case 'ReportOverdue':
    case 'ReportSigned':
    case 'ReportReceived':
    case 'ReportReturned':
    case 'ReportDraftSaved':
      return { units: [e.data.unitId], indicators: [] };
    case 'ReportSubmitted':
      return { units: [e.data.unitId], indicators: e.data.lines.map((l) => l.indicatorNo) };
    case 'FigureCorrected':
      return { units: [e.data.unitId], indicators: [e.data.indicatorNo] };
    case 'PeerFiguresRecorded':
    case 'PeerFigureCorrected':
    case 'StandingChanged':
      return { units: unitsOf(e.data.indicatorNo), indicators: [e.data.indicatorNo] };
    case 'ScoringRulePublished':
      return { units: [], indicators: [] };
    case 'QuarterPublished':
    case 'QuarterPrepared':
    case 'MeetingRecorded':
      return { units: [], indicators: [] };
    case 'QuarterNotificationSent': {
      const r = (e.data as { recipient?: string }).recipient ?? '';
      return { units: r.startsWith('unit:') ? [r.slice(5)] : [], indicators: [] };
    }
    case 'ProposalGenerated':
      return { units: [...new Set(e.data.lines.map((l) => l.unitId))], indicators: [...new Set(e.data.lines.flatMap((l) => l.indicators.map((i) => i.indicatorNo)))] };
    // One line per unit: its id is the unit's.
    case 'LineAmended':
    case 'ConflictDecided':
      return { units: [e.data.lineId], indicators: [] };
    case 'ProposalApproved':
      return { units: [...new Set(e.data.decisions.map((d) => d.unitId))], indicators: [...new Set(e.data.decisions.flatMap((d) => d.indicators.map((i) => i.indicatorNo)))] };
    case 'DecisionsPublished':
      return { units: decidedUnits ?? [], indicators: [] };
    case 'ProposalSubmitted':
    case 'ProposalSentBack':
      return { units: [], indicators: [] };
    case 'AttachmentAdded': {
      const t = e.data.target;
      if (t.kind === 'report') return { units: [t.unitId], indicators: [] };
      if (t.kind === 'case') return { units: [t.unitId], indicators: [t.indicatorNo], caseKey: caseKey(t.planId, t.unitId, t.indicatorNo, t.caseNo) };
      return { units: decidedUnits ?? [], indicators: [] };
    }
    default: {
      if ('caseNo' in e.data) {
        const d = e.data as { planId: string; unitId: string; indicatorNo: number; caseNo: number };
        return { units: [d.unitId], indicators: [d.indicatorNo], caseKey: caseKey(d.planId, d.unitId, d.indicatorNo, d.caseNo) };
      }
      return { units: [], indicators: [] };
    }
  }
}

/** Month ends sort by 'YYYY-MM'; a quarter or year counts at its last month, after that month's own figures. */
function periodRank(p: string): string {
  const q = /^(\d{4})-Q([1-4])$/.exec(p);
  if (q) return `${q[1]}-${String(Number(q[2]) * 3).padStart(2, '0')}~1`;
  if (/^\d{4}$/.test(p)) return `${p}-12~2`;
  return `${p}~0`;
}

export function evolveStatus(s: UnitStatus, e: AnyEvent, unitId: string): UnitStatus {
  switch (e.type) {
    case 'StandingChanged': {
      const key = String(e.data.indicatorNo);
      const known = s.warnings[key];
      if (known && periodRank(known.period) > periodRank(e.data.period)) return s; // a revision of an older period
      return { ...s, warnings: { ...s.warnings, [key]: { period: e.data.period, rank: e.data.rank.to, warning: e.data.warning.to } } };
    }
    case 'ReportOpened':
    case 'ReportDraftSaved':
    case 'ReportSubmitted':
    case 'ReportSigned':
    case 'ReportReceived':
    case 'ReportReturned':
    case 'ReportOverdue': {
      const status =
        e.type === 'ReportOverdue'
          ? `${s.reports[e.data.period] ?? 'open'}+overdue`
          : { ReportOpened: 'open', ReportDraftSaved: 'draft', ReportSubmitted: 'submitted', ReportSigned: 'signed', ReportReceived: 'received', ReportReturned: 'returned' }[
              e.type
            ];
      return { ...s, reports: { ...s.reports, [e.data.period]: status } };
    }
    case 'CaseOpened':
      return { ...s, openCases: [...s.openCases, { indicatorNo: e.data.indicatorNo, caseNo: e.data.caseNo, step: 'acknowledge', escalations: 0 }] };
    case 'CaseClosed':
      return { ...s, openCases: s.openCases.filter((c) => !(c.indicatorNo === e.data.indicatorNo && c.caseNo === e.data.caseNo)) };
    case 'CaseEscalated':
      return { ...s, openCases: s.openCases.map((c) => (c.indicatorNo === e.data.indicatorNo && c.caseNo === e.data.caseNo ? { ...c, escalations: c.escalations + 1 } : c)) };
    case 'CaseAcknowledged':
    case 'RectificationPlanSubmitted':
    case 'RectificationFeedbackSubmitted':
    case 'CaseReviewed': {
      const next = (e.data as { next?: { step: string } | null }).next;
      if (!next) return s;
      return { ...s, openCases: s.openCases.map((c) => (c.indicatorNo === e.data.indicatorNo && c.caseNo === e.data.caseNo ? { ...c, step: next.step } : c)) };
    }
    case 'ProposalApproved':
      return {
        ...s,
        decisions: Object.fromEntries(e.data.decisions.filter((d) => d.unitId === unitId).flatMap((d) => d.indicators.map((i) => [String(i.indicatorNo), d.tier ?? 'none']))),
      };
    default:
      return s;
  }
}

/** 四（四）: "对行动不力、工作滞后、成效不明显的，视情形予以通报、约谈". */
const GROUND_ZH: Record<string, string> = { 'ineffective-action': '行动不力', 'lagging-work': '工作滞后', 'little-effect': '成效不明显' };

const TIER_ZH: Record<string, string> = { green: '绿', yellow: '黄', red: '红' };

function describeCause(c: StandingCause, index: PlanIndex): { zh: string; en: string } {
  const county = (id: string) => index.countyNames[id] ?? id;
  switch (c.kind) {
    case 'first-figures':
      return { zh: '首次公布', en: 'first figures' };
    case 'own-figure':
      return { zh: `本县数据 ${c.previous ?? '—'} → ${c.value ?? '—'}`, en: `our own figure ${c.previous ?? '—'} → ${c.value ?? '—'}` };
    case 'peer-revision':
      return {
        zh: `${county(c.countyId)} 修订数据 ${c.previous ?? '—'} → ${c.value ?? '—'}`,
        en: `${county(c.countyId)} revised its figure ${c.previous ?? '—'} → ${c.value ?? '—'}`,
      };
    case 'correction':
      return { zh: `更正 ${county(c.countyId)} 数据：${c.reason}`, en: `correction of ${county(c.countyId)}'s figure: ${c.reason}` };
    case 'rule-change':
      return { zh: '预警规则调整', en: 'warning rule changed' };
  }
}

/** A line a person can read, in both languages. */
export function describe(e: AnyEvent, index: PlanIndex, since?: TimelineEntry['since']): { zh: string; en: string } {
  const d = e.data as Record<string, unknown>;
  // Periods as people read them (2023年5月 / May 2023), never as stored (2023-05).
  const p = periodText(String(d.period ?? d.quarter ?? d.year ?? ''));
  switch (e.type) {
    case 'StandingChanged': {
      const c = describeCause(e.data.cause, index);
      const w = e.data.warning;
      // A period's first figures compare with the previous period's standing: "rank 3 → 5 since 2023-05".
      if (e.data.rank.from === null && e.data.warning.from === null && since) {
        return {
          zh: `指标${e.data.indicatorNo} ${p.zh} 排名 ${since.rank ?? '—'}→${e.data.rank.to ?? '—'}，预警 ${TIER_ZH[since.warning ?? ''] ?? '—'}→${TIER_ZH[w.to ?? ''] ?? '—'}（较 ${periodText(since.period).zh}；${c.zh}）`,
          en: `indicator ${e.data.indicatorNo} ${p.en}: rank ${since.rank ?? '—'}→${e.data.rank.to ?? '—'}, warning ${since.warning ?? '—'}→${w.to ?? '—'} since ${periodText(since.period).en} (${c.en})`,
        };
      }
      return {
        zh: `指标${e.data.indicatorNo} ${p.zh} 排名 ${e.data.rank.from ?? '—'}→${e.data.rank.to ?? '—'}，预警 ${TIER_ZH[w.from ?? ''] ?? '—'}→${TIER_ZH[w.to ?? ''] ?? '—'}（${c.zh}）`,
        en: `indicator ${e.data.indicatorNo} ${p.en}: rank ${e.data.rank.from ?? '—'}→${e.data.rank.to ?? '—'}, warning ${w.from ?? '—'}→${w.to ?? '—'} (${c.en})`,
      };
    }
    case 'FigureCorrected':
      return {
        zh: `更正指标${e.data.indicatorNo} ${p.zh} ${e.data.field === 'value' ? '完成值' : '排名'} ${e.data.previous ?? '—'} → ${e.data.corrected ?? '—'}`,
        en: `corrected indicator ${e.data.indicatorNo} ${p.en} ${e.data.field} ${e.data.previous ?? '—'} → ${e.data.corrected ?? '—'}`,
      };
    case 'ReportSubmitted':
      return {
        zh: `提交${p.zh}月报告${e.data.late ? `（逾期 ${Math.round(e.data.late.byMinutes / 60)} 小时）` : ''}`,
        en: `submitted the ${p.en} report${e.data.late ? ` (late by ${Math.round(e.data.late.byMinutes / 60)} h)` : ''}`,
      };
    case 'PeerFiguresRecorded':
      return {
        zh: `录入指标${e.data.indicatorNo} ${p.zh}六县市数据（${e.data.figures.length} 个县市${e.data.revised.length ? `，修订 ${e.data.revised.length}` : ''}）`,
        en: `recorded indicator ${e.data.indicatorNo} ${p.en} figures for ${e.data.figures.length} counties${e.data.revised.length ? ` (${e.data.revised.length} revised)` : ''}`,
      };
    case 'CaseOpened': {
      if (!e.data.warning) {
        const g = e.data.ground;
        const zh = g ? GROUND_ZH[g.ground] : '';
        return {
          zh: `督查立案（${zh}）：指标${e.data.indicatorNo}${g ? `（${periodText(g.period).zh}）：${g.note}` : ''}`,
          en: `supervision case opened (${g?.ground ?? ''}) for indicator ${e.data.indicatorNo}${g ? ` (${periodText(g.period).en}): ${g.note}` : ''}`,
        };
      }
      return {
        zh: `红色预警督查立案：指标${e.data.indicatorNo}（${periodText(e.data.warning.quarter).zh}）`,
        en: `supervision case opened for indicator ${e.data.indicatorNo} (${periodText(e.data.warning.quarter).en})`,
      };
    }
    case 'CaseEscalated':
      return {
        zh: `${e.data.kind === 'public-notice' ? '通报' : '约谈'}：${e.data.reason}`,
        en: `${e.data.kind === 'public-notice' ? 'public notice (通报)' : 'admonitory talk (约谈)'}: ${e.data.reason}`,
      };
    case 'CaseClosed':
      return { zh: `督查结案（${e.data.reason}）：${e.data.text}`, en: `case closed (${e.data.reason}): ${e.data.text}` };
    case 'AttachmentAdded': {
      const { name, mediaType, blob, step } = e.data;
      const what = `${name}（${mediaType}，${blob.size} 字节，SHA-256 ${blob.sha256.slice(0, 12)}…）`;
      return {
        zh: `上传附件${step ? `（${step}）` : ''}：${what}`,
        en: `attachment added${step ? ` (${step})` : ''}: ${name} (${mediaType}, ${blob.size} bytes, SHA-256 ${blob.sha256.slice(0, 12)}…)`,
      };
    }
    default: {
      const words = e.type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
      return { zh: `${LABEL_ZH[e.type] ?? e.type}${p.zh ? ` ${p.zh}` : ''}`, en: `${words}${p.en ? ` ${p.en}` : ''}` };
    }
  }
}

const LABEL_ZH: Record<string, string> = {
  PlanTargetSet: '设定县定目标',
  PlanBaselineSet: '设定上年完成情况',
  PlanRuleRevised: '调整方案规则',
  ReportOpened: '开启月报告',
  ReportDraftSaved: '保存月报告草稿',
  ReportSigned: '主要负责人签字盖章',
  ReportReceived: '县推进办接收',
  ReportReturned: '县推进办退回',
  ReportReminderSent: '截止前提醒',
  ReportOverdue: '月报告逾期未报',
  PeerFigureCorrected: '更正六县市数据',
  QuarterPublished: '季度评估发布',
  QuarterNotificationSent: '季度评估结果通知',
  CaseWarningLinked: '再次红色预警并入督查件',
  CaseAcknowledged: '单位签收督查件',
  RectificationPlanSubmitted: '提交整改方案',
  RectificationFeedbackSubmitted: '提交整改反馈',
  CaseReviewed: '督查局审核',
  CaseReportedToLeaders: '督查结果报县领导',
  CaseStepReminderSent: '督查期限提醒',
  CaseStepOverdue: '督查事项逾期',
  ProposalGenerated: '生成拟奖惩名单',
  LineAmended: '调整拟奖惩名单',
  ConflictDecided: '推进办裁定奖惩冲突',
  ProposalSubmitted: '报县政府审定',
  ProposalSentBack: '县政府退回名单',
  ProposalApproved: '县政府审定奖惩名单',
  DecisionsPublished: '公布奖惩决定',
};

/** One page of a timeline, oldest first: the one list shape of the API (issue 14). */
export type TimelinePage = Page<TimelineEntry>;
