import { blobStoreFromEnv } from '../../../../libs/engine/blobs/blob-store.js';
import { verifyBlobs } from '../../../../libs/engine/blobs/verify-blobs.js';
import type { EventStore } from '../../../../libs/engine/event-store/event-store.js';
import { configFor } from './context.js';

/** `audit verify`'s blob part: every blob an event refers to, read from the deployment's blob store and hashed. */
export async function verifyReferencedBlobs(store: EventStore, storeOption: string | undefined): Promise<{ ok: boolean; summary: string; lines: string[] }> {
  const blobs = blobStoreFromEnv(configFor(storeOption));
  try {
    const r = await verifyBlobs(store, blobs);
    const summary = `blobs: ${r.references} reference(s) to ${r.blobs} blob(s), ${r.bytes} bytes hashed in ${blobs.location}; ${r.problems.length ? `${r.problems.length} problem(s)` : 'every one present and unaltered'}`;
    const lines = r.problems.map(
      (p, i) => `${i === 0 ? 'TAMPERED: ' : '  also: '}${p.kind} blob referred to by ${p.eventType} in "${p.streamId}" at revision ${p.revision}: ${p.detail}`,
    );
    return { ok: r.ok, summary, lines: r.ok ? [] : [...lines, summary] };
  } finally {
    await blobs.close();
  }
}
