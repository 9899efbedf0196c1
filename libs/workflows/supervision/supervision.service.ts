import { Injectable } from '@nestjs/common';
import { DomainError } from '../../engine/commands/command.js';
import { Engine } from '../../engine/nest/engine.js';
import type { PlanDefinition } from '../plan/plan-file.js';
import { PlanService } from '../plan/plan.service.js';
import { figuresStream } from '../ranking/ranking.events.js';
import { SUPERVISION_DEADLINES, type DeadlineRules, type Schedule } from './supervision.deadlines.js';
import type { CaseLineRef, RedWarning, StandingFact } from './supervision.events.js';
import { ourValue, periodsOfYear, standingOf } from './standings.js';

/**
 * Where a case's facts come from: the plan (the indicator, the unit, the calendar) and the ranking
 * events (the standings). The command handlers and the queries ask it; it decides nothing.
 */
@Injectable()
export class SupervisionService {
  /** The deadlines every decision is given (see supervision.deadlines.ts). */
  deadlineRules: DeadlineRules = SUPERVISION_DEADLINES;

  constructor(
    private readonly engine: Engine,
    private readonly plans: PlanService,
  ) {}

  /** The plan, with the line's indicator and unit checked against it. */
  async line(line: CaseLineRef): Promise<LineFacts> {
    const plan = await this.plans.get(line.planId);
    return { plan, ...lineFacts(plan, line) };
  }

  /** The calendar and rules a decision works its deadlines out with. */
  schedule(plan: PlanDefinition): Schedule {
    return { timeZone: plan.monthlyReport.timeZone, calendar: plan.calendar, rules: plan.supervisionDeadlines ?? this.deadlineRules };
  }

  /** Our county's standing in every period of the plan's year that has one, as known now. */
  async standings(plan: PlanDefinition, indicatorNo: number): Promise<StandingFact[]> {
    const periods = periodsOfYear(plan.year);
    const streams = await Promise.all(periods.map((p) => this.engine.store.readStream(figuresStream(plan.id, indicatorNo, p))));
    return periods.map((p, i) => standingOf(p, streams[i]!)).filter((s): s is StandingFact => s !== null);
  }

  /**
   * A case opened on a ground (行动不力、工作滞后、成效不明显) names one of the plan's ranking periods;
   * the standing of that period, as known now, is recorded beside it (null when none is known).
   */
  async groundStanding(plan: PlanDefinition, line: CaseLineRef & { period: string }): Promise<StandingFact | null> {
    this.#checkPeriod(plan, line.period);
    return standingOf(line.period, await this.engine.store.readStream(figuresStream(line.planId, line.indicatorNo, line.period)));
  }

  #checkPeriod(plan: PlanDefinition, period: string): void {
    if (!periodsOfYear(plan.year).includes(period)) {
      throw new DomainError('period-outside-plan', `${period} is not a ranking period of plan ${plan.id} (a month, quarter or the year ${plan.year})`, {
        params: { period, year: plan.year },
        status: 422,
        fields: [{ field: 'period', message: 'YYYY-MM, YYYY-Qn or YYYY' }],
      });
    }
  }

  /**
   * The red warning a case opened by hand is about: the line checked against the plan, the period
   * one of the plan's ranking periods, and the standing, as known now, red (refused otherwise).
   */
  async redWarningByHand(line: CaseLineRef & { period: string; note: string }): Promise<RedWarning> {
    const { plan } = await this.line(line);
    this.#checkPeriod(plan, line.period);
    const events = await this.engine.store.readStream(figuresStream(line.planId, line.indicatorNo, line.period));
    const standing = standingOf(line.period, events);
    if (standing?.warning !== 'red') {
      throw new DomainError(
        'warning-not-red',
        `indicator ${line.indicatorNo} is ${standing?.warning ?? 'without a standing'} for ${line.period}: cases are opened for red warnings`,
        { params: { indicatorNo: line.indicatorNo, period: line.period, warning: standing?.warning ?? 'none' }, standing },
      );
    }
    const ours = plan.peerGroup.counties.find((c) => c.ours)!.id;
    return { quarter: line.period, figuresPeriod: line.period, value: ourValue(events, ours), rank: standing.rank, warning: 'red', source: { kind: 'manual', note: line.note } };
  }
}

export interface LineFacts {
  plan: PlanDefinition;
  indicator: PlanDefinition['indicators'][number];
  unit: PlanDefinition['units'][number];
}

/** The indicator and the unit, which must be one of its responsible units. */
function lineFacts(plan: PlanDefinition, line: CaseLineRef): Omit<LineFacts, 'plan'> {
  const indicator = plan.indicators.find((i) => i.no === line.indicatorNo);
  if (!indicator) throw new DomainError('indicator-not-found', `plan ${plan.id} has no indicator ${line.indicatorNo}`, { params: { indicatorNo: line.indicatorNo }, status: 404 });
  const unit = plan.units.find((u) => u.id === line.unitId);
  if (!unit) throw new DomainError('unit-not-found', `plan ${plan.id} has no responsible unit ${line.unitId}`, { params: { planId: plan.id, unitId: line.unitId }, status: 404 });
  if (!indicator.units.includes(unit.id)) {
    throw new DomainError('unit-not-responsible', `${unit.name} is not a responsible unit of indicator ${indicator.no} (${indicator.units.join(', ')})`, {
      params: { unitName: unit.name, indicatorNo: indicator.no },
      status: 422,
    });
  }
  return { indicator, unit };
}
