import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { merkleRoot, parseSealText, SEAL_RECORDED, SEALS_STREAM, sealText, verifySeals, type SealRecordedData } from '../../engine/audit/seals.js';
import { verifyChains } from '../../engine/audit/verify-chains.js';
import type { EventStore } from '../../engine/event-store/event-store.js';
import { chainHash } from '../../engine/event-store/hash-chain.js';
import { openEventStore } from '../../engine/event-store/open-event-store.js';
import { createPostgresDatabase, createSqliteDirectory } from '../../engine/testing/databases.js';
import { testEvent } from '../../engine/testing/fixtures.js';
import { SYSTEM_PRINCIPAL } from '../../engine/timers/timer-scheduler.js';
import { DEFAULT_SEAL_EVERY_MS, makeSeal, useSealing } from './sealing.js';
import { signerFromPem } from '../../engine/audit/seal-key.js';
import { generateKeyPairSync } from 'node:crypto';

// Seals are signed with a key of this test's own, as the application signs them with its configured key.
const KEY = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

const CLI = join(process.cwd(), 'dist/apps/api/src/cli.js');

const targets = [
  {
    name: 'SQLite',
    async create() {
      const dir = createSqliteDirectory('seals');
      const url = dir.url();
      const db = () => new Database(url.slice('sqlite:'.length));
      return {
        url,
        dir: dir.dir,
        sql: async (q: string) => {
          const c = db();
          try {
            c.exec(q);
          } finally {
            c.close();
          }
        },
        drop: async () => dir.drop(),
      };
    },
  },
  {
    name: 'PostgreSQL',
    async create() {
      const d = await createPostgresDatabase('seals');
      const dir = createSqliteDirectory('seal-files');
      return {
        url: d.url,
        dir: dir.dir,
        sql: async (q: string) => {
          const c = new pg.Client({ connectionString: d.url });
          await c.connect();
          try {
            await c.query(q);
          } finally {
            await c.end();
          }
        },
        drop: async () => {
          dir.drop();
          await d.drop();
        },
      };
    },
  },
];

describe.each(targets)('seals on $name', (target) => {
  let url: string;
  let dir: string;
  let sql: (q: string) => Promise<void>;
  let drop: () => Promise<void>;
  let store: EventStore;
  let seal: SealRecordedData;

  beforeEach(async () => {
    ({ url, dir, sql, drop } = await target.create());
    store = await openEventStore(url);
    useSealing(store, { signer: signerFromPem(KEY), witnesses: [], everyMs: DEFAULT_SEAL_EVERY_MS });
    for (const stream of ['report-a', 'report-b', 'figures-c']) {
      for (let i = 0; i < 4; i++) await store.appendToStream(stream, [testEvent('Recorded', { stream, i })]);
    }
    seal = (await makeSeal(store, SYSTEM_PRINCIPAL, '2023-09-30T08:00:00.000Z', 'quarter 2023-Q3 published'))!;
    // Activity after the seal is not covered by it.
    await store.appendToStream('report-a', [testEvent('Recorded', { later: true })]);
  });
  afterEach(async () => {
    await store.close();
    await drop();
  });

  const verifyWith = async (text?: string) => {
    const fresh = await openEventStore(url);
    try {
      return await verifySeals(fresh, text ? parseSealText(text) : undefined);
    } finally {
      await fresh.close();
    }
  };
  const cli = (text: string) => {
    const file = join(dir, 'seal.txt');
    writeFileSync(file, text);
    return spawnSync(process.execPath, [CLI, 'audit', 'verify', '--store', url, '--seal', file], {
      encoding: 'utf8',
      env: { ...process.env, JIXIAO_SEAL_KEY: KEY, JIXIAO_WITNESS: 'off' },
    });
  };

  it('a seal is a Merkle root over every stream head, recorded as an event and exportable as a short text block', async () => {
    expect(seal).toMatchObject({ streams: 3, events: 12, previous: null, occasion: 'quarter 2023-Q3 published' });
    const text = sealText(seal, store.kind);
    expect(text).toContain(`root: sha256:${seal.root}`);
    expect(parseSealText(text)).toMatchObject({ sealId: seal.sealId, root: seal.root, position: seal.position, events: 12 });
    const [recorded] = (await store.readStream(SEALS_STREAM)).filter((e) => e.type === SEAL_RECORDED);
    expect(recorded!.data).toMatchObject({ root: seal.root, chunks: 1 });
    expect(recorded!.metadata.reason).toBe('quarter 2023-Q3 published');
  });

  it('an intact record verifies against every seal and the exported one; the CLI exits 0', async () => {
    const report = await verifyWith(sealText(seal, store.kind));
    expect(report).toMatchObject({ ok: true, seals: 1, problems: [], exported: { sealId: seal.sealId, ok: true } });
    const run = cli(sealText(seal, store.kind));
    expect(run.stdout).toContain('matches the record');
    expect(run.status).toBe(0);
  });

  it('a second seal covers only what changed, and sealing with nothing new returns the last seal', async () => {
    const second = (await makeSeal(store, SYSTEM_PRINCIPAL, '2023-10-01T00:00:00.000Z', 'daily'))!;
    expect(second).toMatchObject({ previous: { sealId: seal.sealId }, events: 13 + 2 });
    const third = await makeSeal(store, SYSTEM_PRINCIPAL, '2023-10-02T00:00:00.000Z', 'daily');
    expect(third!.sealId).toBe(second.sealId);
    expect((await verifyWith()).ok).toBe(true);
  });

  it('removing the newest events of a stream after a seal is detected and named', async () => {
    await sql(`DELETE FROM events WHERE stream_id = 'report-b' AND revision = 3`);
    const report = await verifyWith(sealText(seal, store.kind));
    expect(report.ok).toBe(false);
    expect(report.problems).toContainEqual(expect.objectContaining({ kind: 'stream-truncated', streamId: 'report-b' }));
    const run = cli(sealText(seal, store.kind));
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/stream-truncated.*report-b.*sealed at revision 3 but now ends at 2/);
  });

  it('a whole stream rewritten with a fresh, valid chain is detected', async () => {
    await sql(`DELETE FROM events WHERE stream_id = 'figures-c'`);
    const forger = await openEventStore(url);
    for (let i = 0; i < 4; i++) await forger.appendToStream('figures-c', [testEvent('Recorded', { forged: i })]);
    await forger.close();
    const report = await verifyWith();
    expect(report.problems).toContainEqual(expect.objectContaining({ kind: 'stream-rewritten', streamId: 'figures-c' }));
  });

  it('a stream rewritten in place, its chain recomputed so every hash fits, is detected', async () => {
    const rows = await store.storage.readStream('report-b', 'forwards', undefined, 100);
    let previous = '';
    for (const r of rows) {
      const data = JSON.stringify({ stream: 'report-b', i: r.revision, value: 'forged' });
      const hash = chainHash(previous, { ...r, data });
      previous = hash;
      await sql(`UPDATE events SET data = '${data}', hash = '${hash}' WHERE stream_id = 'report-b' AND revision = ${r.revision}`);
    }
    const fresh = await openEventStore(url);
    expect((await verifyChains(fresh.storage)).ok).toBe(true); // the chains alone cannot tell
    await fresh.close();
    expect((await verifyWith()).problems).toEqual([expect.objectContaining({ kind: 'stream-rewritten', streamId: 'report-b' })]);
  });

  it('a dropped stream is detected', async () => {
    await sql(`DELETE FROM events WHERE stream_id = 'report-a'`);
    expect((await verifyWith()).problems).toContainEqual(expect.objectContaining({ kind: 'stream-dropped', streamId: 'report-a' }));
  });

  it('a replaced seal (the seals stream rewritten with a forged, self-consistent seal) is caught by the exported copy', async () => {
    const exported = sealText(seal, store.kind);
    await sql(`DELETE FROM events WHERE stream_id = 'figures-c' AND revision = 3`);
    await sql(`DELETE FROM events WHERE stream_id = '${SEALS_STREAM}'`);
    // The forger re-seals the altered record under the same seal id.
    const forged = (await makeSeal(store, SYSTEM_PRINCIPAL, '2023-09-30T08:00:00.000Z', 'forged'))!;
    expect(forged.root).not.toBe(seal.root);
    expect((await verifyWith()).ok).toBe(true); // self-consistent without the exported copy…
    const report = await verifyWith(exported); // …but not with the copy in the minutes
    expect(report.problems[0]).toMatchObject({ kind: expect.stringMatching(/seal-missing|seal-replaced/) });
    expect(report.exported).toEqual({ sealId: seal.sealId, ok: false });
    expect(cli(exported).status).not.toBe(0);
  });

  it('the root is order-independent and changes with any head', () => {
    const heads = [
      { streamId: 'a', revision: 1, hash: 'x' },
      { streamId: 'b', revision: 2, hash: 'y' },
      { streamId: 'c', revision: 0, hash: 'z' },
    ];
    expect(merkleRoot(heads)).toBe(merkleRoot([...heads].reverse()));
    expect(merkleRoot(heads)).not.toBe(merkleRoot([heads[0]!, { ...heads[1]!, revision: 3 }, heads[2]!]));
    expect(merkleRoot(heads)).not.toBe(merkleRoot(heads.slice(0, 2)));
  });
});
