import { DomainError } from '../../engine/commands/command.js';
import type { Tier } from '../reporting/report-content.js';
import { coefficientFor, roundScore, scoreOf, type ScoringRule } from './rules.js';

/**
 * The composite score sheet and the what-if: each indicator scores its points × the coefficient
 * the scoring rule gives its rank (rules.ts, shared with the web UI). Pure, so the score, the
 * what-if and Annex 2 compute it the same way.
 */
export { coefficientFor, roundScore, scoreOf, type ScoringRule };

export interface ScoreInput {
  indicatorNo: number;
  name: string;
  points: number;
  /** The ranking period the rank is from; null when no figures of the year stand for it. */
  period: string | null;
  rank: number | null;
  warning: Tier | null;
}

export interface ScoreLine extends ScoreInput {
  /** null while no scoring rule is published. */
  coefficient: number | null;
  score: number | null;
}

export interface ScoreSheet {
  scoringRuleVersion: number | null;
  lines: ScoreLine[];
  /** null while no scoring rule is published. */
  totalScore: number | null;
  maxScore: number;
}

export function scoreSheet(inputs: readonly ScoreInput[], rule: ScoringRule | null, maxScore: number): ScoreSheet {
  const lines = inputs.map((i) => ({ ...i, coefficient: rule ? coefficientFor(rule, i.rank) : null, score: scoreOf(i.points, i.rank, rule) }));
  return {
    scoringRuleVersion: rule?.version ?? null,
    lines,
    totalScore: rule ? roundScore(lines.reduce((sum, l) => sum + (l.score ?? 0), 0)) : null,
    maxScore,
  };
}

export interface WhatIfChange {
  indicatorNo: number;
  rank: number | null;
}

export interface WhatIfResult {
  scoringRuleVersion: number;
  baseTotal: number;
  projectedTotal: number;
  delta: number;
  maxScore: number;
  changes: { indicatorNo: number; name: string; points: number; rank: { from: number | null; to: number | null }; score: { from: number; to: number }; delta: number }[];
}

/**
 * "If indicator 7 rose to rank 2": the total with the given ranks in place of the current ones.
 * Nothing is recorded; the answer is computed from the sheet and the rule alone.
 */
export function whatIf(sheet: ScoreSheet, rule: ScoringRule | null, changes: readonly WhatIfChange[], peerGroupSize: number): WhatIfResult {
  if (!rule) throw new DomainError('scoring-rule-not-published', 'no scoring rule has been published for this plan: publish one before asking what-if', { status: 409 });
  const fields: { field: string; message: string }[] = [];
  const seen = new Set<number>();
  changes.forEach((c, i) => {
    if (!sheet.lines.some((l) => l.indicatorNo === c.indicatorNo)) fields.push({ field: `changes[${i}].indicatorNo`, message: `the plan has no indicator ${c.indicatorNo}` });
    else if (seen.has(c.indicatorNo)) fields.push({ field: `changes[${i}].indicatorNo`, message: `indicator ${c.indicatorNo} appears twice` });
    seen.add(c.indicatorNo);
    if (c.rank !== null && !(Number.isInteger(c.rank) && c.rank >= 1 && c.rank <= peerGroupSize)) {
      fields.push({ field: `changes[${i}].rank`, message: `must be a whole number from 1 to ${peerGroupSize}, or null` });
    }
  });
  if (fields.length) throw new DomainError('invalid-what-if', fields.map((f) => `${f.field}: ${f.message}`).join('; '), { status: 422, fields });

  const baseTotal = roundScore(sheet.lines.reduce((sum, l) => sum + scoreOf(l.points, l.rank, rule)!, 0));
  const changed = changes.map((c) => {
    const line = sheet.lines.find((l) => l.indicatorNo === c.indicatorNo)!;
    const from = scoreOf(line.points, line.rank, rule)!;
    const to = scoreOf(line.points, c.rank, rule)!;
    return { indicatorNo: line.indicatorNo, name: line.name, points: line.points, rank: { from: line.rank, to: c.rank }, score: { from, to }, delta: roundScore(to - from) };
  });
  const delta = roundScore(changed.reduce((sum, c) => sum + c.delta, 0));
  return { scoringRuleVersion: rule.version, baseTotal, projectedTotal: roundScore(baseTotal + delta), delta, maxScore: sheet.maxScore, changes: changed };
}
