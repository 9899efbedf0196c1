import { Module } from '@nestjs/common';
import type { WorkflowDefinition } from '../../engine/nest/cqrs.js';
import { AttachmentsController, AttachmentUploadInterceptor } from './attachments.controller.js';
import { ATTACHMENTS_COMMANDS } from './attachments.decider.js';
import { AttachmentsBusCommand, AttachmentsHandler } from './attachments.handlers.js';
import { attachmentsProjection } from './attachments.projection.js';
import { ATTACHMENTS_QUERY_HANDLERS } from './attachments.queries.js';
import { ATTACHMENTS_SETTINGS, attachmentsSettingsFrom, AttachmentsService } from './attachments.service.js';

@Module({
  providers: [
    { provide: ATTACHMENTS_SETTINGS, useFactory: () => attachmentsSettingsFrom(process.env) },
    AttachmentsService,
    AttachmentsHandler,
    AttachmentUploadInterceptor,
    ...ATTACHMENTS_QUERY_HANDLERS,
  ],
  exports: [AttachmentsService, ATTACHMENTS_SETTINGS],
})
export class AttachmentsModule {}

/** Attachments as evidence on reports, cases and decisions (issue 16): the bytes in the blob store, the facts in events. */
export const attachmentsWorkflow: WorkflowDefinition = {
  name: 'attachments',
  module: AttachmentsModule,
  controllers: [AttachmentsController],
  commands: { types: ATTACHMENTS_COMMANDS, message: AttachmentsBusCommand },
  projections: [attachmentsProjection],
};
