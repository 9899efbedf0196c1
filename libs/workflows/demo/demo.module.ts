import { Module } from '@nestjs/common';
import type { WorkflowDefinition } from '../../engine/nest/cqrs.js';
import { DemoController } from './demo.controller.js';
import { DEMO_COMMANDS } from './demo.decider.js';
import { DemoBusCommand, DemoHandler, GetDemoStatusHandler } from './demo.handlers.js';
import { DemoService } from './demo.service.js';

/** The demo's record and its status endpoint; playing the year is demo-year.ts, run by the CLI and first start. */
@Module({
  providers: [DemoService, DemoHandler, GetDemoStatusHandler],
  exports: [DemoService],
})
export class DemoModule {}

export const demoWorkflow: WorkflowDefinition = {
  name: 'demo',
  module: DemoModule,
  controllers: [DemoController],
  commands: { types: DEMO_COMMANDS, message: DemoBusCommand },
};
