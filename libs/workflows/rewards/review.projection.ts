import { assertNever } from '../../engine/commands/command.js';
import type { RecordedEvent } from '../../engine/event-store/event-store.js';
import type { DocReader, Projection } from '../../engine/projections/docs.js';
import type { RewardTier } from '../plan/plan-file.js';
import { decidedLine, withTerms, type ReviewStatus } from './rewards.decider.js';
import {
  REWARDS_EVENT_TYPES,
  type Decision,
  type LineTerms,
  type ProposalApproved,
  type ProposalLine,
  type RewardsEvent,
  type UnrankedIndicator,
  type UntieredIndicator,
} from './rewards.events.js';

export const REWARDS_PROJECTION = 'rewards';

export interface Who {
  userId: string;
  role: string;
  name?: string;
}

export interface AmendmentRecord {
  before: LineTerms;
  after: LineTerms;
  reason: string;
  by: Who;
  at: string;
  position: string;
}

export interface StepRecord {
  type: RewardsEvent['type'];
  generation: number;
  by: Who;
  at: string;
  reason?: string;
  position: string;
}

/** The year-end proposal as the office and the county government read it: the current lines, each with its amendments. */
export interface ProposalView {
  planId: string;
  year: number;
  status: ReviewStatus;
  /** The stream revision: the If-Match for the next command on this review. */
  revision: number;
  generation: number;
  generated: { by: Who; at: string; position: string; reason: string | null; discardedAmendments: number };
  tiers: RewardTier[];
  lines: (ProposalLine & { amendments: AmendmentRecord[] })[];
  untiered: UntieredIndicator[];
  unranked: UnrankedIndicator[];
  /** Set while submitted or approved: the approval must name it. */
  listHash: string | null;
  submitted: { by: Who; at: string; position: string; listHash: string } | null;
  sendBacks: { generation: number; by: Who; at: string; reason: string; position: string }[];
  approved: { by: Who; at: string; reason: string | null; position: string } | null;
  published: { by: Who; at: string; position: string } | null;
  /** Every step of the review, every generation. */
  history: StepRecord[];
}

/** The decisions of the county government: exists from approval on. */
export interface DecisionListView {
  planId: string;
  year: number;
  status: 'approved' | 'published';
  generation: number;
  listHash: string;
  approved: { by: Who; at: string; reason: string | null; position: string };
  published: { by: Who; at: string; position: string } | null;
  decisions: Decision[];
  excluded: ProposalApproved['data']['excluded'];
  counts: Record<string, number>;
}

export const reviewKey = (planId: string, year: number) => `${planId}/${year}`;

/** The proposal (collection `proposal`) and the decision list (collection `decisions`), one document each per plan × year. */
export const reviewProjection: Projection = {
  name: REWARDS_PROJECTION,
  // 2: one line per unit (指标单位), with its indicators beneath it and the office's conflict decisions.
  version: 2,
  eventTypes: REWARDS_EVENT_TYPES,
  async apply(e, docs) {
    const event = { type: e.type, data: e.data } as RewardsEvent;
    const key = reviewKey(event.data.planId, event.data.year);
    const current = await docs.get<ProposalView>('proposal', key);
    if (!current && event.type !== 'ProposalGenerated') return;
    const view = applyToProposal(current, event, e);
    docs.put('proposal', key, view);
    if (event.type === 'ProposalApproved') {
      docs.put('decisions', key, {
        planId: view.planId,
        year: view.year,
        status: 'approved',
        generation: event.data.generation,
        listHash: event.data.listHash,
        approved: view.approved!,
        published: null,
        decisions: event.data.decisions,
        excluded: event.data.excluded,
        counts: countByTier(event.data.decisions),
      } satisfies DecisionListView);
    }
    if (event.type === 'DecisionsPublished') {
      const list = await docs.get<DecisionListView>('decisions', key);
      if (list) docs.put('decisions', key, { ...list, status: 'published', published: view.published });
    }
  },
};

function who(e: RecordedEvent): Who {
  const a = e.metadata.actor;
  return { userId: a.userId, role: a.role, ...(a.name ? { name: a.name } : {}) };
}

function applyToProposal(current: ProposalView | undefined, event: RewardsEvent, e: RecordedEvent): ProposalView {
  const m = e.metadata;
  const at = m.recordedAt;
  const by = who(e);
  const generation = event.type === 'ProposalGenerated' ? event.data.generation : current!.generation;
  const step: StepRecord = { type: event.type, generation, by, at, ...(m.reason ? { reason: m.reason } : {}), position: e.position };
  switch (event.type) {
    case 'ProposalGenerated': {
      const d = event.data;
      return {
        planId: d.planId,
        year: d.year,
        status: 'draft',
        revision: e.revision,
        generation: d.generation,
        generated: { by, at, position: e.position, reason: d.reason, discardedAmendments: d.discardedAmendments },
        tiers: d.tiers,
        lines: d.lines.map((l) => ({ ...l, amendments: [] })),
        untiered: d.untiered,
        unranked: d.unranked,
        listHash: null,
        submitted: null,
        sendBacks: current?.sendBacks ?? [],
        approved: null,
        published: null,
        history: [...(current?.history ?? []), step],
      };
    }
    case 'LineAmended': {
      const v = current!;
      const d = event.data;
      const record: AmendmentRecord = { before: d.before, after: d.after, reason: d.reason, by, at, position: e.position };
      return {
        ...v,
        revision: e.revision,
        lines: v.lines.map((l) => (l.lineId === d.lineId ? { ...withTerms(l, d.after, v.tiers), amendments: [...l.amendments, record] } : l)),
        history: [...v.history, step],
      };
    }
    case 'ConflictDecided': {
      const v = current!;
      const d = event.data;
      return {
        ...v,
        revision: e.revision,
        lines: v.lines.map((l) => (l.lineId === d.lineId ? { ...decidedLine(l, d.decision, d.reason, d.after, v.tiers), amendments: l.amendments } : l)),
        history: [...v.history, step],
      };
    }
    case 'ProposalSubmitted':
      return {
        ...current!,
        status: 'submitted',
        revision: e.revision,
        listHash: event.data.listHash,
        submitted: { by, at, position: e.position, listHash: event.data.listHash },
        history: [...current!.history, step],
      };
    case 'ProposalSentBack':
      return {
        ...current!,
        status: 'draft',
        revision: e.revision,
        listHash: null,
        submitted: null,
        sendBacks: [...current!.sendBacks, { generation, by, at, reason: event.data.reason, position: e.position }],
        history: [...current!.history, step],
      };
    case 'ProposalApproved':
      return { ...current!, status: 'approved', revision: e.revision, approved: { by, at, reason: m.reason ?? null, position: e.position }, history: [...current!.history, step] };
    case 'DecisionsPublished':
      return { ...current!, status: 'published', revision: e.revision, published: { by, at, position: e.position }, history: [...current!.history, step] };
    default:
      return assertNever(event, 'rewards event');
  }
}

function countByTier(decisions: readonly Decision[]): Record<string, number> {
  const counts: Record<string, number> = {};
  // 'none': a conflict the office decided neither way.
  for (const d of decisions) counts[d.tier ?? 'none'] = (counts[d.tier ?? 'none'] ?? 0) + 1;
  return counts;
}

export const readProposal = (docs: DocReader, planId: string, year: number) => docs.get<ProposalView>('proposal', reviewKey(planId, year));
export const readDecisions = (docs: DocReader, planId: string, year: number) => docs.get<DecisionListView>('decisions', reviewKey(planId, year));
