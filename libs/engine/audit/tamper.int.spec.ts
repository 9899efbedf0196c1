import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { openEventStore } from '../event-store/open-event-store.js';
import { createPostgresDatabase, createSqliteDirectory } from '../testing/databases.js';
import { testEvent } from '../testing/fixtures.js';
import { verifyChains } from './verify-chains.js';
import { CHAIN_BODY_ROOM, type ChainPosition, type PackedChainRows } from '../event-store/storage.js';
import { finishChains, verifyRange } from './verify-range.js';

const CLI = join(process.cwd(), 'dist/apps/api/src/cli.js');

/** Direct SQL against the store's table, as someone with database access could run it. */
interface Tamperer {
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

const targets = [
  {
    name: 'SQLite',
    async create() {
      const dir = createSqliteDirectory('tamper');
      const url = dir.url();
      return {
        url,
        tamperer: async (): Promise<Tamperer> => {
          const db = new Database(url.slice('sqlite:'.length));
          return { exec: async (sql) => void db.exec(sql), close: async () => void db.close() };
        },
        drop: async () => dir.drop(),
      };
    },
  },
  {
    name: 'PostgreSQL',
    async create() {
      const db = await createPostgresDatabase('tamper');
      return {
        url: db.url,
        tamperer: async (): Promise<Tamperer> => {
          const c = new pg.Client({ connectionString: db.url });
          await c.connect();
          return { exec: async (sql) => void (await c.query(sql)), close: () => c.end() };
        },
        drop: () => db.drop(),
      };
    },
  },
];

/** A packed page's rows as ChainRows, bodies as bytes. */
function unpack(p: PackedChainRows): unknown[][] {
  return p.ends.map((end, i) => [
    p.hi[i],
    p.lo[i],
    p.streamIds[i],
    p.revisions[i],
    p.hashes.slice(64 * i, 64 * i + 64),
    Buffer.from(p.bodies.subarray((i === 0 ? 0 : p.ends[i - 1]!) + CHAIN_BODY_ROOM, end)),
  ]);
}
const bytes = (body: Uint8Array | string | null) => (body === null ? null : typeof body === 'string' ? Buffer.from(body) : Buffer.from(body));

describe.each(targets)('tamper evidence on $name', (target) => {
  let url: string;
  let tamper: Tamperer;
  let drop: () => Promise<void>;

  beforeEach(async () => {
    const t = await target.create();
    url = t.url;
    drop = t.drop;
    const store = await openEventStore(url);
    for (const stream of ['report-a', 'report-b', 'report-c']) {
      for (let i = 0; i < 5; i++) await store.appendToStream(stream, [testEvent('FigureRecorded', { stream, i, value: i * 1.5 })]);
    }
    await store.close();
    tamper = await t.tamperer();
  });
  afterEach(async () => {
    await tamper.close();
    await drop();
  });

  const verify = async () => {
    const store = await openEventStore(url);
    try {
      const report = await verifyChains(store.storage, { pageSize: 4 });
      // audit verify's walk (verify-range.ts: the log in global order, over the bytes as stored)
      // names exactly the same — in one range, and split in two at every position (as threads
      // split it: a stream's first event after the split is checked against the hash stored before).
      const storage = store.storage as typeof store.storage & Required<Pick<typeof store.storage, 'readChainRowsInOrder'>>;
      const expected = { events: report.events, streams: report.streams, problems: report.problems };
      const whole = await verifyRange(storage, { sealPositions: [] });
      expect(await finishChains(storage, [whole])).toEqual(expected);
      // Only broken streams leave the fast walk (the bytes the database joins hash as chainHash's text).
      expect(whole.unusual.sort()).toEqual(report.problems.map((p) => p.streamId));
      // A store that packs its pages (readChainPageInOrder) packs the very rows, or none (the page then read as ChainRows).
      const rows = await storage.readChainRowsInOrder(undefined, undefined, 1000);
      if (storage.readChainPageInOrder) {
        const page = await storage.readChainPageInOrder(undefined, undefined, 1000);
        expect(page.count).toBe(rows.length);
        if (page.rows) expect(unpack(page.rows)).toEqual(rows.map(([hi, lo, streamId, revision, hash, body]) => [hi, lo, streamId, revision, hash, bytes(body)]));
      }
      const positions = rows.map((r): ChainPosition => [r[0], r[1]]);
      expect(positions.length).toBe(report.events);
      for (const split of positions) {
        const parts = [await verifyRange(storage, { upTo: split, sealPositions: [] }), await verifyRange(storage, { after: split, sealPositions: [] })];
        expect(await finishChains(storage, parts)).toEqual(expected);
      }
      return report;
    } finally {
      await store.close();
    }
  };
  const cli = () => spawnSync(process.execPath, [CLI, 'audit', 'verify', '--store', url], { encoding: 'utf8' });

  it('an intact store verifies, and the CLI exits 0', async () => {
    const report = await verify();
    expect(report).toMatchObject({ ok: true, events: 15, streams: 3, problems: [] });
    const run = cli();
    expect(run.stdout).toContain('intact: 15 events in 3 streams');
    expect(run.status).toBe(0);
  });

  it('an altered event is named by stream and revision, and the CLI exits non-zero', async () => {
    await tamper.exec(`UPDATE events SET data = '{"stream":"report-b","i":2,"value":999}' WHERE stream_id = 'report-b' AND revision = 2`);
    const report = await verify();
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'altered', streamId: 'report-b', revision: 2 })]);
    const run = cli();
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/TAMPERED: altered event in stream "report-b" at revision 2/);
  });

  it('altered metadata (who, when, why) is caught too', async () => {
    const replaced = target.name === 'PostgreSQL' ? `replace(metadata::text, 'test-user', 'someone-else')::json` : `replace(metadata, 'test-user', 'someone-else')`;
    await tamper.exec(`UPDATE events SET metadata = ${replaced} WHERE stream_id = 'report-a' AND revision = 0`);
    expect((await verify()).problems).toEqual([expect.objectContaining({ kind: 'altered', streamId: 'report-a', revision: 0 })]);
  });

  it('an altered envelope in the commits table is caught in every event that shares it', async () => {
    const store = await openEventStore(url);
    const metadata = testEvent().metadata;
    await store.appendToStream(
      'report-d',
      [0, 1, 2].map((i) => ({ type: 'FigureRecorded', data: { stream: 'report-d', i }, metadata })),
    );
    await store.close();
    const replaced = target.name === 'PostgreSQL' ? `replace(metadata::text, 'test-user', 'someone-else')::json` : `replace(metadata, 'test-user', 'someone-else')`;
    await tamper.exec(`UPDATE commits SET metadata = ${replaced}`);
    expect((await verify()).problems).toEqual([expect.objectContaining({ kind: 'altered', streamId: 'report-d', revision: 0 })]);
    // The envelope row removed: its events no longer have the envelope they were hashed with.
    await tamper.exec(`DELETE FROM commits`);
    expect((await verify()).problems).toEqual([expect.objectContaining({ kind: 'altered', streamId: 'report-d', revision: 0 })]);
    const run = cli();
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/TAMPERED: altered event in stream "report-d" at revision 0/);
  });

  it('a removed event is named', async () => {
    await tamper.exec(`DELETE FROM events WHERE stream_id = 'report-c' AND revision = 3`);
    const report = await verify();
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'removed', streamId: 'report-c', revision: 3 })]);
    const run = cli();
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/removed event in stream "report-c" at revision 3/);
  });

  it('two swapped events are named as reordered', async () => {
    await tamper.exec(`UPDATE events SET revision = -1 WHERE stream_id = 'report-a' AND revision = 1`);
    await tamper.exec(`UPDATE events SET revision = 1 WHERE stream_id = 'report-a' AND revision = 2`);
    await tamper.exec(`UPDATE events SET revision = 2 WHERE stream_id = 'report-a' AND revision = -1`);
    const report = await verify();
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'reordered', streamId: 'report-a', revision: 1 })]);
    expect(report.problems[0]!.detail).toContain('was recorded at revision 2');
    expect(cli().stderr).toMatch(/reordered event in stream "report-a" at revision 1/);
  });

  // SQLite stores whatever bytes it is given; PostgreSQL refuses text that is not UTF-8 (below).
  const nonUtf8 = Buffer.concat([Buffer.from('{"stream":"report-b","note":"'), Buffer.from([0xe9]), Buffer.from('"}')]);
  if (target.name === 'SQLite')
    it('content stored as bytes that are not UTF-8, with a hash over those bytes, is named as altered, as the text read would be', async () => {
      // The newest event's data replaced by bytes with a Latin-1 "é" (0xE9: not UTF-8) and its hash
      // recomputed over the raw bytes (no later event to break): read as text, the byte is a
      // replacement character and the hash does not fit.
      const store = await openEventStore(url);
      const [row] = await store.storage.readStream('report-b', 'forwards', 4, 1);
      const [previous] = await store.storage.readStream('report-b', 'forwards', 3, 1);
      await store.close();
      const data = nonUtf8;
      const body = Buffer.concat([Buffer.from(`${previous!.hash}\nreport-b\n4\n${row!.id}\n${row!.type}\n`), data, Buffer.from(`\n${row!.metadata}`)]);
      const forged = createHash('sha256').update(body).digest('hex');
      await tamper.exec(`UPDATE events SET data = CAST(x'${data.toString('hex')}' AS TEXT), hash = '${forged}' WHERE stream_id = 'report-b' AND revision = 4`);
      expect((await verify()).problems).toEqual([expect.objectContaining({ kind: 'altered', streamId: 'report-b', revision: 4 })]);
    });
  else
    it('content that is not UTF-8 cannot be stored on PostgreSQL: the forger’s update is refused, and the store still verifies', async () => {
      await expect(
        tamper.exec(`UPDATE events SET data = convert_from(decode('${nonUtf8.toString('hex')}', 'hex'), 'UTF8')::json WHERE stream_id = 'report-b' AND revision = 4`),
      ).rejects.toThrow(/invalid byte sequence/);
      expect(await verify()).toMatchObject({ ok: true, events: 15, problems: [] });
    });

  it('a hash not of 64 characters is named as altered: its page cannot be packed and is read as rows', async () => {
    await tamper.exec(`UPDATE events SET hash = substr(hash, 1, 10) WHERE stream_id = 'report-b' AND revision = 1`);
    await tamper.exec(`UPDATE events SET hash = hash || 'ä' WHERE stream_id = 'report-c' AND revision = 3`);
    const store = await openEventStore(url);
    try {
      const page = await store.storage.readChainPageInOrder?.(undefined, undefined, 1000);
      if (page) expect(page).toEqual({ count: 15, last: expect.any(Array) });
    } finally {
      await store.close();
    }
    expect((await verify()).problems.map((p) => [p.kind, p.streamId, p.revision])).toEqual([
      ['altered', 'report-b', 1],
      ['altered', 'report-c', 3],
    ]);
  });

  it('several broken streams are all reported, the first one first', async () => {
    await tamper.exec(`DELETE FROM events WHERE stream_id = 'report-c' AND revision = 0`);
    await tamper.exec(`UPDATE events SET type = 'Other' WHERE stream_id = 'report-a' AND revision = 4`);
    const report = await verify();
    expect(report.problems.map((p) => [p.kind, p.streamId, p.revision])).toEqual([
      ['altered', 'report-a', 4],
      ['removed', 'report-c', 0],
    ]);
  });
});
