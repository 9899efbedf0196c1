import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import type { Clock } from '../../../libs/engine/clock.js';
import type { JixiaoConfig } from '../../../libs/engine/config.js';
import { EngineModule } from '../../../libs/engine/nest/engine.module.js';
import type { WorkflowDefinition } from '../../../libs/engine/nest/cqrs.js';
import { WORKFLOWS } from '../../../libs/workflows/workflows.js';
import { MetricsController } from '../../../libs/engine/nest/metrics.controller.js';
import { ClockController } from '../../../libs/engine/nest/clock.controller.js';
import { HealthController } from './health/health.controller.js';
import { WebUiModule } from './web/web-ui.module.js';

export interface AppOptions {
  config: JixiaoConfig;
  clock?: Clock;
  /** Run projections and timers in this process (the API does; one-shot CLI commands do not). */
  background?: boolean;
}

/**
 * A workflow's HTTP controllers in a module of their own that imports the workflow's module, so a
 * controller's guards and settings resolve where the workflow provides them.
 */
function httpModuleOf(w: WorkflowDefinition): DynamicModule {
  const HttpModule = class {};
  Object.defineProperty(HttpModule, 'name', { value: `${w.name[0]!.toUpperCase()}${w.name.slice(1)}HttpModule` });
  return { module: HttpModule, imports: [w.module], controllers: w.controllers ?? [] };
}

@Module({})
export class AppModule {
  static forRoot(options: AppOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        EngineModule.forRoot({ config: options.config, background: options.background ?? true, workflows: WORKFLOWS, ...(options.clock ? { clock: options.clock } : {}) }),
        TerminusModule,
        ...WORKFLOWS.filter((w) => w.controllers?.length).map(httpModuleOf),
        WebUiModule.forRoot(),
      ],
      controllers: [HealthController, MetricsController, ClockController],
    };
  }
}
