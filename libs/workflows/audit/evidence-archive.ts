import JSZip from 'jszip';
import { sha256Of, type BlobStore } from '../../engine/blobs/blob-store.js';
import { blobRefOf } from '../../engine/blobs/verify-blobs.js';
import { toJsonLines, type UnitExport } from './audit.service.js';

export const EVIDENCE_FORMAT = 'jixiao-evidence/1';

/** One attachment in the archive: what its event recorded, and where its bytes are. */
export interface EvidenceAttachment {
  /** `attachments/<sha256>`: stored under its hash, as the blob store keeps it. */
  path: string | null;
  name: string;
  mediaType: string | null;
  size: number;
  sha256: string;
  /** The event that recorded it. */
  streamId: string;
  revision: number;
  position: string;
}

export interface EvidenceManifest {
  format: typeof EVIDENCE_FORMAT;
  planId: string;
  unitId: string;
  unitName: string;
  exportedAt: string;
  /** The export itself (JSON lines, as `audit export` writes it, sealed). */
  export: { path: 'export.jsonl'; bytes: number; sha256: string; events: number; seal: string | null };
  attachments: EvidenceAttachment[];
  /** Blobs the export refers to that could not be put in: missing from the blob store, or altered there (not copied). */
  problems: { sha256: string; kind: 'missing' | 'altered'; detail: string }[];
}

/**
 * A unit's evidence export with the attachments' bytes (issue 16): a zip holding `export.jsonl`
 * (the sealed export), each attachment under `attachments/<sha256>`, `manifest.json` (name, type,
 * size and SHA-256 of each, and the events that recorded them) and `SHA256SUMS`, so that the
 * archive is checked offline with `sha256sum -c SHA256SUMS` (or verifyEvidenceArchive). A blob
 * missing from the store or altered there is not copied: the manifest names it among `problems`.
 */
export async function evidenceArchive(x: UnitExport, blobs: BlobStore): Promise<{ zip: Buffer; manifest: EvidenceManifest }> {
  const jsonl = Buffer.from(toJsonLines(x));
  const zip = new JSZip();
  const date = new Date(x.header.exportedAt);
  const add = (path: string, bytes: Buffer) => zip.file(path, bytes, { date, binary: true });
  add('export.jsonl', jsonl);

  const attachments: EvidenceAttachment[] = [];
  const problems: EvidenceManifest['problems'] = [];
  const written = new Map<string, string | null>();
  for (const e of x.events) {
    const data = JSON.parse(e.data) as { name?: string; mediaType?: string };
    const ref = blobRefOf({ data });
    if (!ref) continue;
    if (!written.has(ref.sha256)) {
      const bytes = await blobs.get(ref.sha256).catch(() => undefined);
      if (!bytes) {
        problems.push({ sha256: ref.sha256, kind: 'missing', detail: `not in the blob store (${blobs.location})` });
        written.set(ref.sha256, null);
      } else if (sha256Of(bytes) !== ref.sha256 || bytes.length !== ref.size) {
        problems.push({ sha256: ref.sha256, kind: 'altered', detail: `the stored bytes hash to ${sha256Of(bytes)} (${bytes.length} bytes): not copied` });
        written.set(ref.sha256, null);
      } else {
        const path = `attachments/${ref.sha256}`;
        add(path, bytes);
        written.set(ref.sha256, path);
      }
    }
    attachments.push({
      path: written.get(ref.sha256) ?? null,
      name: data.name ?? '',
      mediaType: data.mediaType ?? null,
      size: ref.size,
      sha256: ref.sha256,
      streamId: e.streamId,
      revision: e.revision,
      position: e.position,
    });
  }
  const manifest: EvidenceManifest = {
    format: EVIDENCE_FORMAT,
    planId: x.header.planId,
    unitId: x.header.unitId,
    unitName: x.header.unitName,
    exportedAt: x.header.exportedAt,
    export: { path: 'export.jsonl', bytes: jsonl.length, sha256: sha256Of(jsonl), events: x.header.events, seal: x.header.seal },
    attachments,
    problems,
  };
  add('manifest.json', Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
  const sums = [`${manifest.export.sha256}  export.jsonl`, ...[...written].filter(([, p]) => p).map(([sha, p]) => `${sha}  ${p}`)];
  add('SHA256SUMS', Buffer.from(`${sums.join('\n')}\n`));
  const bytes = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 6 }, platform: 'UNIX' });
  return { zip: bytes, manifest };
}

/** Checks an archive offline: the export and each attachment against the manifest's hashes and sizes. */
export async function verifyEvidenceArchive(zipBytes: Buffer): Promise<{ ok: boolean; manifest: EvidenceManifest; checked: number; problems: string[] }> {
  const zip = await JSZip.loadAsync(zipBytes);
  const manifestFile = zip.file('manifest.json');
  if (!manifestFile) throw new Error('no manifest.json: not a Jixiao evidence archive');
  const manifest = JSON.parse(await manifestFile.async('string')) as EvidenceManifest;
  if (manifest.format !== EVIDENCE_FORMAT) throw new Error(`manifest format ${JSON.stringify(manifest.format)}, expected ${EVIDENCE_FORMAT}`);
  const problems: string[] = manifest.problems.map((p) => `${p.kind} blob ${p.sha256} when exported: ${p.detail}`);
  let checked = 0;
  const check = async (path: string, sha256: string, size: number) => {
    const f = zip.file(path);
    if (!f) return problems.push(`${path} is not in the archive`);
    const bytes = await f.async('nodebuffer');
    checked++;
    if (sha256Of(bytes) !== sha256 || bytes.length !== size)
      problems.push(`${path} hashes to ${sha256Of(bytes)} (${bytes.length} bytes); the manifest says ${sha256} (${size} bytes)`);
  };
  await check(manifest.export.path, manifest.export.sha256, manifest.export.bytes);
  const seen = new Set<string>();
  for (const a of manifest.attachments) {
    if (!a.path || seen.has(a.path)) continue;
    seen.add(a.path);
    await check(a.path, a.sha256, a.size);
  }
  return { ok: problems.length === 0, manifest, checked, problems };
}
