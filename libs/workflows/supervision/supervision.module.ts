import { Module } from '@nestjs/common';
import type { WorkflowDefinition } from '../../engine/nest/cqrs.js';
import { PlanModule } from '../plan/plan.module.js';
import { supervisionBoardProjection } from './supervision-board.projection.js';
import { SupervisionController } from './supervision.controller.js';
import { SUPERVISION_COMMANDS } from './supervision.decider.js';
import { OpenCaseByHandHandler, SupervisionBusCommand, SupervisionHandler } from './supervision.handlers.js';
import { SUPERVISION_QUERY_HANDLERS } from './supervision.queries.js';
import { supervisionReactor } from './supervision.reactor.js';
import { SupervisionService } from './supervision.service.js';
import { SupervisionExportsController } from './supervision-exports.controller.js';

@Module({
  imports: [PlanModule],
  providers: [SupervisionService, SupervisionHandler, OpenCaseByHandHandler, ...SUPERVISION_QUERY_HANDLERS],
  exports: [SupervisionService],
})
export class SupervisionModule {}

/** Supervision of red warnings: its commands, the board projection and its queries, and the reactor opening a case per red row. */
export const supervisionWorkflow: WorkflowDefinition = {
  name: 'supervision',
  module: SupervisionModule,
  controllers: [SupervisionController, SupervisionExportsController],
  commands: { types: SUPERVISION_COMMANDS, message: SupervisionBusCommand },
  projections: [supervisionBoardProjection],
  reactors: [supervisionReactor],
};
