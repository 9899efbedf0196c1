import { Module } from '@nestjs/common';
import type { WorkflowDefinition } from '../../engine/nest/cqrs.js';
import { PlanModule } from '../plan/plan.module.js';
import { channelsConfigFrom } from './notices.channels.js';
import { NoticesController } from './notices.controller.js';
import { NOTICES_COMMANDS } from './notices.decider.js';
import { NoticesBusCommand, NoticesHandler } from './notices.handlers.js';
import { noticesProjection, todoProjection } from './notices.projection.js';
import { NOTICES_QUERY_HANDLERS } from './notices.queries.js';
import { noticesReactor } from './notices.reactor.js';
import { NOTICES_CHANNELS, NoticesService } from './notices.service.js';

@Module({
  imports: [PlanModule],
  providers: [{ provide: NOTICES_CHANNELS, useFactory: () => channelsConfigFrom(process.env) }, NoticesService, NoticesHandler, ...NOTICES_QUERY_HANDLERS],
  exports: [NoticesService, NOTICES_CHANNELS],
})
export class NoticesModule {}

/** Notices that reach people (issue 16): the reactor issues them, the inbox and to-do counts read them, jobs deliver them. */
export const noticesWorkflow: WorkflowDefinition = {
  name: 'notices',
  module: NoticesModule,
  controllers: [NoticesController],
  commands: { types: NOTICES_COMMANDS, message: NoticesBusCommand },
  projections: [noticesProjection, todoProjection],
  reactors: [noticesReactor],
};
