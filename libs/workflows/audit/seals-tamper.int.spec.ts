import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { SEALS_STREAM, verifySeals, type SealProblemKind } from '../../engine/audit/seals.js';
import { verifyLogInParallel } from '../../engine/audit/verify-parallel.js';
import { signerFromPem, type SealSigner } from '../../engine/audit/seal-key.js';
import { verifyChains, type ChainProblemKind } from '../../engine/audit/verify-chains.js';
import { FileWitness, readWitnessFile } from '../../engine/audit/witness.js';
import { readToHead, type EventStore } from '../../engine/event-store/event-store.js';
import { chainHash } from '../../engine/event-store/hash-chain.js';
import { openEventStore } from '../../engine/event-store/open-event-store.js';
import type { StoredEvent } from '../../engine/event-store/storage.js';
import { createPostgresDatabase, createSqliteDirectory } from '../../engine/testing/databases.js';
import { testEvent } from '../../engine/testing/fixtures.js';
import { SYSTEM_PRINCIPAL } from '../../engine/timers/timer-scheduler.js';
import { DEFAULT_SEAL_EVERY_MS, makeSeal, useSealing } from './sealing.js';

/**
 * The tamper table (issue 13): each way someone with write access to the database can change the
 * record, and what `audit verify` names it, on SQLite and PostgreSQL. The seal key and the witness
 * file are outside the database, as in production; the tampering is plain SQL.
 * (TAMPER_CLI points the CLI checks at another build, e.g. the one before this change.)
 */
const CLI = process.env.TAMPER_CLI ?? join(process.cwd(), 'dist/apps/api/src/cli.js');
const pem = () => generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

const q = (v: string | number) => (typeof v === 'number' ? String(v) : `'${v.replace(/'/g, "''")}'`);

const targets = [
  {
    name: 'SQLite',
    async create() {
      const dir = createSqliteDirectory('tamper-table');
      const url = dir.url();
      return {
        url,
        dir: dir.dir,
        sql: async (statements: string[]) => {
          const db = new Database(url.slice('sqlite:'.length));
          try {
            for (const s of statements) db.exec(s);
          } finally {
            db.close();
          }
        },
        drop: async () => dir.drop(),
      };
    },
  },
  {
    name: 'PostgreSQL',
    async create() {
      const d = await createPostgresDatabase('tamper_table');
      const files = createSqliteDirectory('tamper-table-files');
      return {
        url: d.url,
        dir: files.dir,
        sql: async (statements: string[]) => {
          const c = new pg.Client({ connectionString: d.url });
          await c.connect();
          try {
            for (const s of statements) await c.query(s);
          } finally {
            await c.end();
          }
        },
        drop: async () => {
          files.drop();
          await d.drop();
        },
      };
    },
  },
];

interface Ctx {
  url: string;
  dir: string;
  sql(statements: string[]): Promise<void>;
  /** Every event as stored, in global order. */
  rows(): Promise<StoredEvent[]>;
  /** A store as the forger opens it: no key (or their own), no witness. */
  forger(signer?: SealSigner): Promise<EventStore>;
}

const setAll = (r: StoredEvent) =>
  `stream_id = ${q(r.streamId)}, revision = ${r.revision}, event_id = ${q(r.id)}, type = ${q(r.type)}, data = ${q(r.data)}, metadata = ${q(r.metadata)}, hash = ${q(r.hash)}`;
const where = (r: { streamId: string; revision: number }) => `stream_id = ${q(r.streamId)} AND revision = ${r.revision}`;
/** Two rows trade places in the global order: each takes the other's content (via a placeholder, for the unique keys). */
function swapRows(a: StoredEvent, b: StoredEvent): string[] {
  return [
    `UPDATE events SET stream_id = '__swap', revision = 0, event_id = ${q(randomUUID())} WHERE ${where(a)}`,
    `UPDATE events SET ${setAll(a)} WHERE ${where(b)}`,
    `UPDATE events SET ${setAll(b)} WHERE stream_id = '__swap'`,
  ];
}
/** Rewrites a stream from `revision` on (by default: a forged value), recomputing its chain so every hash fits. */
async function rechain(
  ctx: Ctx,
  streamId: string,
  revision: number,
  edit: (r: StoredEvent) => string = (r) => JSON.stringify({ ...JSON.parse(r.data), value: 'forged' }),
): Promise<void> {
  const rows = (await ctx.rows()).filter((r) => r.streamId === streamId).sort((x, y) => x.revision - y.revision);
  let previous = rows[revision - 1]?.hash ?? '';
  const statements: string[] = [];
  for (const r of rows.slice(revision)) {
    const data = edit(r);
    const hash = chainHash(previous, { ...r, data });
    previous = hash;
    statements.push(`UPDATE events SET data = ${q(data)}, hash = ${q(hash)} WHERE ${where(r)}`);
  }
  await ctx.sql(statements);
}

type Named = { chain: ChainProblemKind } | { seal: SealProblemKind };
interface Row {
  tamper: string;
  act(ctx: Ctx): Promise<void>;
  named: Named;
  /** Part of what the CLI prints for it. */
  says: RegExp;
}

const rows: Row[] = [
  {
    tamper: 'alter an event’s data',
    act: (c) => c.sql([`UPDATE events SET data = '{"stream":"report-b","i":1,"value":999}' WHERE stream_id = 'report-b' AND revision = 1`]),
    named: { chain: 'altered' },
    says: /TAMPERED: altered event in stream "report-b" at revision 1/,
  },
  {
    tamper: 'delete an event',
    act: (c) => c.sql([`DELETE FROM events WHERE stream_id = 'report-c' AND revision = 2`]),
    named: { chain: 'removed' },
    says: /TAMPERED: removed event in stream "report-c" at revision 2/,
  },
  {
    tamper: 'reorder within a stream',
    act: async (c) => {
      const all = await c.rows();
      const a1 = all.find((r) => r.streamId === 'report-a' && r.revision === 1)!;
      const a2 = all.find((r) => r.streamId === 'report-a' && r.revision === 2)!;
      // The two events trade revisions (and so places): each keeps its own content and hash.
      await c.sql([
        `UPDATE events SET stream_id = '__swap', revision = 0 WHERE ${where(a1)}`,
        `UPDATE events SET revision = 1 WHERE ${where(a2)}`,
        `UPDATE events SET stream_id = 'report-a', revision = 2 WHERE stream_id = '__swap'`,
      ]);
    },
    named: { chain: 'reordered' },
    says: /TAMPERED: reordered event in stream "report-a" at revision 1/,
  },
  {
    tamper: 'reorder across streams (two adjacent events of different streams swapped in the global order)',
    act: async (c) => {
      const all = await c.rows();
      const i = all.findIndex((r) => r.streamId === 'report-a' && r.revision === 1);
      expect(all[i + 1]).toMatchObject({ streamId: 'report-b', revision: 1 }); // adjacent, before the first seal
      await c.sql(swapRows(all[i]!, all[i + 1]!));
    },
    named: { seal: 'order-changed' },
    says: /TAMPERED: order-changed \(seal-/,
  },
  {
    tamper: 'truncate: the newest events, and the seal over them, deleted',
    act: async (c) => {
      const all = await c.rows();
      // Everything after the first seal's own events: the tail the second seal covered, and that seal.
      const firstSeal = all.findIndex((r) => r.streamId === SEALS_STREAM && r.type === 'SealRecorded');
      await c.sql(all.slice(firstSeal + 1).map((r) => `DELETE FROM events WHERE ${where(r)}`));
    },
    named: { seal: 'witness-seal-missing' },
    says: /TAMPERED: witness-seal-missing \(seal-.*the newest events, and the seals over them, were removed/,
  },
  {
    tamper: 'forge an append (correct chain hash) and seal it with a key of one’s own',
    act: async (c) => {
      const forger = await c.forger(signerFromPem(pem()));
      await forger.appendToStream('report-c', [testEvent('Recorded', { stream: 'report-c', forged: true })]);
      await makeSeal(forger, SYSTEM_PRINCIPAL, new Date().toISOString(), 'forged');
      await forger.close();
    },
    named: { seal: 'seal-key-unknown' },
    says: /TAMPERED: seal-key-unknown \(seal-/,
  },
  {
    tamper: 'forge an append (correct chain hash) and seal it unsigned',
    act: async (c) => {
      const forger = await c.forger();
      await forger.appendToStream('report-c', [testEvent('Recorded', { stream: 'report-c', forged: true })]);
      await makeSeal(forger, SYSTEM_PRINCIPAL, new Date().toISOString(), 'forged');
      await forger.close();
    },
    named: { seal: 'seal-unsigned' },
    says: /TAMPERED: seal-unsigned \(seal-/,
  },
  {
    tamper: 're-chain: an event altered and its stream’s chain recomputed',
    act: (c) => rechain(c, 'report-b', 1),
    named: { seal: 'stream-rewritten' },
    says: /TAMPERED: stream-rewritten \(seal-.*report-b/,
  },
  {
    tamper: 'recompute seals: re-chain, then every seal made again (the forger’s key)',
    act: async (c) => {
      await rechain(c, 'report-b', 1);
      await c.sql([`DELETE FROM events WHERE stream_id = '${SEALS_STREAM}'`]);
      const forger = await c.forger(signerFromPem(pem()));
      await makeSeal(forger, SYSTEM_PRINCIPAL, '2023-09-30T08:00:00.000Z', 'forged');
      await forger.close();
    },
    named: { seal: 'seal-key-unknown' },
    says: /TAMPERED: seal-key-unknown/,
  },
  {
    tamper: 'recompute seals: re-chain, then every seal made again, unsigned and legacy-looking, checked against the witness alone',
    act: async (c) => {
      await rechain(c, 'report-b', 1);
      await c.sql([`DELETE FROM events WHERE stream_id = '${SEALS_STREAM}'`]);
      const forger = await c.forger();
      await makeSeal(forger, SYSTEM_PRINCIPAL, '2023-09-30T08:00:00.000Z', 'forged');
      await forger.close();
      // Strip what is new in version 2, so the seals pass for ones made before signing existed; the seals stream's chain is recomputed too.
      await rechain(c, SEALS_STREAM, 0, (r) => {
        if (r.type !== 'SealRecorded') return r.data;
        const { version: _v, range: _r, changed: _c, ...legacy } = JSON.parse(r.data) as Record<string, unknown>;
        return JSON.stringify(legacy);
      });
    },
    named: { seal: 'witness-seal-missing' },
    says: /witness-seal-(missing|replaced)/,
  },
];

describe.each(targets)('the tamper table on $name', (target) => {
  let ctx: Ctx;
  let drop: () => Promise<void>;
  let signer: SealSigner;
  let witnessPath: string;

  beforeEach(async () => {
    const t = await target.create();
    drop = t.drop;
    signer = signerFromPem(pem());
    witnessPath = join(t.dir, 'witness.jsonl');
    ctx = {
      url: t.url,
      dir: t.dir,
      sql: t.sql,
      async rows() {
        const s = await openEventStore(t.url);
        try {
          // Every row to the head: PostgreSQL's global read stops at the oldest transaction running
          // anywhere in the cluster (another suite's), and a tamper made on part of the log would
          // cut in the wrong place (seen on a loaded machine: the whole log deleted, not its tail).
          const rows: Awaited<ReturnType<typeof s.storage.readAll>> = [];
          await readToHead(s, undefined, (page) => void rows.push(...page));
          return rows;
        } finally {
          await s.close();
        }
      },
      async forger(own?: SealSigner) {
        const s = await openEventStore(t.url);
        useSealing(s, { ...(own ? { signer: own } : {}), witnesses: [], everyMs: DEFAULT_SEAL_EVERY_MS });
        return s;
      },
    };
    const store = await openEventStore(t.url);
    useSealing(store, { signer, witnesses: [new FileWitness(witnessPath)], everyMs: DEFAULT_SEAL_EVERY_MS });
    // Interleaved, so events of different streams are adjacent in the global order.
    const round = async (i: number) => {
      for (const stream of ['report-a', 'report-b', 'report-c']) await store.appendToStream(stream, [testEvent('Recorded', { stream, i, value: i * 1.5 })]);
    };
    for (let i = 0; i < 3; i++) await round(i);
    await makeSeal(store, SYSTEM_PRINCIPAL, '2023-09-30T08:00:00.000Z', 'first');
    for (let i = 3; i < 5; i++) await round(i);
    await makeSeal(store, SYSTEM_PRINCIPAL, '2023-09-30T08:05:00.000Z', 'second');
    await store.close();
  });
  afterEach(async () => {
    await drop();
  });

  const verify = async () => {
    const store = await openEventStore(ctx.url);
    try {
      const chains = await verifyChains(store.storage);
      const seals = await verifySeals(store, undefined, { trustedKeys: [signer.publicKey], witness: readWitnessFile(witnessPath) });
      // The CLI's path (the log read once, by the chain walk; here in this thread) reports exactly the same.
      const once = await verifyLogInParallel(ctx.url, store, undefined, { trustedKeys: [signer.publicKey], witness: readWitnessFile(witnessPath) }, 1);
      expect(once.seals).toEqual(seals);
      expect(once.chains.problems).toEqual(chains.problems);
      return { chains, seals };
    } finally {
      await store.close();
    }
  };
  const cli = () =>
    spawnSync(process.execPath, [CLI, 'audit', 'verify', '--store', ctx.url, ...(process.env.TAMPER_CLI ? [] : ['--public-key', signer.publicKey, '--witness', witnessPath])], {
      encoding: 'utf8',
      env: { ...process.env, JIXIAO_WITNESS: 'off' },
    });

  it('untouched: intact, both seals signed and witnessed; the CLI exits 0', async () => {
    const { chains, seals } = await verify();
    expect(chains.ok).toBe(true);
    expect(seals).toMatchObject({ ok: true, seals: 2, signed: 2, legacy: 0, witnessed: 2, keysTrusted: true, problems: [] });
    const run = cli();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it.each(rows)('$tamper: named', async (row) => {
    await row.act(ctx);
    const { chains, seals } = await verify();
    if ('chain' in row.named) expect(chains.problems[0]).toMatchObject({ kind: row.named.chain });
    else {
      expect(chains.problems).toEqual([]);
      expect(seals.problems.map((p) => p.kind)).toContain(row.named.seal);
    }
    const run = cli();
    expect(run.stderr).toMatch(row.says);
    expect(run.status).not.toBe(0);
  });
});
