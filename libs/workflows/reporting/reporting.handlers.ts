import { Injectable } from '@nestjs/common';
import { Command as BusMessage, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Command, CommandMeta } from '../../engine/commands/command.js';
import type { CommandResult } from '../../engine/commands/command-executor.js';
import { WorkflowCommand } from '../../engine/nest/cqrs.js';
import { Engine } from '../../engine/nest/engine.js';
import { refOf, reportingDecider, type ReportingCommand } from './reporting.decider.js';
import { reportStream, type ReportRef } from './reporting.events.js';
import { ReportingService } from './reporting.service.js';

type NeedsContext = 'reporting.Open' | 'reporting.SaveDraft' | 'reporting.Submit';
/**
 * What callers send: the report's reference instead of the plan's facts, which the handler looks up
 * (a `context` sent along is ignored: the facts always come from the plan as it stands).
 */
export type ReportingRequest =
  | Exclude<ReportingCommand, { type: NeedsContext }>
  | {
      [K in NeedsContext]: Command<K, ReportRef & Omit<Extract<ReportingCommand, { type: K }>['data'], 'context'> & { context?: unknown }>;
    }[NeedsContext];

/** The reporting workflow's command on the bus. */
export class ReportingBusCommand extends WorkflowCommand<ReportingRequest> {}

/** The office opens a month: one reporting.Open per responsible unit. */
export class OpenReportingPeriod extends BusMessage<OpenPeriodResult> {
  constructor(
    readonly planId: string,
    readonly period: string,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}

export interface OpenPeriodResult {
  period: string;
  opened: string[];
  alreadyOpen: string[];
  position?: string;
}

/** The plan's facts, then the one executor: load, authorise, decide, append. */
@CommandHandler(ReportingBusCommand)
@Injectable()
export class ReportingHandler implements ICommandHandler<ReportingBusCommand, CommandResult> {
  constructor(
    private readonly engine: Engine,
    private readonly reporting: ReportingService,
  ) {}

  async execute({ command, options }: ReportingBusCommand): Promise<CommandResult> {
    const ref = refOf(command as ReportingCommand);
    // The plan's and the standings' streams are facts of the decision: the append refuses it if
    // they moved since they were read (decideOnFacts prepares it again then).
    return this.engine.decideOnFacts(
      reportingDecider,
      reportStream(ref),
      async (facts): Promise<ReportingCommand> => {
        switch (command.type) {
          case 'reporting.Open':
            return { ...command, data: { context: await this.reporting.context(ref, { facts }) } };
          // Drafts and submissions carry the official standings: the rank is the county's, and lagging is decided from it.
          case 'reporting.Submit':
            return { ...command, data: { context: await this.reporting.context(ref, { standings: true, facts }) } };
          case 'reporting.SaveDraft':
            return { ...command, data: { context: await this.reporting.context(ref, { standings: true, facts }), lines: command.data.lines } };
          default:
            return command;
        }
      },
      options,
    );
  }
}

@CommandHandler(OpenReportingPeriod)
@Injectable()
export class OpenReportingPeriodHandler implements ICommandHandler<OpenReportingPeriod, OpenPeriodResult> {
  constructor(
    private readonly engine: Engine,
    private readonly reporting: ReportingService,
  ) {}

  async execute({ planId, period, meta }: OpenReportingPeriod): Promise<OpenPeriodResult> {
    const units = await this.reporting.unitsReporting(planId, period);
    const opened: string[] = [];
    const alreadyOpen: string[] = [];
    let position: string | undefined;
    for (const unitId of units) {
      // One command per unit, its id derived from the request's, so a retried request opens each once.
      const r = await this.engine.execute({ type: 'reporting.Open', data: { planId, unitId, period }, meta: { ...meta, commandId: `${meta.commandId}/${unitId}` } });
      (r.events.length ? opened : alreadyOpen).push(unitId);
      position = r.position ?? position;
    }
    return { period, opened, alreadyOpen, ...(position ? { position } : {}) };
  }
}
