import { Module } from '@nestjs/common';
import type { WorkflowDefinition } from '../../engine/nest/cqrs.js';
import { PlanModule } from '../plan/plan.module.js';
import { RewardsController } from './rewards.controller.js';
import { RewardsExportsController } from './rewards-exports.controller.js';
import { REWARDS_COMMANDS } from './rewards.decider.js';
import { RewardsBusCommand, RewardsHandler } from './rewards.handlers.js';
import { RewardsService } from './rewards.service.js';
import { reviewProjection } from './review.projection.js';
import { REVIEW_QUERY_HANDLERS } from './review.queries.js';
import { REWARDS_UPCASTERS } from './rewards.upcasters.js';

@Module({
  imports: [PlanModule],
  providers: [RewardsService, RewardsHandler, ...REVIEW_QUERY_HANDLERS],
  exports: [RewardsService],
})
export class RewardsModule {}

/** The year-end review: proposal, amendments, approval, publication; the review projection and its queries. */
export const rewardsWorkflow: WorkflowDefinition = {
  name: 'rewards',
  module: RewardsModule,
  controllers: [RewardsController, RewardsExportsController],
  commands: { types: REWARDS_COMMANDS, message: RewardsBusCommand },
  projections: [reviewProjection],
  // Year-end events recorded one line per unit × indicator (before issue 12) read as one line per unit.
  upcasters: REWARDS_UPCASTERS,
};
