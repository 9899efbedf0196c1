import type { Annex2Row, BoardRow, Plan, ScoringRules, Tier } from '../api/models.js';
import { rankCounties, rankOf, scoreOf, tierOf, totalWith } from '../../../../libs/workflows/ranking/rules.js';

/**
 * What a correction will change, worked out before it is made with the rules the API applies
 * (libs/workflows/ranking/rules.ts, imported, not copied): our rank and colour, the row's and the
 * total score, and the supervision cases open on the line. The API stays the judge: once made, the
 * page re-reads everything from it.
 */
export interface Impact {
  rank: { from: number | null; to: number | null };
  warning: { from: Tier | null; to: Tier | null };
  score: { from: number | null; to: number | null };
  total: { from: number | null; to: number | null };
  /** Why rank and colour do not move, when they do not. */
  unchangedBecause?: 'official-rank' | 'value-only';
  value?: { from: number | null; to: number | null };
  openCases: BoardRow[];
  caseEffect: 'may-close' | 'may-open' | 'none';
}

/** A red warning opens a supervision case when the quarter is published; leaving red may let an open one close. */
export function caseEffect(from: Tier | null, to: Tier | null, open: readonly BoardRow[]): Impact['caseEffect'] {
  if (from === 'red' && to !== 'red' && open.length) return 'may-close';
  if (from !== 'red' && to === 'red') return 'may-open';
  return 'none';
}

/** A unit's reported figure corrected after receipt (reporting.Correct). */
export function reportCorrectionImpact(args: {
  plan: Pick<Plan, 'warningTiers'>;
  row: Pick<Annex2Row, 'rank' | 'warning' | 'score' | 'points' | 'rankSource' | 'result' | 'byUnit'>;
  totalScore: number | null;
  rules: ScoringRules | null | undefined;
  field: 'value' | 'rank';
  unitId: string;
  previous: number | null;
  corrected: number | null;
  openCases: BoardRow[];
}): Impact {
  const { plan, row, field } = args;
  const same = {
    rank: { from: row.rank, to: row.rank },
    warning: { from: row.warning, to: row.warning },
    score: { from: row.score, to: row.score },
    total: { from: args.totalScore, to: args.totalScore },
  };
  const lead = row.byUnit.find((u) => u.value !== null) ?? row.byUnit[0];
  if (field === 'value') {
    return {
      ...same,
      unchangedBecause: 'value-only',
      value: { from: args.previous, to: lead?.unitId === args.unitId ? args.corrected : row.result },
      openCases: args.openCases,
      caseEffect: 'none',
    };
  }
  if (row.rankSource === 'official') return { ...same, unchangedBecause: 'official-rank', openCases: args.openCases, caseEffect: 'none' };
  const leadRank = row.byUnit.find((u) => u.rank !== null) ?? row.byUnit[0];
  const to = !leadRank || leadRank.unitId === args.unitId ? args.corrected : row.rank;
  const warning = tierOf(to, plan.warningTiers);
  const score = scoreOf(row.points, to, args.rules?.current);
  return {
    rank: { from: row.rank, to },
    warning: { from: row.warning, to: warning },
    score: { from: row.score, to: score },
    total: { from: args.totalScore, to: totalWith(args.totalScore, row.score, score) },
    openCases: args.openCases,
    caseEffect: caseEffect(row.warning, warning, args.openCases),
  };
}

/** A peer county's figure corrected (ranking.CorrectFigure): every rank is computed again. */
export function figureCorrectionImpact(args: {
  plan: Pick<Plan, 'warningTiers' | 'peerGroup'>;
  indicator: { points: number; direction: 'higher-is-better' | 'lower-is-better' };
  counties: { countyId: string; value: number | null; publishedRank: number | null; rank: number | null }[];
  ours: { rank: number | null; warning: Tier | null };
  rules: ScoringRules | null | undefined;
  countyId: string;
  corrected: { value: number | null; rank: number | null };
  totalScore: number | null;
  rowScore: number | null;
  openCases: BoardRow[];
}): Impact & { ranks: { countyId: string; from: number | null; to: number | null }[] } {
  const figures = args.counties.map((c) =>
    c.countyId === args.countyId
      ? { countyId: c.countyId, value: args.corrected.value, rank: args.corrected.rank }
      : { countyId: c.countyId, value: c.value, rank: c.publishedRank },
  );
  const ranked = rankCounties(figures, args.indicator.direction);
  const to = rankOf(ranked, args.plan.peerGroup.counties.find((c) => c.ours)?.id);
  const warning = tierOf(to, args.plan.warningTiers);
  const score = scoreOf(args.indicator.points, to, args.rules?.current);
  const from = scoreOf(args.indicator.points, args.ours.rank, args.rules?.current);
  return {
    rank: { from: args.ours.rank, to },
    warning: { from: args.ours.warning, to: warning },
    score: { from, to: score },
    total: { from: args.totalScore, to: totalWith(args.totalScore, args.rowScore ?? from, score) },
    openCases: args.openCases,
    caseEffect: caseEffect(args.ours.warning, warning, args.openCases),
    ranks: ranked.map((r) => ({ countyId: r.countyId, from: args.counties.find((c) => c.countyId === r.countyId)?.rank ?? null, to: r.rank })),
  };
}
