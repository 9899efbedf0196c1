import { Injectable } from '@nestjs/common';
import { DomainError } from '../../engine/commands/command.js';
import type { FactsReader } from '../../engine/commands/command-executor.js';
import type { PlanDefinition } from '../plan/plan-file.js';
import { PlanService } from '../plan/plan.service.js';
import { parsePeriod } from './ranking-periods.js';
import type { FiguresContext, FiguresRef } from './ranking.decider.js';

/**
 * How a ranking command or query gets its plan facts: the indicator, the peer counties, the
 * warning tiers in force and the revision that set them, read from the plan as it stands. The
 * command handler and the queries ask it; it decides nothing.
 */
@Injectable()
export class RankingService {
  constructor(private readonly plans: PlanService) {}

  /** The plan's facts about an indicator × period, checked; with a command's `facts`, the plan stream is one of them. */
  async figuresContext(ref: FiguresRef, facts?: FactsReader): Promise<FiguresContext> {
    const { plan, tiersRevision } = await this.plans.getWithTiers(ref.planId, facts);
    const period = this.checkPeriod(plan, ref.period);
    const indicator = indicatorOf(plan, ref.indicatorNo);
    return {
      planId: plan.id,
      indicatorNo: indicator.no,
      period,
      indicator: { name: indicator.name, kind: indicator.kind, direction: indicator.direction },
      counties: plan.peerGroup.counties.map((c) => ({ id: c.id, name: c.name, ours: c.ours })),
      warningTiers: plan.warningTiers.map(({ tier, fromRank, toRank }) => ({ tier, fromRank, toRank })),
      tiersRevision,
      ...(indicator.units[0] ? { reportingUnit: indicator.units[0] } : {}),
    };
  }

  /** The plan as it stands (404 for an unknown plan). */
  plan(planId: string): Promise<PlanDefinition> {
    return this.plans.get(planId);
  }

  /** The plan with a ranking period of its year (422 otherwise). */
  async planFor(planId: string, period: string): Promise<{ plan: PlanDefinition; period: string }> {
    const plan = await this.plans.get(planId);
    return { plan, period: this.checkPeriod(plan, period) };
  }

  /** The revision of the plan stream that set the warning tiers in force. */
  tiersRevision(planId: string): Promise<number> {
    return this.plans.tiersRevision(planId);
  }

  checkPeriod(plan: PlanDefinition, period: string): string {
    const p = parsePeriod(period);
    if (!p || p.year !== plan.year) {
      throw new DomainError('period-outside-plan', `"${period}" is not a ranking period of plan ${plan.id}: write ${plan.year}-MM, ${plan.year}-Qn or ${plan.year}`, {
        params: { period, year: plan.year },
        status: 422,
        fields: [{ field: 'period', message: `a month, quarter or the year ${plan.year}` }],
      });
    }
    return period;
  }
}

/** An indicator of the plan, or 404. */
export function indicatorOf(plan: PlanDefinition, no: number) {
  const indicator = plan.indicators.find((i) => i.no === no);
  if (!indicator)
    throw new DomainError('indicator-not-found', `plan ${plan.id} has no indicator ${no}`, {
      params: { indicatorNo: no },
      status: 404,
      fields: [{ field: 'indicatorNo', message: `1–${plan.indicators.length}` }],
    });
  return indicator;
}
