import type { DomainEvent } from '../../engine/commands/command.js';
import type { BlobRef } from '../../engine/blobs/verify-blobs.js';
import type { CaseStep } from '../supervision/supervision.events.js';

/**
 * Attachments as evidence (issue 16): a file attached to a monthly report (the scanned signed and
 * sealed paper copy), to a supervision case (rectification plan, feedback evidence, photos) or to
 * the approved year-end decision. The event holds the file's name, type, size and SHA-256 (as
 * `blob`, which `audit verify` follows); the bytes live in the blob store, addressed by that hash.
 * One stream per target, beside the target's own: the workflows that own reports, cases and
 * decisions are not changed by adding evidence to them.
 */
export type AttachmentTarget =
  | { kind: 'report'; planId: string; unitId: string; period: string }
  | { kind: 'case'; planId: string; unitId: string; indicatorNo: number; caseNo: number }
  | { kind: 'decision'; planId: string; year: number };

export const ATTACHMENT_KINDS = ['report', 'case', 'decision'] as const;
export type AttachmentKind = AttachmentTarget['kind'];

/** The types accepted, as detected from the content (never from the name). */
export const ALLOWED_MEDIA_TYPES = {
  'application/pdf': 'pdf',
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
} as const;
export type AllowedMediaType = keyof typeof ALLOWED_MEDIA_TYPES;

export type AttachmentAdded = DomainEvent<
  'AttachmentAdded',
  {
    target: AttachmentTarget;
    /** The file's name as the uploader gave it (path removed); shown and offered on download, never trusted for the type. */
    name: string;
    mediaType: AllowedMediaType;
    blob: BlobRef;
    /** For a case: the step the evidence belongs to. */
    step?: CaseStep;
    note?: string;
  }
>;

export type AttachmentsEvent = AttachmentAdded;
export const ATTACHMENTS_EVENT_TYPES = ['AttachmentAdded'] as const;

/** The stream of a target's attachments, e.g. `attachments-report-ye-county-2023-sthjj-2023-06`. */
export function attachmentsStream(t: AttachmentTarget): string {
  switch (t.kind) {
    case 'report':
      return `attachments-report-${t.planId}-${t.unitId}-${t.period}`;
    case 'case':
      return `attachments-case-${t.planId}-${t.unitId}-${t.indicatorNo}-${t.caseNo}`;
    case 'decision':
      return `attachments-decision-${t.planId}-${t.year}`;
  }
}

/** The unit a target belongs to (reports and cases), for who may read it. */
export const unitOf = (t: AttachmentTarget): string | undefined => (t.kind === 'decision' ? undefined : t.unitId);
