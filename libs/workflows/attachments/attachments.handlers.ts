import { Injectable } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Command } from '../../engine/commands/command.js';
import type { CommandResult } from '../../engine/commands/command-executor.js';
import { sha256Of } from '../../engine/blobs/blob-store.js';
import { WorkflowCommand } from '../../engine/nest/cqrs.js';
import { Engine } from '../../engine/nest/engine.js';
import type { CaseStep } from '../supervision/supervision.events.js';
import { attachmentsDecider, authorizeAttachment, type AddAttachment } from './attachments.decider.js';
import { attachmentsStream, type AttachmentTarget } from './attachments.events.js';
import { AttachmentsService } from './attachments.service.js';

/** What callers send: the file's bytes and name, and where it goes. The handler finds the facts; the bytes never enter the command recorded. */
export type AttachmentsRequest = Command<'attachments.Add', { target: AttachmentTarget; name: string; bytes: Buffer; step?: CaseStep; note?: string }>;

export class AttachmentsBusCommand extends WorkflowCommand<AttachmentsRequest> {}

@CommandHandler(AttachmentsBusCommand)
@Injectable()
export class AttachmentsHandler implements ICommandHandler<AttachmentsBusCommand, CommandResult> {
  constructor(
    private readonly engine: Engine,
    private readonly attachments: AttachmentsService,
  ) {}

  async execute({ command, options }: AttachmentsBusCommand): Promise<CommandResult> {
    const { bytes, ...rest } = command.data;
    // Who may attach is decided first, before the content is looked at or anything is stored.
    authorizeAttachment(command.meta.actor, rest.target);
    const sha256 = sha256Of(bytes);
    const add: AddAttachment = { type: 'attachments.Add', meta: command.meta, data: { ...rest, facts: await this.attachments.facts(rest.target, bytes, sha256) } };
    // The rules on the file alone (type, size, name, step), before its bytes are stored: a refused
    // file leaves nothing behind. The decision proper (with the stream's state) follows the write.
    attachmentsDecider.decide(add, attachmentsDecider.initialState());
    // Bytes first, then the event: an event never refers to a blob that is not there.
    await this.attachments.blobs.put(bytes);
    return this.engine.decide(attachmentsDecider, attachmentsStream(rest.target), add, options);
  }
}
