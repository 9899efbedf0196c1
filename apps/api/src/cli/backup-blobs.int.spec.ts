import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { blobStoreUrlFor, DirectoryBlobStore, openBlobStore } from '../../../../libs/engine/blobs/blob-store.js';
import { openEventStore } from '../../../../libs/engine/event-store/open-event-store.js';
import { createSqliteDirectory } from '../../../../libs/engine/testing/databases.js';
import { testMetadata } from '../../../../libs/engine/testing/fixtures.js';
import { backup, restore, type BackupManifest } from './backup.js';
import { verifyReferencedBlobs } from './verify-blobs.js';

/**
 * A SQLite store's attachments travel with its backup: `backup` copies the `blobs/` directory into
 * FILE.blobs/ and hashes every copied blob; `restore` puts them beside the new store, which then
 * verifies with no blob missing. A blob altered in the backup makes the restore TAMPERED.
 */
describe('backup and restore of a SQLite store with attachments', () => {
  const dir = createSqliteDirectory('backup-blobs');
  const saved = process.env.BLOB_STORE_URL;
  beforeAll(() => delete process.env.BLOB_STORE_URL);
  afterAll(() => {
    if (saved !== undefined) process.env.BLOB_STORE_URL = saved;
    dir.drop();
  });

  it('copies, hashes and lists the blobs, restores them, and the restored copy verifies without missing blobs', async () => {
    const url = dir.url('source.db');
    const blobs = openBlobStore(blobStoreUrlFor({ eventStoreUrl: url })) as DirectoryBlobStore;
    const scans = [
      Buffer.from('%PDF-1.4 the scanned signed June report\n%%EOF\n'),
      Buffer.from('\x89PNG a photo of the rectified site'),
      Buffer.from('an upload whose command failed'),
    ];
    const stored = await Promise.all(scans.map((b) => blobs.put(b)));
    const store = await openEventStore(url);
    await store.appendToStream(
      'attachments-report-p-u-2023-06',
      stored
        .slice(0, 2)
        .map((b) => ({ id: crypto.randomUUID(), type: 'AttachmentAdded', data: { name: 'scan', blob: { sha256: b.sha256, size: b.size } }, metadata: testMetadata() })),
    );
    await store.close();

    const out = join(dir.dir, 'nightly.db');
    const { manifest, report } = await backup(url, out);
    expect(report.verdict).toBe('intact');
    // Every blob of the directory (the unreferenced one too), counted, with their bytes, two of them referenced.
    expect(manifest.blobs).toEqual({
      dir: 'nightly.db.blobs',
      source: blobs.dir,
      count: 3,
      bytes: scans.reduce((n, b) => n + b.length, 0),
      referenced: 2,
    });
    expect((JSON.parse(readFileSync(`${out}.manifest.json`, 'utf8')) as BackupManifest).blobs?.count).toBe(3);
    for (const b of stored) expect(readFileSync(join(`${out}.blobs`, b.sha256.slice(0, 2), b.sha256)).length).toBe(b.size);

    // Restored into a new file elsewhere: the blobs go beside it, and audit verify finds every one.
    mkdirSync(join(dir.dir, 'elsewhere'));
    const target = `sqlite:${join(dir.dir, 'elsewhere', 'restored.db')}`;
    const restored = await restore(out, target, {});
    expect(restored.report?.verdict).toBe('intact');
    expect(restored.blobs).toMatchObject({ restored: 3, into: join(dir.dir, 'elsewhere', 'blobs') });
    const copy = await openEventStore(target);
    try {
      const verified = await verifyReferencedBlobs(copy, target);
      expect(verified.ok).toBe(true);
      expect(verified.summary).toContain('2 reference(s) to 2 blob(s)');
    } finally {
      await copy.close();
    }
  });

  it('names a blob altered in the backup and one missing from it: the backup or the restore is TAMPERED', async () => {
    const url = dir.url('second.db');
    const blobs = new DirectoryBlobStore(join(dir.dir, 'second-blobs'));
    process.env.BLOB_STORE_URL = `file:${blobs.dir}`;
    try {
      const a = await blobs.put(Buffer.from('%PDF-1.4 rectification plan'));
      const store = await openEventStore(url);
      const missing = 'e'.repeat(64);
      await store.appendToStream('attachments-case-p-u-1-1', [
        { id: crypto.randomUUID(), type: 'AttachmentAdded', data: { name: 'plan.pdf', blob: { sha256: a.sha256, size: a.size } }, metadata: testMetadata() },
      ]);
      await store.close();
      const out = join(dir.dir, 'second-backup.db');
      expect((await backup(url, out)).report.verdict).toBe('intact');

      const file = join(`${out}.blobs`, a.sha256.slice(0, 2), a.sha256);
      chmodSync(file, 0o644);
      writeFileSync(file, Buffer.from('%PDF-1.4 another plan'));
      process.env.BLOB_STORE_URL = `file:${join(dir.dir, 'third-blobs')}`;
      const r = await restore(out, dir.url('third.db'), {});
      expect(r.report?.verdict).toBe('tampered');
      expect(r.report?.verification.problems.join('\n')).toContain(`altered blob ${a.sha256}`);
      expect(r.report?.verification.problems.join('\n')).toContain(`missing blob referred to by AttachmentAdded in "attachments-case-p-u-1-1"`);
      // The altered bytes were not put into the target under the recorded hash.
      expect(existsSync(join(dir.dir, 'third-blobs', a.sha256.slice(0, 2), a.sha256))).toBe(false);

      // A backup of a store whose event refers to a blob nobody stored says so at once.
      const broken = await openEventStore(url);
      await broken.appendToStream('attachments-case-p-u-1-2', [
        { id: crypto.randomUUID(), type: 'AttachmentAdded', data: { name: 'gone.pdf', blob: { sha256: missing, size: 5 } }, metadata: testMetadata() },
      ]);
      await broken.close();
      process.env.BLOB_STORE_URL = `file:${blobs.dir}`;
      const again = await backup(url, join(dir.dir, 'second-backup-2.db'));
      expect(again.report.verdict).toBe('tampered');
      expect(again.report.verification.problems).toEqual([expect.stringContaining(`missing blob ${missing}`)]);
    } finally {
      delete process.env.BLOB_STORE_URL;
    }
  });
});
