import { Module } from '@nestjs/common';
import type { WorkflowDefinition } from '../../engine/nest/cqrs.js';
import { PlanModule } from '../plan/plan.module.js';
import { AuditController } from './audit.controller.js';
import { AUDIT_HANDLERS } from './audit.queries.js';
import { AuditService } from './audit.service.js';
import { quarterSealReactor, SEAL_COMMANDS, SealBusCommand, SealHandler } from './seal.handlers.js';
import { timelineProjection } from './timeline.projection.js';

@Module({
  imports: [PlanModule],
  providers: [AuditService, SealHandler, ...AUDIT_HANDLERS],
  exports: [AuditService],
})
export class AuditModule {}

/** The auditors' questions: timelines, views as of a moment, diffs, provenance, seals and verification. */
export const auditWorkflow: WorkflowDefinition = {
  name: 'audit',
  module: AuditModule,
  controllers: [AuditController],
  commands: { types: SEAL_COMMANDS, message: SealBusCommand },
  projections: [timelineProjection],
  reactors: [quarterSealReactor],
};
