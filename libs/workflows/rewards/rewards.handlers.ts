import { Injectable } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Command } from '../../engine/commands/command.js';
import type { CommandResult } from '../../engine/commands/command-executor.js';
import { WorkflowCommand } from '../../engine/nest/cqrs.js';
import { Engine } from '../../engine/nest/engine.js';
import { rewardsDecider, type RewardsCommand } from './rewards.decider.js';
import { reviewStream, type ReviewRef } from './rewards.events.js';
import { RewardsService } from './rewards.service.js';

/**
 * What callers send: GenerateProposal names the review; the handler gathers its facts (tiers, rule
 * versions, annual standings) from the streams. A `context` sent along is ignored.
 */
export type RewardsRequest =
  Exclude<RewardsCommand, { type: 'rewards.GenerateProposal' }> | Command<'rewards.GenerateProposal', (ReviewRef | { context: ReviewRef }) & { context?: unknown }>;

/** The rewards workflow's command on the bus. */
export class RewardsBusCommand extends WorkflowCommand<RewardsRequest> {}

@CommandHandler(RewardsBusCommand)
@Injectable()
export class RewardsHandler implements ICommandHandler<RewardsBusCommand, CommandResult> {
  constructor(
    private readonly engine: Engine,
    private readonly rewards: RewardsService,
  ) {}

  async execute({ command, options }: RewardsBusCommand): Promise<CommandResult> {
    const d = (command.data as { context?: ReviewRef }).context ?? (command.data as ReviewRef);
    const ref: ReviewRef = { planId: d.planId, year: d.year };
    const full: RewardsCommand = command.type === 'rewards.GenerateProposal' ? { ...command, data: { context: await this.rewards.context(ref) } } : command;
    return this.engine.decide(rewardsDecider, reviewStream(ref), full, options);
  }
}
