import { Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { PlanController } from './plan.controller.js';
import { PlanService } from './plan.service.js';

@Module({
  providers: [PlanService],
  controllers: [PlanController],
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
