import { Injectable } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Command } from '../../engine/commands/command.js';
import type { CommandResult } from '../../engine/commands/command-executor.js';
import { WorkflowCommand } from '../../engine/nest/cqrs.js';
import { Engine } from '../../engine/nest/engine.js';
import { assessmentDecider, type AssessmentCommand, type MeetingInput, type QuarterRef } from './assessment.decider.js';
import { assessmentStream } from './assessment.events.js';
import { AssessmentService, recipientsOf } from './assessment.service.js';

/** What callers send: the handler adds the snapshot (Prepare) and the recipients (Publish). */
export type AssessmentRequest =
  Command<'assessment.Prepare', QuarterRef> | Command<'assessment.RecordMeeting', QuarterRef & MeetingInput> | Command<'assessment.Publish', QuarterRef>;

/** The quarterly assessment's command on the bus. */
export class AssessmentBusCommand extends WorkflowCommand<AssessmentRequest> {}

/** The quarter's figures folded afresh or the plan's recipients, then the one executor: load, authorise, decide, append. */
@CommandHandler(AssessmentBusCommand)
@Injectable()
export class AssessmentHandler implements ICommandHandler<AssessmentBusCommand, CommandResult> {
  constructor(
    private readonly engine: Engine,
    private readonly assessment: AssessmentService,
  ) {}

  async execute({ command: request, options }: AssessmentBusCommand): Promise<CommandResult> {
    const { planId, quarter } = request.data;
    const plan = await this.assessment.plan(planId, quarter);
    const ref = { planId, quarter };
    let command: AssessmentCommand;
    switch (request.type) {
      case 'assessment.Prepare':
        command = { ...request, data: { ...ref, snapshot: (await this.assessment.known(plan, quarter)).snapshot } };
        break;
      case 'assessment.Publish':
        command = { ...request, data: { ...ref, recipients: recipientsOf(plan) } };
        break;
      default:
        command = request;
    }
    return this.engine.decide(assessmentDecider, assessmentStream(planId, quarter), command, options);
  }
}
