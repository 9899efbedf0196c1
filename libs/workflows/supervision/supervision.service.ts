import { Injectable } from '@nestjs/common';
import { DomainError, type Command, type CommandMeta } from '../../engine/commands/command.js';
import { executeCommand, type CommandResult, type ExecuteOptions } from '../../engine/commands/command-executor.js';
import { Engine } from '../../engine/nest/engine.js';
import { foldAsOf, type AsOf } from '../../engine/projections/as-of.js';
import type { PlanDefinition } from '../plan/plan-file.js';
import { PlanService } from '../plan/plan.service.js';
import { figuresStream } from '../ranking/ranking.events.js';
import { caseKey, SUPERVISION_BOARD_PROJECTION, supervisionBoard, supervisionBoardProjection, type BoardFilter, type BoardRow, type CaseView } from './supervision-board.projection.js';
import { SUPERVISION_DEADLINES, type DeadlineRules, type Schedule } from './supervision.deadlines.js';
import { SUPERVISION_COMMANDS, supervisionDecider, type SupervisionCommand } from './supervision.decider.js';
import { caseLineStream, type CaseLineRef, type StandingFact } from './supervision.events.js';
import { SUPERVISION_SYSTEM, supervisionReactor } from './supervision.reactor.js';
import { latestStanding, ourValue, periodsOfYear, standingOf } from './standings.js';

type Looked = 'context' | 'schedule' | 'standing';
/** What callers send; the handler adds what the plan and the ranking events say (context, schedule, standing). */
export type SupervisionRequest = {
  [K in SupervisionCommand['type']]: Command<K, Omit<Extract<SupervisionCommand, { type: K }>['data'], Looked>>;
}[SupervisionCommand['type']];

/** The supervision workflow's handler: look up the plan's and the ranking's facts, then load, decide, append. */
@Injectable()
export class SupervisionService {
  /** The deadlines every decision is given (see supervision.deadlines.ts). */
  deadlineRules: DeadlineRules = SUPERVISION_DEADLINES;

  constructor(
    private readonly engine: Engine,
    private readonly plans: PlanService,
  ) {
    engine.registerProjections(
      supervisionBoardProjection,
      supervisionReactor((o, cause) =>
        this.handle({
          type: 'supervision.Open',
          data: { planId: o.planId, unitId: o.unitId, indicatorNo: o.indicatorNo, warning: o.warning },
          meta: { commandId: o.commandId, actor: SUPERVISION_SYSTEM, now: engine.clock.now().toISOString(), causationId: cause.id, correlationId: cause.metadata.correlationId },
        }),
      ),
    );
    engine.registerCommands(SUPERVISION_COMMANDS, (c, o) => this.handle(c as SupervisionRequest, o));
  }

  async handle(request: SupervisionRequest, options?: ExecuteOptions): Promise<CommandResult> {
    const plan = await this.plans.get(request.data.planId);
    return this.#handle(plan, lineFacts(plan, request.data), request, options);
  }

  /** handle() once the plan is loaded and the line checked against it. */
  async #handle(plan: PlanDefinition, { indicator, unit }: LineFacts, request: SupervisionRequest, options?: ExecuteOptions): Promise<CommandResult> {
    const d = request.data;
    const schedule: Schedule = { timeZone: plan.monthlyReport.timeZone, calendar: plan.calendar, rules: plan.supervisionDeadlines ?? this.deadlineRules };
    let command: SupervisionCommand;
    switch (request.type) {
      case 'supervision.Open':
        command = { ...request, data: { ...request.data, context: { unitName: unit.name, indicatorName: indicator.name }, schedule } };
        break;
      case 'supervision.Acknowledge':
      case 'supervision.SubmitRectificationPlan':
      case 'supervision.SubmitFeedback':
      case 'supervision.Review':
        command = { ...request, data: { ...request.data, schedule } } as SupervisionCommand;
        break;
      case 'supervision.Close': {
        const byPeriod = await this.standings(plan, d.indicatorNo);
        command = { ...request, data: { ...request.data, standing: { latest: latestStanding(byPeriod), byPeriod } } };
        break;
      }
      default:
        command = request;
    }
    return executeCommand(this.engine.store, supervisionDecider, caseLineStream(d), command, options);
  }

  /**
   * The bureau opens a case by hand for a red warning of any ranking period (the automatic ones
   * come from published quarters). Refused unless the standing, as known now, is red.
   */
  async openByHand(line: CaseLineRef & { period: string; note: string }, meta: CommandMeta, options?: ExecuteOptions): Promise<CommandResult> {
    const plan = await this.plans.get(line.planId);
    const facts = lineFacts(plan, line);
    if (!periodsOfYear(plan.year).includes(line.period)) {
      throw new DomainError('period-outside-plan', `${line.period} is not a ranking period of plan ${plan.id} (a month, quarter or the year ${plan.year})`, { status: 422, fields: [{ field: 'period', message: 'YYYY-MM, YYYY-Qn or YYYY' }] });
    }
    const events = await this.engine.store.readStream(figuresStream(line.planId, line.indicatorNo, line.period));
    const standing = standingOf(line.period, events);
    if (standing?.warning !== 'red') {
      throw new DomainError('warning-not-red', `indicator ${line.indicatorNo} is ${standing?.warning ?? 'without a standing'} for ${line.period}: cases are opened for red warnings`, { standing });
    }
    const ours = plan.peerGroup.counties.find((c) => c.ours)!.id;
    return this.#handle(
      plan,
      facts,
      {
        type: 'supervision.Open',
        data: {
          planId: line.planId,
          unitId: line.unitId,
          indicatorNo: line.indicatorNo,
          warning: { quarter: line.period, figuresPeriod: line.period, value: ourValue(events, ours), rank: standing.rank, warning: 'red', source: { kind: 'manual', note: line.note } },
        },
        meta,
      },
      options,
    );
  }

  /** Our county's standing in every period of the plan's year that has one, as known now. */
  async standings(plan: PlanDefinition, indicatorNo: number): Promise<StandingFact[]> {
    const periods = periodsOfYear(plan.year);
    const streams = await Promise.all(periods.map((p) => this.engine.store.readStream(figuresStream(plan.id, indicatorNo, p))));
    return periods.map((p, i) => standingOf(p, streams[i]!)).filter((s): s is StandingFact => s !== null);
  }

  /** The board: cases with their age and deadlines as of now (the injected clock) or as known at asOf. */
  async board(planId: string, filter: BoardFilter, asOf?: AsOf, minPosition?: string): Promise<BoardRow[]> {
    const plan = await this.plans.get(planId);
    if (asOf) {
      const lines = plan.indicators.flatMap((i) => i.units.filter((u) => !filter.unitId || u === filter.unitId).map((unitId) => caseLineStream({ planId, unitId, indicatorNo: i.no })));
      const docs = await foldAsOf(this.engine.store, supervisionBoardProjection, asOf, lines);
      return supervisionBoard(docs, planId, filter, asOf.time ?? this.engine.clock.now().toISOString());
    }
    await this.engine.waitFor(minPosition, [SUPERVISION_BOARD_PROJECTION]);
    return supervisionBoard(this.engine.query(SUPERVISION_BOARD_PROJECTION), planId, filter, this.engine.clock.now().toISOString());
  }

  /** A case's page: every step and its history. */
  async case(ref: CaseLineRef & { caseNo: number }, asOf?: AsOf, minPosition?: string): Promise<CaseView> {
    const key = caseKey(ref.planId, ref.unitId, ref.indicatorNo, ref.caseNo);
    let view: CaseView | undefined;
    if (asOf) {
      view = await (await foldAsOf(this.engine.store, supervisionBoardProjection, asOf, [caseLineStream(ref)])).get<CaseView>('cases', key);
    } else {
      await this.engine.waitFor(minPosition, [SUPERVISION_BOARD_PROJECTION]);
      view = await this.engine.query(SUPERVISION_BOARD_PROJECTION).get<CaseView>('cases', key);
    }
    if (!view) {
      throw new DomainError('case-not-found', `unit ${ref.unitId} has no case ${ref.caseNo} for indicator ${ref.indicatorNo}${asOf ? ' as known then' : ''}`, { status: 404 });
    }
    return view;
  }
}

type LineFacts = ReturnType<typeof lineFacts>;

/** The indicator and the unit, which must be one of its responsible units. */
function lineFacts(plan: PlanDefinition, line: CaseLineRef) {
  const indicator = plan.indicators.find((i) => i.no === line.indicatorNo);
  if (!indicator) throw new DomainError('indicator-not-found', `plan ${plan.id} has no indicator ${line.indicatorNo}`, { status: 404 });
  const unit = plan.units.find((u) => u.id === line.unitId);
  if (!unit) throw new DomainError('unit-not-found', `plan ${plan.id} has no responsible unit ${line.unitId}`, { status: 404 });
  if (!indicator.units.includes(unit.id)) {
    throw new DomainError('unit-not-responsible', `${unit.name} is not a responsible unit of indicator ${indicator.no} (${indicator.units.join(', ')})`, { status: 422 });
  }
  return { indicator, unit };
}
