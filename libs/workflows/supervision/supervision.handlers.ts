import { Injectable } from '@nestjs/common';
import { Command as BusMessage, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Command, CommandMeta } from '../../engine/commands/command.js';
import type { CommandResult, ExecuteOptions } from '../../engine/commands/command-executor.js';
import { WorkflowCommand } from '../../engine/nest/cqrs.js';
import { Engine } from '../../engine/nest/engine.js';
import { supervisionDecider, type SupervisionCommand } from './supervision.decider.js';
import { caseLineStream, type CaseLineRef } from './supervision.events.js';
import { SupervisionService } from './supervision.service.js';
import { latestStanding } from './standings.js';

type Looked = 'context' | 'schedule' | 'standing';
/** What callers send; the handler adds what the plan and the ranking events say (context, schedule, standing). */
export type SupervisionRequest = {
  [K in SupervisionCommand['type']]: Command<K, Omit<Extract<SupervisionCommand, { type: K }>['data'], Looked>>;
}[SupervisionCommand['type']];

/** The supervision workflow's command on the bus. */
export class SupervisionBusCommand extends WorkflowCommand<SupervisionRequest> {}

/**
 * The bureau opens a case by hand for a red warning of any ranking period (the automatic ones come
 * from published quarters). Refused unless the standing, as known now, is red.
 */
export class OpenCaseByHand extends BusMessage<CommandResult> {
  constructor(
    readonly line: CaseLineRef & { period: string; note: string },
    readonly meta: CommandMeta,
    readonly options: ExecuteOptions = {},
  ) {
    super();
  }
}

/** The plan's and the ranking's facts, then the one executor: load, authorise, decide, append. */
@CommandHandler(SupervisionBusCommand)
@Injectable()
export class SupervisionHandler implements ICommandHandler<SupervisionBusCommand, CommandResult> {
  constructor(
    private readonly engine: Engine,
    private readonly supervision: SupervisionService,
  ) {}

  async execute({ command: request, options }: SupervisionBusCommand): Promise<CommandResult> {
    const { plan, indicator, unit } = await this.supervision.line(request.data);
    const schedule = this.supervision.schedule(plan);
    let command: SupervisionCommand;
    switch (request.type) {
      case 'supervision.Open':
        command = { ...request, data: { ...request.data, context: { unitName: unit.name, indicatorName: indicator.name }, schedule } };
        break;
      case 'supervision.OpenOnGround': {
        const standing = await this.supervision.groundStanding(plan, request.data);
        command = { ...request, data: { ...request.data, context: { unitName: unit.name, indicatorName: indicator.name }, schedule, standing } };
        break;
      }
      case 'supervision.Acknowledge':
      case 'supervision.SubmitRectificationPlan':
      case 'supervision.SubmitFeedback':
      case 'supervision.Review':
        command = { ...request, data: { ...request.data, schedule } } as SupervisionCommand;
        break;
      case 'supervision.Close': {
        const byPeriod = await this.supervision.standings(plan, request.data.indicatorNo);
        command = { ...request, data: { ...request.data, standing: { latest: latestStanding(byPeriod), byPeriod } } };
        break;
      }
      default:
        command = request;
    }
    return this.engine.decide(supervisionDecider, caseLineStream(request.data), command, options);
  }
}

@CommandHandler(OpenCaseByHand)
@Injectable()
export class OpenCaseByHandHandler implements ICommandHandler<OpenCaseByHand, CommandResult> {
  constructor(
    private readonly engine: Engine,
    private readonly supervision: SupervisionService,
  ) {}

  async execute({ line, meta, options }: OpenCaseByHand): Promise<CommandResult> {
    const warning = await this.supervision.redWarningByHand(line);
    return this.engine.execute({ type: 'supervision.Open', data: { planId: line.planId, unitId: line.unitId, indicatorNo: line.indicatorNo, warning }, meta }, options);
  }
}
