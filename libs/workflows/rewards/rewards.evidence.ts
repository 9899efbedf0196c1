import { assertNever, DomainError } from '../../engine/commands/command.js';
import { monthsOfYear } from '../plan/period.js';
import type { Actor } from '../../engine/event-store/envelope.js';
import type { EventStore, RecordedEvent } from '../../engine/event-store/event-store.js';
import { knownAt, type AsOf } from '../../engine/projections/as-of.js';
import { planStream, type PlanEvent } from '../plan/plan.events.js';
import { figuresStream, scoringStream, type ScoringRulePublished } from '../ranking/ranking.events.js';
import { reportStream, type FigureCorrected } from '../reporting/reporting.events.js';
import { evolveReview, rewardsDecider, type ReviewStatus } from './rewards.decider.js';
import { reviewStream, type Decision, type ProposalGenerated, type ProposalLine, type ReviewRef, type RewardsEvent } from './rewards.events.js';

export const EVIDENCE_KINDS = [
  'figures',
  'standing',
  'peer-correction',
  'ranking',
  'report-correction',
  'rule',
  'scoring-rule',
  'proposal',
  'amendment',
  'conflict-decision',
  'submission',
  'send-back',
  'approval',
  'publication',
] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

/** One event behind a line, as recorded: what, by whom, when, why, and where in the log. */
export interface EvidenceItem {
  kind: EvidenceKind;
  type: string;
  streamId: string;
  revision: number;
  position: string;
  who: Actor;
  onBehalfOf?: string;
  when: string;
  why: string | null;
  data: unknown;
  /** True where `data` holds only the part of the event about this line (a proposal or an approval carries every line; a plan, every rule). */
  excerpt: boolean;
  /**
   * For figures, corrections and rules: recorded after the proposal the line now comes from, so the
   * line did not take it into account (a regeneration would).
   */
  afterProposal?: boolean;
}

export interface LineEvidence extends ReviewRef {
  lineId: string;
  status: ReviewStatus;
  /** The line as it stands (after amendments), or as it last stood if a regeneration dropped it. */
  line: ProposalLine;
  /** False when the current proposal no longer has this line. */
  inCurrentProposal: boolean;
  decision: Decision | null;
  asOf?: string;
  /** Oldest first, in the global order of the log. */
  items: EvidenceItem[];
}

/**
 * Gathers the events behind one line by reading the streams it names: the review stream, the
 * figures streams of the periods its rank came from (with the year's own, when it fell back), the
 * responsible unit's monthly reports of the year (their figure corrections), the plan's rule events
 * and the scoring rule. As of a moment, only events recorded by then count.
 */
export async function lineEvidence(store: EventStore, ref: ReviewRef, lineId: string, asOf?: AsOf): Promise<LineEvidence> {
  const within = knownAt(store, asOf);
  const review = (await store.readStream(reviewStream(ref))).filter(within);
  let state = rewardsDecider.initialState();
  let last: { line: ProposalLine; generated: RecordedEvent } | undefined;
  const generations: ProposalLine[] = [];
  for (const e of review) {
    const event = { type: e.type, data: e.data } as RewardsEvent;
    state = evolveReview(state, event);
    const line = state.lines.find((l) => l.lineId === lineId);
    if (event.type === 'ProposalGenerated' && line) {
      generations.push(line);
      last = { line, generated: e };
    } else if (last && line && last.generated.data.generation === state.generation) last = { ...last, line };
  }
  if (!last) {
    throw new DomainError('line-not-found', `no ${ref.year} proposal of ${ref.planId} ${asOf ? 'known then ' : ''}has a line ${lineId}`, { status: 404 });
  }
  const line = last.line;
  const cutoff = last.generated.position;
  const after = (e: RecordedEvent) => store.comparePositions(e.position, cutoff) > 0;
  const items: EvidenceItem[] = [];
  const push = (e: RecordedEvent, kind: EvidenceKind, data: unknown, excerpt: boolean, source: boolean) => {
    const m = e.metadata;
    items.push({
      kind,
      type: e.type,
      streamId: e.streamId,
      revision: e.revision,
      position: e.position,
      who: m.actor,
      ...(m.onBehalfOf ? { onBehalfOf: m.onBehalfOf } : {}),
      when: m.recordedAt,
      why: m.reason ?? null,
      data,
      excerpt,
      ...(source ? { afterProposal: after(e) } : {}),
    });
  };

  // A unit's line rests on each of its indicators' ranks: for each, the figures streams every
  // generation's rank came from, and the year's own when one fell back to a shorter period.
  const bases = generations.flatMap((g) => g.indicators.map((i) => ({ indicatorNo: i.indicatorNo, basis: i.basis })));
  const indicatorNos = [...new Set(bases.map((b) => b.indicatorNo))];
  for (const no of indicatorNos) {
    const mine = bases.filter((b) => b.indicatorNo === no);
    const periods = new Set(mine.map((b) => b.basis.period));
    if (mine.some((b) => b.basis.fallback)) periods.add(String(ref.year));
    for (const period of periods) {
      for (const e of (await store.readStream(figuresStream(ref.planId, no, period))).filter(within)) {
        const kind: EvidenceKind =
          e.type === 'PeerFiguresRecorded' ? 'figures' : e.type === 'StandingChanged' ? 'standing' : e.type === 'PeerFigureCorrected' ? 'peer-correction' : 'ranking';
        push(e, kind, e.data, false, true);
      }
    }
  }

  // The responsible unit's own figures for those indicators, corrected by the office in its monthly reports.
  const months = monthsOfYear(ref.year);
  const reports = await Promise.all(months.map((period) => store.readStream(reportStream({ planId: ref.planId, unitId: line.unitId, period }))));
  for (const e of reports.flat().filter(within)) {
    if (e.type === 'FigureCorrected' && indicatorNos.includes((e.data as FigureCorrected['data']).indicatorNo)) push(e, 'report-correction', e.data, false, true);
  }

  // The rule versions the line rests on (the tiers, and how they combine), and any revision of them recorded since.
  const ruleRevisions = new Set(bases.flatMap((b) => [b.basis.rewardRule.planRevision, b.basis.warningRule.planRevision]));
  for (const e of review) if (e.type === 'ProposalGenerated') ruleRevisions.add((e.data as ProposalGenerated['data']).combination.source.planRevision);
  for (const e of (await store.readStream(planStream(ref.planId))).filter(within)) {
    const event = { type: e.type, data: e.data } as PlanEvent;
    const isRule = event.type === 'PlanPublished' || (event.type === 'PlanRuleRevised' && (event.data.rule === 'rewardTiers' || event.data.rule === 'warningTiers'));
    if (!isRule || !(ruleRevisions.has(e.revision) || after(e))) continue;
    if (event.type === 'PlanPublished') {
      const p = event.data.plan;
      push(e, 'rule', { planId: p.id, rewards: p.rewards, warningTiers: p.warningTiers, source: event.data.source }, true, true);
    } else push(e, 'rule', event.data, false, true);
  }
  const versions = new Set(bases.flatMap((b) => (b.basis.scoringRule ? [b.basis.scoringRule.version] : [])));
  for (const e of (await store.readStream(scoringStream(ref.planId))).filter(within)) {
    if (e.type === 'ScoringRulePublished' && (versions.has((e.data as ScoringRulePublished['data']).version) || after(e))) push(e, 'scoring-rule', e.data, false, true);
  }

  // The review itself: each generation's version of the line, its amendments, submission, send-backs, approval, publication.
  let decision: Decision | null = null;
  for (const e of review) {
    const event = { type: e.type, data: e.data } as RewardsEvent;
    switch (event.type) {
      case 'ProposalGenerated': {
        const { lines, untiered: _untiered, unranked: _unranked, tiers: _tiers, ...rest } = event.data;
        push(e, 'proposal', { ...rest, line: lines.find((l) => l.lineId === lineId) ?? null }, true, false);
        break;
      }
      case 'LineAmended':
        if (event.data.lineId === lineId) push(e, 'amendment', event.data, false, false);
        break;
      case 'ConflictDecided':
        if (event.data.lineId === lineId) push(e, 'conflict-decision', event.data, false, false);
        break;
      case 'ProposalSubmitted':
        push(e, 'submission', event.data, false, false);
        break;
      case 'ProposalSentBack':
        push(e, 'send-back', event.data, false, false);
        break;
      case 'ProposalApproved': {
        const { decisions, excluded, ...rest } = event.data;
        decision = decisions.find((d) => d.lineId === lineId) ?? null;
        push(e, 'approval', { ...rest, decision, excluded: excluded.find((x) => x.lineId === lineId) ?? null }, true, false);
        break;
      }
      case 'DecisionsPublished':
        push(e, 'publication', event.data, false, false);
        break;
      default:
        assertNever(event, 'rewards event');
    }
  }

  items.sort((a, b) => store.comparePositions(a.position, b.position));
  return {
    ...ref,
    lineId,
    status: state.status,
    line,
    inCurrentProposal: state.lines.some((l) => l.lineId === lineId),
    decision: state.status === 'approved' || state.status === 'published' ? decision : null,
    ...(asOf?.time ? { asOf: asOf.time } : {}),
    items,
  };
}
