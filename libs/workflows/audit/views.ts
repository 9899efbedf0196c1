import { isDeepStrictEqual } from 'node:util';
import { monthsOfYear } from '../plan/period.js';
import { DomainError } from '../../engine/commands/command.js';
import type { EventStore, RecordedEvent } from '../../engine/event-store/event-store.js';
import { foldKnownAt, type AsOf } from '../../engine/projections/as-of.js';
import type { Projection } from '../../engine/projections/docs.js';
import { annex2Projection, annex2Streams, annex2Table, type Annex2Flag, type Annex2Table, type FigureProvenance } from '../annex2/annex2.projection.js';
import type { PlanDefinition } from '../plan/plan-file.js';
import { planStream } from '../plan/plan.events.js';
import { candidatePeriods, quarterPeriods } from '../ranking/ranking-periods.js';
import { figuresStream, scoringStream } from '../ranking/ranking.events.js';
import { standingsProjection, standingsStreams, warningBoard, type WarningBoard } from '../ranking/standings.projection.js';
import { reportStream } from '../reporting/reporting.events.js';
import { complianceBoard, reportsProjection, reportStreams, type ComplianceBoard } from '../reporting/reports.projection.js';
import { readProposal, reviewProjection, type ProposalView } from '../rewards/review.projection.js';
import { reviewStream } from '../rewards/rewards.events.js';
import { supervisionBoard, supervisionBoardProjection, type BoardRow } from '../supervision/supervision-board.projection.js';
import { caseLineStream } from '../supervision/supervision.events.js';

/**
 * The tables and boards auditors compare, each re-derived from the events recorded up to a moment
 * (never read from a stored copy). A view answers its table in the shape the live endpoint answers
 * it (issue 14: one shape per table, live or as of a moment); the comparison of two moments works
 * on the table's rows keyed for comparison, with the streams behind each row so a difference can
 * be explained by the events that caused it.
 *
 * Audit is the one read side that reads every workflow's projections and stream names.
 */
export interface ViewParams {
  period?: string;
  quarter?: string;
  year?: number;
}

/** Each view's table, as its live endpoint answers it. */
export interface ViewTables {
  /** `GET /plans/{planId}/annex2/{period}` (null before the plan is known). */
  annex2: Annex2Table | null;
  /** `GET /plans/{planId}/reporting/compliance?from=YYYY-01&to=YYYY-12` (every unit). */
  compliance: ComplianceBoard;
  /** `GET /plans/{planId}/ranking/warnings?quarter=` (null before the plan is known). */
  warnings: WarningBoard | null;
  /** The items of `GET /plans/{planId}/supervision/board?status=all`, every page. */
  supervision: BoardRow[];
  /** `GET /plans/{planId}/rewards/{year}/proposal` (null before one is generated). */
  proposal: ProposalView | null;
}

export type ViewName = keyof ViewTables;

/** One view as known at a moment: `table` in the live endpoint's shape. */
export type ViewSnapshot = { [V in ViewName]: { view: V; params: ViewParams; asOf: string; table: ViewTables[V] } }[ViewName];

/** A table's rows keyed for comparison, and what each row is (labels are not compared). */
export interface ViewRows {
  rows: Record<string, Record<string, unknown>>;
  labels: Record<string, string>;
}

interface ViewDef<V extends ViewName> {
  /** What to pass, e.g. period for Annex 2. */
  needs: (keyof ViewParams)[];
  /** Fields that change with the moment asked, not with the record (compared no further). */
  volatile?: string[];
  streams(plan: PlanDefinition, p: ViewParams): string[];
  table(reads: StreamReads, plan: PlanDefinition, p: ViewParams, asOf: AsOf): Promise<ViewTables[V]>;
  /** The table's rows keyed for comparison (pure: the command line lists them too). */
  rows(table: ViewTables[V]): ViewRows;
  /** The streams whose events can change one row. */
  rowStreams(plan: PlanDefinition, p: ViewParams, key: string): string[];
}

/**
 * The streams behind one question, each read once: a comparison folds the same streams at two
 * moments and then lists the events between them on the rows that differ — one query for all of
 * them (PostgreSQL: one round trip instead of one per stream and moment), the rest from memory.
 */
export class StreamReads {
  readonly #streams = new Map<string, Promise<RecordedEvent[]>>();
  /** Each set of streams asked for in global order, by the set: a diff's second moment asks for the first's. */
  readonly #ordered = new Map<string, Promise<RecordedEvent[]>>();
  constructor(readonly store: EventStore) {}

  /** The streams' events in global order (the same array for the same streams: read, never change it). */
  read(streams: readonly string[]): Promise<RecordedEvent[]> {
    const wanted = [...new Set(streams)];
    const key = wanted.join('\n');
    let ordered = this.#ordered.get(key);
    if (!ordered) {
      ordered = this.#inOrder(wanted);
      this.#ordered.set(key, ordered);
    }
    return ordered;
  }

  async #inOrder(wanted: string[]): Promise<RecordedEvent[]> {
    // None read yet: the store's one answer is already in global order.
    if (wanted.every((s) => !this.#streams.has(s))) return this.#fetch(wanted);
    const events = await this.events(wanted);
    return wanted.length > 1 ? events.sort((a, b) => this.store.comparePositions(a.position, b.position)) : events;
  }

  /** The streams' events, stream after stream (each in its own order). */
  async events(streams: readonly string[]): Promise<RecordedEvent[]> {
    const wanted = [...new Set(streams)];
    const missing = wanted.filter((s) => !this.#streams.has(s));
    if (missing.length > 0) void this.#fetch(missing).catch(() => undefined); // its failure reaches the awaits below
    return (await Promise.all(wanted.map((s) => this.#streams.get(s)!))).flat();
  }

  /** Reads streams not read yet in one query, keeping each stream's part for the next question. */
  #fetch(streams: readonly string[]): Promise<RecordedEvent[]> {
    const read = this.store.readStreams(streams);
    const byStream = read.then((events) => {
      const m = new Map<string, RecordedEvent[]>();
      for (const e of events) {
        const list = m.get(e.streamId);
        if (list) list.push(e);
        else m.set(e.streamId, [e]);
      }
      return m;
    });
    for (const s of streams) {
      const part = byStream.then((m) => m.get(s) ?? []);
      part.catch(() => undefined); // a failed read is answered to whoever awaits it, not left unhandled
      this.#streams.set(s, part);
    }
    return read;
  }

  async fold(projection: Projection, asOf: AsOf, streams: readonly string[]) {
    return foldKnownAt(this.store, projection, asOf, await this.read(streams));
  }
}

const months = monthsOfYear;
const indicatorOf = (plan: PlanDefinition, no: number) => plan.indicators.find((i) => i.no === no);
const caseLines = (plan: PlanDefinition) => plan.indicators.flatMap((i) => i.units.map((unitId) => caseLineStream({ planId: plan.id, unitId, indicatorNo: i.no })));

export const VIEWS: { [V in ViewName]: ViewDef<V> } = {
  annex2: {
    needs: ['period'],
    streams: (plan, p) => annex2Streams(plan, p.period!),
    async table(reads, plan, p, asOf) {
      return (await annex2Table(await reads.fold(annex2Projection, asOf, annex2Streams(plan, p.period!)), plan.id, p.period!)) ?? null;
    },
    rows(table) {
      const rows: Record<string, Record<string, unknown>> = {};
      const labels: Record<string, string> = {};
      for (const r of table?.sections.flatMap((s) => s.rows) ?? []) {
        const key = String(r.no);
        labels[key] = `${r.no} ${r.name}`;
        rows[key] = {
          result: r.result,
          rank: r.rank,
          rankSource: r.rankSource,
          warning: r.warning,
          score: r.score ?? null,
          target: r.target,
          baseline: r.baseline,
        };
      }
      if (table) rows['total'] = { totalScore: table.totalScore ?? null, ...table.summary };
      labels['total'] = 'total';
      return { rows, labels };
    },
    rowStreams(plan, p, key) {
      if (key === 'total') return annex2Streams(plan, p.period!);
      const i = indicatorOf(plan, Number(key));
      if (!i) return [];
      return [
        planStream(plan.id),
        scoringStream(plan.id),
        ...i.units.map((unitId) => reportStream({ planId: plan.id, unitId, period: p.period! })),
        ...candidatePeriods(p.period!).map((x) => figuresStream(plan.id, i.no, x)),
      ];
    },
  },

  compliance: {
    needs: ['year'],
    streams: (plan, p) => reportStreams(plan, months(p.year!)),
    async table(reads, plan, p, asOf) {
      return complianceBoard(await reads.fold(reportsProjection, asOf, VIEWS.compliance.streams(plan, p)), plan, months(p.year!));
    },
    rows(board) {
      const rows: Record<string, Record<string, unknown>> = {};
      const labels: Record<string, string> = {};
      for (const u of board.units) {
        for (const period of board.periods) {
          const cell = u.cells[period];
          if (!cell) continue;
          const key = `${u.unitId}/${period}`;
          labels[key] = `${u.shortName} ${period}`;
          const { planId: _p, unitId: _u, unitName: _n, period: _m, ...rest } = cell;
          rows[key] = rest as Record<string, unknown>;
        }
      }
      return { rows, labels };
    },
    rowStreams(plan, _p, key) {
      const [unitId, period] = key.split('/');
      return [reportStream({ planId: plan.id, unitId: unitId!, period: period! })];
    },
  },

  warnings: {
    needs: ['quarter'],
    streams: (plan, p) => standingsStreams(plan, quarterPeriods(p.quarter!), { meetings: true }),
    async table(reads, plan, p, asOf) {
      return (await warningBoard(await reads.fold(standingsProjection, asOf, VIEWS.warnings.streams(plan, p)), plan.id, p.quarter!)) ?? null;
    },
    rows(board) {
      const rows: Record<string, Record<string, unknown>> = {};
      const labels: Record<string, string> = {};
      for (const r of board?.rows ?? []) {
        const key = String(r.indicatorNo);
        labels[key] = `${r.indicatorNo} ${r.name}`.trim();
        const { changes: _c, ...rest } = r as typeof r & { changes?: unknown };
        rows[key] = rest;
      }
      if (board) rows['counts'] = { ...board.counts };
      return { rows, labels };
    },
    rowStreams(plan, p, key) {
      if (key === 'counts') return VIEWS.warnings.streams(plan, p);
      return [planStream(plan.id), ...quarterPeriods(p.quarter!).map((x) => figuresStream(plan.id, Number(key), x))];
    },
  },

  supervision: {
    needs: [],
    volatile: ['ageDays', 'overdue'],
    streams: (plan) => caseLines(plan),
    async table(reads, plan, _p, asOf) {
      const docs = await reads.fold(supervisionBoardProjection, asOf, caseLines(plan));
      return supervisionBoard(docs, plan.id, { status: 'all' }, asOf.time ?? new Date().toISOString());
    },
    rows(cases) {
      const rows: Record<string, Record<string, unknown>> = {};
      const labels: Record<string, string> = {};
      for (const r of cases) {
        const key = `${r.unitId}/${r.indicatorNo}/${r.caseNo}`;
        labels[key] = `${r.unitName} · ${r.indicatorNo} ${r.indicatorName} · #${r.caseNo}`;
        rows[key] = { ...r };
      }
      return { rows, labels };
    },
    rowStreams(plan, _p, key) {
      const [unitId, no] = key.split('/');
      return [caseLineStream({ planId: plan.id, unitId: unitId!, indicatorNo: Number(no) })];
    },
  },

  proposal: {
    needs: ['year'],
    streams: (plan, p) => [reviewStream({ planId: plan.id, year: p.year! })],
    async table(reads, plan, p, asOf) {
      const docs = await reads.fold(reviewProjection, asOf, [reviewStream({ planId: plan.id, year: p.year! })]);
      return (await readProposal(docs, plan.id, p.year!)) ?? null;
    },
    rows(proposal) {
      const rows: Record<string, Record<string, unknown>> = {};
      const labels: Record<string, string> = {};
      for (const line of proposal?.lines ?? []) {
        labels[line.lineId] = `${line.unitName} · ${line.unitId}`;
        const { amendments: _a, ...rest } = line;
        rows[line.lineId] = rest as Record<string, unknown>;
      }
      // The proposal's own step (generated, submitted, sent back, approved, published) is a row too.
      if (proposal) rows['status'] = { status: proposal.status };
      labels['status'] = 'status';
      return { rows, labels };
    },
    rowStreams(plan, p) {
      return [reviewStream({ planId: plan.id, year: p.year! })];
    },
  },
};

/** Any view's definition (its table's type erased: a view name from a request is checked here). */
type AnyViewDef = ViewDef<ViewName> & { table(...a: Parameters<ViewDef<ViewName>['table']>): Promise<ViewTables[ViewName]>; rows(table: ViewTables[ViewName]): ViewRows };

export function viewDef(view: string): AnyViewDef {
  const def = Object.hasOwn(VIEWS, view) ? (VIEWS[view as ViewName] as AnyViewDef) : undefined; // not Object.prototype's __proto__ or constructor
  if (!def) throw new DomainError('unknown-view', `no view "${view}"; known: ${Object.keys(VIEWS).join(', ')}`, { params: { view }, status: 404 });
  return def;
}

export function checkParams(view: string, p: ViewParams): void {
  for (const need of viewDef(view).needs) {
    if (p[need] === undefined)
      throw new DomainError('missing-parameter', `view ${view} needs ?${need}=`, { params: { parameter: need }, status: 422, fields: [{ field: need, message: 'required' }] });
  }
}

export async function snapshot(store: EventStore, plan: PlanDefinition, view: string, p: ViewParams, asOf: AsOf, reads = new StreamReads(store)): Promise<ViewSnapshot> {
  checkParams(view, p);
  const table = await viewDef(view).table(reads, plan, p, asOf);
  return { view, params: p, asOf: asOf.time ?? asOf.position ?? '', table } as ViewSnapshot;
}

/** A snapshot's rows keyed for comparison (the two-moment diff, the command line's listing). */
export function rowsOf(s: ViewSnapshot): ViewRows {
  return viewDef(s.view).rows(s.table);
}

export interface CauseEvent {
  type: string;
  streamId: string;
  revision: number;
  position: string;
  at: string;
  who: { userId: string; role: string; name?: string };
  onBehalfOf?: string;
  why?: string;
  data: unknown;
}

export interface RowDifference {
  key: string;
  label: string;
  change: 'added' | 'removed' | 'changed';
  fields: { field: string; before: unknown; after: unknown }[];
  /** The events recorded between the two moments in the streams behind this row. */
  causes: CauseEvent[];
}

export interface ViewDiff {
  view: string;
  params: ViewParams;
  /** The earlier moment (`?from=`). */
  from: string;
  /** The later moment (`?to=`). */
  to: string;
  before: ViewSnapshot;
  after: ViewSnapshot;
  differences: RowDifference[];
}

export function causeOf(e: RecordedEvent): CauseEvent {
  const m = e.metadata;
  return {
    type: e.type,
    streamId: e.streamId,
    revision: e.revision,
    position: e.position,
    at: m.recordedAt,
    who: { userId: m.actor.userId, role: m.actor.role, ...(m.actor.name ? { name: m.actor.name } : {}) },
    ...(m.onBehalfOf ? { onBehalfOf: m.onBehalfOf } : {}),
    ...(m.reason ? { why: m.reason } : {}),
    data: e.data,
  };
}

/** A table as known at `from` and at `to`, the rows that differ, and for each the events between. */
export async function diff(store: EventStore, plan: PlanDefinition, view: string, p: ViewParams, from: string, to: string): Promise<ViewDiff> {
  if (!(from < to)) throw new DomainError('moments-out-of-order', `from (${from}) must come before to (${to})`, { status: 422 });
  const def = viewDef(view);
  const reads = new StreamReads(store);
  const [before, after] = await Promise.all([snapshot(store, plan, view, p, { time: from }, reads), snapshot(store, plan, view, p, { time: to }, reads)]);
  const [b4, af] = [rowsOf(before), rowsOf(after)];
  const volatile = new Set(def.volatile ?? []);
  const differences: RowDifference[] = [];
  const keys = [...new Set([...Object.keys(b4.rows), ...Object.keys(af.rows)])];
  const changed: Omit<RowDifference, 'causes'>[] = [];
  for (const key of keys) {
    const b = b4.rows[key];
    const a = af.rows[key];
    const fields: RowDifference['fields'] = [];
    for (const field of new Set([...Object.keys(b ?? {}), ...Object.keys(a ?? {})])) {
      if (volatile.has(field)) continue;
      if (!isDeepStrictEqual(b?.[field], a?.[field])) fields.push({ field, before: b?.[field] ?? null, after: a?.[field] ?? null });
    }
    if (b && a && fields.length === 0) continue;
    changed.push({ key, label: af.labels[key] ?? b4.labels[key] ?? key, change: !b ? 'added' : !a ? 'removed' : 'changed', fields });
  }
  // The streams behind every changed row read in one go (most were read for the two tables already).
  await reads.events(changed.flatMap((d) => def.rowStreams(plan, p, d.key)));
  for (const d of changed) {
    const between = (await reads.events(def.rowStreams(plan, p, d.key))).filter((e) => e.metadata.recordedAt > from && e.metadata.recordedAt <= to);
    differences.push({ ...d, causes: between.sort((x, y) => store.comparePositions(x.position, y.position)).map(causeOf) });
  }
  return { view, params: p, from, to, before, after, differences };
}

export type ProvenanceField = 'result' | 'rank' | 'warning' | 'score' | 'target' | 'baseline';

export interface Provenance {
  view: 'annex2';
  planId: string;
  period: string;
  indicatorNo: number;
  field: ProvenanceField;
  asOf: string | null;
  value: unknown;
  /** The event that set the figure shown (issue 12): its source (reported, official, corrected; plan for a target or 2022 result; rule for a score's scoring rule), who, when, why. */
  produced: FigureProvenance | null;
  /** The ranking period whose figures stand behind a rank, colour or score (null: the unit's own report, or none). */
  rankPeriod: string | null;
  /** The row's flags: provisional, or a reported figure differing from the official one. */
  flags: Annex2Flag[];
  /** The events that produced the figure, oldest first: only the period and source the figure rests on. */
  events: CauseEvent[];
  rules: { planRevision: number | null; warningTiersFrom: string | null; scoringRuleVersion: number | null };
}

/**
 * Where one figure of Annex 2 comes from: the events behind it (the unit's report and its
 * corrections for a result; the six counties' figures and their revisions for a rank or colour;
 * the scoring rule for a score; the plan for a target), with the rule versions in force.
 */
export async function provenance(store: EventStore, plan: PlanDefinition, period: string, indicatorNo: number, field: ProvenanceField, asOf?: AsOf): Promise<Provenance> {
  const i = indicatorOf(plan, indicatorNo);
  if (!i) throw new DomainError('indicator-not-found', `plan ${plan.id} has no indicator ${indicatorNo}`, { params: { indicatorNo }, status: 404 });
  const moment: AsOf = asOf ?? {};
  const reads = new StreamReads(store);
  const table = await annex2Table(await reads.fold(annex2Projection, moment, annex2Streams(plan, period)), plan.id, period);
  const row = table?.sections.flatMap((s) => s.rows).find((r) => r.no === indicatorNo);
  const within = (e: RecordedEvent) => !moment.time || e.metadata.recordedAt <= moment.time;
  const read = async (streams: string[]) => (await reads.events(streams)).filter(within);
  let events: RecordedEvent[] = [];
  const planEvents = await read([planStream(plan.id)]);
  const scoring = await read([scoringStream(plan.id)]);
  // Exactly the period the rank rests on (issue 12: "the March rank of no. 12 lists … January's and February's figures that did not produce it").
  const rankPeriod = row?.rankSource === 'official' ? row.rankPeriod : null;
  const figures = rankPeriod ? await read([figuresStream(plan.id, indicatorNo, rankPeriod)]) : [];
  const reports = await read(i.units.map((unitId) => reportStream({ planId: plan.id, unitId, period })));
  const aboutThis = (e: RecordedEvent) => {
    const d = e.data as { indicatorNo?: number; lines?: { indicatorNo: number }[] };
    return d.indicatorNo === indicatorNo || !!d.lines?.some((l) => l.indicatorNo === indicatorNo) || ['ReportSigned', 'ReportReceived', 'ReportReturned'].includes(e.type);
  };
  const planAbout = planEvents.filter(
    (e) => e.type === 'PlanPublished' || (e.data as { indicatorNo?: number }).indicatorNo === indicatorNo || (e.data as { rule?: string }).rule === 'warningTiers',
  );
  const tierRule = planAbout.filter((e) => e.type === 'PlanPublished' || (e.data as { rule?: string }).rule === 'warningTiers');
  // A rank the unit reported itself: its report and the corrections of that rank.
  const reportedRank =
    row?.rankSource === 'reported'
      ? reports.filter((e) => (e.type === 'ReportSubmitted' && aboutThis(e)) || (e.type === 'FigureCorrected' && aboutThis(e) && (e.data as { field?: string }).field === 'rank'))
      : [];
  switch (field) {
    case 'result':
      events = reports.filter((e) => e.type !== 'ReportDraftSaved' && aboutThis(e));
      break;
    case 'rank':
    case 'warning':
      events = [...figures, ...tierRule, ...reportedRank];
      break;
    case 'score':
      events = [...figures, ...reportedRank, ...scoring, ...planAbout];
      break;
    case 'target':
    case 'baseline':
      events = planAbout.filter((e) => e.type === 'PlanPublished' || e.type === (field === 'target' ? 'PlanTargetSet' : 'PlanBaselineSet'));
      break;
  }
  events.sort((a, b) => store.comparePositions(a.position, b.position));
  const lastTier = [...planEvents].reverse().find((e) => e.type === 'PlanPublished' || (e.data as { rule?: string }).rule === 'warningTiers');
  const lastScoring = scoring.at(-1)?.data as { version?: number } | undefined;
  return {
    view: 'annex2',
    planId: plan.id,
    period,
    indicatorNo,
    field,
    asOf: moment.time ?? null,
    value: row?.[field] ?? null,
    produced: row?.provenance[field] ?? null,
    rankPeriod,
    flags: row?.flags ?? [],
    events: events.map(causeOf).map((c) => (c.type === 'PlanPublished' ? { ...c, data: { documentNumber: plan.documentNumber, note: 'the plan as published (abridged)' } } : c)),
    rules: {
      planRevision: planEvents.at(-1)?.revision ?? null,
      warningTiersFrom: lastTier?.position ?? null,
      scoringRuleVersion: lastScoring?.version ?? null,
    },
  };
}
