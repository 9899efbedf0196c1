import type { RecordedEvent } from '../../engine/event-store/event-store.js';
import type { DocReader, Projection } from '../../engine/projections/docs.js';
import type { Tier } from '../reporting/report-content.js';
import { figuresStream, RANKING_EVENT_TYPES, scoringStream, type RankingEvent, type ScoringRulePublished } from '../ranking/ranking.events.js';
import type { QuarterSnapshot, SnapshotRow } from './assessment.events.js';

/**
 * A quarter's figures read from the ranking workflow's published events only (never its internals),
 * so the assessment and the ranking can be built, and changed, independently. The fold keeps, per
 * figures stream, what the last event in it said of our county; the snapshot then picks, per
 * indicator, the quarter's own figures or else the quarter's latest month with figures.
 */

const QUARTER = /^(\d{4})-Q([1-4])$/;

export function parseQuarter(quarter: string): { year: number; q: number } | undefined {
  const m = QUARTER.exec(quarter);
  return m ? { year: Number(m[1]), q: Number(m[2]) } : undefined;
}

/** The months of a quarter, latest first: the fallback order when the quarter has no figures of its own. */
export function quarterMonthsLatestFirst(quarter: string): string[] {
  const p = parseQuarter(quarter);
  if (!p) throw new RangeError(`"${quarter}" is not a quarter written YYYY-Qn`);
  return [3, 2, 1].map((i) => `${p.year}-${String((p.q - 1) * 3 + i).padStart(2, '0')}`);
}

/** The periods whose figures may stand for a quarter, best first. */
export const quarterPeriods = (quarter: string): string[] => [quarter, ...quarterMonthsLatestFirst(quarter)];

/** What one figures stream (indicator × period) says of our county. */
export interface PeriodFigures {
  planId: string;
  indicatorNo: number;
  period: string;
  value: number | null;
  rank: number | null;
  warning: Tier | null;
  /** Fewer than the peer group's figures stood behind the rank (see StandingChanged.provisional). */
  provisional?: boolean;
  /** Position of the last event in the stream: the row's provenance. */
  basedOn: string;
}

export interface ScoringRule {
  version: number;
  coefficients: { rank: number; coefficient: number }[];
  missingRankCoefficient: number;
  position: string;
}

/**
 * Pure: the figures of a stream after one more ranking event. Ranks and warnings come from
 * StandingChanged only (ranking decides them); our value from whichever event last stated it.
 */
export function evolvePeriodFigures(current: PeriodFigures | undefined, event: RankingEvent, position: string, ourCountyId: string): PeriodFigures | undefined {
  if (event.type === 'ScoringRulePublished') return current;
  const d = event.data;
  const base: PeriodFigures = current ?? { planId: d.planId, indicatorNo: d.indicatorNo, period: d.period, value: null, rank: null, warning: null, basedOn: position };
  switch (event.type) {
    case 'PeerFiguresRecorded': {
      const ours = event.data.figures.find((f) => f.countyId === ourCountyId);
      return { ...base, value: ours ? ours.value : base.value, basedOn: position };
    }
    case 'PeerFigureCorrected':
      return { ...base, value: event.data.countyId === ourCountyId ? event.data.corrected.value : base.value, basedOn: position };
    case 'StandingChanged': {
      const ours = event.data.ranks.find((r) => r.countyId === ourCountyId);
      return {
        ...base,
        value: ours ? ours.value : base.value,
        rank: event.data.rank.to,
        warning: event.data.warning.to,
        provisional: event.data.provisional ?? false,
        basedOn: position,
      };
    }
    case 'ReportedFigureApplied':
      // A report alone makes no figures of a period (the city's do); where the city gave no
      // official figure for us, the reported one is our value.
      if (!current) return undefined;
      return event.data.official === null ? { ...current, value: event.data.value, basedOn: position } : { ...current, basedOn: position };
    default:
      return assertNeverEvent(event);
  }
}

function assertNeverEvent(e: never): never {
  throw new Error(`unexpected ranking event ${JSON.stringify(e)}`);
}

export const figuresKey = (planId: string, indicatorNo: number, period: string) => `${planId}/${String(indicatorNo).padStart(3, '0')}/${period}`;

/**
 * The fold as a projection, so "as known at T" is the same code run by foldAsOf over the streams
 * with the events recorded up to T. It is not registered: every read folds the streams afresh.
 */
export function quarterFiguresFold(ourCountyId: string): Projection {
  return {
    name: 'assessment-quarter-figures',
    version: 1,
    eventTypes: RANKING_EVENT_TYPES,
    async apply(e, docs) {
      const event = { type: e.type, data: e.data } as RankingEvent;
      if (event.type === 'ScoringRulePublished') {
        const rule = scoringRuleOf(event, e.position);
        const current = await docs.get<ScoringRule>('scoring', event.data.planId);
        // The rule in force is the highest version recorded (a late-recorded older version does not replace it).
        if (!current || current.version <= rule.version) docs.put('scoring', event.data.planId, rule);
        return;
      }
      const key = figuresKey(event.data.planId, event.data.indicatorNo, event.data.period);
      const next = evolvePeriodFigures(await docs.get<PeriodFigures>('figures', key), event, e.position, ourCountyId);
      if (next) docs.put('figures', key, next);
    },
  };
}

function scoringRuleOf(event: ScoringRulePublished, position: string): ScoringRule {
  return { version: event.data.version, coefficients: event.data.coefficients, missingRankCoefficient: event.data.missingRankCoefficient, position };
}

/** The streams a quarter's figures live in: every indicator × (the quarter and its months), and the scoring rule. */
export function quarterStreams(planId: string, indicatorNos: readonly number[], quarter: string): string[] {
  const periods = quarterPeriods(quarter);
  return [...indicatorNos.flatMap((no) => periods.map((p) => figuresStream(planId, no, p))), scoringStream(planId)];
}

export interface SnapshotIndicator {
  no: number;
  name: string;
  points: number;
  units: readonly string[];
}

/** Rounds away binary noise (3 × 0.8 = 2.4000000000000004) without hiding a real fraction. */
const round = (x: number) => Math.round(x * 1e6) / 1e6;

export function scoreOf(points: number, rank: number | null, rule: ScoringRule | null): number | null {
  if (!rule) return null;
  const coefficient = rank === null ? rule.missingRankCoefficient : (rule.coefficients.find((c) => c.rank === rank)?.coefficient ?? rule.missingRankCoefficient);
  return round(points * coefficient);
}

/**
 * The quarter's snapshot from the folded documents. Per indicator: the quarter's own figures, else
 * the latest month of the quarter with figures, else a missing row (no value, rank or warning).
 * score = points × the coefficient for the rank under the rule in force (the missing-rank
 * coefficient without a rank); without any rule, no score. maxScore assumes the best coefficient
 * everywhere (or 1 without a rule). counts.missing are the rows without a rank, hence no warning.
 */
export async function buildSnapshot(
  docs: DocReader,
  input: { planId: string; quarter: string; indicators: readonly SnapshotIndicator[]; asOfPosition: string },
): Promise<QuarterSnapshot> {
  const { planId, quarter, indicators } = input;
  const rule = (await docs.get<ScoringRule>('scoring', planId)) ?? null;
  const periods = quarterPeriods(quarter);
  const rows: SnapshotRow[] = [];
  for (const i of indicators) {
    let figures: PeriodFigures | undefined;
    for (const period of periods) {
      figures = await docs.get<PeriodFigures>('figures', figuresKey(planId, i.no, period));
      if (figures) break;
    }
    rows.push({
      indicatorNo: i.no,
      name: i.name,
      points: i.points,
      units: [...i.units],
      value: figures?.value ?? null,
      rank: figures?.rank ?? null,
      warning: figures?.warning ?? null,
      ...(figures?.provisional ? { provisional: true } : {}),
      score: scoreOf(i.points, figures?.rank ?? null, rule),
      basedOn: figures?.basedOn ?? null,
      period: figures?.period ?? null,
    });
  }
  return snapshotOf({ planId, quarter, rows, rule, asOfPosition: input.asOfPosition });
}

export function snapshotOf(input: { planId: string; quarter: string; rows: SnapshotRow[]; rule: ScoringRule | null; asOfPosition: string }): QuarterSnapshot {
  const { rows, rule, quarter } = input;
  const used = rows.map((r) => r.period).filter((p): p is string => !!p);
  // The quarter when any row has the quarter's own figures; otherwise the latest month used.
  const figuresPeriod = used.includes(quarter) ? quarter : (used.sort().at(-1) ?? quarter);
  const best = rule && rule.coefficients.length ? Math.max(...rule.coefficients.map((c) => c.coefficient)) : 1;
  const counts = { green: 0, yellow: 0, red: 0, missing: 0 };
  for (const r of rows) {
    if (r.warning) counts[r.warning]++;
    else counts.missing++;
  }
  return {
    planId: input.planId,
    quarter,
    figuresPeriod,
    scoringRuleVersion: rule?.version ?? null,
    rows,
    totalScore: round(rows.reduce((s, r) => s + (r.score ?? 0), 0)),
    maxScore: round(rows.reduce((s, r) => s + r.points * best, 0)),
    counts,
    asOfPosition: input.asOfPosition,
  };
}

// ---------------------------------------------------------------------------------------------
// "As presented at the meeting" against "as known now".

export type RowField = 'value' | 'rank' | 'warning' | 'score';

/** An event recorded after the snapshot that touches a row: what, who, when and why. */
export interface TouchingEvent {
  type: string;
  streamId: string;
  position: string;
  period: string | null;
  at: string;
  who: { userId: string; role: string; name?: string };
  reason: string | null;
  /** For StandingChanged: why the standing changed (a correction, a peer's revision, …). */
  cause?: unknown;
}

export interface RowDiff {
  indicatorNo: number;
  name: string;
  units: string[];
  changed: RowField[];
  presented: Pick<SnapshotRow, 'value' | 'rank' | 'warning' | 'score' | 'period'>;
  now: Pick<SnapshotRow, 'value' | 'rank' | 'warning' | 'score' | 'period'>;
  events: TouchingEvent[];
}

export interface SnapshotDiff {
  planId: string;
  quarter: string;
  presentedAsOfPosition: string;
  nowAsOfPosition: string;
  rows: RowDiff[];
  totalScore: { presented: number; now: number };
  counts: { presented: QuarterSnapshot['counts']; now: QuarterSnapshot['counts'] };
}

const FIELDS: RowField[] = ['value', 'rank', 'warning', 'score'];
const pick = (r: SnapshotRow) => ({ value: r.value, rank: r.rank, warning: r.warning, score: r.score, period: r.period ?? null });

/**
 * Pure: the rows whose value, rank, warning or score differ, each with the events recorded after
 * the presented snapshot (`later`, in global order) in that indicator's figures streams, plus the
 * scoring rule's when the score moved.
 */
export function diffSnapshots(presented: QuarterSnapshot, now: QuarterSnapshot, later: readonly RecordedEvent[]): SnapshotDiff {
  const byNo = new Map(now.rows.map((r) => [r.indicatorNo, r]));
  const rows: RowDiff[] = [];
  for (const p of presented.rows) {
    const n = byNo.get(p.indicatorNo);
    if (!n) continue;
    const changed = FIELDS.filter((f) => p[f] !== n[f]);
    if (!changed.length) continue;
    const events = later
      .filter((e) => {
        if (e.type === 'ScoringRulePublished') return changed.includes('score') && (e.data as { planId: string }).planId === presented.planId;
        const d = e.data as { planId?: string; indicatorNo?: number; period?: string };
        return d.planId === presented.planId && d.indicatorNo === p.indicatorNo && quarterPeriods(presented.quarter).includes(d.period ?? '');
      })
      .map(touching);
    rows.push({ indicatorNo: p.indicatorNo, name: p.name, units: p.units, changed, presented: pick(p), now: pick(n), events });
  }
  return {
    planId: presented.planId,
    quarter: presented.quarter,
    presentedAsOfPosition: presented.asOfPosition,
    nowAsOfPosition: now.asOfPosition,
    rows,
    totalScore: { presented: presented.totalScore, now: now.totalScore },
    counts: { presented: presented.counts, now: now.counts },
  };
}

function touching(e: RecordedEvent): TouchingEvent {
  const m = e.metadata;
  const d = e.data as { period?: string; reason?: string; cause?: unknown };
  return {
    type: e.type,
    streamId: e.streamId,
    position: e.position,
    period: d.period ?? null,
    at: m.recordedAt,
    who: { userId: m.actor.userId, role: m.actor.role, ...(m.actor.name ? { name: m.actor.name } : {}) },
    reason: m.reason ?? d.reason ?? (d.cause && typeof d.cause === 'object' && 'reason' in d.cause ? String((d.cause as { reason: unknown }).reason) : null),
    ...(e.type === 'StandingChanged' ? { cause: d.cause } : {}),
  };
}
