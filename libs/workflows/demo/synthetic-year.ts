/**
 * The synthetic figures of the demo year: every peer county's value for every indicator and month,
 * drawn from a seeded PRNG, plausible for the indicator's unit of measure and direction, with our
 * county's rank steered along a path so the year has greens, yellows and a few reds, and with the
 * handful of situations the demo must show (a peer's revision that changes our colour, a red
 * cleared by a correction, a red that improves) put where the script expects them.
 *
 * Pure: no I/O, no clock. The same plan and seed give the same year.
 */
import type { Direction, Indicator, PlanDefinition } from '../plan/plan-file.js';
import { rankCounties } from '../ranking/rank-counties.js';
import type { CountyFigure } from '../ranking/ranking.events.js';

/** mulberry32: small, fast and good enough for synthetic data; the same seed gives the same year. */
export class Rng {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = Math.max(this.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
  shuffle<T>(xs: readonly T[]): T[] {
    const out = [...xs];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
  /** A child generator, so adding draws in one place does not shift every figure after it. */
  fork(label: string): Rng {
    let h = this.#state ^ 0x811c9dc5;
    for (const ch of label) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
    return new Rng(h >>> 0);
  }
}

/** How an indicator's figures look: level, spread, decimals, and whether they accumulate over the year. */
export interface ValueDomain {
  center: number;
  spread: number;
  decimals: number;
  /** Counts and persons grow through the year (a month's figure is the year to date). */
  cumulative: boolean;
  min: number;
  max: number;
}

export function domainOf(indicator: Pick<Indicator, 'name' | 'unitOfMeasure' | 'kind'>, rng: Rng): ValueDomain {
  const name = indicator.name;
  const d = (center: number, spread: number, decimals: number, extra: Partial<ValueDomain> = {}): ValueDomain => ({
    center,
    spread,
    decimals,
    cumulative: false,
    min: -Infinity,
    max: Infinity,
    ...extra,
  });
  if (indicator.kind === 'task') return d(90, 3.5, 1, { min: 60, max: 100 });
  switch (indicator.unitOfMeasure) {
    case 'percent':
      if (name.includes('增速') || name.includes('增长')) return d(6.5, 3.5, 1, { min: -15, max: 40 });
      if (name.includes('降低率')) return d(4.5, 1.8, 1, { min: 0, max: 30 });
      if (name.includes('之比')) return d(0.9, 0.35, 2, { min: 0, max: 10 });
      if (name.includes('优良天数')) return d(68, 7, 1, { min: 30, max: 100 });
      if (name.includes('城镇化率')) return d(46, 5, 1, { min: 20, max: 90 });
      if (name.includes('达标率')) return d(88, 4, 1, { min: 50, max: 100 });
      return d(35 + Math.round(rng.next() * 40), 8, 1, { min: 0, max: 100 });
    case 'percentage-points':
      return d(1.5, 0.8, 1);
    case 'ug/m3':
      return d(47, 6, 1, { min: 10, max: 150 });
    case 'count':
      if (name.includes('新三板')) return d(3, 1.5, 0, { cumulative: true, min: 0 });
      if (name.includes('净增')) return d(14, 6, 0, { cumulative: true, min: 0 });
      return d(26, 8, 0, { cumulative: true, min: 0 });
    case 'persons':
      return d(6000, 1400, 0, { cumulative: true, min: 0 });
    case 'cases':
      return d(1.2, 0.9, 0, { cumulative: true, min: 0 });
    case 'score':
      return d(90, 3.5, 1, { min: 60, max: 100 });
    default:
      return d(100, 25, 1, { min: 0 });
  }
}

const round = (x: number, decimals: number) => Math.round(x * 10 ** decimals) / 10 ** decimals;

/** The demo's set pieces, each on an indicator chosen by the seed. */
export interface DemoScenario {
  /** A peer county's revision of February's figures moves us from green (2nd) to yellow (3rd). */
  peerRevision?: { indicatorNo: number; period: string; countyId: string; before: CountyFigure; after: CountyFigure };
  /** Red in Q1 (5th); the office then finds our Q1 and March figures were entered wrongly: 4th, yellow. */
  clearedByCorrection?: { indicatorNo: number; periods: string[]; corrected: number };
  /** Red in Q1 (6th), then 5th in April and 3rd (yellow) from May: the case closes as improved. */
  improved?: { indicatorNo: number };
  /** Red in Q1; its unit is slow to acknowledge: a public notice (通报). */
  publicNotice?: { indicatorNo: number };
  /** Red in Q1; its feedback is sent back: an admonitory talk (约谈). */
  admonitoryTalk?: { indicatorNo: number };
}

export interface SyntheticYear {
  planId: string;
  year: number;
  seed: number;
  ourCountyId: string;
  /** Every county's figure in the city's order, per indicator and ranking period (months, quarters, the year). */
  figures(indicatorNo: number, period: string): CountyFigure[];
  /** The figures as the city first published them (they differ from `figures` only where the city revised them later). */
  firstPublished(indicatorNo: number, period: string): CountyFigure[];
  /** Our value and rank as first published: what the unit knew when it reported. */
  ours(indicatorNo: number, period: string): { value: number; rank: number | null };
  scenario: DemoScenario;
  /** Quarter-end months' red rows for each quarter (from our ranks), for the script's checks. */
  reds(quarter: number): number[];
}

/** Indicators the set pieces can use: ranked, one unit, a percentage with decimals, higher is better (no ties, exact ranks). */
function scenarioCandidates(plan: PlanDefinition): Indicator[] {
  return plan.indicators.filter(
    (i) => i.kind === 'ranked' && i.units.length === 1 && i.unitOfMeasure === 'percent' && i.direction === 'higher-is-better' && !i.name.includes('之比'),
  );
}

const BASE_RANK_WEIGHTS = [0.2, 0.27, 0.22, 0.19, 0.08, 0.04];
/** Reds per quarter among indicators outside the set pieces: enough to supervise, few enough to follow. */
const OTHER_REDS = { min: 2, max: 4 };

function weighted(rng: Rng, weights: readonly number[]): number {
  let x = rng.next() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i]!;
    if (x < 0) return i + 1;
  }
  return weights.length;
}

/** Our rank month by month: a base rank with occasional steps away and back. */
function rankPath(rng: Rng, base: number, size: number): number[] {
  const path: number[] = [];
  let r = base;
  for (let m = 1; m <= 12; m++) {
    if (Math.abs(r - base) >= 2) r += Math.sign(base - r);
    else if (rng.next() < 0.3) r += rng.next() < 0.5 ? -1 : 1;
    r = Math.min(size, Math.max(1, r));
    path.push(r);
  }
  return path;
}

const better = (direction: Direction) => (a: number, b: number) => (direction === 'higher-is-better' ? a > b : a < b);

/**
 * Six values with ours at `rank` (1 = best for the direction): the peers' values come from their
 * own persistent levels; ours is placed between the peers that must rank above and below it.
 */
function valuesFor(rng: Rng, domain: ValueDomain, direction: Direction, peerLevels: number[], month: number, rank: number): { ours: number; peers: number[] } {
  const scale = domain.cumulative ? month / 12 : 1;
  const res = 10 ** -domain.decimals;
  const clamp = (x: number) => Math.min(domain.max, Math.max(domain.min, x));
  const isBetter = better(direction);
  const peers = peerLevels.map((l) => clamp(round((l + domain.spread * 0.2 * rng.normal()) * scale, domain.decimals)));
  // Best first; kept apart by two steps of resolution where the domain allows, so our value fits between.
  const order = peers.map((v, i) => ({ v, i })).sort((a, b) => (isBetter(a.v, b.v) ? -1 : isBetter(b.v, a.v) ? 1 : 0));
  const continuous = domain.decimals > 0 || domain.spread * scale >= 20;
  if (continuous) {
    for (let k = 1; k < order.length; k++) {
      const prev = order[k - 1]!.v;
      const gap = direction === 'higher-is-better' ? prev - order[k]!.v : order[k]!.v - prev;
      if (gap < 2 * res) order[k]!.v = round(direction === 'higher-is-better' ? prev - 2 * res : prev + 2 * res, domain.decimals);
    }
  }
  const sorted = order.map((o) => o.v);
  const step = Math.max(2 * res, domain.spread * scale * 0.15);
  let ours: number;
  if (rank <= 1) ours = direction === 'higher-is-better' ? sorted[0]! + step : sorted[0]! - step;
  else if (rank > sorted.length) ours = direction === 'higher-is-better' ? sorted.at(-1)! - step : sorted.at(-1)! + step;
  else {
    const above = sorted[rank - 2]!;
    const below = sorted[rank - 1]!;
    ours = above + (below - above) * (0.3 + 0.4 * rng.next());
  }
  ours = clamp(round(ours, domain.decimals));
  const out = [...peers];
  for (const o of order) out[o.i] = o.v;
  return { ours, peers: out };
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * The whole synthetic year of a plan. The set pieces take five distinct indicators chosen by the seed
 * (when the plan has them); every other indicator follows a random path of ranks, with the reds of
 * each quarter-end month kept between OTHER_REDS.min and .max.
 */
export function syntheticYear(plan: PlanDefinition, seed: number): SyntheticYear {
  const root = new Rng(seed);
  const size = plan.peerGroup.size;
  const counties = plan.peerGroup.counties;
  const ours = counties.find((c) => c.ours)!.id;
  const peers = counties.filter((c) => !c.ours).map((c) => c.id);
  const year = plan.year;
  const month = (m: number) => `${year}-${pad(m)}`;

  // The set pieces.
  const candidates = root.fork('scenario').shuffle(scenarioCandidates(plan));
  const [peerNo, clearedNo, improvedNo, noticeNo, talkNo] = candidates.map((i) => i.no);
  const forced = new Map<number, number[]>();
  if (peerNo !== undefined) forced.set(peerNo, [2, 2, 2, 2, 3, 2, 2, 3, 2, 2, 2, 2]); // February revised later to 3rd
  if (clearedNo !== undefined) forced.set(clearedNo, [4, 5, 5, 4, 3, 3, 4, 3, 3, 3, 4, 3]);
  if (improvedNo !== undefined) forced.set(improvedNo, [5, 6, 6, 5, 3, 3, 3, 4, 3, 3, 4, 4]);
  if (noticeNo !== undefined) forced.set(noticeNo, [4, 5, 5, 4, 4, 3, 4, 3, 4, 4, 3, 3]);
  if (talkNo !== undefined) forced.set(talkNo, [5, 5, 6, 4, 4, 4, 3, 4, 4, 3, 3, 4]);

  // Every other indicator's path; then the quarter-end months' reds kept within bounds.
  const paths = new Map<number, number[]>();
  for (const i of plan.indicators) {
    const rng = root.fork(`path-${i.no}`);
    paths.set(i.no, forced.get(i.no) ?? rankPath(rng, Math.min(size, weighted(rng, BASE_RANK_WEIGHTS)), size));
  }
  const others = plan.indicators.filter((i) => !forced.has(i.no)).map((i) => i.no);
  for (const m of [3, 6, 9, 12]) {
    const rng = root.fork(`reds-${m}`);
    const red = rng.shuffle(others.filter((no) => paths.get(no)![m - 1]! >= size - 1));
    for (const no of red.slice(OTHER_REDS.max)) paths.get(no)![m - 1] = size - 2;
    const notRed = rng.shuffle(others.filter((no) => paths.get(no)![m - 1]! < size - 1));
    for (const no of notRed.slice(0, Math.max(0, OTHER_REDS.min - red.length))) paths.get(no)![m - 1] = size - 1;
  }

  // Values: a month's six figures; a quarter's and the year's are their last month's (cumulative).
  const byPeriod = new Map<string, CountyFigure[]>();
  const key = (no: number, period: string) => `${no}/${period}`;
  const scenario: DemoScenario = {};
  for (const i of plan.indicators) {
    const rng = root.fork(`values-${i.no}`);
    const domain = domainOf(i, rng);
    const levels = peers.map(() => domain.center + domain.spread * rng.normal());
    for (let m = 1; m <= 12; m++) {
      const { ours: v, peers: pv } = valuesFor(rng, domain, i.direction, levels, m, paths.get(i.no)![m - 1]!);
      const figures: CountyFigure[] = counties.map((c) => ({ countyId: c.id, value: c.ours ? v : pv[peers.indexOf(c.id)]!, rank: null }));
      byPeriod.set(key(i.no, month(m)), figures);
      if (m % 3 === 0) byPeriod.set(key(i.no, `${year}-Q${m / 3}`), figures);
      if (m === 12) byPeriod.set(key(i.no, String(year)), figures);
    }
  }

  const figuresOf = (no: number, period: string): CountyFigure[] => {
    const f = byPeriod.get(key(no, period));
    if (!f) throw new Error(`no synthetic figures for indicator ${no}, ${period}`);
    return f.map((x) => ({ ...x }));
  };
  const rankOf = (no: number, figures: CountyFigure[]) => {
    const indicator = plan.indicators.find((i) => i.no === no)!;
    return rankCounties(figures, indicator.direction).find((r) => r.countyId === ours)!.rank;
  };

  if (peerNo !== undefined) {
    // February as first published puts us 2nd (the path says so). The city then revises the best
    // peer below us upwards, past us but not past the one above: we are 3rd, yellow.
    const period = month(2);
    const revised = figuresOf(peerNo, period);
    const sorted = revised.filter((f) => f.countyId !== ours).sort((a, b) => b.value! - a.value!);
    const oursValue = revised.find((f) => f.countyId === ours)!.value!;
    const mover = sorted.find((f) => f.value! < oursValue)!;
    // First published just below us, so the revision is a modest one.
    const before = { ...mover, value: round(Math.max(mover.value!, oursValue - 0.5), 1) };
    // A modest revision: past us by up to 0.8 points, never past the peer above.
    const after = { ...mover, value: round(oursValue + Math.max(0.1, Math.min(0.8, (sorted[0]!.value! - oursValue) / 2)), 1) };
    if (after.value! >= sorted[0]!.value!) after.value = round(oursValue + 0.1, 1);
    revised.find((f) => f.countyId === mover.countyId)!.value = after.value;
    byPeriod.set(key(peerNo, period), revised);
    scenario.peerRevision = { indicatorNo: peerNo, period, countyId: mover.countyId, before, after };
  }
  if (clearedNo !== undefined) {
    // The value that should have been entered for Q1 (and March): between the 3rd and 4th peer, so 4th.
    const f = figuresOf(clearedNo, month(3));
    const sorted = f
      .filter((x) => x.countyId !== ours)
      .map((x) => x.value!)
      .sort((a, b) => b - a);
    const corrected = round((sorted[2]! + sorted[3]!) / 2, 1);
    scenario.clearedByCorrection = { indicatorNo: clearedNo, periods: [`${year}-Q1`, month(3)], corrected };
  }
  function firstPublished(no: number, period: string): CountyFigure[] {
    const figures = figuresOf(no, period);
    const p = scenario.peerRevision;
    if (!p || p.indicatorNo !== no || p.period !== period) return figures;
    return figures.map((f) => (f.countyId === p.countyId ? { ...p.before } : f));
  }
  if (improvedNo !== undefined) scenario.improved = { indicatorNo: improvedNo };
  if (noticeNo !== undefined) scenario.publicNotice = { indicatorNo: noticeNo };
  if (talkNo !== undefined) scenario.admonitoryTalk = { indicatorNo: talkNo };

  return {
    planId: plan.id,
    year,
    seed,
    ourCountyId: ours,
    figures: figuresOf,
    firstPublished,
    ours(no, period) {
      const f = firstPublished(no, period);
      return { value: f.find((x) => x.countyId === ours)!.value!, rank: rankOf(no, f) };
    },
    scenario,
    reds(quarter) {
      const period = `${year}-Q${quarter}`;
      return plan.indicators.filter((i) => (rankOf(i.no, figuresOf(i.no, period)) ?? 0) >= size - 1).map((i) => i.no);
    },
  };
}
