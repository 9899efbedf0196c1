import { Injectable } from '@nestjs/common';
import { DomainError } from '../../engine/commands/command.js';
import type { RecordedEvent } from '../../engine/event-store/event-store.js';
import { Engine } from '../../engine/nest/engine.js';
import { DEFAULT_TIER_COMBINATION, type PlanDefinition } from '../plan/plan-file.js';
import { planStream, type PlanEvent } from '../plan/plan.events.js';
import { PlanService } from '../plan/plan.service.js';
import { figuresStream, scoringStream, type ScoringRulePublished } from '../ranking/ranking.events.js';
import { annualStanding, candidatePeriods } from './annual-standing.js';
import type { ReviewContext } from './rewards.decider.js';
import type { PlanRuleRef, ReviewRef, ScoringRuleRef } from './rewards.events.js';

/** How the year-end review gets its facts: the plan's tiers and rule versions, and the annual standings. */
@Injectable()
export class RewardsService {
  constructor(
    private readonly engine: Engine,
    private readonly plans: PlanService,
  ) {}

  /** The plan year under review; 404 for an unknown plan, 422 for another year. */
  async plan(ref: ReviewRef): Promise<PlanDefinition> {
    const plan = await this.plans.get(ref.planId);
    if (ref.year !== plan.year) {
      throw new DomainError('year-outside-plan', `plan ${plan.id} is for ${plan.year}, not ${ref.year}`, {
        params: { planYear: plan.year, year: ref.year },
        status: 422,
        fields: [{ field: 'year', message: `must be ${plan.year}` }],
      });
    }
    return plan;
  }

  /**
   * The facts a proposal rests on, read from the streams themselves (not from projections that may
   * lag): the reward tiers in force and the plan revision that set them, the warning and scoring
   * rule versions, and each indicator's annual standing from the ranking workflow's events.
   */
  async context(ref: ReviewRef): Promise<ReviewContext> {
    const plan = await this.plan(ref);
    const store = this.engine.store;
    const planEvents = await store.readStream(planStream(plan.id));
    const units = new Map(plan.units.map((u) => [u.id, u.name]));
    const periods = candidatePeriods(ref.year);
    const standings: ReviewContext['standings'] = [];
    // One indicator at a time, its periods together: bounded concurrency on a shared pool.
    for (const indicator of plan.indicators) {
      const streams = await Promise.all(periods.map((p) => store.readStream(figuresStream(plan.id, indicator.no, p))));
      const s = annualStanding(ref.year, new Map(periods.map((p, i) => [p, streams[i]!])));
      if (s) standings.push({ indicatorNo: indicator.no, ...s });
    }
    return {
      ...ref,
      tiers: [...plan.rewards.tiers],
      combination: { rule: plan.rewards.combination ?? DEFAULT_TIER_COMBINATION, source: ruleInForce(planEvents, 'tierCombination') },
      rules: {
        rewardRule: ruleInForce(planEvents, 'rewardTiers'),
        warningRule: ruleInForce(planEvents, 'warningTiers'),
        scoringRule: scoringInForce(await store.readStream(scoringStream(plan.id))),
      },
      indicators: plan.indicators.map((i) => ({ no: i.no, name: i.name, units: i.units.map((id) => ({ id, name: units.get(id) ?? id })) })),
      standings,
    };
  }
}

/**
 * The plan event that last set the rule: its stream revision is the rule's version. The tier
 * combination is set only by publishing the plan (no rule revision changes it).
 */
export function ruleInForce(events: readonly RecordedEvent[], rule: 'rewardTiers' | 'warningTiers' | 'tierCombination'): PlanRuleRef {
  let found: RecordedEvent | undefined;
  for (const e of events) {
    const event = { type: e.type, data: e.data } as PlanEvent;
    if (event.type === 'PlanPublished' || (event.type === 'PlanRuleRevised' && event.data.rule === rule)) found = e;
  }
  if (!found) throw new DomainError('plan-not-found', 'the plan has not been published', { status: 404 });
  return { planRevision: found.revision, position: found.position, eventType: found.type };
}

export function scoringInForce(events: readonly RecordedEvent[]): ScoringRuleRef | null {
  const last = [...events].reverse().find((e) => e.type === 'ScoringRulePublished');
  return last ? { version: (last.data as ScoringRulePublished['data']).version, revision: last.revision, position: last.position } : null;
}
