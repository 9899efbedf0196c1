import { Module } from '@nestjs/common';
import type { WorkflowDefinition } from '../../engine/nest/cqrs.js';
import { PlanModule } from '../plan/plan.module.js';
import { REPORTING_COMMANDS } from './reporting.decider.js';
import { ReportingController } from './reporting.controller.js';
import { OpenReportingPeriodHandler, ReportingBusCommand, ReportingHandler } from './reporting.handlers.js';
import { ReportingService } from './reporting.service.js';
import { reportsProjection } from './reports.projection.js';
import { REPORTS_QUERY_HANDLERS } from './reports.queries.js';
import { ReportingExportsController } from './reporting-exports.controller.js';

@Module({
  imports: [PlanModule],
  providers: [ReportingService, ReportingHandler, OpenReportingPeriodHandler, ...REPORTS_QUERY_HANDLERS],
  exports: [ReportingService],
})
export class ReportingModule {}

/** The monthly report: its commands, the reports projection and its queries. */
export const reportingWorkflow: WorkflowDefinition = {
  name: 'reporting',
  module: ReportingModule,
  controllers: [ReportingController, ReportingExportsController],
  commands: { types: REPORTING_COMMANDS, message: ReportingBusCommand },
  projections: [reportsProjection],
};
