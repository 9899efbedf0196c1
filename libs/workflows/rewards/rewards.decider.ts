import { createHash } from 'node:crypto';
import { assertNever, DomainError, ForbiddenError, type Command, type Decider } from '../../engine/commands/command.js';
import { authorize } from '../access/access.js';
import { CONSEQUENCE_KINDS, PROMOTION_PERSONS, type Consequence, type PromotionPerson, type RewardTier, type TierCombination } from '../plan/plan-file.js';
import type { AnnualStanding } from './annual-standing.js';
import {
  CONFLICT_DECISIONS,
  lineIdOf,
  type ConflictDecision,
  type IndicatorStanding,
  type Decision,
  type LineTerms,
  type PlanRuleRef,
  type ProposalLine,
  type ReviewRef,
  type RewardsEvent,
  type ScoringRuleRef,
  type UnrankedIndicator,
  type UntieredIndicator,
} from './rewards.events.js';

/**
 * What the plan and the ranking workflow say at the moment of generation, gathered by the handler
 * and recorded in the proposal: the decision never reads the plan or the figures itself.
 */
export interface ReviewContext extends ReviewRef {
  tiers: RewardTier[];
  /** How a unit's indicators' tiers combine (the plan's rewards.combination), and the plan event that set it. */
  combination: { rule: TierCombination; source: PlanRuleRef };
  rules: { rewardRule: PlanRuleRef; warningRule: PlanRuleRef; scoringRule: ScoringRuleRef | null };
  /** Every indicator of the plan, in order, with its responsible units in the source's order. */
  indicators: { no: number; name: string; units: { id: string; name: string }[] }[];
  /** The annual standing of each indicator that has one. */
  standings: ({ indicatorNo: number } & AnnualStanding)[];
}

export interface LineAmendment {
  lineId: string;
  /** A tier id of the plan's reward tiers; its consequences come with it unless `consequences` is given. */
  tier?: string;
  consequences?: Consequence[];
  excluded?: boolean;
}

export type RewardsCommand =
  | Command<'rewards.GenerateProposal', { context: ReviewContext }>
  | Command<'rewards.AmendLine', ReviewRef & LineAmendment>
  | Command<'rewards.DecideConflict', ReviewRef & { lineId: string; decision: ConflictDecision }>
  | Command<'rewards.SubmitForApproval', ReviewRef>
  | Command<'rewards.Approve', ReviewRef & { listHash: string }>
  | Command<'rewards.SendBack', ReviewRef>
  | Command<'rewards.Publish', ReviewRef>;

export const REWARDS_COMMANDS = [
  'rewards.GenerateProposal',
  'rewards.AmendLine',
  'rewards.DecideConflict',
  'rewards.SubmitForApproval',
  'rewards.Approve',
  'rewards.SendBack',
  'rewards.Publish',
] as const satisfies readonly RewardsCommand['type'][];

export type ReviewStatus = 'none' | 'draft' | 'submitted' | 'approved' | 'published';

export interface ReviewState {
  status: ReviewStatus;
  generation: number;
  tiers: RewardTier[];
  lines: ProposalLine[];
  /** Lines amended since the current generation. */
  amended: string[];
  /** Everyone who generated, amended or submitted the proposal: none of them may approve it. */
  proposers: string[];
  listHash: string | null;
}

const initialState = (): ReviewState => ({ status: 'none', generation: 0, tiers: [], lines: [], amended: [], proposers: [], listHash: null });

const withProposer = (s: ReviewState, userId: string) => (s.proposers.includes(userId) ? s.proposers : [...s.proposers, userId]);

export function evolveReview(s: ReviewState, e: RewardsEvent): ReviewState {
  switch (e.type) {
    case 'ProposalGenerated':
      return {
        ...s,
        status: 'draft',
        generation: e.data.generation,
        tiers: e.data.tiers,
        lines: e.data.lines,
        amended: [],
        proposers: withProposer(s, e.data.generatedBy),
        listHash: null,
      };
    case 'LineAmended':
      return {
        ...s,
        lines: s.lines.map((l) => (l.lineId === e.data.lineId ? withTerms(l, e.data.after, s.tiers) : l)),
        amended: s.amended.includes(e.data.lineId) ? s.amended : [...s.amended, e.data.lineId],
        proposers: withProposer(s, e.data.amendedBy),
      };
    case 'ConflictDecided':
      return {
        ...s,
        lines: s.lines.map((l) => (l.lineId === e.data.lineId ? decidedLine(l, e.data.decision, e.data.reason, e.data.after, s.tiers) : l)),
        proposers: withProposer(s, e.data.decidedBy),
      };
    case 'ProposalSubmitted':
      return { ...s, status: 'submitted', listHash: e.data.listHash, proposers: withProposer(s, e.data.submittedBy) };
    case 'ProposalSentBack':
      return { ...s, status: 'draft', listHash: null };
    case 'ProposalApproved':
      return { ...s, status: 'approved' };
    case 'DecisionsPublished':
      return { ...s, status: 'published' };
    default:
      return assertNever(e, 'rewards event');
  }
}

export function withTerms(line: ProposalLine, terms: LineTerms, tiers: readonly RewardTier[]): ProposalLine {
  const label = terms.tier === null ? null : (tiers.find((t) => t.tier === terms.tier)?.label ?? line.tierLabel);
  return { ...line, tier: terms.tier, tierLabel: label, consequences: terms.consequences, excluded: terms.excluded };
}

export function decidedLine(line: ProposalLine, decision: ConflictDecision, reason: string, terms: LineTerms, tiers: readonly RewardTier[]): ProposalLine {
  const withDecision = line.conflict ? { ...line, conflict: { ...line.conflict, decided: { decision, reason } } } : line;
  return withTerms(withDecision, terms, tiers);
}

/** The conflicts the office has still to decide: the list cannot go to approval while there are any. */
export const undecidedConflicts = (lines: readonly ProposalLine[]) => lines.filter((l) => !l.excluded && l.conflict !== null && l.conflict.decided === null);

export const termsOf = (l: ProposalLine): LineTerms => ({ tier: l.tier, consequences: l.consequences, excluded: l.excluded });

/** SHA-256 over the list in a canonical form: what the office submits and the county government approves. */
export function listHash(generation: number, lines: readonly ProposalLine[]): string {
  const canonical = [...lines]
    .sort((a, b) => (a.lineId < b.lineId ? -1 : a.lineId > b.lineId ? 1 : 0))
    .map((l) => [
      l.lineId,
      l.indicators.map((i) => [i.indicatorNo, i.annualRank, i.tier]),
      l.tier,
      l.excluded,
      l.consequences.map(canonicalConsequence),
      l.conflict?.decided?.decision ?? null,
    ]);
  return createHash('sha256')
    .update(JSON.stringify([generation, canonical]))
    .digest('hex');
}

function canonicalConsequence(c: Consequence): unknown[] {
  switch (c.kind) {
    case 'commendation-priority':
    case 'public-criticism':
      return [c.kind, c.zh];
    case 'recommend-for-promotion':
      return [c.kind, c.persons, c.zh];
    case 'pause-promotion':
      return [c.kind, c.persons, c.months, c.zh];
    case 'working-funds':
      return [c.kind, c.months, c.zh];
    default:
      return assertNever(c, 'consequence');
  }
}

function refOf(c: RewardsCommand): ReviewRef {
  const d = 'context' in c.data ? c.data.context : c.data;
  return { planId: d.planId, year: d.year };
}

export const rewardsDecider: Decider<RewardsCommand, RewardsEvent, ReviewState> = {
  initialState,
  evolve: evolveReview,

  authorize(c, s) {
    switch (c.type) {
      case 'rewards.GenerateProposal':
      case 'rewards.AmendLine':
      case 'rewards.DecideConflict':
      case 'rewards.SubmitForApproval':
      case 'rewards.Publish':
        return authorize(c.meta.actor, 'rewards.propose');
      case 'rewards.Approve': {
        const role = authorize(c.meta.actor, 'rewards.approve');
        // Four eyes: whoever took part in proposing the list may not also approve it.
        if (s.proposers.includes(c.meta.actor.userId)) {
          throw new ForbiddenError('whoever generated, amended or submitted the year-end proposal may not approve it: another member of the county government approves it');
        }
        return role;
      }
      case 'rewards.SendBack':
        return authorize(c.meta.actor, 'rewards.approve');
      default:
        return assertNever(c, 'rewards command');
    }
  },

  decide(c, s) {
    const ref = refOf(c);
    const by = c.meta.actor.userId;
    if (c.type !== 'rewards.GenerateProposal' && s.status === 'none') {
      throw new DomainError('proposal-not-found', `no proposal for ${ref.planId} ${ref.year} has been generated`, { params: { year: ref.year }, status: 404 });
    }
    switch (c.type) {
      case 'rewards.GenerateProposal': {
        if (s.status !== 'none' && s.status !== 'draft') {
          throw new DomainError('proposal-not-draft', `the ${ref.year} proposal is ${s.status}; it can be regenerated only while it is a draft`, {
            params: { year: ref.year, status: s.status },
          });
        }
        // A regeneration replaces a recorded proposal (and any amendments to it): say why.
        const reason =
          s.status === 'draft' ? requireReason(c.meta.reason, 'regenerating the proposal replaces the recorded one and its amendments') : c.meta.reason?.trim() || null;
        const { lines, untiered, unranked } = proposalLines(c.data.context);
        return [
          {
            type: 'ProposalGenerated',
            data: {
              ...ref,
              generation: s.generation + 1,
              generatedBy: by,
              tiers: c.data.context.tiers,
              combination: c.data.context.combination,
              lines,
              untiered,
              unranked,
              discardedAmendments: s.status === 'draft' ? s.amended.length : 0,
              reason,
            },
          },
        ];
      }

      case 'rewards.AmendLine': {
        requireDraft(s, ref, 'amended');
        const reason = requireReason(c.meta.reason, 'an amendment changes what the rules gave');
        const line = s.lines.find((l) => l.lineId === c.data.lineId);
        if (!line) {
          throw new DomainError('line-not-found', `the proposal has no line ${c.data.lineId}`, {
            status: 404,
            fields: [{ field: 'lineId', message: 'not a line of the proposal' }],
          });
        }
        if (line.conflict && !line.conflict.decided) {
          throw new DomainError(
            'conflict-undecided',
            `${line.unitName}'s indicators fall in different tiers: decide the conflict (reward, penalty or neither) before amending the line`,
            { params: { unitName: line.unitName }, status: 409 },
          );
        }
        const { tier, consequences, excluded } = c.data;
        if (tier === undefined && consequences === undefined && excluded === undefined) {
          throw new DomainError('amendment-empty', 'say what changes: tier, consequences or excluded', {
            status: 422,
            fields: [{ field: 'tier', message: 'give tier, consequences or excluded' }],
          });
        }
        const before = termsOf(line);
        let after: LineTerms = { ...before };
        if (tier !== undefined && tier !== before.tier) {
          const def = s.tiers.find((t) => t.tier === tier);
          if (!def) {
            throw new DomainError('unknown-tier', `"${tier}" is not a reward tier of the plan (${s.tiers.map((t) => t.tier).join(', ')})`, {
              params: { tier, tiers: s.tiers.map((t) => t.tier) },
              status: 422,
              fields: [{ field: 'tier', message: `one of ${s.tiers.map((t) => t.tier).join(', ')}` }],
            });
          }
          after = { ...after, tier, consequences: def.consequences.map((x) => ({ ...x })) };
        }
        if (consequences !== undefined) after = { ...after, consequences: checkConsequences(consequences) };
        if (excluded !== undefined) {
          if (typeof excluded !== 'boolean') throw invalid('excluded', 'must be true or false');
          after = { ...after, excluded };
        }
        if (JSON.stringify(after) === JSON.stringify(before)) return [];
        return [{ type: 'LineAmended', data: { ...ref, generation: s.generation, lineId: line.lineId, before, after, amendedBy: by, reason } }];
      }

      case 'rewards.DecideConflict': {
        requireDraft(s, ref, 'decided');
        const reason = requireReason(c.meta.reason, 'the rules give no consequence for a unit whose indicators fall in different tiers');
        const line = s.lines.find((l) => l.lineId === c.data.lineId);
        if (!line) {
          throw new DomainError('line-not-found', `the proposal has no line ${c.data.lineId}`, {
            status: 404,
            fields: [{ field: 'lineId', message: 'not a line of the proposal' }],
          });
        }
        if (!line.conflict) {
          throw new DomainError('no-conflict', `${line.unitName}'s indicators all fall in one tier: the rules decide it (amend the line to change it)`, {
            params: { unitName: line.unitName },
            status: 409,
          });
        }
        const decision = c.data.decision;
        if (!(CONFLICT_DECISIONS as readonly unknown[]).includes(decision)) throw invalid('decision', `must be one of ${CONFLICT_DECISIONS.join(', ')}`);
        const tier = decision === 'neither' ? null : conflictTier(s.tiers, line, decision);
        const before = termsOf(line);
        const after: LineTerms = { ...before, tier: tier?.tier ?? null, consequences: tier ? tier.consequences.map((x) => ({ ...x })) : [] };
        if (line.conflict.decided?.decision === decision && line.conflict.decided.reason === reason) return [];
        return [{ type: 'ConflictDecided', data: { ...ref, generation: s.generation, lineId: line.lineId, decision, before, after, decidedBy: by, reason } }];
      }

      case 'rewards.SubmitForApproval': {
        requireDraft(s, ref, 'submitted');
        const undecided = undecidedConflicts(s.lines);
        if (undecided.length > 0) {
          throw new DomainError(
            'conflicts-undecided',
            `decide each conflict before submitting: ${undecided.map((l) => l.unitName).join(', ')} ${undecided.length === 1 ? 'has' : 'have'} indicators in different tiers`,
            {
              params: { unitNames: undecided.map((l) => l.unitName) },
              status: 422,
              fields: undecided.map((l) => ({ field: `lines.${l.lineId}`, message: 'conflict undecided: reward, penalty or neither' })),
            },
          );
        }
        return [
          {
            type: 'ProposalSubmitted',
            data: {
              ...ref,
              generation: s.generation,
              listHash: listHash(s.generation, s.lines),
              submittedBy: by,
              lines: s.lines.filter((l) => !l.excluded).length,
              excluded: s.lines.filter((l) => l.excluded).length,
            },
          },
        ];
      }

      case 'rewards.Approve': {
        if (s.status !== 'submitted') {
          throw new DomainError(
            'proposal-not-submitted',
            s.status === 'draft' ? 'the proposal is still a draft: the office submits it first' : `the ${ref.year} list is ${s.status} already`,
            { params: { year: ref.year, status: s.status } },
          );
        }
        if (c.data.listHash !== s.listHash) {
          throw new DomainError('list-changed', 'the list changed since you read it: the approval must cover exactly the submitted list; reload and approve again', {
            expected: s.listHash,
            fields: [{ field: 'listHash', message: 'not the hash of the submitted list' }],
          });
        }
        return [
          {
            type: 'ProposalApproved',
            data: {
              ...ref,
              generation: s.generation,
              listHash: s.listHash,
              approvedBy: { userId: by, name: c.meta.actor.name ?? by },
              decisions: s.lines.filter((l) => !l.excluded).map((l) => decisionOf(l, s.amended.includes(l.lineId))),
              excluded: s.lines.filter((l) => l.excluded).map((l) => ({ lineId: l.lineId, unitId: l.unitId, tier: l.tier })),
            },
          },
        ];
      }

      case 'rewards.SendBack': {
        if (s.status !== 'submitted') {
          throw new DomainError('proposal-not-submitted', `only a submitted proposal can be sent back (it is ${s.status})`, { params: { year: ref.year, status: s.status } });
        }
        const reason = requireReason(c.meta.reason, 'the office needs to know what to change');
        return [{ type: 'ProposalSentBack', data: { ...ref, generation: s.generation, listHash: s.listHash!, sentBackBy: by, reason } }];
      }

      case 'rewards.Publish':
        if (s.status === 'published') return [];
        if (s.status !== 'approved') {
          throw new DomainError('proposal-not-approved', `only an approved list can be published (it is ${s.status})`, { params: { status: s.status } });
        }
        return [{ type: 'DecisionsPublished', data: { ...ref, generation: s.generation, listHash: s.listHash!, decisions: s.lines.filter((l) => !l.excluded).length } }];

      default:
        return assertNever(c, 'rewards command');
    }
  },
};

/**
 * One line per responsible unit (指标单位) with an indicator in a tier, its indicators' annual ranks
 * beneath it: "对年度排名全市第一方阵的指标单位…；对年度排名全市第三方阵的指标单位…" — the consequence falls
 * on the unit, once. How the tiers of a unit's indicators combine is the plan's rule
 * (`ctx.combination`). Indicators in no tier or with no rank are listed as untiered or unranked.
 */
export function proposalLines(ctx: ReviewContext): { lines: ProposalLine[]; untiered: UntieredIndicator[]; unranked: UnrankedIndicator[] } {
  if (ctx.standings.length === 0) {
    throw new DomainError('no-standings', `no indicator of ${ctx.planId} has a standing for ${ctx.year} yet: record the year’s figures first`, { params: { year: ctx.year } });
  }
  const byUnit = new Map<string, { name: string; indicators: IndicatorStanding[] }>();
  const untiered: UntieredIndicator[] = [];
  const unranked: UnrankedIndicator[] = [];
  for (const indicator of ctx.indicators) {
    const standing = ctx.standings.find((s) => s.indicatorNo === indicator.no);
    if (!standing) {
      // No rank, no evidence either way: it neither gives a unit a tier nor makes a conflict.
      unranked.push({ indicatorNo: indicator.no, indicatorName: indicator.name });
      continue;
    }
    const tier = ctx.tiers.find((t) => standing.rank >= t.fromRank && standing.rank <= t.toRank) ?? null;
    if (!tier) untiered.push({ indicatorNo: indicator.no, indicatorName: indicator.name, period: standing.period, rank: standing.rank });
    // An indicator with two responsible units counts for each of them.
    for (const unit of indicator.units) {
      const entry = byUnit.get(unit.id) ?? { name: unit.name, indicators: [] };
      entry.indicators.push({
        indicatorNo: indicator.no,
        indicatorName: indicator.name,
        annualRank: standing.rank,
        tier: tier?.tier ?? null,
        basis: {
          period: standing.period,
          rank: standing.rank,
          fallback: standing.fallback,
          note: standing.note,
          standingEvents: standing.standingEvents,
          ...ctx.rules,
        },
      });
      byUnit.set(unit.id, entry);
    }
  }
  const lines: ProposalLine[] = [];
  for (const [unitId, { name, indicators }] of byUnit) {
    const inTiers = ctx.tiers.filter((t) => indicators.some((i) => i.tier === t.tier));
    if (inTiers.length === 0) continue; // every rank in no tier: no reward, no penalty, no line
    const untieredCount = indicators.filter((i) => i.tier === null).length;
    const line = { lineId: lineIdOf(unitId), unitId, unitName: name, indicators, excluded: false };
    const combined = combineTiers(ctx.combination.rule, inTiers, untieredCount);
    lines.push(
      combined
        ? { ...line, tier: combined.tier, tierLabel: combined.label, consequences: combined.consequences.map((x) => ({ ...x })), conflict: null }
        : { ...line, tier: null, tierLabel: null, consequences: [], conflict: { tiers: inTiers.map((t) => t.tier), untiered: untieredCount, decided: null } },
    );
  }
  return { lines, untiered, unranked };
}

/** The unit's one tier under the plan's rule, or null for a conflict the office decides. */
function combineTiers(rule: TierCombination, inTiers: readonly RewardTier[], untiered: number): RewardTier | null {
  switch (rule) {
    case 'conflicts-by-hand':
      // All in the first tier (or all in the third) is that tier once; any mix — first and third,
      // or a tier and ranks in no tier — is for the office to decide.
      return inTiers.length === 1 && untiered === 0 ? inTiers[0]! : null;
    default:
      return assertNever(rule, 'tier combination');
  }
}

/**
 * The tier a conflict decision gives: a reward is the best-ranked tier among the unit's indicators'
 * (the plan's first), a penalty the worst-ranked (its third); the unit must have an indicator in it.
 */
function conflictTier(tiers: readonly RewardTier[], line: ProposalLine, decision: 'reward' | 'penalty'): RewardTier {
  const ordered = [...tiers].sort((a, b) => a.fromRank - b.fromRank);
  const tier = decision === 'reward' ? ordered[0] : ordered[ordered.length - 1];
  if (!tier || !line.conflict!.tiers.includes(tier.tier)) {
    throw new DomainError(
      'decision-without-evidence',
      `none of ${line.unitName}'s indicators is in the ${tier?.tier ?? decision} tier: decide ${decision === 'reward' ? 'penalty' : 'reward'} or neither`,
      {
        params: { unitName: line.unitName, tier: tier?.tier ?? decision },
        status: 422,
        fields: [{ field: 'decision', message: `no indicator of the unit is in the ${tier?.tier ?? decision} tier` }],
      },
    );
  }
  return tier;
}

function decisionOf(l: ProposalLine, amended: boolean): Decision {
  return {
    lineId: l.lineId,
    unitId: l.unitId,
    unitName: l.unitName,
    indicators: l.indicators.map((i) => ({ indicatorNo: i.indicatorNo, indicatorName: i.indicatorName, annualRank: i.annualRank, period: i.basis.period, tier: i.tier })),
    tier: l.tier,
    tierLabel: l.tierLabel,
    consequences: l.consequences,
    amended,
    conflict: l.conflict?.decided ? { tiers: l.conflict.tiers, untiered: l.conflict.untiered, ...l.conflict.decided } : null,
  };
}

/** Consequences an amendment sets, checked as the plan file checks them, naming the field. */
export function checkConsequences(list: unknown): Consequence[] {
  if (!Array.isArray(list)) throw invalid('consequences', 'must be a list');
  return list.map((raw, i): Consequence => {
    const at = `consequences[${i}]`;
    if (raw === null || typeof raw !== 'object') throw invalid(at, 'must be an object');
    const c = raw as Record<string, unknown>;
    const kind = c.kind as Consequence['kind'];
    if (!(CONSEQUENCE_KINDS as readonly unknown[]).includes(kind)) throw invalid(`${at}.kind`, `must be one of ${CONSEQUENCE_KINDS.join(', ')}`);
    if (typeof c.zh !== 'string' || !c.zh.trim()) throw invalid(`${at}.zh`, 'the wording is required');
    const zh = c.zh.trim();
    const persons = (): PromotionPerson[] => {
      const p = c.persons;
      if (!Array.isArray(p) || p.length === 0 || p.some((x) => !(PROMOTION_PERSONS as readonly unknown[]).includes(x)) || new Set(p).size !== p.length) {
        throw invalid(`${at}.persons`, `must list one or more of ${PROMOTION_PERSONS.join(', ')}, each once`);
      }
      return p as PromotionPerson[];
    };
    const months = (ok: (n: number) => boolean, what: string): number => {
      if (typeof c.months !== 'number' || !ok(c.months)) throw invalid(`${at}.months`, what);
      return c.months;
    };
    switch (kind) {
      case 'commendation-priority':
      case 'public-criticism':
        return { kind, zh };
      case 'recommend-for-promotion':
        return { kind, persons: persons(), zh };
      case 'pause-promotion':
        return { kind, persons: persons(), months: months((n) => Number.isInteger(n) && n > 0, 'must be a positive whole number of months'), zh };
      case 'working-funds':
        return { kind, months: months((n) => Number.isInteger(n) && n !== 0, 'must be a non-zero whole number of months (negative deducts)'), zh };
      default:
        return assertNever(kind, 'consequence kind');
    }
  });
}

function requireDraft(s: ReviewState, ref: ReviewRef, verb: string): void {
  if (s.status !== 'draft') {
    throw new DomainError(
      'proposal-not-draft',
      `the ${ref.year} proposal is ${s.status}; it can be ${verb} only while it is a draft${s.status === 'submitted' ? ' (the county government may send it back)' : ''}`,
      { params: { year: ref.year, status: s.status } },
    );
  }
}

function requireReason(reason: string | undefined, why: string): string {
  if (!reason?.trim()) throw new DomainError('reason-required', `a reason is required: ${why}`, { status: 422, fields: [{ field: 'reason', message: 'required' }] });
  return reason.trim();
}

function invalid(field: string, message: string): DomainError {
  return new DomainError('invalid-value', `${field}: ${message}`, { params: { field }, status: 422, fields: [{ field, message }] });
}
