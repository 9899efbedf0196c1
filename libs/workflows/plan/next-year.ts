import type { PlanDefinition } from './plan-file.js';

/** Our county's result and rank for an indicator over the whole year, as the city ranked the six (null where not recorded). */
export type YearResults = ReadonlyMap<number, { value: number | null; rank: number | null }>;

/**
 * Next year's plan drafted from this year's (issue 15). Pure: the handler reads the year's results.
 *
 * The shift, decided here:
 * - the id and the title take the new year (`ye-county-2023` → `ye-county-2024`; an id without the
 *   year gets `-2024` appended); the document number is unknown until the county issues the plan,
 *   so it reads 待发文 and the draft is published with it (a plan file can be published instead);
 * - each indicator's baseline (Annex 2's "<year> result (rank)") becomes this year's full-year
 *   result and rank where the city's year figures are recorded, and is left empty elsewhere — this
 *   year's target is not carried into it: a target is what was aimed at, not what was achieved;
 * - targets are cleared: next year's targets are set by next year's meeting (on the plan page);
 * - indicators, points, units, peer group, tiers, rewards, the monthly rule, the supervision
 *   deadlines and the calendar are copied as they stand (revisions included).
 */
export function draftNextYear(plan: PlanDefinition, results: YearResults): PlanDefinition {
  const year = plan.year + 1;
  const from = String(plan.year);
  return {
    ...plan,
    id: nextYearId(plan),
    year,
    title: plan.title.split(from).join(String(year)),
    documentNumber: '待发文',
    indicators: plan.indicators.map((i) => ({ ...i, target: null, baseline: results.get(i.no) ?? { value: null, rank: null } })),
  };
}

/** The next plan's id, without building it (for a 409 before reading the year's figures). */
export function nextYearId(plan: Pick<PlanDefinition, 'id' | 'year'>): string {
  const from = String(plan.year);
  return plan.id.includes(from) ? plan.id.split(from).join(String(plan.year + 1)) : `${plan.id}-${plan.year + 1}`;
}
