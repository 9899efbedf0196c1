import type { Upcasters } from '../../engine/event-store/envelope.js';
import type { Consequence, Label } from '../plan/plan-file.js';
import type { Decision, LineBasis, ProposalLine } from './rewards.events.js';

/**
 * Stores written before issue 12 hold year-end events with one line per unit × indicator
 * (`lineId` `<indicatorNo>-<unitId>`, the indicator's fields on the line). The document's (五)
 * speaks of 指标单位 — "对年度排名全市第一方阵的指标单位……" — so a unit gets one consequence, and the
 * events now carry one line per unit with its indicators beneath it. Stored events are never
 * rewritten (the hash chains and seals cover their bytes); they are upcast on read, here.
 *
 * Events of both shapes were recorded at schema version 1 (no `schemaVersion` in their metadata),
 * so each upcaster recognises the old shape by its data and leaves the new one as it is.
 *
 * How an old proposal reads: its lines grouped by unit, in the order first seen; a unit whose old
 * lines were all in one tier gets that tier once; a unit whose lines were in different tiers reads
 * as a conflict not yet decided (what the rules now say of it). An old approval keeps what the
 * county government approved: a unit with lines in different tiers keeps every consequence it was
 * given, marked `legacy` with the old line ids, so nothing approved is silently dropped.
 */

/** The old line: one unit × one indicator. */
interface OldLine {
  lineId: string;
  unitId: string;
  unitName: string;
  indicatorNo: number;
  indicatorName: string;
  annualRank: number;
  tier: string;
  tierLabel: Label;
  consequences: Consequence[];
  excluded: boolean;
  basis: LineBasis;
}

interface OldDecision {
  lineId: string;
  unitId: string;
  unitName: string;
  indicatorNo: number;
  indicatorName: string;
  annualRank: number;
  period: string;
  tier: string;
  tierLabel: Label;
  consequences: Consequence[];
  amended: boolean;
}

/** What upcasting says about a line or decision made from old per-indicator ones. */
export interface LegacyLines {
  legacy?: { from: 'per-indicator'; lineIds: string[] };
}

const isOldLine = (l: unknown): l is OldLine => typeof l === 'object' && l !== null && 'indicatorNo' in l && !('indicators' in l);

/** `7-gxj` → `gxj`: the unit's line. A line id that is already a unit id stays. */
export function unitLineId(lineId: string): string {
  const m = /^\d+-(.+)$/.exec(lineId);
  return m ? m[1]! : lineId;
}

function byUnit<T extends { unitId: string }>(items: T[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const i of items) groups.set(i.unitId, [...(groups.get(i.unitId) ?? []), i]);
  return [...groups.values()];
}

function tiersInOrder(tiers: readonly { tier: string }[] | undefined, used: string[]): string[] {
  const order = (tiers ?? []).map((t) => t.tier);
  return [...new Set(used)].sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99));
}

function sameConsequences(lists: Consequence[][]): Consequence[] {
  const seen = new Map<string, Consequence>();
  for (const c of lists.flat()) seen.set(JSON.stringify(c), c);
  return [...seen.values()];
}

export function upcastProposalLines(lines: unknown[], tiers: readonly { tier: string }[] | undefined): (ProposalLine & LegacyLines)[] {
  if (!lines.some(isOldLine)) return lines as ProposalLine[];
  return byUnit(lines.filter(isOldLine)).map((group) => {
    const first = group[0]!;
    const used = tiersInOrder(
      tiers,
      group.map((l) => l.tier),
    );
    const one = used.length === 1;
    return {
      lineId: first.unitId,
      unitId: first.unitId,
      unitName: first.unitName,
      indicators: group.map((l) => ({ indicatorNo: l.indicatorNo, indicatorName: l.indicatorName, annualRank: l.annualRank, tier: l.tier, basis: l.basis })),
      tier: one ? first.tier : null,
      tierLabel: one ? first.tierLabel : null,
      consequences: one ? first.consequences : [],
      excluded: group.every((l) => l.excluded),
      conflict: one ? null : { tiers: used, untiered: 0, decided: null },
      legacy: { from: 'per-indicator', lineIds: group.map((l) => l.lineId) },
    };
  });
}

export function upcastDecisions(decisions: unknown[], tiers: readonly { tier: string }[] | undefined): (Decision & LegacyLines)[] {
  const old = decisions.filter((d): d is OldDecision => typeof d === 'object' && d !== null && 'indicatorNo' in d && !('indicators' in d));
  if (!old.length) return decisions as Decision[];
  return byUnit(old).map((group) => {
    const first = group[0]!;
    const used = tiersInOrder(
      tiers,
      group.map((d) => d.tier),
    );
    const one = used.length === 1;
    return {
      lineId: first.unitId,
      unitId: first.unitId,
      unitName: first.unitName,
      indicators: group.map((d) => ({ indicatorNo: d.indicatorNo, indicatorName: d.indicatorName, annualRank: d.annualRank, period: d.period, tier: d.tier })),
      tier: one ? first.tier : null,
      tierLabel: one ? first.tierLabel : null,
      // What was approved stays what was approved: every consequence the unit's lines carried.
      consequences: one ? first.consequences : sameConsequences(group.map((d) => d.consequences)),
      amended: group.some((d) => d.amended),
      conflict: null,
      legacy: { from: 'per-indicator', lineIds: group.map((d) => d.lineId) },
    };
  });
}

/* eslint-disable @typescript-eslint/no-explicit-any -- upcasters read an older shape than the types describe */
export const REWARDS_UPCASTERS: Upcasters = {
  ProposalGenerated: {
    1: (d: any) => {
      if (!Array.isArray(d?.lines) || !d.lines.some(isOldLine)) return d;
      return {
        ...d,
        lines: upcastProposalLines(d.lines, d.tiers),
        // The old generator had no combination rule: its lines read as the default, conflicts decided by hand.
        combination: d.combination ?? { rule: 'conflicts-by-hand', source: { planRevision: -1, position: '', eventType: 'upcast:per-indicator' } },
      };
    },
  },
  LineAmended: {
    1: (d: any) => (typeof d?.lineId === 'string' ? { ...d, lineId: unitLineId(d.lineId) } : d),
  },
  ProposalApproved: {
    1: (d: any) => {
      if (!Array.isArray(d?.decisions)) return d;
      const excluded = Array.isArray(d.excluded)
        ? [
            ...new Map(
              (d.excluded as { lineId: string; unitId: string; tier: string | null }[]).map((x) => [x.unitId, { lineId: x.unitId, unitId: x.unitId, tier: x.tier }]),
            ).values(),
          ]
        : d.excluded;
      return { ...d, decisions: upcastDecisions(d.decisions, undefined), excluded };
    },
  },
};
/* eslint-enable @typescript-eslint/no-explicit-any */
