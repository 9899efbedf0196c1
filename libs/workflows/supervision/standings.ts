import { comparePeriods, parsePeriod } from '../plan/period.js';
import type { DomainEvent } from '../../engine/commands/command.js';
import type { StandingChanged } from '../ranking/ranking.events.js';
import type { StandingFact } from './supervision.events.js';

/**
 * Our county's standing per ranking period, read from the ranking workflow's published
 * StandingChanged events only: the facts a closing decision rests on ("is the warning still red?").
 */

/** Every ranking period of a year: its months, quarters and the year. */
export { periodsOfYear } from '../plan/period.js';

/**
 * Orders periods by when they end; where a month, a quarter and the year end together the month is
 * latest, since monthly figures are cumulative to the month's end (the ranking workflow's rule,
 * which is comparePeriods'). Text that is no period sorts first.
 */
export function periodOrder(a: string, b: string): number {
  const [p, q] = [parsePeriod(a), parsePeriod(b)];
  return p && q ? comparePeriods(p, q) : Number(p !== undefined) - Number(q !== undefined);
}

/** The standing a stream's events leave: its last StandingChanged. */
export function standingOf(period: string, events: readonly DomainEvent[]): StandingFact | null {
  const last = [...events].reverse().find((e): e is StandingChanged => e.type === 'StandingChanged');
  return last ? { period, rank: last.data.rank.to, warning: last.data.warning.to } : null;
}

/** The latest period with a standing, or null. */
export function latestStanding(standings: readonly StandingFact[]): StandingFact | null {
  return [...standings].sort((a, b) => periodOrder(b.period, a.period))[0] ?? null;
}

/** Our county's value in a StandingChanged (for the record of a case opened by hand). */
export function ourValue(events: readonly DomainEvent[], ourCountyId: string): number | null {
  const last = [...events].reverse().find((e): e is StandingChanged => e.type === 'StandingChanged');
  return last?.data.ranks.find((r) => r.countyId === ourCountyId)?.value ?? null;
}
