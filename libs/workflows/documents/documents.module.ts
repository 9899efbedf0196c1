import { Module } from '@nestjs/common';
import type { WorkflowDefinition } from '../../engine/nest/cqrs.js';
import { PlanModule } from '../plan/plan.module.js';
import { DocumentsController } from './documents.controller.js';
import { DOCUMENTS_COMMANDS } from './documents.decider.js';
import { DocumentsBusCommand, DocumentsHandler } from './documents.handlers.js';
import { documentsProjection } from './documents.projection.js';
import { DOCUMENTS_QUERY_HANDLERS } from './documents.queries.js';
import { DocumentsService } from './documents.service.js';

@Module({
  imports: [PlanModule],
  providers: [DocumentsService, DocumentsHandler, ...DOCUMENTS_QUERY_HANDLERS],
  exports: [DocumentsService],
})
export class DocumentsModule {}

/** Official documents (公文) as PDF: issued with a number, a hash and a seal; listed; served again from their events. */
export const documentsWorkflow: WorkflowDefinition = {
  name: 'documents',
  module: DocumentsModule,
  controllers: [DocumentsController],
  commands: { types: DOCUMENTS_COMMANDS, message: DocumentsBusCommand },
  projections: [documentsProjection],
};
