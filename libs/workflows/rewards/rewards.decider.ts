import { createHash } from 'node:crypto';
import { assertNever, DomainError, ForbiddenError, type Command, type Decider } from '../../engine/commands/command.js';
import { authorize } from '../access/access.js';
import { CONSEQUENCE_KINDS, PROMOTION_PERSONS, type Consequence, type PromotionPerson, type RewardTier } from '../plan/plan-file.js';
import type { AnnualStanding } from './annual-standing.js';
import {
  lineIdOf,
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
  | Command<'rewards.SubmitForApproval', ReviewRef>
  | Command<'rewards.Approve', ReviewRef & { listHash: string }>
  | Command<'rewards.SendBack', ReviewRef>
  | Command<'rewards.Publish', ReviewRef>;

export const REWARDS_COMMANDS = [
  'rewards.GenerateProposal',
  'rewards.AmendLine',
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
  const label = tiers.find((t) => t.tier === terms.tier)?.label ?? line.tierLabel;
  return { ...line, tier: terms.tier, tierLabel: label, consequences: terms.consequences, excluded: terms.excluded };
}

export const termsOf = (l: ProposalLine): LineTerms => ({ tier: l.tier, consequences: l.consequences, excluded: l.excluded });

/** SHA-256 over the list in a canonical form: what the office submits and the county government approves. */
export function listHash(generation: number, lines: readonly ProposalLine[]): string {
  const canonical = [...lines]
    .sort((a, b) => (a.lineId < b.lineId ? -1 : a.lineId > b.lineId ? 1 : 0))
    .map((l) => [l.lineId, l.annualRank, l.tier, l.excluded, l.consequences.map(canonicalConsequence)]);
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
      throw new DomainError('proposal-not-found', `no proposal for ${ref.planId} ${ref.year} has been generated`, { status: 404 });
    }
    switch (c.type) {
      case 'rewards.GenerateProposal': {
        if (s.status !== 'none' && s.status !== 'draft') {
          throw new DomainError('proposal-not-draft', `the ${ref.year} proposal is ${s.status}; it can be regenerated only while it is a draft`);
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

      case 'rewards.SubmitForApproval':
        requireDraft(s, ref, 'submitted');
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

      case 'rewards.Approve': {
        if (s.status !== 'submitted') {
          throw new DomainError(
            'proposal-not-submitted',
            s.status === 'draft' ? 'the proposal is still a draft: the office submits it first' : `the ${ref.year} list is ${s.status} already`,
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
              excluded: s.lines.filter((l) => l.excluded).map((l) => ({ lineId: l.lineId, unitId: l.unitId, indicatorNo: l.indicatorNo, tier: l.tier })),
            },
          },
        ];
      }

      case 'rewards.SendBack': {
        if (s.status !== 'submitted') {
          throw new DomainError('proposal-not-submitted', `only a submitted proposal can be sent back (it is ${s.status})`);
        }
        const reason = requireReason(c.meta.reason, 'the office needs to know what to change');
        return [{ type: 'ProposalSentBack', data: { ...ref, generation: s.generation, listHash: s.listHash!, sentBackBy: by, reason } }];
      }

      case 'rewards.Publish':
        if (s.status === 'published') return [];
        if (s.status !== 'approved') {
          throw new DomainError('proposal-not-approved', `only an approved list can be published (it is ${s.status})`);
        }
        return [{ type: 'DecisionsPublished', data: { ...ref, generation: s.generation, listHash: s.listHash!, decisions: s.lines.filter((l) => !l.excluded).length } }];

      default:
        return assertNever(c, 'rewards command');
    }
  },
};

/** For each indicator in a tier, one line per responsible unit; the others are listed as untiered or unranked. */
export function proposalLines(ctx: ReviewContext): { lines: ProposalLine[]; untiered: UntieredIndicator[]; unranked: UnrankedIndicator[] } {
  if (ctx.standings.length === 0) {
    throw new DomainError('no-standings', `no indicator of ${ctx.planId} has a standing for ${ctx.year} yet: record the year’s figures first`);
  }
  const lines: ProposalLine[] = [];
  const untiered: UntieredIndicator[] = [];
  const unranked: UnrankedIndicator[] = [];
  for (const indicator of ctx.indicators) {
    const standing = ctx.standings.find((s) => s.indicatorNo === indicator.no);
    if (!standing) {
      unranked.push({ indicatorNo: indicator.no, indicatorName: indicator.name });
      continue;
    }
    const tier = ctx.tiers.find((t) => standing.rank >= t.fromRank && standing.rank <= t.toRank);
    if (!tier) {
      untiered.push({ indicatorNo: indicator.no, indicatorName: indicator.name, period: standing.period, rank: standing.rank });
      continue;
    }
    for (const unit of indicator.units) {
      lines.push({
        lineId: lineIdOf(indicator.no, unit.id),
        unitId: unit.id,
        unitName: unit.name,
        indicatorNo: indicator.no,
        indicatorName: indicator.name,
        annualRank: standing.rank,
        tier: tier.tier,
        tierLabel: tier.label,
        consequences: tier.consequences.map((x) => ({ ...x })),
        excluded: false,
        basis: {
          period: standing.period,
          rank: standing.rank,
          fallback: standing.fallback,
          note: standing.note,
          standingEvents: standing.standingEvents,
          ...ctx.rules,
        },
      });
    }
  }
  return { lines, untiered, unranked };
}

function decisionOf(l: ProposalLine, amended: boolean): Decision {
  return {
    lineId: l.lineId,
    unitId: l.unitId,
    unitName: l.unitName,
    indicatorNo: l.indicatorNo,
    indicatorName: l.indicatorName,
    annualRank: l.annualRank,
    period: l.basis.period,
    tier: l.tier,
    tierLabel: l.tierLabel,
    consequences: l.consequences,
    amended,
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
    );
  }
}

function requireReason(reason: string | undefined, why: string): string {
  if (!reason?.trim()) throw new DomainError('reason-required', `a reason is required: ${why}`, { status: 422, fields: [{ field: 'reason', message: 'required' }] });
  return reason.trim();
}

function invalid(field: string, message: string): DomainError {
  return new DomainError('invalid-value', `${field}: ${message}`, { status: 422, fields: [{ field, message }] });
}
