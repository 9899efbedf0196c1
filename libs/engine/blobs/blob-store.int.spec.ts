import { chmodSync, writeFileSync } from 'node:fs';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import pg from 'pg';
import { openEventStore } from '../event-store/open-event-store.js';
import { createPostgresDatabase, createSqliteDirectory } from '../testing/databases.js';
import { testMetadata } from '../testing/fixtures.js';
import { TestS3Server } from '../testing/s3-server.js';
import { blobStoreUrlFor, DirectoryBlobStore, openBlobStore, PostgresBlobStore, sha256Of, type BlobStore } from './blob-store.js';
import { S3BlobStore } from './s3-blob-store.js';
import { verifyBlobs } from './verify-blobs.js';

/**
 * The three blob stores on real storage (the S3 one against s3rver, a real S3-compatible server): content-addressed (the same bytes once), read back whole, and
 * `verifyBlobs` names a blob that is missing or whose bytes changed under an event referring to it.
 */
interface Target {
  name: string;
  open(): Promise<{ storeUrl: string; blobs: BlobStore; tamper(sha: string, bytes: Buffer): Promise<void>; drop(): Promise<void> }>;
}

const targets: Target[] = [
  {
    name: 'a directory beside the SQLite file',
    async open() {
      const dir = createSqliteDirectory('blobs');
      const storeUrl = dir.url();
      const blobs = openBlobStore(blobStoreUrlFor({ eventStoreUrl: storeUrl }));
      return {
        storeUrl,
        blobs,
        async tamper(sha, bytes) {
          const file = (blobs as DirectoryBlobStore).pathOf(sha);
          chmodSync(file, 0o644);
          writeFileSync(file, bytes);
        },
        drop: async () => dir.drop(),
      };
    },
  },
  {
    name: 'a PostgreSQL table',
    async open() {
      const db = await createPostgresDatabase('blobs');
      const blobs = openBlobStore(blobStoreUrlFor({ eventStoreUrl: db.url }));
      return {
        storeUrl: db.url,
        blobs,
        async tamper(sha, bytes) {
          // Only the owner, disabling the trigger, can change a row: as someone altering the database would.
          const c = new pg.Client({ connectionString: db.url });
          await c.connect();
          try {
            await c.query('ALTER TABLE jixiao_blobs DISABLE TRIGGER jixiao_blobs_immutable');
            await c.query('UPDATE jixiao_blobs SET bytes = $2 WHERE sha256 = $1', [sha, bytes]);
            await c.query('ALTER TABLE jixiao_blobs ENABLE TRIGGER jixiao_blobs_immutable');
          } finally {
            await c.end();
          }
        },
        drop: () => db.drop(),
      };
    },
  },
  {
    name: 'an S3-compatible bucket',
    async open() {
      const server = await TestS3Server.start(['jixiao-blobs']);
      const dir = createSqliteDirectory('blobs-s3');
      const blobs = openBlobStore(blobStoreUrlFor({ eventStoreUrl: dir.url(), blobStoreUrl: server.url('jixiao-blobs', 'county/attachments') }));
      return {
        storeUrl: dir.url(),
        blobs,
        async tamper(sha, bytes) {
          // Someone with write access to the bucket overwrites the object behind the application's back.
          const client = server.client();
          await client.send(new PutObjectCommand({ Bucket: 'jixiao-blobs', Key: (blobs as S3BlobStore).keyOf(sha), Body: bytes }));
          client.destroy();
        },
        drop: async () => {
          dir.drop();
          await server.stop();
        },
      };
    },
  },
];

describe.each(targets)('the blob store in $name', (target) => {
  let t: Awaited<ReturnType<Target['open']>>;
  beforeAll(async () => {
    t = await target.open();
  });
  afterAll(async () => {
    await t.blobs.close();
    await t.drop();
  });

  it('stores bytes under their SHA-256 once, reads them back, and verify names a missing and an altered blob', async () => {
    const a = Buffer.from('%PDF-1.4 scanned signed report\n');
    const first = await t.blobs.put(a);
    expect(first).toEqual({ sha256: sha256Of(a), size: a.length, created: true });
    expect(await t.blobs.put(Buffer.from(a))).toEqual({ ...first, created: false });
    expect((await t.blobs.get(first.sha256))?.equals(a)).toBe(true);
    expect(await t.blobs.get('0'.repeat(64))).toBeUndefined();
    await expect(t.blobs.get('../../etc/passwd')).rejects.toThrow(/SHA-256/);

    const b = Buffer.from('second blob');
    const second = await t.blobs.put(b);
    const store = await openEventStore(t.storeUrl);
    try {
      const ref = (sha: string, size: number) => ({
        id: crypto.randomUUID(),
        type: 'AttachmentAdded',
        data: { name: 'x.pdf', blob: { sha256: sha, size } },
        metadata: testMetadata(),
      });
      await store.appendToStream('attachments-test-1', [ref(first.sha256, a.length), ref(second.sha256, b.length)]);
      await store.appendToStream('attachments-test-2', [ref(first.sha256, a.length)]);
      const intact = await verifyBlobs(store, t.blobs);
      expect(intact).toMatchObject({ ok: true, references: 3, blobs: 2, problems: [] });

      await t.tamper(second.sha256, Buffer.from('second blob, changed'));
      const missing = 'f'.repeat(64);
      await store.appendToStream('attachments-test-3', [ref(missing, 10)]);
      const broken = await verifyBlobs(store, t.blobs);
      expect(broken.ok).toBe(false);
      expect(broken.problems).toEqual([
        expect.objectContaining({ kind: 'altered', sha256: second.sha256, streamId: 'attachments-test-1', revision: 1 }),
        expect.objectContaining({ kind: 'missing', sha256: missing, streamId: 'attachments-test-3', revision: 0 }),
      ]);
    } finally {
      await store.close();
    }
  });

  if (target.name.includes('S3')) {
    it("keeps the blobs under the URL's prefix, by hash, and never overwrites one", async () => {
      const s3 = t.blobs as S3BlobStore;
      expect(s3).toBeInstanceOf(S3BlobStore);
      expect(s3.location).not.toMatch(/S3RVER/); // no credentials in the log
      const bytes = Buffer.from('the sealed decision, scanned');
      const { sha256, created } = await s3.put(bytes);
      expect(created).toBe(true);
      expect(s3.keyOf(sha256)).toBe(`county/attachments/${sha256.slice(0, 2)}/${sha256}`);
      // A second put of the same bytes finds the object and writes nothing.
      expect((await s3.put(bytes)).created).toBe(false);
      expect((await s3.get(sha256))?.equals(bytes)).toBe(true);
      // Never written over: with the object changed behind its back, a put of the bytes leaves it so
      // (verify names it altered; the store does not quietly repair or replace evidence).
      const other = Buffer.from('not the decision');
      await t.tamper(sha256, other);
      expect((await s3.put(bytes)).created).toBe(false);
      expect((await s3.get(sha256))?.equals(other)).toBe(true);
    });
  }

  if (target.name.includes('PostgreSQL')) {
    it('refuses to change or delete a blob in the table', async () => {
      const { sha256 } = await t.blobs.put(Buffer.from('kept'));
      const c = new pg.Client({ connectionString: t.storeUrl });
      await c.connect();
      try {
        await expect(c.query('DELETE FROM jixiao_blobs WHERE sha256 = $1', [sha256])).rejects.toThrow(/never changed or deleted/);
        await expect(c.query("UPDATE jixiao_blobs SET bytes = '\\x00' WHERE sha256 = $1", [sha256])).rejects.toThrow(/never changed or deleted/);
      } finally {
        await c.end();
      }
      expect(t.blobs).toBeInstanceOf(PostgresBlobStore);
    });
  }
});
