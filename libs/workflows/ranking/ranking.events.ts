import type { DomainEvent } from '../../engine/commands/command.js';
import type { Tier } from '../reporting/report-content.js';

/**
 * The published contract of the ranking workflow: the six counties' figures as the city publishes
 * them, and our county's standing (rank, warning) computed from them. Other workflows (assessment,
 * supervision, rewards, Annex 2, audit) depend on these types only.
 *
 * Streams: `figures-<planId>-<indicatorNo>-<period>` (one per indicator × period) and
 * `scoring-<planId>` (the versioned scoring rule).
 */

/** 'YYYY-MM' (a month, cumulative to its end), 'YYYY-Qn' (a quarter) or 'YYYY' (the year). */
export type RankingPeriod = string;

export interface CountyFigure {
  /** A peer county id from the plan (e.g. 'ye', 'baofeng'). */
  countyId: string;
  /** The figure in the indicator's unit; null when the city gave only a rank, or nothing. */
  value: number | null;
  /** The rank the city published, for rank-only and task indicators; null when ranks are computed from values. */
  rank: number | null;
}

export type FigureSource = { kind: 'manual' } | { kind: 'import'; importId: string; file: string; sheet: string; row: number };

/** The office records (some of) the six counties' figures for an indicator and period. */
export type PeerFiguresRecorded = DomainEvent<
  'PeerFiguresRecorded',
  {
    planId: string;
    indicatorNo: number;
    period: RankingPeriod;
    figures: CountyFigure[];
    source: FigureSource;
    /** Counties whose figure this replaces (a revision by the city), with what it was. */
    revised: { countyId: string; previous: { value: number | null; rank: number | null } }[];
  }
>;

/** The office corrects a recorded figure it entered wrongly (with a reason, in metadata and here). */
export type PeerFigureCorrected = DomainEvent<
  'PeerFigureCorrected',
  {
    planId: string;
    indicatorNo: number;
    period: RankingPeriod;
    countyId: string;
    previous: { value: number | null; rank: number | null };
    corrected: { value: number | null; rank: number | null };
    reason: string;
  }
>;

/** One county's figure before and after a recording (optional detail of a cause). */
export interface FigureChange {
  countyId: string;
  previous: { value: number | null; rank: number | null } | null;
  current: { value: number | null; rank: number | null };
}

/**
 * Added to the own-figure and peer-revision causes (optional, so older events still read): the
 * published ranks before and after where the city gave ranks rather than values, and the other
 * counties' figures that changed in the same recording.
 */
export interface FigureChangeDetail {
  previousRank?: number | null;
  rank?: number | null;
  alongWith?: FigureChange[];
}

/** Why our county's standing changed: it must be visible, since one county's revision can change another's colour. */
export type StandingCause =
  | { kind: 'first-figures' }
  | ({ kind: 'peer-revision'; countyId: string; previous: number | null; value: number | null } & FigureChangeDetail)
  | ({ kind: 'own-figure'; previous: number | null; value: number | null } & FigureChangeDetail & { source?: 'report' })
  /** The office corrected a figure: a city figure it entered wrongly, or (source 'report') our figure in a received report. */
  | { kind: 'correction'; countyId: string; reason: string; source?: 'report'; previous?: number | null; value?: number | null }
  | { kind: 'rule-change'; rule: 'warningTiers'; planRevision: number };

/**
 * Our county's rank and warning for an indicator and period changed (or were first known). Emitted
 * in the same append as the figures or rule change that caused it.
 */
export type StandingChanged = DomainEvent<
  'StandingChanged',
  {
    planId: string;
    indicatorNo: number;
    period: RankingPeriod;
    /** Every county's rank, computed with the indicator's direction (ties share a rank; missing stays missing). */
    ranks: { countyId: string; value: number | null; rank: number | null }[];
    rank: { from: number | null; to: number | null };
    warning: { from: Tier | null; to: Tier | null };
    cause: StandingCause;
    /**
     * Fewer counties than the peer group have a figure: the rank and its colour may still move when
     * the others arrive, so every view marks them provisional and no supervision case opens from a
     * provisional red. Absent in events recorded before the rule (read as final).
     */
    provisional?: boolean;
  }
>;

/**
 * Our county's figure from its received monthly report (or the office's correction of it) reached
 * the figures stream. It ranks unless the city has published an official figure for our county;
 * `official` is that figure when there is one, so a difference is visible where it is recorded.
 */
export type ReportedFigureApplied = DomainEvent<
  'ReportedFigureApplied',
  {
    planId: string;
    indicatorNo: number;
    period: RankingPeriod;
    countyId: string;
    /** The responsible unit whose report it is. */
    unitId: string;
    trigger: 'received' | 'correction';
    previous: number | null;
    value: number | null;
    official: number | null;
    reason?: string;
  }
>;

/** A version of the composite scoring rule: points × coefficient for the rank. */
export type ScoringRulePublished = DomainEvent<
  'ScoringRulePublished',
  { planId: string; version: number; coefficients: { rank: number; coefficient: number }[]; missingRankCoefficient: number; note: string }
>;

export type RankingEvent = PeerFiguresRecorded | PeerFigureCorrected | ReportedFigureApplied | StandingChanged | ScoringRulePublished;
export const RANKING_EVENT_TYPES = ['PeerFiguresRecorded', 'PeerFigureCorrected', 'ReportedFigureApplied', 'StandingChanged', 'ScoringRulePublished'] as const;

export const figuresStream = (planId: string, indicatorNo: number, period: RankingPeriod) => `figures-${planId}-${indicatorNo}-${period}`;
export const scoringStream = (planId: string) => `scoring-${planId}`;
