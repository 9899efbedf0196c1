import { periodsOfYear } from '../plan/period.js';
import type { StandingChanged } from '../ranking/ranking.events.js';
import type { StandingRef } from './rewards.events.js';

/**
 * The annual rank of an indicator, folded from the ranking workflow's published StandingChanged
 * events only (never from its internals): the year's own standing ('2023'), or, when the city has
 * not published one, the latest period of the year that has a rank, said so in words.
 */

/** What this fold needs of a recorded event. */
export interface RecordedLike {
  streamId: string;
  revision: number;
  position: string;
  type: string;
  data: unknown;
}

export interface AnnualStanding {
  period: string;
  rank: number;
  fallback: boolean;
  note: string | null;
  standingEvents: StandingRef[];
}

/**
 * The year's ranking periods, latest first. Where a month and a quarter end on the same day the
 * month comes first: monthly figures are cumulative to the month's end, so 2023-12 is the year to
 * date, while a quarter's figure may cover the quarter alone.
 */
export function candidatePeriods(year: number): string[] {
  return [
    String(year),
    ...periodsOfYear(year)
      .filter((p) => p !== String(year))
      .reverse(),
  ];
}

/** The standing in force in one figures stream: the last StandingChanged's rank, with every StandingChanged behind it. */
export function foldStanding(events: readonly RecordedLike[]): { rank: number | null; standingEvents: StandingRef[] } {
  const standingEvents: StandingRef[] = [];
  let rank: number | null = null;
  for (const e of events) {
    if (e.type !== 'StandingChanged') continue;
    const d = e.data as StandingChanged['data'];
    rank = d.rank.to;
    standingEvents.push({ streamId: e.streamId, revision: e.revision, position: e.position, rank: d.rank.to, cause: d.cause.kind });
  }
  return { rank, standingEvents };
}

/** The annual standing from the figures streams of the year's periods (absent streams may be left out). */
export function annualStanding(year: number, byPeriod: ReadonlyMap<string, readonly RecordedLike[]>): AnnualStanding | null {
  const periods = candidatePeriods(year);
  const annual = String(year);
  for (const period of periods) {
    const { rank, standingEvents } = foldStanding(byPeriod.get(period) ?? []);
    if (rank === null) continue;
    if (period === annual) return { period, rank, fallback: false, note: null, standingEvents };
    const yearHad = foldStanding(byPeriod.get(annual) ?? []).standingEvents.length > 0;
    return {
      period,
      rank,
      fallback: true,
      note: `${yearHad ? `the standing for ${annual} as a whole has no rank` : `no standing for ${annual} as a whole has been recorded`}; this is the rank of ${period}, the latest period of the year with a standing`,
      standingEvents,
    };
  }
  return null;
}
