import { Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import type { WorkflowDefinition } from '../../engine/nest/cqrs.js';
import { PlanController } from './plan.controller.js';
import { PLAN_COMMANDS } from './plan.decider.js';
import { PLAN_COMMAND_HANDLERS, PlanBusCommand } from './plan.handlers.js';
import { plansProjection } from './plan.projection.js';
import { PLAN_QUERY_HANDLERS } from './plan.queries.js';
import { PlanService } from './plan.service.js';

@Module({
  providers: [PlanService, ...PLAN_COMMAND_HANDLERS, ...PLAN_QUERY_HANDLERS],
  exports: [PlanService],
})
export class PlanModule implements OnApplicationBootstrap {
  constructor(private readonly plans: PlanService) {}

  /** The plans this deployment ships with are published on first start (once, by the system). */
  async onApplicationBootstrap(): Promise<void> {
    for (const path of PlanService.builtinPlanPaths()) {
      const result = await this.plans.publishFile(path);
      if (result) new Logger('Plan').log(`published ${path} (position ${result.position})`);
    }
  }
}

/** The plan: publication and revisions, the plans projection and its queries. */
export const planWorkflow: WorkflowDefinition = {
  name: 'plan',
  module: PlanModule,
  controllers: [PlanController],
  commands: { types: PLAN_COMMANDS, message: PlanBusCommand },
  projections: [plansProjection],
};
