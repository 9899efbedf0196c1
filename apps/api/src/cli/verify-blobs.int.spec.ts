import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DirectoryBlobStore, blobStoreUrlFor, openBlobStore } from '../../../../libs/engine/blobs/blob-store.js';
import { openEventStore } from '../../../../libs/engine/event-store/open-event-store.js';
import { createSqliteDirectory } from '../../../../libs/engine/testing/databases.js';
import { testMetadata } from '../../../../libs/engine/testing/fixtures.js';

/** The built CLI (npm run build first), as an operator runs it: `audit verify` checks every referenced blob. */
const CLI = join(process.cwd(), 'dist/apps/api/src/cli.js');

it('audit verify says the blobs are intact, then names the altered one and exits 3', async () => {
  const dir = createSqliteDirectory('cli-blobs');
  try {
    const url = dir.url();
    const blobs = openBlobStore(blobStoreUrlFor({ eventStoreUrl: url })) as DirectoryBlobStore;
    const bytes = Buffer.from('%PDF-1.4 the scanned signed report\n%%EOF\n');
    const { sha256 } = await blobs.put(bytes);
    const store = await openEventStore(url);
    await store.appendToStream('attachments-report-p-u-2023-06', [
      {
        id: crypto.randomUUID(),
        type: 'AttachmentAdded',
        data: { name: 'scan.pdf', mediaType: 'application/pdf', blob: { sha256, size: bytes.length } },
        metadata: testMetadata(),
      },
    ]);
    await store.close();
    const verify = () => spawnSync(process.execPath, [CLI, 'audit', 'verify', '--store', url], { encoding: 'utf8', env: { ...process.env, JIXIAO_WITNESS: 'off' } });

    const intact = verify();
    expect(intact.stdout).toContain('blobs: 1 reference(s) to 1 blob(s)');
    expect(intact.status).toBe(0);

    chmodSync(blobs.pathOf(sha256), 0o644);
    writeFileSync(blobs.pathOf(sha256), Buffer.from('%PDF-1.4 another paper\n'));
    const tampered = verify();
    expect(tampered.status).toBe(3);
    expect(tampered.stderr).toContain(`TAMPERED: altered blob referred to by AttachmentAdded in "attachments-report-p-u-2023-06" at revision 0: the blob ${sha256} now hashes to`);
  } finally {
    dir.drop();
  }
});
