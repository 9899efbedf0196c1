import type { Actor } from '../../engine/event-store/envelope.js';
import type { Projection } from '../../engine/projections/docs.js';
import type { CaseStep } from '../supervision/supervision.events.js';
import { attachmentsStream, type AttachmentAdded, type AttachmentTarget } from './attachments.events.js';

export const ATTACHMENTS_PROJECTION = 'attachments';
const FILES = 'files';

/** One attached file as lists show it: what it is, who attached it, when and why. */
export interface AttachmentView {
  sha256: string;
  name: string;
  mediaType: string;
  size: number;
  step?: CaseStep;
  note?: string;
  addedAt: string;
  addedBy: Actor;
  reason?: string;
  position: string;
  eventId: string;
}

/** Key: the target's stream, then the hash — a target's files are one prefix. */
const keyOf = (stream: string, sha256: string) => `${stream}/${sha256}`;

export const attachmentsProjection: Projection = {
  name: ATTACHMENTS_PROJECTION,
  version: 1,
  eventTypes: ['AttachmentAdded'],
  apply(e, docs) {
    const d = (e as unknown as { data: AttachmentAdded['data'] }).data;
    const view: AttachmentView = {
      sha256: d.blob.sha256,
      name: d.name,
      mediaType: d.mediaType,
      size: d.blob.size,
      ...(d.step ? { step: d.step } : {}),
      ...(d.note ? { note: d.note } : {}),
      addedAt: e.metadata.recordedAt,
      addedBy: e.metadata.actor,
      ...(e.metadata.reason ? { reason: e.metadata.reason } : {}),
      position: e.position,
      eventId: e.id,
    };
    docs.put(FILES, keyOf(e.streamId, d.blob.sha256), view);
  },
};

/** A target's files in the order they were attached (`compare`: the store's order of positions). */
export async function listAttachments(
  docs: { list<T>(c: string, prefix?: string): Promise<{ key: string; doc: T }[]> },
  target: AttachmentTarget,
  compare: (a: string, b: string) => number,
): Promise<AttachmentView[]> {
  const rows = await docs.list<AttachmentView>(FILES, `${attachmentsStream(target)}/`);
  return rows.map((r) => r.doc).sort((a, b) => compare(a.position, b.position));
}

export async function findAttachment(
  docs: { get<T>(c: string, k: string): Promise<T | undefined> },
  target: AttachmentTarget,
  sha256: string,
): Promise<AttachmentView | undefined> {
  return docs.get<AttachmentView>(FILES, keyOf(attachmentsStream(target), sha256));
}
