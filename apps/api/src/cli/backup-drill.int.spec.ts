import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { EventStore } from '../../../../libs/engine/event-store/event-store.js';
import { openEventStore } from '../../../../libs/engine/event-store/open-event-store.js';
import { createPostgresDatabase, createSqliteDirectory } from '../../../../libs/engine/testing/databases.js';
import { readEverything, testEvent } from '../../../../libs/engine/testing/fixtures.js';

/**
 * The restore drill, as an operator runs it, on each SQL store: a demo month, a backup taken while
 * events are being written, a restore into a new store, `audit verify`, the same reads on both,
 * and new writes visible after the restored events. Plus what must be refused or named truncated.
 */
const CLI = join(process.cwd(), 'dist/apps/api/src/cli.js');

const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
function cliAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

interface Target {
  name: string;
  create(label: string): Promise<{ url: string; drop(): Promise<void> }>;
  /** Every projection document the serving generations hold: what every read answers from. */
  docs(url: string): Promise<string[]>;
}

const DOCS_SQL = `SELECT d.projection, d.collection, d.key, d.doc FROM projection_docs d
  JOIN projection_generations g ON g.projection = d.projection AND g.generation = d.generation WHERE g.active`;
const asLines = (rows: { projection: string; collection: string; key: string; doc: string }[]) => rows.map((r) => `${r.projection}\t${r.collection}\t${r.key}\t${r.doc}`).sort();

const targets: Target[] = [
  {
    name: 'SQLite',
    async create(label) {
      const dir = createSqliteDirectory(label);
      return { url: dir.url(), drop: async () => dir.drop() };
    },
    async docs(url) {
      const db = new Database(url.slice('sqlite:'.length), { readonly: true });
      try {
        return asLines(db.prepare(DOCS_SQL).all() as never);
      } finally {
        db.close();
      }
    },
  },
  {
    name: 'PostgreSQL',
    create: (label) => createPostgresDatabase(label),
    async docs(url) {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        return asLines((await c.query(DOCS_SQL)).rows);
      } finally {
        await c.end();
      }
    },
  },
];

/** Appends small events to a few streams, one at a time, until stopped; remembers what was acknowledged. */
function writer(store: EventStore) {
  const acknowledged: string[] = [];
  let stopped = false;
  const done = (async () => {
    for (let i = 0; !stopped; i++) {
      const e = testEvent('DrillWritten', { i });
      await store.appendToStream(`drill-${i % 5}`, [e]);
      acknowledged.push(e.id!);
      // SQLite appends complete synchronously: yield, so the backup's child process is heard.
      await new Promise((r) => setImmediate(r));
    }
  })();
  return {
    acknowledged,
    async stop() {
      stopped = true;
      await done;
    },
  };
}

describe.each(targets)('the backup and restore drill on $name', (target) => {
  it('backs up while writing, restores into a new store, verifies, reads the same, and sees new writes after the restored events; refuses unsafe targets', async () => {
    const source = await target.create('drill_src');
    const copy = await target.create('drill_dst');
    const files = createSqliteDirectory('drill_files');
    try {
      expect(cli(['demo', '--store', source.url, '--months', '1']).status).toBe(0);
      const store = await openEventStore(source.url);
      const w = writer(store);
      while (w.acknowledged.length < 20) await new Promise((r) => setTimeout(r, 10));
      const before = [...w.acknowledged];
      const out = join(files.dir, target.name === 'SQLite' ? 'jixiao.backup.db' : 'jixiao.dump');
      const backedUp = await cliAsync(['backup', '--store', source.url, '--out', out, '--json']);
      await w.stop();
      expect(backedUp.stderr).toBe('');
      expect(backedUp.status).toBe(0);
      const manifest = JSON.parse(backedUp.stdout);
      expect(manifest).toMatchObject({ format: 'jixiao-backup/1', verdict: 'intact', verified: { ok: true } });
      expect(manifest.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(manifest.lastSeal).not.toBeNull();
      // Writes went on during the backup, and the copy holds at least what was acknowledged before it.
      expect(w.acknowledged.length).toBeGreaterThan(before.length);
      expect(manifest.events).toBeGreaterThanOrEqual(manifest.acknowledged.events);
      expect(existsSync(`${out}.manifest.json`)).toBe(true);

      // Refused: a target with an app connected (PostgreSQL) or a store already there.
      if (target.name === 'PostgreSQL') {
        const app = new pg.Client({ connectionString: copy.url, application_name: 'jixiao-api' });
        await app.connect();
        const busy = cli(['restore', out, '--to', copy.url]);
        await app.end();
        expect(busy.status).toBe(2);
        expect(busy.stderr).toMatch(/REFUSED: 1 other session\(s\) are connected to the target database \(jixiao-api/);
      } else {
        const occupied = files.url('occupied.db');
        writeFileSync(occupied.slice('sqlite:'.length), '');
        const refused = cli(['restore', out, '--to', occupied]);
        expect(refused.status).toBe(2);
        expect(refused.stderr).toMatch(/REFUSED: .*occupied\.db exists/);
      }
      // Refused: a file that is not the one backed up.
      const damaged = join(files.dir, 'damaged');
      copyFileSync(out, damaged);
      appendFileSync(damaged, 'x');
      copyFileSync(`${out}.manifest.json`, `${damaged}.manifest.json`);
      const bad = cli(['restore', damaged, '--to', target.name === 'SQLite' ? files.url('from-damaged.db') : copy.url]);
      expect(bad.status).toBe(3);
      expect(bad.stderr).toMatch(/SHA-256 .* nothing was restored/);

      const restored = cli(['restore', out, '--to', copy.url, '--json']);
      expect(restored.status).toBe(0);
      expect(JSON.parse(restored.stdout)).toMatchObject({ safe: true, report: { verdict: 'intact', summary: { events: manifest.events, headPosition: manifest.headPosition } } });
      const again = cli(['restore', out, '--to', copy.url]);
      expect(again.status).toBe(2);
      expect(again.stderr).toMatch(/REFUSED/);

      const verified = cli(['audit', 'verify', '--store', copy.url]);
      expect(verified.stdout).toContain(`intact: ${manifest.events} events`);
      expect(verified.status).toBe(0);

      // Reads equal: the same events in the same order up to the manifest's head, the same documents.
      const restoredStore = await openEventStore(copy.url);
      const line = (e: { position: string; streamId: string; revision: number; id: string }) => `${e.position} ${e.streamId}@${e.revision} ${e.id}`;
      const prefix = (await readEverything(store)).filter((e) => store.comparePositions(e.position, manifest.headPosition) <= 0).map(line);
      const all = (await readEverything(restoredStore)).map(line);
      expect(all).toEqual(prefix);
      expect(all).toHaveLength(manifest.events);
      expect((await restoredStore.storage.findByIds(before)).length).toBe(before.length);
      const [sourceDocs, copyDocs] = [await target.docs(source.url), await target.docs(copy.url)];
      expect(sourceDocs.length).toBeGreaterThan(100);
      expect(copyDocs).toEqual(sourceDocs);

      // New writes are visible, after the restored events.
      const added = await restoredStore.appendToStream('drill-after-restore', [testEvent('DrillWritten')]);
      expect(restoredStore.comparePositions(added.position, manifest.headPosition)).toBe(1);
      const after = (await readEverything(restoredStore)).filter((e) => restoredStore.comparePositions(e.position, manifest.headPosition) > 0);
      expect(after.map((e) => e.streamId)).toEqual(['drill-after-restore']);
      await restoredStore.close();
      await store.close();
    } finally {
      await source.drop();
      await copy.drop();
      files.drop();
    }
  }, 600_000);
});

describe('a SQLite copy of the main file alone (WAL mode)', () => {
  it('misses the acknowledged events still in the WAL and is named TRUNCATED against the manifest or an exported seal, never intact', async () => {
    const files = createSqliteDirectory('naive');
    const url = files.url('jixiao.db');
    const path = url.slice('sqlite:'.length);
    try {
      const first = await openEventStore(url);
      for (let i = 0; i < 50; i++) await first.appendToStream(`naive-${i % 5}`, [testEvent('DrillWritten', { i })]);
      await first.close(); // the last connection checkpoints: these 50 are in the main file
      const store = await openEventStore(url); // held open, so what follows stays in the WAL
      for (let i = 0; i < 63; i++) await store.appendToStream(`naive-${i % 5}`, [testEvent('DrillWritten', { i })]);
      const sealed = cli(['audit', 'seal', '--store', url]);
      expect(sealed.status).toBe(0);
      const seal = join(files.dir, 'seal.txt');
      writeFileSync(seal, sealed.stdout);

      const naive = join(files.dir, 'naive-copy.db');
      copyFileSync(path, naive);
      const out = join(files.dir, 'proper.db');
      const backedUp = cli(['backup', '--store', url, '--out', out, '--json']);
      expect(backedUp.status).toBe(0);
      const manifest = JSON.parse(backedUp.stdout);
      expect(manifest.events).toBe(50 + 63 + 2); // a seal is two events: its heads, then the seal

      // The proper backup holds the seal; the naive copy holds only the checkpointed 50 events.
      const good = cli(['check-backup', out, '--seal', seal]);
      expect(good.stdout).toMatch(/^intact: 115 events/);
      expect(good.status).toBe(0);
      const withSeal = cli(['check-backup', naive, '--seal', seal]);
      expect(withSeal.status).toBe(3);
      expect(withSeal.stderr).toMatch(/^TRUNCATED: 50 events/);
      expect(withSeal.stderr).toContain('is not in the copy');
      const withManifest = cli(['check-backup', naive, '--manifest', `${out}.manifest.json`]);
      expect(withManifest.status).toBe(3);
      expect(withManifest.stderr).toMatch(/^TRUNCATED: /);
      expect(withManifest.stderr).toContain('65 acknowledged event(s) are missing');
      const alone = cli(['check-backup', naive]);
      expect(alone.status).toBe(4);
      expect(`${alone.stdout}${alone.stderr}`).not.toMatch(/^intact/m);
      expect(alone.stderr).toMatch(/^UNCONFIRMED: .*\n.*nothing says the copy is complete/);
      await store.close();
    } finally {
      files.drop();
    }
  }, 300_000);
});
