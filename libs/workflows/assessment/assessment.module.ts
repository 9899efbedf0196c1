import { Module } from '@nestjs/common';
import type { WorkflowDefinition } from '../../engine/nest/cqrs.js';
import { PlanModule } from '../plan/plan.module.js';
import { AssessmentController } from './assessment.controller.js';
import { ASSESSMENT_COMMANDS } from './assessment.decider.js';
import { AssessmentBusCommand, AssessmentHandler } from './assessment.handlers.js';
import { assessmentProjection } from './assessment.projection.js';
import { ASSESSMENT_QUERY_HANDLERS } from './assessment.queries.js';
import { AssessmentService } from './assessment.service.js';

@Module({
  imports: [PlanModule],
  providers: [AssessmentService, AssessmentHandler, ...ASSESSMENT_QUERY_HANDLERS],
  exports: [AssessmentService],
})
export class AssessmentModule {}

/** The quarterly assessment: its commands, the assessment projection and its queries. */
export const assessmentWorkflow: WorkflowDefinition = {
  name: 'assessment',
  module: AssessmentModule,
  controllers: [AssessmentController],
  commands: { types: ASSESSMENT_COMMANDS, message: AssessmentBusCommand },
  projections: [assessmentProjection],
};
