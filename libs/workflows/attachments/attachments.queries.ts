import { Injectable } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError, ForbiddenError, type Principal } from '../../engine/commands/command.js';
import { sha256Of } from '../../engine/blobs/blob-store.js';
import { ProjectionQuery, type ReadAt } from '../../engine/nest/cqrs.js';
import { Engine } from '../../engine/nest/engine.js';
import { hasRole, mayReadUnit } from '../access/access.js';
import { attachmentsStream, type AttachmentTarget } from './attachments.events.js';
import { attachmentsProjection, findAttachment, listAttachments, type AttachmentView } from './attachments.projection.js';
import { AttachmentsService } from './attachments.service.js';

/**
 * Attachments are read like the thing they are attached to: a unit's report or case by its own
 * people and every county-level role; the year-end decision by the county-level roles.
 */
export function mayReadAttachments(p: Principal, t: AttachmentTarget): boolean {
  return t.kind === 'decision' ? hasRole(p, 'office', 'supervisor', 'leader', 'auditor', 'admin', 'system') : mayReadUnit(p, t.unitId);
}

function checkRead(p: Principal, t: AttachmentTarget): void {
  if (!mayReadAttachments(p, t)) throw new ForbiddenError(`${p.name ?? p.userId} may not read the attachments of this ${t.kind}`);
}

export interface AttachmentListView {
  target: AttachmentTarget;
  attachments: AttachmentView[];
}

export class ListAttachments extends ProjectionQuery<AttachmentListView> {
  constructor(
    readonly reader: Principal,
    readonly target: AttachmentTarget,
    at: ReadAt = {},
  ) {
    super(at);
  }
}

export interface AttachmentContent {
  view: AttachmentView;
  bytes: Buffer;
}

/** One file's bytes, checked against the hash its event recorded. */
export class GetAttachmentContent extends ProjectionQuery<AttachmentContent> {
  constructor(
    readonly reader: Principal,
    readonly target: AttachmentTarget,
    readonly sha256: string,
    at: ReadAt = {},
  ) {
    super(at);
  }
}

@QueryHandler(ListAttachments)
@Injectable()
export class ListAttachmentsHandler implements IQueryHandler<ListAttachments, AttachmentListView> {
  constructor(private readonly engine: Engine) {}

  async execute({ reader, target, at }: ListAttachments): Promise<AttachmentListView> {
    checkRead(reader, target);
    const docs = await this.engine.docs(attachmentsProjection, at, () => [attachmentsStream(target)]);
    return { target, attachments: await listAttachments(docs, target, (a, b) => this.engine.store.comparePositions(a, b)) };
  }
}

@QueryHandler(GetAttachmentContent)
@Injectable()
export class GetAttachmentContentHandler implements IQueryHandler<GetAttachmentContent, AttachmentContent> {
  constructor(
    private readonly engine: Engine,
    private readonly attachments: AttachmentsService,
  ) {}

  async execute({ reader, target, sha256, at }: GetAttachmentContent): Promise<AttachmentContent> {
    checkRead(reader, target);
    const docs = await this.engine.docs(attachmentsProjection, at, () => [attachmentsStream(target)]);
    const view = /^[0-9a-f]{64}$/.test(sha256) ? await findAttachment(docs, target, sha256) : undefined;
    if (!view) throw new DomainError('attachment-unknown', `no file ${sha256} is attached to this ${target.kind}`, { status: 404 });
    const bytes = await this.attachments.blobs.get(sha256);
    // Served only as recorded: a missing or altered blob is named, never handed out as evidence.
    if (!bytes)
      throw new DomainError('attachment-blob-missing', `the bytes of ${view.name} (${sha256}) are missing from the blob store; run audit verify`, {
        params: { name: view.name },
        status: 409,
      });
    if (sha256Of(bytes) !== sha256)
      throw new DomainError('attachment-blob-altered', `the bytes of ${view.name} no longer match their recorded SHA-256 ${sha256}; run audit verify`, {
        params: { name: view.name },
        status: 409,
      });
    return { view, bytes };
  }
}

export const ATTACHMENTS_QUERY_HANDLERS = [ListAttachmentsHandler, GetAttachmentContentHandler];
