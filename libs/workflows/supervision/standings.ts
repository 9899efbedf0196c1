import type { DomainEvent } from '../../engine/commands/command.js';
import type { StandingChanged } from '../ranking/ranking.events.js';
import type { StandingFact } from './supervision.events.js';

/**
 * Our county's standing per ranking period, read from the ranking workflow's published
 * StandingChanged events only: the facts a closing decision rests on ("is the warning still red?").
 */

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const QUARTER = /^(\d{4})-Q([1-4])$/;
const YEAR = /^(\d{4})$/;

/** Every ranking period of a year: its months, quarters and the year. */
export function periodsOfYear(year: number): string[] {
  const months = Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`);
  return [...months, ...[1, 2, 3, 4].map((q) => `${year}-Q${q}`), String(year)];
}

/**
 * Orders periods by when they end; where a month, a quarter and the year end together the month is
 * latest, since monthly figures are cumulative to the month's end (the ranking workflow's rule).
 */
export function periodOrder(period: string): number {
  let m = MONTH.exec(period);
  if (m) return Number(m[1]) * 1000 + Number(m[2]) * 10 + 3;
  m = QUARTER.exec(period);
  if (m) return Number(m[1]) * 1000 + Number(m[2]) * 30 + 2;
  m = YEAR.exec(period);
  if (m) return Number(m[1]) * 1000 + 120 + 1;
  return -1;
}

/** The standing a stream's events leave: its last StandingChanged. */
export function standingOf(period: string, events: readonly DomainEvent[]): StandingFact | null {
  const last = [...events].reverse().find((e): e is StandingChanged => e.type === 'StandingChanged');
  return last ? { period, rank: last.data.rank.to, warning: last.data.warning.to } : null;
}

/** The latest period with a standing, or null. */
export function latestStanding(standings: readonly StandingFact[]): StandingFact | null {
  return [...standings].sort((a, b) => periodOrder(b.period) - periodOrder(a.period))[0] ?? null;
}

/** Our county's value in a StandingChanged (for the record of a case opened by hand). */
export function ourValue(events: readonly DomainEvent[], ourCountyId: string): number | null {
  const last = [...events].reverse().find((e): e is StandingChanged => e.type === 'StandingChanged');
  return last?.data.ranks.find((r) => r.countyId === ourCountyId)?.value ?? null;
}
