import { Injectable } from '@nestjs/common';
import { DomainError, type CommandMeta } from '../../engine/commands/command.js';
import { executeCommand, type CommandResult, type ExecuteOptions } from '../../engine/commands/command-executor.js';
import { Engine } from '../../engine/nest/engine.js';
import { localMidnightToUtc, monthlyReportDates } from '../plan/working-calendar.js';
import { PlanService } from '../plan/plan.service.js';
import { REPORTING_COMMANDS, reportingDecider, type ReportContext, type ReportingCommand } from './reporting.decider.js';
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
    const d = 'context' in command.data ? command.data.context : command.data;
    return executeCommand(this.engine.store, reportingDecider, reportStream(d), command, options);
  }

  /** The plan's facts for one report: the unit's indicators, targets, warning tiers and deadlines. */
  async context(ref: ReportRef): Promise<ReportContext> {
    const plan = await this.plans.get(ref.planId);
    const m = PERIOD.exec(ref.period);
    if (!m || Number(m[1]) !== plan.year) {
      throw new DomainError('period-outside-plan', `${ref.period} is not a month of plan ${plan.id} (${plan.year}-01 … ${plan.year}-12)`, { status: 422 });
    }
    const unit = plan.units.find((u) => u.id === ref.unitId);
    if (!unit) throw new DomainError('unit-not-found', `plan ${plan.id} has no responsible unit ${ref.unitId}`, { status: 404 });
    const dates = monthlyReportDates(plan.monthlyReport, plan.calendar, ref.period);
    // The reminder goes out at 09:00 local time on its day.
    const reminderAt = new Date(Date.parse(localMidnightToUtc(dates.reminderOn, plan.monthlyReport.timeZone)) + 9 * 3600_000).toISOString();
    return {
      ...ref,
      unitName: unit.name,
      indicators: plan.indicators
        .filter((i) => i.units.includes(unit.id))
        .map((i) => ({ no: i.no, name: i.name, kind: i.kind, direction: i.direction, unitOfMeasure: i.unitOfMeasure, target: i.target })),
      warningTiers: plan.warningTiers.map(({ tier, fromRank, toRank }) => ({ tier, fromRank, toRank })),
      dueAt: dates.dueBefore,
      reminderAt,
    };
  }

  /** The office opens a month: every responsible unit's report, with its deadline timers. */
  async openPeriod(planId: string, period: string, meta: CommandMeta): Promise<{ period: string; opened: string[]; alreadyOpen: string[]; position?: string }> {
    const plan = await this.plans.get(planId);
    const opened: string[] = [];
    const alreadyOpen: string[] = [];
    let position: string | undefined;
    for (const unit of plan.units) {
      const context = await this.context({ planId, unitId: unit.id, period });
      // One command per unit, its id derived from the request's, so a retried request opens each once.
      const r = await this.handle({ type: 'reporting.Open', data: { context }, meta: { ...meta, commandId: `${meta.commandId}/${unit.id}` } });
      (r.events.length ? opened : alreadyOpen).push(unit.id);
      position = r.position ?? position;
    }
    return { period, opened, alreadyOpen, ...(position ? { position } : {}) };
  }
}
