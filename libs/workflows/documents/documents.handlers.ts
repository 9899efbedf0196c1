import { Injectable } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandResult } from '../../engine/commands/command-executor.js';
import { WorkflowCommand } from '../../engine/nest/cqrs.js';
import { DocumentsService, type IssueRequest } from './documents.service.js';

/** The documents workflow's command on the bus: what callers send (the subject); the service gathers, renders and decides. */
export class DocumentsBusCommand extends WorkflowCommand<IssueRequest> {}

@CommandHandler(DocumentsBusCommand)
@Injectable()
export class DocumentsHandler implements ICommandHandler<DocumentsBusCommand, CommandResult> {
  constructor(private readonly documents: DocumentsService) {}

  execute({ command, options }: DocumentsBusCommand): Promise<CommandResult> {
    return this.documents.issue(command, options);
  }
}
