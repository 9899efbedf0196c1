import { Injectable } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError, ForbiddenError, type Principal } from '../../engine/commands/command.js';
import { ProjectionQuery, type ReadAt } from '../../engine/nest/cqrs.js';
import { Engine } from '../../engine/nest/engine.js';
import type { EventStore } from '../../engine/event-store/event-store.js';
import { hasRole, mayAudit } from '../access/access.js';
import { documentsStream, type DocumentIssued, type DocumentSubject } from './documents.events.js';
import { documentsProjection, type DocumentSummary } from './documents.projection.js';
import { renderDocument, sha256Hex } from './pdf-render.js';

/**
 * Who reads an issued document: county-level readers every one; a unit's people the county-wide
 * notices and decision and what concerns their own unit; the proposal (a request to the county
 * government) county-level readers only.
 */
export function mayReadDocument(reader: Principal, subject: DocumentSubject): boolean {
  if (mayAudit(reader)) return true;
  if (!hasRole(reader, 'reporter', 'head')) return false;
  if (subject.kind === 'reward-proposal') return false;
  return !('unitId' in subject) || subject.unitId === reader.unitId;
}

export class ListDocuments extends ProjectionQuery<{ planId: string; documents: DocumentSummary[] }> {
  constructor(
    readonly reader: Principal,
    readonly planId: string,
    /** A subjectKey prefix, e.g. `quarterly-notice/2023-Q2` or `talk-notice/fgw/1/`. */
    readonly subject: string | undefined,
    at: ReadAt = {},
  ) {
    super(at);
  }
}

/** The PDF, rendered again from its issue event: the same bytes as when it was issued. */
export class GetDocumentPdf extends ProjectionQuery<{ summary: Pick<DocumentSummary, 'documentId' | 'number' | 'sha256' | 'title'>; pdf: Buffer }> {
  constructor(
    readonly reader: Principal,
    readonly planId: string,
    readonly documentId: string,
  ) {
    super();
  }
}

@QueryHandler(ListDocuments)
@Injectable()
export class ListDocumentsHandler implements IQueryHandler<ListDocuments> {
  constructor(private readonly engine: Engine) {}

  async execute({ reader, planId, subject, at }: ListDocuments) {
    const docs = await this.engine.docs(documentsProjection, at);
    const all = await docs.list<DocumentSummary>('documents', `${planId}/`);
    return {
      planId,
      documents: all.map((x) => x.doc).filter((d) => (!subject || d.subjectKey.startsWith(subject)) && mayReadDocument(reader, d.subject)),
    };
  }
}

/** The issue event of a document id (`<planId>.<seriesId>.<year>.<serial>`): read from its series' stream, not a projection. */
export async function issuedEvent(store: EventStore, planId: string, documentId: string): Promise<DocumentIssued['data'] | undefined> {
  const m = /^(.+)\.([a-z][a-z0-9-]*)\.(\d{4})\.(\d+)$/.exec(documentId);
  if (!m || m[1] !== planId) return undefined;
  const events = await store.readStream(documentsStream({ planId, seriesId: m[2]!, year: Number(m[3]) }));
  return events.map((e) => e.data as DocumentIssued['data']).find((d) => d.documentId === documentId);
}

export async function renderIssued(d: DocumentIssued['data']): Promise<Buffer> {
  return renderDocument({ number: d.number, content: d.content, seal: d.seal, issuedAt: d.issuedAt, documentId: d.documentId });
}

@QueryHandler(GetDocumentPdf)
@Injectable()
export class GetDocumentPdfHandler implements IQueryHandler<GetDocumentPdf> {
  constructor(private readonly engine: Engine) {}

  async execute({ reader, planId, documentId }: GetDocumentPdf) {
    const d = await issuedEvent(this.engine.store, planId, documentId);
    if (!d) throw new DomainError('document-not-found', `plan ${planId} has no document ${documentId}`, { status: 404 });
    if (!mayReadDocument(reader, d.subject)) throw new ForbiddenError(`you may not read ${d.number}`);
    const pdf = await renderIssued(d);
    const sha256 = sha256Hex(pdf);
    // Never serve bytes other than those recorded: a renderer or font that changed would show here.
    if (sha256 !== d.sha256) {
      throw new DomainError('document-render-mismatch', `${d.number} renders to ${sha256}, not the recorded ${d.sha256}: the renderer or its font changed since it was issued`, {
        params: { number: d.number },
        recorded: d.sha256,
        rendered: sha256,
      });
    }
    return { summary: { documentId, number: d.number, sha256, title: d.content.title }, pdf };
  }
}

export const DOCUMENTS_QUERY_HANDLERS = [ListDocumentsHandler, GetDocumentPdfHandler];
