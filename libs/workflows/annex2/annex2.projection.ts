import type { RecordedEvent } from '../../engine/event-store/event-store.js';
import type { DocReader, Projection } from '../../engine/projections/docs.js';
import type { PlanDefinition } from '../plan/plan-file.js';
import { PLAN_EVENT_TYPES, planStream } from '../plan/plan.events.js';
import { periodText } from '../plan/period.js';
import { applyPlanEvent } from '../plan/plan.projection.js';
import { candidatePeriods, resolvePeriod } from '../ranking/ranking-periods.js';
import {
  figuresStream,
  scoringStream,
  type PeerFigureCorrected,
  type PeerFiguresRecorded,
  type ReportedFigureApplied,
  type ScoringRulePublished,
  type StandingCause,
  type StandingChanged,
} from '../ranking/ranking.events.js';
import { roundScore, scoreOf, type ScoringRule } from '../ranking/scoring.js';
import { tierOf, type Tier } from '../reporting/report-content.js';
import { reportStream, type ReportingEvent } from '../reporting/reporting.events.js';

/**
 * Annex 2 (一览表): the monthly table the office compiles, with the seed's columns. A read model
 * over the plan's, the reports' and the ranking workflow's published events; for "as known at" it
 * is folded from those events alone, with this same code.
 *
 * The rank and warning are the official standing (from the city's figures) where one is known,
 * else the rank the unit reported. Which ranking period stands for a month: the month itself if
 * figures exist for it, else the latest period of the same year that ends no later than the month
 * (`candidatePeriods`: e.g. for 2023-08 without figures, 2023-07, then 2023-06, then 2023-Q2, …).
 */
export const ANNEX2_PROJECTION = 'annex2';

export const ANNEX2_EVENT_TYPES = [
  ...PLAN_EVENT_TYPES,
  'ReportSubmitted',
  'ReportSigned',
  'ReportReceived',
  'ReportReturned',
  'FigureCorrected',
  'PeerFiguresRecorded',
  'PeerFigureCorrected',
  'ReportedFigureApplied',
  'StandingChanged',
  'ScoringRulePublished',
] as const;

/**
 * Which event set a figure of the table (issue 12, provenance): its source — `reported` (a unit's
 * report), `corrected` (the office's or an administrator's correction of a received figure, or of a
 * city figure), `official` (the city's six-county figures) — and who, when, why, on whose behalf.
 */
export interface FigureProvenance {
  /** `plan` for a target or 2022 result (the plan as published, or the office's revision of it); `rule` for the scoring rule behind a score. */
  source: 'reported' | 'official' | 'corrected' | 'plan' | 'rule';
  type: string;
  eventId: string;
  streamId: string;
  revision: number;
  position: string;
  at: string;
  by: { userId: string; role: string; name?: string };
  onBehalfOf?: string;
  reason?: string;
  /** For a rank: why the standing changed (own figure, a peer's revision, a correction, a rule change). */
  cause?: StandingCause;
}

export function provenanceOf(e: RecordedEvent, source: FigureProvenance['source'], extra: { cause?: StandingCause } = {}): FigureProvenance {
  const m = e.metadata;
  return {
    source,
    type: e.type,
    eventId: e.id,
    streamId: e.streamId,
    revision: e.revision,
    position: e.position,
    at: m.recordedAt,
    by: { userId: m.actor.userId, role: m.actor.role, ...(m.actor.name ? { name: m.actor.name } : {}) },
    ...(m.onBehalfOf ? { onBehalfOf: m.onBehalfOf } : {}),
    ...(m.reason ? { reason: m.reason } : {}),
    ...extra,
  };
}

/** Our county's official standing in one figures stream (indicator × ranking period). */
export interface OfficialStanding {
  /** null until a StandingChanged says otherwise (figures exist, our rank not yet known). */
  rank: number | null;
  warning: Tier | null;
  updatedAt: string;
  /** The last event behind it (provenance). */
  position: string;
  /** Fewer than the peer group's counties had figures behind the rank (StandingChanged.provisional); absent before issue 12: final. */
  provisional?: boolean;
  /** How many counties had a figure behind the rank, of how many. */
  figures?: { with: number; of: number };
  /** Our county's figure as the city published it (recorded or corrected), null/absent when it published none. */
  ourValue?: number | null;
  /** The StandingChanged that set the rank and colour. */
  rankFrom?: FigureProvenance;
  /** The event that set our official figure. */
  valueFrom?: FigureProvenance;
  /** Our figure from the received report reached the stream (ReportedFigureApplied): it ranks while the city has published none for us. */
  reportedApplied?: boolean;
}

export type ResultStatus = 'submitted' | 'signed' | 'received' | 'returned';

export interface UnitResult {
  unitId: string;
  value: number | null;
  rank: number | null;
  status: ResultStatus;
  /** Which figures the office corrected after receipt (the submitted ones stay in the record). */
  corrected: { value?: boolean; rank?: boolean };
  submittedAt: string;
  updatedAt: string;
  /** The events that set the value and the rank: the report, or the correction that superseded it. */
  provenance?: { value?: FigureProvenance; rank?: FigureProvenance };
}

/** The plan events behind an indicator's target and 2022 result, when the office revised them after publishing. */
interface PlanFigureSources {
  target?: FigureProvenance;
  baseline?: FigureProvenance;
}

export const resultKey = (planId: string, period: string, no: number, unitId: string) => `${planId}/${period}/${String(no).padStart(3, '0')}/${unitId}`;
export const officialKey = (planId: string, no: number, period: string) => `${planId}/${String(no).padStart(3, '0')}/${period}`;

/** The streams behind a month's Annex 2: the plan, the scoring rule, the month's reports, and every figures stream that may stand for the month. */
export function annex2Streams(plan: Pick<PlanDefinition, 'id' | 'units' | 'indicators'>, period: string): string[] {
  const periods = candidatePeriods(period);
  return [
    planStream(plan.id),
    scoringStream(plan.id),
    ...plan.units.map((u) => reportStream({ planId: plan.id, unitId: u.id, period })),
    ...plan.indicators.flatMap((i) => periods.map((p) => figuresStream(plan.id, i.no, p))),
  ];
}

export const annex2Projection: Projection = {
  name: ANNEX2_PROJECTION,
  // 5: provisional ranks, our official figure and the provenance of every figure (issue 12).
  // 6: our county kept apart from the plan document (read per peer figure).
  version: 6,
  eventTypes: ANNEX2_EVENT_TYPES,
  async apply(e, docs) {
    if (e.type === 'PeerFiguresRecorded' || e.type === 'StandingChanged' || e.type === 'PeerFigureCorrected' || e.type === 'ReportedFigureApplied') {
      const d = e.data as PeerFiguresRecorded['data'] | StandingChanged['data'] | PeerFigureCorrected['data'] | ReportedFigureApplied['data'];
      const key = officialKey(d.planId, d.indicatorNo, d.period);
      // Peeked: the next standing is spread from it, never changed in place.
      const current: Readonly<OfficialStanding> = (await docs.peek<OfficialStanding>('official', key)) ?? { rank: null, warning: null, updatedAt: '', position: '' };
      const moved = { updatedAt: e.metadata.recordedAt, position: e.position };
      let next: OfficialStanding;
      if (e.type === 'StandingChanged') {
        const c = d as StandingChanged['data'];
        // A rank from our reported figure (the city published none for us) says so; a correction's says so.
        const fromReport = (c.cause.kind === 'own-figure' && c.cause.source === 'report') || (!!current.reportedApplied && (current.ourValue ?? null) === null);
        const source = c.cause.kind === 'correction' ? 'corrected' : fromReport ? 'reported' : 'official';
        next = {
          ...current,
          ...moved,
          rank: c.rank.to,
          warning: c.warning.to,
          provisional: c.provisional ?? false,
          figures: { with: c.ranks.filter((r) => r.value !== null || r.rank !== null).length, of: c.ranks.length },
          rankFrom: provenanceOf(e, source, { cause: c.cause }),
        };
      } else if (e.type === 'ReportedFigureApplied') {
        next = { ...current, ...moved, reportedApplied: (d as ReportedFigureApplied['data']).value !== null };
      } else {
        const ours = (await docs.peek<{ countyId?: string }>('our-county', d.planId))?.countyId;
        if (e.type === 'PeerFiguresRecorded') {
          const mine = (d as PeerFiguresRecorded['data']).figures.find((f) => f.countyId === ours);
          next = mine ? { ...current, ...moved, ourValue: mine.value, valueFrom: provenanceOf(e, 'official') } : { ...current, ...moved };
        } else {
          const c = d as PeerFigureCorrected['data'];
          next = c.countyId === ours ? { ...current, ...moved, ourValue: c.corrected.value, valueFrom: provenanceOf(e, 'corrected') } : { ...current, ...moved };
        }
      }
      docs.put('official', key, next);
      return;
    }
    if (e.type === 'ScoringRulePublished') {
      const d = e.data as ScoringRulePublished['data'];
      docs.put('scoring', d.planId, { version: d.version, coefficients: d.coefficients, missingRankCoefficient: d.missingRankCoefficient } satisfies ScoringRule);
      docs.put('scoring-source', d.planId, provenanceOf(e, 'rule'));
      return;
    }
    if ((PLAN_EVENT_TYPES as readonly string[]).includes(e.type)) {
      // Which plan event set each indicator's target and 2022 result (the plan as published, or a revision).
      if (e.type === 'PlanTargetSet' || e.type === 'PlanBaselineSet') {
        const d = e.data as { planId: string; indicatorNo: number };
        const key = `${d.planId}/${String(d.indicatorNo).padStart(3, '0')}`;
        const known = (await docs.get<PlanFigureSources>('plan-sources', key)) ?? {};
        docs.put('plan-sources', key, { ...known, [e.type === 'PlanTargetSet' ? 'target' : 'baseline']: provenanceOf(e, 'plan') } satisfies PlanFigureSources);
      }
      if (e.type === 'PlanPublished') {
        const plan = (e.data as { plan: PlanDefinition }).plan;
        docs.put('plan-published', plan.id, provenanceOf(e, 'plan'));
        // Which county is ours, kept small: every peer figure asks, and reading (copying) the whole
        // plan document for it was most of an as-of Annex 2 (issue 17: ~400 copies of 21 KB a view).
        docs.put('our-county', plan.id, { countyId: plan.peerGroup.counties.find((c) => c.ours)?.id });
      }
      return applyPlanEvent(e, docs);
    }
    const event = { type: e.type, data: e.data } as ReportingEvent;
    const at = e.metadata.recordedAt;
    switch (event.type) {
      case 'ReportSubmitted': {
        const { planId, period, unitId } = event.data;
        const from = provenanceOf(e, 'reported');
        for (const l of event.data.lines) {
          const r: UnitResult = {
            unitId,
            value: l.value,
            rank: l.rank,
            status: 'submitted',
            corrected: {},
            submittedAt: at,
            updatedAt: at,
            provenance: { value: from, rank: from },
          };
          docs.put('results', resultKey(planId, period, l.indicatorNo, unitId), r);
        }
        return;
      }
      case 'ReportSigned':
      case 'ReportReceived':
      case 'ReportReturned': {
        const { planId, period, unitId } = event.data;
        const status: ResultStatus = event.type === 'ReportSigned' ? 'signed' : event.type === 'ReportReceived' ? 'received' : 'returned';
        for (const { key, doc } of await docs.list<UnitResult>('results', `${planId}/${period}/`)) {
          if (doc.unitId === unitId) docs.put('results', key, { ...doc, status, updatedAt: at });
        }
        return;
      }
      case 'FigureCorrected': {
        const { planId, period, unitId, indicatorNo, field, corrected } = event.data;
        const key = resultKey(planId, period, indicatorNo, unitId);
        const r = await docs.get<UnitResult>('results', key);
        if (r) {
          const provenance = { ...r.provenance, [field]: provenanceOf(e, 'corrected') };
          docs.put('results', key, { ...r, [field]: corrected, corrected: { ...r.corrected, [field]: true }, updatedAt: at, provenance });
        }
        return;
      }
      default:
        return;
    }
  },
};

export interface Annex2Row {
  no: number;
  name: string;
  alias?: string;
  points: number;
  units: { id: string; shortName: string }[];
  unitOfMeasure: { id: string; symbol: string };
  direction: PlanDefinition['indicators'][number]['direction'];
  kind: PlanDefinition['indicators'][number]['kind'];
  baseline: { value: number | null; rank: number | null };
  target: number | null;
  /** 截至本月底完成情况: the responsible unit's figure (the first unit's, where two report). */
  result: number | null;
  /** 六县市排名: the official rank where known, else the unit's reported rank. */
  rank: number | null;
  rankSource: 'official' | 'reported' | null;
  /** The ranking period whose figures were consulted for the official rank (null: none of the year yet). */
  rankPeriod: string | null;
  /** The rank the responsible unit reported, shown beside an official one. */
  reportedRank: number | null;
  /** 预警提示: the official warning where known, else from the reported rank by the plan's tiers. */
  warning: Tier | null;
  /**
   * points × the coefficient of the rank shown (official, else as reported: see rankSource) under the
   * scoring rule in force; null while none is published. GET /plans/{planId}/ranking/score counts official ranks only.
   */
  score: number | null;
  byUnit: UnitResult[];
  /** Some figure of the row may still change: from a report not yet received, or a rank on fewer than the peer group's figures. */
  provisional: boolean;
  /** Why the row is provisional, and where the reported and the official figure differ; each with its reason in both languages. */
  flags: Annex2Flag[];
  /**
   * The event behind each figure shown: result, rank and colour (the standing or the report), score
   * (the scoring rule's version; the rank's event is the other half), target and 2022 result (the
   * plan as published, or the office's revision).
   */
  provenance: {
    result: FigureProvenance | null;
    rank: FigureProvenance | null;
    warning: FigureProvenance | null;
    score: FigureProvenance | null;
    target: FigureProvenance | null;
    baseline: FigureProvenance | null;
  };
}

/**
 * A row's flags (issue 12): "Ranks on incomplete peer sets are provisional … marked provisional on
 * every view and export", a figure from a report not yet received is provisional, and "if both
 * [reported and official] exist and differ, the official one ranks and the difference is flagged".
 */
export type Annex2Flag = (
  | { kind: 'report-not-received'; unitId: string; status: ResultStatus }
  | { kind: 'provisional-rank'; period: string; with: number; of: number }
  | { kind: 'discrepancy'; period: string; reported: number; official: number }
) & { reason: { zh: string; en: string } };

const STATUS_ZH: Record<ResultStatus, string> = { submitted: '已提交未签字', signed: '已签字未接收', received: '已接收', returned: '已退回' };

export function flagsOf(input: {
  byUnit: UnitResult[];
  unitName: (id: string) => string;
  period: string;
  rankPeriod: string | null;
  standing: OfficialStanding | undefined;
  result: number | null;
}): Annex2Flag[] {
  const flags: Annex2Flag[] = [];
  for (const r of input.byUnit) {
    if (r.status === 'received') continue;
    const name = input.unitName(r.unitId);
    flags.push({
      kind: 'report-not-received',
      unitId: r.unitId,
      status: r.status,
      reason: { zh: `${name}报告${STATUS_ZH[r.status]}，完成情况为暂定数`, en: `${name}’s report is ${r.status}, not received by the office: its figures are provisional` },
    });
  }
  const st = input.standing;
  if (st && st.rank !== null && st.provisional && input.rankPeriod) {
    const { with: n, of } = st.figures ?? { with: 0, of: 0 };
    const p = periodText(input.rankPeriod);
    flags.push({
      kind: 'provisional-rank',
      period: input.rankPeriod,
      with: n,
      of,
      reason: {
        zh: `${p.zh}仅 ${n}/${of} 个县（市）有数据，排名和预警为暂定`,
        en: `${p.en}: only ${n} of ${of} counties’ figures: rank and warning are provisional`,
      },
    });
  }
  // The same period only: a quarter's or an earlier month's official figure is another figure, not a discrepancy.
  if (st && input.rankPeriod === input.period && st.ourValue !== undefined && st.ourValue !== null && input.result !== null && st.ourValue !== input.result) {
    flags.push({
      kind: 'discrepancy',
      period: input.period,
      reported: input.result,
      official: st.ourValue,
      reason: {
        zh: `上报完成情况 ${input.result} 与市公布数 ${st.ourValue} 不一致，排名以市公布数为准`,
        en: `the reported figure ${input.result} differs from the city’s official ${st.ourValue}: the official one ranks`,
      },
    });
  }
  return flags;
}

export interface Annex2Table {
  planId: string;
  period: string;
  title: string;
  documentNumber: string;
  county: string;
  totalPoints: number;
  sections: { id: number; numeral: string; title: string; rows: Annex2Row[] }[];
  /** Counts for the header: how many rows have a figure, how many ranks are official, and by warning colour. */
  summary: { rows: number; withResult: number; official: number; green: number; yellow: number; red: number };
  /** How many rows are provisional, and how many show a reported figure differing from the official one. */
  flagged: { provisional: number; discrepancies: number };
  scoringRuleVersion: number | null;
  /** The sum of the rows' scores (null while no scoring rule is published), out of maxScore (the plan's total points). */
  totalScore: number | null;
  maxScore: number;
}

/** The table of one month from the projection's documents (stored, or folded as of a moment). */
export async function annex2Table(docs: DocReader, planId: string, period: string): Promise<Annex2Table | undefined> {
  const plan = await docs.get<PlanDefinition>('plan', planId);
  if (!plan) return undefined;
  const results = new Map<number, UnitResult[]>();
  for (const { key, doc } of await docs.list<UnitResult>('results', `${planId}/${period}/`)) {
    const no = Number(key.split('/')[2]);
    results.set(no, [...(results.get(no) ?? []), doc]);
  }
  const official = new Map((await docs.list<OfficialStanding>('official', `${planId}/`)).map((r) => [r.key, r.doc]));
  const rule = (await docs.get<ScoringRule>('scoring', planId)) ?? null;
  const ruleFrom = (await docs.get<FigureProvenance>('scoring-source', planId)) ?? null;
  const published = (await docs.get<FigureProvenance>('plan-published', planId)) ?? null;
  const planSources = new Map((await docs.list<PlanFigureSources>('plan-sources', `${planId}/`)).map((r) => [Number(r.key.split('/').at(-1)), r.doc]));
  const candidates = candidatePeriods(period);
  const unitName = new Map(plan.units.map((u) => [u.id, u.shortName]));
  const uom = new Map(plan.unitsOfMeasure.map((u) => [u.id, u.symbol]));
  const summary = { rows: 0, withResult: 0, official: 0, green: 0, yellow: 0, red: 0 };
  const flagged = { provisional: 0, discrepancies: 0 };
  let totalScore = 0;
  const sections = plan.sections.map((s) => ({
    id: s.id,
    numeral: s.numeral,
    title: s.title,
    rows: plan.indicators
      .filter((i) => i.section === s.id)
      .map((i): Annex2Row => {
        const byUnit = (results.get(i.no) ?? []).sort((a, b) => i.units.indexOf(a.unitId) - i.units.indexOf(b.unitId));
        const lead = byUnit.find((r) => r.value !== null) ?? byUnit[0];
        const reportedRank = lead?.rank ?? null;
        const rankPeriod = resolvePeriod(candidates, (p) => official.has(officialKey(planId, i.no, p)));
        const standing = rankPeriod ? official.get(officialKey(planId, i.no, rankPeriod)) : undefined;
        const isOfficial = standing !== undefined && standing.rank !== null;
        const rank = isOfficial ? standing.rank : reportedRank;
        const warning = isOfficial ? standing.warning : tierOf(reportedRank, plan.warningTiers);
        const score = scoreOf(i.points, rank, rule);
        summary.rows++;
        if (lead?.value !== null && lead?.value !== undefined) summary.withResult++;
        if (isOfficial) summary.official++;
        if (warning) summary[warning]++;
        totalScore += score ?? 0;
        const result = lead?.value ?? null;
        const flags = flagsOf({ byUnit, unitName: (id) => unitName.get(id) ?? id, period, rankPeriod, standing, result });
        const provisional = flags.some((f) => f.kind !== 'discrepancy');
        if (provisional) flagged.provisional++;
        if (flags.some((f) => f.kind === 'discrepancy')) flagged.discrepancies++;
        const rankFrom = isOfficial ? (standing.rankFrom ?? null) : (lead?.provenance?.rank ?? null);
        return {
          no: i.no,
          name: i.name,
          ...(i.alias ? { alias: i.alias } : {}),
          points: i.points,
          units: i.units.map((id) => ({ id, shortName: unitName.get(id) ?? id })),
          unitOfMeasure: { id: i.unitOfMeasure, symbol: uom.get(i.unitOfMeasure) ?? '' },
          direction: i.direction,
          kind: i.kind,
          baseline: i.baseline,
          target: i.target,
          result,
          rank,
          rankSource: isOfficial ? 'official' : rank === null ? null : 'reported',
          rankPeriod,
          reportedRank,
          warning,
          score,
          byUnit,
          provisional,
          flags,
          provenance: {
            result: lead?.provenance?.value ?? null,
            rank: rankFrom,
            warning: rankFrom,
            score: score === null ? null : ruleFrom,
            target: planSources.get(i.no)?.target ?? published,
            baseline: planSources.get(i.no)?.baseline ?? published,
          },
        };
      }),
  }));
  return {
    planId,
    period,
    title: plan.title,
    documentNumber: plan.documentNumber,
    county: plan.county,
    totalPoints: plan.totalPoints,
    sections,
    summary,
    flagged,
    scoringRuleVersion: rule?.version ?? null,
    totalScore: rule ? roundScore(totalScore) : null,
    maxScore: plan.totalPoints,
  };
}
