import { SEAL_RECORDED, SEALS_STREAM, type SealRecordedData } from '../../engine/audit/seals.js';
import { readRecordedToHead, type EventStore } from '../../engine/event-store/event-store.js';
import type { CitedSeal, DocumentIssued } from './documents.events.js';
import { renderIssued } from './documents.queries.js';
import { sha256Hex } from './pdf-render.js';

/** What `audit verify --document FILE.pdf` says about a file. */
export type DocumentVerification =
  | {
      ok: true;
      sha256: string;
      documentId: string;
      number: string;
      title: string;
      issuedAt: string;
      issuedBy: { userId: string; name: string };
      seal: CitedSeal;
      /** The cited seal is in the record with the same digest. */
      sealInRecord: boolean;
      /** Rendering the issue event again gives these very bytes. */
      rerenders: boolean;
    }
  | {
      ok: false;
      sha256: string;
      /** The document the file says it is (its PDF metadata), when the record has it: the file differs from it. */
      claims: { documentId: string; number: string; recordedSha256: string; seal: CitedSeal } | null;
    };

/** Every issued document in the record (the CLI runs without projections, so it reads the log). */
async function issuedDocuments(store: EventStore): Promise<DocumentIssued['data'][]> {
  const found: DocumentIssued['data'][] = [];
  await readRecordedToHead(store, undefined, (page) => {
    for (const e of page) if (e.type === 'DocumentIssued') found.push(e.data as DocumentIssued['data']);
  });
  return found;
}

/** The document id the renderer writes first in the PDF's Keywords ("<documentId> <sealId> <digest>", ASCII, so a literal string in the file). */
function claimedId(bytes: Buffer): string | undefined {
  return /\(([A-Za-z0-9.-]+) seal-[^ ()]* [0-9a-f]{64}\)/.exec(bytes.toString('latin1'))?.[1];
}

export async function verifyDocument(store: EventStore, bytes: Buffer): Promise<DocumentVerification> {
  const sha256 = sha256Hex(bytes);
  const documents = await issuedDocuments(store);
  const d = documents.find((x) => x.sha256 === sha256);
  if (!d) {
    const id = claimedId(bytes);
    const claimed = id ? documents.find((x) => x.documentId === id) : undefined;
    return { ok: false, sha256, claims: claimed ? { documentId: claimed.documentId, number: claimed.number, recordedSha256: claimed.sha256, seal: claimed.seal } : null };
  }
  const seals = (await store.readStream(SEALS_STREAM)).filter((e) => e.type === SEAL_RECORDED).map((e) => e.data as SealRecordedData);
  const cited = seals.find((s) => s.sealId === d.seal.sealId);
  return {
    ok: true,
    sha256,
    documentId: d.documentId,
    number: d.number,
    title: d.content.title,
    issuedAt: d.issuedAt,
    issuedBy: d.issuedBy,
    seal: d.seal,
    sealInRecord: cited?.root === d.seal.root && cited.position === d.seal.position,
    rerenders: sha256Hex(await renderIssued(d)) === sha256,
  };
}
