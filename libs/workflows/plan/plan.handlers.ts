import { Injectable } from '@nestjs/common';
import { Command as BusMessage, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { createHash } from 'node:crypto';
import type { CommandMeta } from '../../engine/commands/command.js';
import type { CommandResult } from '../../engine/commands/command-executor.js';
import { WorkflowCommand } from '../../engine/nest/cqrs.js';
import { Engine } from '../../engine/nest/engine.js';
import { ProblemException, problem } from '../../engine/nest/http/problem-details.js';
import { parsePlanFile, PlanFileError, type PlanDefinition } from './plan-file.js';
import { planDecider, type PlanCommand } from './plan.decider.js';
import { planStream } from './plan.events.js';

/** The plan workflow's command on the bus. */
export class PlanBusCommand extends WorkflowCommand<PlanCommand> {}

/** Publish a plan from its YAML file: parsed and checked here, then plan.Publish. */
export class PublishPlanFile extends BusMessage<CommandResult> {
  constructor(
    readonly yaml: string,
    readonly fileName: string,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}

@CommandHandler(PlanBusCommand)
@Injectable()
export class PlanHandler implements ICommandHandler<PlanBusCommand, CommandResult> {
  constructor(private readonly engine: Engine) {}

  execute({ command, options }: PlanBusCommand): Promise<CommandResult> {
    const planId = command.type === 'plan.Publish' ? command.data.plan.id : command.data.planId;
    return this.engine.decide(planDecider, planStream(planId), command, options);
  }
}

@CommandHandler(PublishPlanFile)
@Injectable()
export class PublishPlanFileHandler implements ICommandHandler<PublishPlanFile, CommandResult> {
  constructor(private readonly engine: Engine) {}

  execute({ yaml, fileName, meta }: PublishPlanFile): Promise<CommandResult> {
    let plan: PlanDefinition;
    try {
      plan = parsePlanFile(yaml, fileName);
    } catch (err) {
      if (err instanceof PlanFileError) {
        throw new ProblemException(
          problem(422, 'invalid-plan-file', 'The plan file is not valid', err.message, {
            errors: err.errors.map((e) => ({ field: `${e.file} line ${e.line}: ${e.field}`, message: e.reason })),
          }),
        );
      }
      throw err;
    }
    const source = { file: fileName, sha256: createHash('sha256').update(yaml).digest('hex') };
    return this.engine.execute({ type: 'plan.Publish', data: { plan, source }, meta });
  }
}

export const PLAN_COMMAND_HANDLERS = [PlanHandler, PublishPlanFileHandler];
