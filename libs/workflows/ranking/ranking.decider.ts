import { assertNever, DomainError, type Command, type Decider } from '../../engine/commands/command.js';
import { authorize } from '../access/access.js';
import type { Direction, IndicatorKind, WarningTier } from '../plan/plan-file.js';
import { tierOf, type Tier } from '../reporting/report-content.js';
import { rankCounties, type RankedCounty } from './rank-counties.js';
import type {
  CountyFigure,
  FigureChange,
  FigureChangeDetail,
  FigureSource,
  PeerFigureCorrected,
  PeerFiguresRecorded,
  RankingPeriod,
  ReportedFigureApplied,
  ScoringRulePublished,
  StandingCause,
  StandingChanged,
} from './ranking.events.js';

/**
 * The ranking workflow's decisions. Two aggregates:
 * - an indicator × period's figures (`figures-<planId>-<no>-<period>`): the six counties' figures
 *   as the city publishes them, and our county's standing, which changes only through events that
 *   say why;
 * - the plan's scoring rule (`scoring-<planId>`), versioned.
 *
 * What the plan says (the indicator's direction, the peer counties, the warning tiers in force) is
 * looked up by the handler when the command arrives and passed in the command: the decision never
 * reads the plan itself.
 */

export interface FiguresRef {
  planId: string;
  indicatorNo: number;
  period: RankingPeriod;
}

export interface FiguresContext extends FiguresRef {
  indicator: { name: string; kind: IndicatorKind; direction: Direction };
  /** The peer counties in the plan's order; exactly one is ours. */
  counties: { id: string; name: string; ours: boolean }[];
  warningTiers: Pick<WarningTier, 'tier' | 'fromRank' | 'toRank'>[];
  /** The plan stream revision that put these warning tiers in force (0: as published). */
  tiersRevision: number;
  /** The unit whose monthly report gives our county's figure: the indicator's first responsible unit. */
  reportingUnit?: string;
}

export interface ScoringContext {
  planId: string;
  /** Ranks run 1..peerGroupSize. */
  peerGroupSize: number;
}

export interface FigureInput {
  countyId: string;
  value: number | null;
  rank: number | null;
}

export type FiguresCommand =
  | Command<'ranking.RecordFigures', { context: FiguresContext; figures: FigureInput[]; source: FigureSource }>
  | Command<'ranking.CorrectFigure', { context: FiguresContext; countyId: string; corrected: { value: number | null; rank: number | null } }>
  | Command<'ranking.ApplyRuleChange', { context: FiguresContext }>
  /** Our county's figure from a received report, or the office's correction of it (reason required). */
  | Command<'ranking.ApplyReportedFigure', { context: FiguresContext; unitId: string; value: number | null; trigger: 'received' | 'correction' }>;

export type ScoringCommand = Command<
  'ranking.PublishScoringRule',
  { context: ScoringContext; coefficients: { rank: number; coefficient: number }[]; missingRankCoefficient: number; note: string }
>;

export const FIGURES_COMMANDS = [
  'ranking.RecordFigures',
  'ranking.CorrectFigure',
  'ranking.ApplyRuleChange',
  'ranking.ApplyReportedFigure',
] as const satisfies readonly FiguresCommand['type'][];
export const SCORING_COMMANDS = ['ranking.PublishScoringRule'] as const satisfies readonly ScoringCommand['type'][];
export const RANKING_COMMANDS = [...FIGURES_COMMANDS, ...SCORING_COMMANDS] as const;

export type FiguresEvent = PeerFiguresRecorded | PeerFigureCorrected | ReportedFigureApplied | StandingChanged;

type Figure = { value: number | null; rank: number | null };

export interface FiguresState {
  /** The city's figure in force per county (recorded, revised or corrected). */
  figures: Record<string, Figure>;
  /** Our county's figure from its received report (as corrected); null until one arrived. */
  reported: { unitId: string; value: number | null } | null;
  /** Our county's standing as the last StandingChanged said; `known` once one was emitted. */
  standing: Standing;
}

type Standing = { known: boolean; rank: number | null; warning: Tier | null; provisional: boolean };
type Position = Omit<Standing, 'known'>;

const initialFigures = (): FiguresState => ({ figures: {}, reported: null, standing: { known: false, rank: null, warning: null, provisional: false } });

export function evolveFigures(s: FiguresState, e: FiguresEvent): FiguresState {
  switch (e.type) {
    case 'PeerFiguresRecorded': {
      const figures = { ...s.figures };
      for (const f of e.data.figures) figures[f.countyId] = { value: f.value, rank: f.rank };
      return { ...s, figures };
    }
    case 'PeerFigureCorrected':
      return { ...s, figures: { ...s.figures, [e.data.countyId]: { ...e.data.corrected } } };
    case 'ReportedFigureApplied':
      return { ...s, reported: { unitId: e.data.unitId, value: e.data.value } };
    case 'StandingChanged':
      return { ...s, standing: { known: true, rank: e.data.rank.to, warning: e.data.warning.to, provisional: e.data.provisional ?? false } };
    default:
      return assertNever(e, 'figures event');
  }
}

/** Every county of the peer group with its figure and rank, in the plan's order; missing stays missing. */
export function ranksOf(figures: Record<string, Figure>, ctx: Pick<FiguresContext, 'counties' | 'indicator'>): RankedCounty[] {
  const list: CountyFigure[] = ctx.counties.map((c) => ({ countyId: c.id, value: figures[c.id]?.value ?? null, rank: figures[c.id]?.rank ?? null }));
  return rankCounties(list, ctx.indicator.direction);
}

const oursOf = (ctx: Pick<FiguresContext, 'counties'>) => ctx.counties.find((c) => c.ours)!.id;
const hasFigure = (f: Figure | undefined): f is Figure => !!f && (f.value !== null || f.rank !== null);

/**
 * The figures that rank: the city's, with our county's value from its received report where the
 * city has published no official figure for us (an official one ranks; a difference is flagged).
 */
export function rankingFigures(figures: Record<string, Figure>, reported: FiguresState['reported'], ctx: Pick<FiguresContext, 'counties'>): Record<string, Figure> {
  const ours = oursOf(ctx);
  if (hasFigure(figures[ours]) || reported?.value === null || reported?.value === undefined) return figures;
  return { ...figures, [ours]: { value: reported.value, rank: null } };
}

function ourStanding(figures: Record<string, Figure>, ctx: FiguresContext): Position & { ranks: RankedCounty[] } {
  const ranks = ranksOf(figures, ctx);
  const rank = ranks.find((r) => r.countyId === oursOf(ctx))!.rank;
  // With fewer counties' figures than the peer group the rank may still move: provisional.
  const provisional = ctx.counties.filter((c) => hasFigure(figures[c.id])).length < ctx.counties.length;
  return { rank, warning: tierOf(rank, ctx.warningTiers), provisional, ranks };
}

function standingChanged(ctx: FiguresContext, ranks: RankedCounty[], from: Standing, to: Position, cause: StandingCause): StandingChanged {
  return {
    type: 'StandingChanged',
    data: {
      planId: ctx.planId,
      indicatorNo: ctx.indicatorNo,
      period: ctx.period,
      ranks,
      rank: { from: from.rank, to: to.rank },
      warning: { from: from.warning, to: to.warning },
      cause,
      provisional: to.provisional,
    },
  };
}

/**
 * The warning tiers changed since our standing was last decided (the rule-change reaction has not
 * reached this stream yet): the colour that follows from the new tiers is recorded first, as a
 * rule change, so the figure that arrives with it is not blamed for it.
 */
function ruleCatchUp(s: FiguresState, ctx: FiguresContext): StandingChanged | undefined {
  if (!s.standing.known) return undefined;
  const warning = tierOf(s.standing.rank, ctx.warningTiers);
  if (warning === s.standing.warning) return undefined;
  return standingChanged(
    ctx,
    ranksOf(rankingFigures(s.figures, s.reported, ctx), ctx),
    s.standing,
    { rank: s.standing.rank, warning, provisional: s.standing.provisional },
    {
      kind: 'rule-change',
      rule: 'warningTiers',
      planRevision: ctx.tiersRevision,
    },
  );
}

// Becoming final (the last county's figure arrived) is a change of standing too, with its cause.
const afterCatchUp = (s: FiguresState, catchUp: StandingChanged | undefined): Standing =>
  catchUp ? { known: true, rank: catchUp.data.rank.to, warning: catchUp.data.warning.to, provisional: s.standing.provisional } : s.standing;

const moved = (a: Position, b: Position) => a.rank !== b.rank || a.warning !== b.warning || a.provisional !== b.provisional;

/** Published ranks before and after, only where the city gave ranks (a value says it all otherwise). */
function rankDetail(previous: Figure | undefined, current: Figure): Pick<FigureChangeDetail, 'previousRank' | 'rank'> {
  const previousRank = previous?.rank ?? null;
  return previousRank === null && current.rank === null ? {} : { previousRank, rank: current.rank };
}

function causeOfRecording(standing: Standing, before: Record<string, Figure>, changed: FigureInput[], ctx: FiguresContext): StandingCause {
  if (!standing.known) return { kind: 'first-figures' };
  const order = (id: string) => ctx.counties.findIndex((c) => c.id === id);
  const changes = [...changed].sort((a, b) => order(a.countyId) - order(b.countyId));
  const ours = ctx.counties.find((c) => c.ours)!.id;
  const changeOf = (f: FigureInput): FigureChange => ({ countyId: f.countyId, previous: before[f.countyId] ?? null, current: { value: f.value, rank: f.rank } });
  const along = (others: FigureInput[]) => (others.length ? { alongWith: others.map(changeOf) } : {});
  const own = changes.find((f) => f.countyId === ours);
  if (own) {
    return { kind: 'own-figure', previous: before[ours]?.value ?? null, value: own.value, ...rankDetail(before[ours], own), ...along(changes.filter((f) => f !== own)) };
  }
  // Several peers may change in one recording; the one named is the first (in the plan's order)
  // whose change alone would have moved our standing, and the others are listed beside it.
  const decisive = changes.find((f) => moved(ourStanding({ ...before, [f.countyId]: { value: f.value, rank: f.rank } }, ctx), standing)) ?? changes[0]!;
  return {
    kind: 'peer-revision',
    countyId: decisive.countyId,
    previous: before[decisive.countyId]?.value ?? null,
    value: decisive.value,
    ...rankDetail(before[decisive.countyId], decisive),
    ...along(changes.filter((f) => f !== decisive)),
  };
}

function invalid(fields: { field: string; message: string }[]): DomainError {
  return new DomainError('invalid-figures', fields.map((f) => `${f.field}: ${f.message}`).join('; '), { status: 422, fields });
}

/** Problems with one figure, named by field (`prefix.value`, `prefix.rank`). */
function figureProblems(f: Figure, prefix: string, ctx: FiguresContext): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = [];
  const size = ctx.counties.length;
  if (f.value !== null && !(typeof f.value === 'number' && Number.isFinite(f.value))) out.push({ field: `${prefix}.value`, message: 'must be a number or null' });
  else if (f.value !== null && ctx.indicator.kind === 'task' && f.value < 0) {
    out.push({ field: `${prefix}.value`, message: 'a task indicator’s value is the score the city gave, which is never negative' });
  }
  if (f.rank !== null && !(Number.isInteger(f.rank) && f.rank >= 1 && f.rank <= size))
    out.push({ field: `${prefix}.rank`, message: `must be a whole number from 1 to ${size}, or null` });
  return out;
}

function checkFigures(figures: readonly FigureInput[], ctx: FiguresContext): FigureInput[] {
  if (!Array.isArray(figures) || figures.length === 0) throw invalid([{ field: 'figures', message: 'at least one county’s figure is required' }]);
  const problems: { field: string; message: string }[] = [];
  const seen = new Set<string>();
  const out = figures.map((raw, i) => {
    const f: FigureInput = { countyId: raw.countyId, value: raw.value ?? null, rank: raw.rank ?? null };
    if (!ctx.counties.some((c) => c.id === f.countyId)) {
      problems.push({ field: `figures[${i}].countyId`, message: `"${f.countyId}" is not a county of the peer group (${ctx.counties.map((c) => c.id).join(', ')})` });
    } else if (seen.has(f.countyId)) problems.push({ field: `figures[${i}].countyId`, message: `${f.countyId} appears twice` });
    seen.add(f.countyId);
    problems.push(...figureProblems(f, `figures[${i}]`, ctx));
    if (f.value === null && f.rank === null) {
      problems.push({
        field: `figures[${i}]`,
        message:
          ctx.indicator.kind === 'task'
            ? 'give the score or the rank the city gave, or leave the county out'
            : 'give the value or the rank the city published, or leave the county out',
      });
    }
    return f;
  });
  if (problems.length) throw invalid(problems);
  return out;
}

function requireReason(reason: string | undefined): string {
  if (!reason?.trim()) throw new DomainError('reason-required', 'a correction needs a reason', { status: 422, fields: [{ field: 'reason', message: 'required' }] });
  return reason.trim();
}

export const figuresDecider: Decider<FiguresCommand, FiguresEvent, FiguresState> = {
  initialState: initialFigures,
  evolve: evolveFigures,

  authorize(c) {
    switch (c.type) {
      case 'ranking.RecordFigures':
      case 'ranking.CorrectFigure':
        return authorize(c.meta.actor, 'figures.record');
      case 'ranking.ApplyRuleChange':
      case 'ranking.ApplyReportedFigure':
        return authorize(c.meta.actor, 'standing.recompute');
      default:
        return assertNever(c, 'figures command');
    }
  },

  decide(c, s) {
    const ctx = c.data.context;
    const ref = { planId: ctx.planId, indicatorNo: ctx.indicatorNo, period: ctx.period };
    switch (c.type) {
      case 'ranking.RecordFigures': {
        const figures = checkFigures(c.data.figures, ctx);
        const changes = figures.filter((f) => {
          const p = s.figures[f.countyId];
          return !p || p.value !== f.value || p.rank !== f.rank;
        });
        // The city published nothing new: nothing to record.
        if (changes.length === 0) return [];
        const events: FiguresEvent[] = [];
        const catchUp = ruleCatchUp(s, ctx);
        if (catchUp) events.push(catchUp);
        const standing = afterCatchUp(s, catchUp);
        events.push({
          type: 'PeerFiguresRecorded',
          data: {
            ...ref,
            figures: figures.map((f) => ({ countyId: f.countyId, value: f.value, rank: f.rank })),
            source: c.data.source,
            revised: changes.filter((f) => s.figures[f.countyId]).map((f) => ({ countyId: f.countyId, previous: { ...s.figures[f.countyId]! } })),
          },
        });
        const after = { ...s.figures, ...Object.fromEntries(figures.map((f) => [f.countyId, { value: f.value, rank: f.rank }])) };
        const next = ourStanding(rankingFigures(after, s.reported, ctx), ctx);
        const firstKnown = !standing.known && next.rank !== null;
        if (firstKnown || (standing.known && moved(next, standing))) {
          events.push(standingChanged(ctx, next.ranks, standing, next, causeOfRecording(standing, rankingFigures(s.figures, s.reported, ctx), changes, ctx)));
        }
        return events;
      }

      case 'ranking.CorrectFigure': {
        const reason = requireReason(c.meta.reason);
        const { countyId } = c.data;
        if (!ctx.counties.some((x) => x.id === countyId)) throw invalid([{ field: 'countyId', message: `"${countyId}" is not a county of the peer group` }]);
        const previous = s.figures[countyId];
        if (!previous) {
          throw new DomainError('figure-not-recorded', `no figure of ${countyId} is recorded for indicator ${ctx.indicatorNo}, ${ctx.period}: record it rather than correct it`, {
            params: { indicatorNo: ctx.indicatorNo, period: ctx.period, countyName: ctx.counties.find((x) => x.id === countyId)?.name ?? countyId },
            status: 404,
          });
        }
        const corrected = { value: c.data.corrected.value ?? null, rank: c.data.corrected.rank ?? null };
        const problems = figureProblems(corrected, 'corrected', ctx);
        if (problems.length) throw invalid(problems);
        if (previous.value === corrected.value && previous.rank === corrected.rank) return [];
        const events: FiguresEvent[] = [];
        const catchUp = ruleCatchUp(s, ctx);
        if (catchUp) events.push(catchUp);
        const standing = afterCatchUp(s, catchUp);
        events.push({ type: 'PeerFigureCorrected', data: { ...ref, countyId, previous: { ...previous }, corrected, reason } });
        const next = ourStanding(rankingFigures({ ...s.figures, [countyId]: corrected }, s.reported, ctx), ctx);
        if ((!standing.known && next.rank !== null) || (standing.known && moved(next, standing))) {
          events.push(standingChanged(ctx, next.ranks, standing, next, { kind: 'correction', countyId, reason }));
        }
        return events;
      }

      case 'ranking.ApplyRuleChange': {
        const catchUp = ruleCatchUp(s, ctx);
        return catchUp ? [catchUp] : [];
      }

      case 'ranking.ApplyReportedFigure': {
        const { unitId, trigger } = c.data;
        // Our county's figure is the responsible unit's (the first one named where two report).
        if (ctx.reportingUnit !== undefined && unitId !== ctx.reportingUnit) return [];
        const value = c.data.value ?? null;
        if (value !== null && !(typeof value === 'number' && Number.isFinite(value))) throw invalid([{ field: 'value', message: 'must be a number or null' }]);
        const previous = s.reported?.value ?? null;
        if (previous === value && (s.reported || value === null)) return [];
        const reason = trigger === 'correction' ? requireReason(c.meta.reason) : undefined;
        const ours = oursOf(ctx);
        const events: FiguresEvent[] = [];
        const catchUp = ruleCatchUp(s, ctx);
        if (catchUp) events.push(catchUp);
        const standing = afterCatchUp(s, catchUp);
        const official = hasFigure(s.figures[ours]) ? s.figures[ours].value : null;
        events.push({
          type: 'ReportedFigureApplied',
          data: { ...ref, countyId: ours, unitId, trigger, previous, value, official, ...(reason ? { reason } : {}) },
        });
        // A report alone ranks nobody: the standing is decided once the city has published figures
        // for the period (they then rank with this value, see RecordFigures).
        if (!Object.values(s.figures).some(hasFigure)) return events;
        const before = rankingFigures(s.figures, s.reported, ctx);
        const next = ourStanding(rankingFigures(s.figures, { unitId, value }, ctx), ctx);
        if ((!standing.known && next.rank !== null) || (standing.known && moved(next, standing))) {
          const cause: StandingCause =
            trigger === 'correction'
              ? { kind: 'correction', countyId: ours, reason: reason!, source: 'report', previous, value }
              : standing.known
                ? { kind: 'own-figure', previous: before[ours]?.value ?? null, value, source: 'report' }
                : { kind: 'first-figures' };
          events.push(standingChanged(ctx, next.ranks, standing, next, cause));
        }
        return events;
      }

      default:
        return assertNever(c, 'figures command');
    }
  },
};

export interface ScoringState {
  version: number;
  coefficients: { rank: number; coefficient: number }[];
  missingRankCoefficient: number;
}

export const scoringDecider: Decider<ScoringCommand, ScoringRulePublished, ScoringState> = {
  initialState: () => ({ version: 0, coefficients: [], missingRankCoefficient: 0 }),
  evolve: (_s, e) => ({ version: e.data.version, coefficients: e.data.coefficients, missingRankCoefficient: e.data.missingRankCoefficient }),
  authorize: (c) => authorize(c.meta.actor, 'scoring.revise'),
  decide(c, s) {
    const { context, note } = c.data;
    const size = context.peerGroupSize;
    const fields: { field: string; message: string }[] = [];
    const coefficients = Array.isArray(c.data.coefficients) ? c.data.coefficients : [];
    const byRank = new Map<number, number>();
    coefficients.forEach((x, i) => {
      if (!(Number.isInteger(x.rank) && x.rank >= 1 && x.rank <= size)) fields.push({ field: `coefficients[${i}].rank`, message: `must be a rank from 1 to ${size}` });
      else if (byRank.has(x.rank)) fields.push({ field: `coefficients[${i}].rank`, message: `rank ${x.rank} appears twice` });
      if (!(typeof x.coefficient === 'number' && Number.isFinite(x.coefficient) && x.coefficient >= 0 && x.coefficient <= 1)) {
        fields.push({ field: `coefficients[${i}].coefficient`, message: 'must be a number from 0 to 1 (the share of the indicator’s points)' });
      } else if (Number.isInteger(x.rank)) byRank.set(x.rank, x.coefficient);
    });
    for (let r = 1; r <= size; r++) if (!coefficients.some((x) => x.rank === r)) fields.push({ field: 'coefficients', message: `rank ${r} has no coefficient` });
    for (let r = 2; r <= size; r++) {
      const better = byRank.get(r - 1);
      const worse = byRank.get(r);
      if (better !== undefined && worse !== undefined && worse > better) {
        fields.push({ field: 'coefficients', message: `rank ${r} may not score more than rank ${r - 1} (${worse} > ${better})` });
      }
    }
    const missing = c.data.missingRankCoefficient;
    if (!(typeof missing === 'number' && Number.isFinite(missing) && missing >= 0 && missing <= 1))
      fields.push({ field: 'missingRankCoefficient', message: 'must be a number from 0 to 1' });
    if (fields.length) throw new DomainError('invalid-scoring-rule', fields.map((f) => `${f.field}: ${f.message}`).join('; '), { status: 422, fields });

    const sorted = [...byRank.entries()].sort(([a], [b]) => a - b).map(([rank, coefficient]) => ({ rank, coefficient }));
    const same = s.version > 0 && s.missingRankCoefficient === missing && JSON.stringify(s.coefficients) === JSON.stringify(sorted);
    if (same) return [];
    // A rule already in force is changed by a person, who says why.
    if (s.version > 0 && !c.meta.reason?.trim()) {
      throw new DomainError('reason-required', `version ${s.version} of the scoring rule is in force: a new version needs a reason`, {
        status: 422,
        fields: [{ field: 'reason', message: 'required' }],
      });
    }
    return [
      { type: 'ScoringRulePublished', data: { planId: context.planId, version: s.version + 1, coefficients: sorted, missingRankCoefficient: missing, note: (note ?? '').trim() } },
    ];
  },
};
