import type { ComplianceCell } from './reports.projection.js';

/**
 * On-time rates of the compliance board (pure, no I/O, no library): the office's board in the web
 * UI and the compliance workbook count them the same way. Rates count only reports already judged
 * (signed in, or overdue); a month with nothing judged has no rate (null), not 0 %.
 */

/** The board's shape as far as the rates need it (the query's ComplianceBoard has it). */
export interface RatesBoard {
  periods: string[];
  units: { unitId: string; unitName: string; cells: Record<string, ComplianceCell | null | undefined> }[];
}

/** A report's verdict for the rate: on time, not on time (late or overdue), or not yet judged (null: left out). */
export function onTimeOf(c: Pick<ComplianceCell, 'onTime' | 'overdue'> | null | undefined): boolean | null {
  if (!c) return null;
  if (c.onTime !== null) return c.onTime;
  return c.overdue ? false : null;
}

export interface Rate {
  onTime: number;
  judged: number;
  /** onTime / judged, or null when nothing is judged yet. */
  rate: number | null;
}

export function rateOf(cells: (Pick<ComplianceCell, 'onTime' | 'overdue'> | null | undefined)[]): Rate {
  const verdicts = cells.map(onTimeOf).filter((v): v is boolean => v !== null);
  const onTime = verdicts.filter(Boolean).length;
  return { onTime, judged: verdicts.length, rate: verdicts.length ? onTime / verdicts.length : null };
}

export interface ComplianceRates {
  units: (Rate & { unitId: string; unitName: string })[];
  months: (Rate & { period: string })[];
  total: Rate;
}

/** On-time rates per unit, per month, and in total, from the compliance board. */
export function complianceRates(board: RatesBoard): ComplianceRates {
  const all = board.units.flatMap((u) => board.periods.map((p) => u.cells[p] ?? null));
  return {
    units: board.units.map((u) => ({ unitId: u.unitId, unitName: u.unitName, ...rateOf(board.periods.map((p) => u.cells[p] ?? null)) })),
    months: board.periods.map((p) => ({ period: p, ...rateOf(board.units.map((u) => u.cells[p] ?? null)) })),
    total: rateOf(all),
  };
}
