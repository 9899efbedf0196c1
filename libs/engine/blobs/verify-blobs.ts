import { readRecordedToHead, type EventStore, type RecordedEvent } from '../event-store/event-store.js';
import { sha256Of, type BlobStore } from './blob-store.js';

/**
 * How an event refers to a blob: `data.blob = { sha256, size }`. Any workflow's event that carries
 * bytes kept outside the log says so this way, and verification finds it without knowing the
 * workflow (the engine knows nothing of reports or cases).
 */
export interface BlobRef {
  sha256: string;
  size: number;
}

export function blobRefOf(e: Pick<RecordedEvent, 'data'>): BlobRef | undefined {
  const blob = (e.data as { blob?: unknown } | null)?.blob as Partial<BlobRef> | undefined;
  return blob && typeof blob.sha256 === 'string' && typeof blob.size === 'number' ? { sha256: blob.sha256, size: blob.size } : undefined;
}

export interface BlobProblem {
  kind: 'missing' | 'altered';
  sha256: string;
  streamId: string;
  revision: number;
  eventType: string;
  detail: string;
}

export interface BlobVerification {
  ok: boolean;
  /** Events that refer to a blob. */
  references: number;
  /** Distinct blobs read and hashed. */
  blobs: number;
  bytes: number;
  problems: BlobProblem[];
}

/** The distinct blobs the events refer to (their SHA-256), in the order first referred to. */
export async function referencedBlobs(store: EventStore): Promise<string[]> {
  const seen = new Set<string>();
  await readRecordedToHead(store, undefined, (page) => {
    for (const e of page) {
      const ref = blobRefOf(e);
      if (ref) seen.add(ref.sha256);
    }
  });
  return [...seen];
}

/** Reads every event, and for each distinct blob an event refers to, its bytes: present, of the recorded size and hash. */
export async function verifyBlobs(store: EventStore, blobs: BlobStore): Promise<BlobVerification> {
  const refs: { e: RecordedEvent; ref: BlobRef }[] = [];
  await readRecordedToHead(store, undefined, (page) => {
    for (const e of page) {
      const ref = blobRefOf(e);
      if (ref) refs.push({ e, ref });
    }
  });
  const checked = new Map<string, BlobProblem['kind'] | 'ok'>();
  const problems: BlobProblem[] = [];
  let bytes = 0;
  for (const { e, ref } of refs) {
    let state = checked.get(ref.sha256);
    let detail = '';
    if (state === undefined) {
      const content = await blobs.get(ref.sha256).catch(() => undefined);
      if (!content) {
        state = 'missing';
        detail = `the blob ${ref.sha256} is not in the blob store (${blobs.location})`;
      } else {
        bytes += content.length;
        const actual = sha256Of(content);
        state = actual === ref.sha256 && content.length === ref.size ? 'ok' : 'altered';
        if (state === 'altered') detail = `the blob ${ref.sha256} now hashes to ${actual} (${content.length} bytes; the event recorded ${ref.size})`;
      }
      checked.set(ref.sha256, state);
    } else if (state !== 'ok') {
      detail = `the same blob ${ref.sha256} (${state}, named above)`;
    }
    if (state !== 'ok') problems.push({ kind: state, sha256: ref.sha256, streamId: e.streamId, revision: e.revision, eventType: e.type, detail });
  }
  return { ok: problems.length === 0, references: refs.length, blobs: checked.size, bytes, problems };
}
