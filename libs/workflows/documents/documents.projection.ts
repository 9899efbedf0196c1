import type { Projection } from '../../engine/projections/docs.js';
import type { DocumentKind } from '../plan/plan-file.js';
import { DOCUMENTS_EVENT_TYPES, subjectKey, type CitedSeal, type DocumentIssued, type DocumentSubject } from './documents.events.js';

export const DOCUMENTS_PROJECTION = 'documents';

/** One issued document as the lists show it: what, which number, who and when, its hash and seal; not its content. */
export interface DocumentSummary {
  documentId: string;
  planId: string;
  kind: DocumentKind;
  subject: DocumentSubject;
  subjectKey: string;
  number: string;
  title: string;
  issuer: string;
  date: string;
  sha256: string;
  bytes: number;
  seal: CitedSeal;
  issuedBy: { userId: string; name: string };
  issuedAt: string;
  reason: string | null;
  supersedes: string | null;
  supersededBy: string | null;
  streamId: string;
  revision: number;
  position: string;
}

/** Keyed by plan, then time of issue, so a plan's list is one prefix in the order documents were issued. */
export const documentKey = (planId: string, issuedAt: string, documentId: string) => `${planId}/${issuedAt}/${documentId}`;

export const documentsProjection: Projection = {
  name: DOCUMENTS_PROJECTION,
  version: 1,
  eventTypes: DOCUMENTS_EVENT_TYPES,
  async apply(e, docs) {
    const d = (e as unknown as DocumentIssued).data;
    const summary: DocumentSummary = {
      documentId: d.documentId,
      planId: d.planId,
      kind: d.kind,
      subject: d.subject,
      subjectKey: subjectKey(d.subject),
      number: d.number,
      title: d.content.title,
      issuer: d.content.issuer,
      date: d.content.date,
      sha256: d.sha256,
      bytes: d.bytes,
      seal: d.seal,
      issuedBy: d.issuedBy,
      issuedAt: d.issuedAt,
      reason: e.metadata.reason ?? null,
      supersedes: d.supersedes,
      supersededBy: null,
      streamId: e.streamId,
      revision: e.revision,
      position: e.position,
    };
    const key = documentKey(d.planId, d.issuedAt, d.documentId);
    docs.put('documents', key, summary);
    docs.put('ids', d.documentId, { key });
    if (d.supersedes) {
      const old = await docs.get<{ key: string }>('ids', d.supersedes);
      const prev = old && (await docs.get<DocumentSummary>('documents', old.key));
      if (old && prev) docs.put('documents', old.key, { ...prev, supersededBy: d.documentId });
    }
  },
};
