import { Injectable } from '@nestjs/common';
import { DomainError, type CommandMeta } from '../../engine/commands/command.js';
import { executeCommand, type CommandResult, type ExecuteOptions } from '../../engine/commands/command-executor.js';
import { Engine } from '../../engine/nest/engine.js';
import type { PlanDefinition } from '../plan/plan-file.js';
import { localMidnightToUtc, monthlyReportDates } from '../plan/working-calendar.js';
import { PlanService } from '../plan/plan.service.js';
import { refOf, REPORTING_COMMANDS, reportingDecider, type ReportContext, type ReportingCommand } from './reporting.decider.js';
import { reportStream, type ReportRef } from './reporting.events.js';
import { reportsProjection } from './reports.projection.js';

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The reporting workflow's handler: looks up what the plan says, then load, decide, append. */
@Injectable()
export class ReportingService {
  constructor(
    private readonly engine: Engine,
    private readonly plans: PlanService,
  ) {
    engine.registerProjections(reportsProjection);
    engine.registerCommands(REPORTING_COMMANDS, (c, o) => this.handle(c as ReportingCommand, o));
  }

  handle(command: ReportingCommand, options?: ExecuteOptions): Promise<CommandResult> {
    return executeCommand(this.engine.store, reportingDecider, reportStream(refOf(command)), command, options);
  }

  /** The plan's facts for one report: the unit's indicators, targets, warning tiers and deadlines. */
  async context(ref: ReportRef): Promise<ReportContext> {
    const plan = await this.plans.get(ref.planId);
    checkMonth(plan, ref.period);
    unitOf(plan, ref.unitId); // an unknown unit is a 404 before the deadlines are worked out
    return contextFor(plan, reportDates(plan, ref.period), ref);
  }

  /** The office opens a month: every responsible unit's report, with its deadline timers. */
  async openPeriod(planId: string, period: string, meta: CommandMeta): Promise<{ period: string; opened: string[]; alreadyOpen: string[]; position?: string }> {
    const plan = await this.plans.get(planId);
    checkMonth(plan, period);
    const dates = reportDates(plan, period);
    const opened: string[] = [];
    const alreadyOpen: string[] = [];
    let position: string | undefined;
    for (const unit of plan.units) {
      const context = contextFor(plan, dates, { planId, unitId: unit.id, period });
      // One command per unit, its id derived from the request's, so a retried request opens each once.
      const r = await this.handle({ type: 'reporting.Open', data: { context }, meta: { ...meta, commandId: `${meta.commandId}/${unit.id}` } });
      (r.events.length ? opened : alreadyOpen).push(unit.id);
      position = r.position ?? position;
    }
    return { period, opened, alreadyOpen, ...(position ? { position } : {}) };
  }
}

/** A month's deadlines, the same for every unit's report: due before `dueAt`, reminded at `reminderAt`. */
export interface ReportDates {
  dueAt: string;
  reminderAt: string;
}

function checkMonth(plan: PlanDefinition, period: string): void {
  const m = PERIOD.exec(period);
  if (!m || Number(m[1]) !== plan.year) {
    throw new DomainError('period-outside-plan', `${period} is not a month of plan ${plan.id} (${plan.year}-01 … ${plan.year}-12)`, { status: 422 });
  }
}

function unitOf(plan: PlanDefinition, unitId: string): PlanDefinition['units'][number] {
  const unit = plan.units.find((u) => u.id === unitId);
  if (!unit) throw new DomainError('unit-not-found', `plan ${plan.id} has no responsible unit ${unitId}`, { status: 404 });
  return unit;
}

/** The deadlines of a month of the plan (checked by the caller) under its monthly report rule and working calendar. */
export function reportDates(plan: PlanDefinition, period: string): ReportDates {
  const dates = monthlyReportDates(plan.monthlyReport, plan.calendar, period);
  // The reminder goes out at 09:00 local time on its day.
  const reminderAt = new Date(Date.parse(localMidnightToUtc(dates.reminderOn, plan.monthlyReport.timeZone)) + 9 * 3600_000).toISOString();
  return { dueAt: dates.dueBefore, reminderAt };
}

/** The plan's facts for one report, given its month's deadlines (pure): the unit's indicators, targets and warning tiers. */
export function contextFor(plan: PlanDefinition, dates: ReportDates, ref: ReportRef): ReportContext {
  const unit = unitOf(plan, ref.unitId);
  return {
    ...ref,
    unitName: unit.name,
    indicators: plan.indicators
      .filter((i) => i.units.includes(unit.id))
      .map((i) => ({ no: i.no, name: i.name, kind: i.kind, direction: i.direction, unitOfMeasure: i.unitOfMeasure, target: i.target })),
    warningTiers: plan.warningTiers.map(({ tier, fromRank, toRank }) => ({ tier, fromRank, toRank })),
    dueAt: dates.dueAt,
    reminderAt: dates.reminderAt,
  };
}
