import type { RecordedEvent } from '../../engine/event-store/event-store.js';
import type { DocReader, DocWriter, Projection } from '../../engine/projections/docs.js';
import { assessmentStream, type QuarterPublished } from '../assessment/assessment.events.js';
import type { PlanDefinition } from '../plan/plan-file.js';
import { PLAN_EVENT_TYPES, planStream } from '../plan/plan.events.js';
import { applyPlanEvent } from '../plan/plan.projection.js';
import type { Tier } from '../reporting/report-content.js';
import { rankBasis, rankCounties, type RankBasis } from './rank-counties.js';
import { candidatePeriods, quarterPeriods, resolvePeriod } from './ranking-periods.js';
import { figuresStream, RANKING_EVENT_TYPES, scoringStream, type FigureSource, type RankingEvent, type StandingCause } from './ranking.events.js';
import { scoreSheet, type ScoreSheet, type ScoringRule } from './scoring.js';

/**
 * Standings (an indicator × period: the six counties' figures and ranks, our rank and warning, and
 * every change with its cause), the warning board by quarter, the scoring rule's versions and the
 * score. Folded from the plan's, the ranking workflow's and the published quarters' events; for
 * "as known at" the same code folds the events recorded up to then.
 */
export const STANDINGS_PROJECTION = 'ranking-standings';
export const STANDINGS_EVENT_TYPES = [...PLAN_EVENT_TYPES, ...RANKING_EVENT_TYPES, 'QuarterPublished'] as const;

export interface Actor {
  userId: string;
  role: string;
  name?: string;
}

export interface CountyStanding {
  countyId: string;
  name: string;
  ours: boolean;
  /** The figure in force (recorded, revised or corrected); null when the city gave only a rank, or nothing yet. */
  value: number | null;
  /** The rank the city published, if any. */
  publishedRank: number | null;
  /** The rank in force: published, or computed from the values with the indicator's direction; null when missing. */
  rank: number | null;
  /** The last event that set this county's figure ('reported': our received report, no official figure). */
  lastChange: { type: 'recorded' | 'revised' | 'corrected' | 'reported'; at: string; by: Actor; source?: FigureSource; reason?: string; position: string } | null;
}

export interface StandingChange {
  rank: { from: number | null; to: number | null };
  warning: { from: Tier | null; to: Tier | null };
  cause: StandingCause;
  /** The cause in words, counties by name. */
  explanation: string;
  at: string;
  by: Actor;
  reason?: string;
  position: string;
  revision: number;
  /** Order of StandingChanged events within the plan (the global order, as a number). */
  seq: number;
  /** How many quarters had been published (QuarterPublished) when the change was recorded. */
  meetingsBefore: number;
}

export interface FigureHistoryEntry {
  type: 'PeerFiguresRecorded' | 'PeerFigureCorrected';
  figures: { countyId: string; value: number | null; rank: number | null; previous: { value: number | null; rank: number | null } | null }[];
  source?: FigureSource;
  reason?: string;
  at: string;
  by: Actor;
  position: string;
  revision: number;
}

export interface StandingView {
  planId: string;
  indicatorNo: number;
  name: string;
  points: number;
  kind: PlanDefinition['indicators'][number]['kind'];
  direction: PlanDefinition['indicators'][number]['direction'];
  unitOfMeasure: string;
  period: string;
  /** The figures stream's revision. */
  revision: number;
  rankBasis: RankBasis;
  counties: CountyStanding[];
  /**
   * Our county's standing as the last StandingChanged recorded it (null until it is known);
   * `provisional` while fewer than the peer group's figures stand behind it.
   */
  ours: { countyId: string; rank: number | null; warning: Tier | null; provisional?: boolean };
  /** Our figure from the received report (as corrected), which ranks unless the city published one for us. */
  reported?: { unitId: string; value: number | null; at: string; position: string };
  /** Both an official (city) figure and a reported one exist and differ: the official one ranks. */
  discrepancy?: { official: number; reported: number } | null;
  history: StandingChange[];
  figureHistory: FigureHistoryEntry[];
  updatedAt: string;
}

export interface PlanTrack {
  /** QuarterPublished events seen for the plan. */
  meetings: number;
  lastMeeting: { quarter: string; at: string; position: string } | null;
  /** StandingChanged events seen for the plan. */
  changes: number;
}

export interface ScoringVersion extends ScoringRule {
  note: string;
  at: string;
  by: Actor;
  reason?: string;
  position: string;
}

export const standingKey = (planId: string, indicatorNo: number, period: string) => `${planId}/${String(indicatorNo).padStart(3, '0')}/${period}`;

/**
 * The streams behind a set of periods' standings: the plan's and its figures streams for those
 * periods, with the scoring rule's and the year's quarterly assessments' (meetings) if asked.
 */
export function standingsStreams(
  plan: Pick<PlanDefinition, 'id' | 'year' | 'indicators'>,
  periods: readonly string[],
  extra: { scoring?: boolean; meetings?: boolean } = {},
): string[] {
  return [
    planStream(plan.id),
    ...(extra.scoring ? [scoringStream(plan.id)] : []),
    ...(extra.meetings ? [1, 2, 3, 4].map((q) => assessmentStream(plan.id, `${plan.year}-Q${q}`)) : []),
    ...plan.indicators.flatMap((i) => periods.map((p) => figuresStream(plan.id, i.no, p))),
  ];
}

const actorOf = (e: RecordedEvent): Actor => {
  const a = e.metadata.actor;
  return { userId: a.userId, role: a.role, ...(a.name ? { name: a.name } : {}) };
};

export const standingsProjection: Projection = {
  name: STANDINGS_PROJECTION,
  version: 2,
  eventTypes: STANDINGS_EVENT_TYPES,
  async apply(e, docs) {
    if ((PLAN_EVENT_TYPES as readonly string[]).includes(e.type)) return applyPlanEvent(e, docs);
    if (e.type === 'QuarterPublished') {
      const d = e.data as QuarterPublished['data'];
      const track = await planTrack(docs, d.planId);
      docs.put('track', d.planId, {
        ...track,
        meetings: track.meetings + 1,
        lastMeeting: { quarter: d.quarter, at: e.metadata.recordedAt, position: e.position },
      } satisfies PlanTrack);
      return;
    }
    return applyRanking(e, docs);
  },
};

async function planTrack(docs: DocReader, planId: string): Promise<PlanTrack> {
  return (await docs.get<PlanTrack>('track', planId)) ?? { meetings: 0, lastMeeting: null, changes: 0 };
}

function emptyView(plan: PlanDefinition, indicatorNo: number, period: string): StandingView {
  const i = plan.indicators.find((x) => x.no === indicatorNo);
  const ours = plan.peerGroup.counties.find((c) => c.ours)!;
  return {
    planId: plan.id,
    indicatorNo,
    name: i?.name ?? `#${indicatorNo}`,
    points: i?.points ?? 0,
    kind: i?.kind ?? 'ranked',
    direction: i?.direction ?? 'higher-is-better',
    unitOfMeasure: i?.unitOfMeasure ?? '',
    period,
    revision: -1,
    rankBasis: 'none',
    counties: plan.peerGroup.counties.map((c) => ({ countyId: c.id, name: c.name, ours: c.ours, value: null, publishedRank: null, rank: null, lastChange: null })),
    ours: { countyId: ours.id, rank: null, warning: null },
    history: [],
    figureHistory: [],
    updatedAt: '',
  };
}

const withReported = (r: StandingView['reported'] | undefined): Partial<StandingView> => (r ? { reported: r } : {});

/**
 * Our county's row: the city's official figure where it published one, else the reported one
 * (the ranking workflow's rule, rankingFigures); a difference between the two is flagged.
 */
function withOurFigure(v: StandingView): StandingView {
  const ours = v.counties.find((c) => c.ours);
  if (!ours) return v;
  // The county's figure was last set by the city (recorded, revised or corrected) and says something.
  const official = ours.lastChange !== null && ours.lastChange.type !== 'reported' && (ours.value !== null || ours.publishedRank !== null);
  const officialValue = official ? ours.value : null;
  const reported = v.reported?.value ?? null;
  const discrepancy = officialValue !== null && reported !== null && officialValue !== reported ? { official: officialValue, reported } : null;
  if (official || !v.reported) return { ...v, discrepancy };
  const r = v.reported;
  const counties = v.counties.map((c) =>
    c.ours ? { ...c, value: r.value, publishedRank: null, lastChange: { type: 'reported' as const, at: r.at, by: { userId: 'system', role: 'system' }, position: r.position } } : c,
  );
  return { ...v, counties, discrepancy };
}

/** Ranks of every county from the figures in force, with the indicator's direction. */
function rerank(v: StandingView): StandingView {
  const figures = v.counties.map((c) => ({ countyId: c.countyId, value: c.value, rank: c.publishedRank }));
  const ranked = rankCounties(figures, v.direction);
  return { ...v, rankBasis: rankBasis(figures), counties: v.counties.map((c, i) => ({ ...c, rank: ranked[i]!.rank })) };
}

async function applyRanking(e: RecordedEvent, docs: DocWriter): Promise<void> {
  const event = { type: e.type, data: e.data } as RankingEvent;
  if (event.type === 'ScoringRulePublished') {
    const d = event.data;
    const versions = (await docs.get<ScoringVersion[]>('scoring', d.planId)) ?? [];
    const v: ScoringVersion = {
      version: d.version,
      coefficients: d.coefficients,
      missingRankCoefficient: d.missingRankCoefficient,
      note: d.note,
      at: e.metadata.recordedAt,
      by: actorOf(e),
      ...(e.metadata.reason ? { reason: e.metadata.reason } : {}),
      position: e.position,
    };
    docs.put('scoring', d.planId, [...versions, v]);
    return;
  }
  const { planId, indicatorNo, period } = event.data;
  // Only read (names, counties): peeked, not copied. The plan document is 21 KB, and a copy was
  // parsed for every figures event; a batch of them now parses it once.
  const plan = await docs.peek<PlanDefinition>('plan', planId);
  if (!plan) return;
  const key = standingKey(planId, indicatorNo, period);
  const existing = await docs.get<StandingView>('standing', key);
  if (event.type === 'ReportedFigureApplied' && !existing) {
    // A report alone makes no standing of a period; it is kept until the city's figures arrive.
    docs.put('reported', key, { unitId: event.data.unitId, value: event.data.value, at: e.metadata.recordedAt, position: e.position });
    return;
  }
  let v = existing ?? { ...emptyView(plan, indicatorNo, period), ...withReported(await docs.get<StandingView['reported']>('reported', key)) };
  const at = e.metadata.recordedAt;
  const by = actorOf(e);
  v = { ...v, revision: e.revision, updatedAt: at };
  switch (event.type) {
    case 'PeerFiguresRecorded': {
      const d = event.data;
      const revised = new Map(d.revised.map((r) => [r.countyId, r.previous]));
      v.counties = v.counties.map((c) => {
        const f = d.figures.find((x) => x.countyId === c.countyId);
        if (!f) return c;
        const type = revised.has(c.countyId) ? 'revised' : 'recorded';
        return { ...c, value: f.value, publishedRank: f.rank, lastChange: { type, at, by, source: d.source, position: e.position } };
      });
      v.figureHistory = [
        ...v.figureHistory,
        {
          type: 'PeerFiguresRecorded',
          figures: d.figures.map((f) => ({ countyId: f.countyId, value: f.value, rank: f.rank, previous: revised.get(f.countyId) ?? null })),
          source: d.source,
          at,
          by,
          position: e.position,
          revision: e.revision,
        },
      ];
      v = rerank(withOurFigure(v));
      break;
    }
    case 'PeerFigureCorrected': {
      const d = event.data;
      v.counties = v.counties.map((c) =>
        c.countyId === d.countyId
          ? { ...c, value: d.corrected.value, publishedRank: d.corrected.rank, lastChange: { type: 'corrected', at, by, reason: d.reason, position: e.position } }
          : c,
      );
      v.figureHistory = [
        ...v.figureHistory,
        {
          type: 'PeerFigureCorrected',
          figures: [{ countyId: d.countyId, ...d.corrected, previous: d.previous }],
          reason: d.reason,
          at,
          by,
          position: e.position,
          revision: e.revision,
        },
      ];
      v = rerank(withOurFigure(v));
      break;
    }
    case 'ReportedFigureApplied': {
      const d = event.data;
      v = rerank(withOurFigure({ ...v, reported: { unitId: d.unitId, value: d.value, at, position: e.position } }));
      break;
    }
    case 'StandingChanged': {
      const d = event.data;
      const track = await planTrack(docs, planId);
      const seq = track.changes + 1;
      docs.put('track', planId, { ...track, changes: seq } satisfies PlanTrack);
      v.ours = { ...v.ours, rank: d.rank.to, warning: d.warning.to, provisional: d.provisional ?? false };
      v.history = [
        ...v.history,
        {
          rank: d.rank,
          warning: d.warning,
          cause: d.cause,
          explanation: explainCause(d.cause, plan),
          at,
          by,
          ...(e.metadata.reason ? { reason: e.metadata.reason } : {}),
          position: e.position,
          revision: e.revision,
          seq,
          meetingsBefore: track.meetings,
        },
      ];
      break;
    }
    default:
      return;
  }
  docs.put('standing', key, v);
}

const show = (x: number | null | undefined) => (x === null || x === undefined ? '—' : String(x));

/** A cause as the office would say it, counties by name. */
export function explainCause(cause: StandingCause, plan: Pick<PlanDefinition, 'peerGroup' | 'county'>): string {
  const name = (id: string) => plan.peerGroup.counties.find((c) => c.id === id)?.name ?? id;
  const figure = (value: number | null, rank: number | null | undefined) => (value === null && rank !== undefined && rank !== null ? `rank ${rank}` : show(value));
  const along = (c: { alongWith?: { countyId: string }[] }) => (c.alongWith?.length ? ` (with ${c.alongWith.map((a) => name(a.countyId)).join(', ')} in the same recording)` : '');
  switch (cause.kind) {
    case 'first-figures':
      return 'first figures recorded';
    case 'own-figure':
      return `${plan.county}’s own figure ${figure(cause.previous, cause.previousRank)} → ${figure(cause.value, cause.rank)}${along(cause)}`;
    case 'peer-revision':
      return `${name(cause.countyId)}’s figure ${figure(cause.previous, cause.previousRank)} → ${figure(cause.value, cause.rank)}${along(cause)}`;
    case 'correction':
      return cause.source === 'report'
        ? `correction of ${name(cause.countyId)}’s reported figure ${show(cause.previous)} → ${show(cause.value)}: ${cause.reason}`
        : `correction of ${name(cause.countyId)}’s figure: ${cause.reason}`;
    case 'rule-change':
      return `warning tiers revised (plan revision ${cause.planRevision})`;
  }
}

// ---------------------------------------------------------------------------------------------
// Queries over the documents (stored, or folded as of a moment): the same code for both.

export async function standingOf(docs: DocReader, planId: string, indicatorNo: number, period: string): Promise<StandingView | undefined> {
  return docs.get<StandingView>('standing', standingKey(planId, indicatorNo, period));
}

async function standingsByKey(docs: DocReader, planId: string): Promise<Map<string, StandingView>> {
  return new Map((await docs.list<StandingView>('standing', `${planId}/`)).map((r) => [r.key, r.doc]));
}

export async function scoringRuleOf(docs: DocReader, planId: string): Promise<{ current: ScoringVersion | null; versions: ScoringVersion[] }> {
  const versions = (await docs.get<ScoringVersion[]>('scoring', planId)) ?? [];
  return { current: versions.at(-1) ?? null, versions };
}

export interface WarningBoardRow {
  indicatorNo: number;
  name: string;
  points: number;
  units: readonly string[];
  /** The period the warning is from: the quarter, else its latest month with figures; null when none. */
  period: string | null;
  rank: number | null;
  warning: Tier | null;
}

export interface WarningBoard {
  planId: string;
  quarter: string;
  counts: { green: number; yellow: number; red: number; missing: number };
  rows: WarningBoardRow[];
  lastMeeting: PlanTrack['lastMeeting'];
  /** StandingChanged events of the quarter's periods recorded since the last published quarter (all, if none was published). */
  changesSinceLastMeeting: (StandingChange & { indicatorNo: number; name: string; period: string })[];
}

export async function warningBoard(docs: DocReader, planId: string, quarter: string): Promise<WarningBoard | undefined> {
  const plan = await docs.get<PlanDefinition>('plan', planId);
  if (!plan) return undefined;
  const track = await planTrack(docs, planId);
  const byKey = await standingsByKey(docs, planId);
  const periods = quarterPeriods(quarter);
  const counts = { green: 0, yellow: 0, red: 0, missing: 0 };
  const rows = plan.indicators.map((i): WarningBoardRow => {
    const period = resolvePeriod(periods, (p) => byKey.has(standingKey(planId, i.no, p)));
    const v = period ? byKey.get(standingKey(planId, i.no, period)) : undefined;
    const warning = v?.ours.warning ?? null;
    counts[warning ?? 'missing']++;
    return { indicatorNo: i.no, name: i.name, points: i.points, units: i.units, period, rank: v?.ours.rank ?? null, warning };
  });
  const changes = [...byKey.values()]
    .filter((v) => periods.includes(v.period))
    .flatMap((v) => v.history.filter((h) => h.meetingsBefore === track.meetings).map((h) => ({ ...h, indicatorNo: v.indicatorNo, name: v.name, period: v.period })))
    .sort((a, b) => a.seq - b.seq);
  return { planId, quarter, counts, rows, lastMeeting: track.lastMeeting, changesSinceLastMeeting: changes };
}

/** Every indicator's standing for a period (exactly that period; nothing substituted). */
export async function standingsForPeriod(docs: DocReader, planId: string, period: string) {
  const plan = await docs.get<PlanDefinition>('plan', planId);
  if (!plan) return undefined;
  const byKey = await standingsByKey(docs, planId);
  return {
    planId,
    period,
    indicators: plan.indicators.map((i) => {
      const v = byKey.get(standingKey(planId, i.no, period));
      return {
        indicatorNo: i.no,
        name: i.name,
        points: i.points,
        recorded: v !== undefined,
        rankBasis: v?.rankBasis ?? 'none',
        counties: v?.counties ?? [],
        ours: v?.ours ?? null,
      };
    }),
  };
}

/**
 * The composite score for a period: for each indicator, our rank from the period itself, else
 * from the latest period of the year that ends no later (`candidatePeriods`), under the scoring
 * rule version in force.
 */
export async function scoreFor(docs: DocReader, planId: string, period: string): Promise<(ScoreSheet & { planId: string; period: string }) | undefined> {
  return (await scoreWithRule(docs, planId, period))?.sheet;
}

/** The score for a period (as `scoreFor`) with the scoring rule version in force it was computed under. */
export async function scoreWithRule(
  docs: DocReader,
  planId: string,
  period: string,
): Promise<{ sheet: ScoreSheet & { planId: string; period: string }; rule: ScoringVersion | null } | undefined> {
  const plan = await docs.get<PlanDefinition>('plan', planId);
  if (!plan) return undefined;
  const byKey = await standingsByKey(docs, planId);
  const { current } = await scoringRuleOf(docs, planId);
  const candidates = candidatePeriods(period);
  const inputs = plan.indicators.map((i) => {
    const p = resolvePeriod(candidates, (c) => byKey.has(standingKey(planId, i.no, c)));
    const v = p ? byKey.get(standingKey(planId, i.no, p)) : undefined;
    return { indicatorNo: i.no, name: i.name, points: i.points, period: p, rank: v?.ours.rank ?? null, warning: v?.ours.warning ?? null };
  });
  return { sheet: { planId, period, ...scoreSheet(inputs, current, plan.totalPoints) }, rule: current };
}
