import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { TransactionCounterBehindError } from '../../../../libs/engine/event-store/errors.js';
import { chainHash, GENESIS_HASH } from '../../../../libs/engine/event-store/hash-chain.js';
import { openEventStore } from '../../../../libs/engine/event-store/open-event-store.js';
import { createPostgresDatabase, type TestDatabase } from '../../../../libs/engine/testing/databases.js';
import { testEvent, testMetadata } from '../../../../libs/engine/testing/fixtures.js';

/**
 * The restore drill's unsafe case, on a second PostgreSQL cluster made here with initdb on a free
 * port (removed afterwards): a dump restored as an operator following the old docs would, without
 * moving the transaction counter. The app, the worker and the store refuse, and nothing is
 * written; after the step `jixiao restore` computes, the app starts and new events sort after the
 * restored ones; writes an older Jixiao accepted before the step are recovered.
 */
const ROOT = process.cwd();
const CLI = join(ROOT, 'dist/apps/api/src/cli.js');
const PGBIN = '/usr/lib/postgresql/15/bin';
const asRoot = process.getuid?.() === 0;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Runs a PostgreSQL server program as a non-root user (postgres) when the tests run as root. */
function pgTool(tool: string, args: string[]) {
  const cmd = join(PGBIN, tool);
  const r = asRoot ? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8' }) : spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${r.status}): ${r.error?.message ?? ''}${r.stderr}${r.stdout}`);
  return r.stdout;
}

interface Cluster {
  dir: string;
  data: string;
  port: number;
  url(db: string): string;
  start(): void;
  stop(): void;
  remove(): void;
}

async function makeCluster(): Promise<Cluster | string> {
  const dir = mkdtempSync(join(tmpdir(), 'jx-cluster-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    if (asRoot) {
      const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
      if (id.status !== 0) throw new Error('the tests run as root and there is no "postgres" user to run initdb as');
      const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
      chownSync(dir, Number(id.stdout.trim()), Number(gid.stdout.trim()));
    }
    const port = await freePort();
    const data = join(dir, 'data');
    pgTool('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    const cluster: Cluster = {
      dir,
      data,
      port,
      url: (db) => `postgres://postgres@127.0.0.1:${port}/${db}`,
      start: () => void pgTool('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']),
      stop: () => void pgTool('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']),
      remove,
    };
    cluster.start();
    return cluster;
  } catch (err) {
    remove();
    return (err as Error).message;
  }
}

function cli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
}

/** Starts an app (API or worker); resolves with its exit (code and output), or once `ready` appears in its output. */
function launch(script: string, env: Record<string, string>, ready?: RegExp): { child: ChildProcess; outcome: Promise<{ code: number | null; output: string; ready: boolean }> } {
  const child = spawn(process.execPath, [join(ROOT, script)], { env: { ...process.env, JIXIAO_DEMO: 'off', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const outcome = new Promise<{ code: number | null; output: string; ready: boolean }>((resolve) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      if (ready?.test(output)) resolve({ code: null, output, ready: true });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('close', (code) => resolve({ code, output, ready: false }));
  });
  return { child, outcome };
}

async function count(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return Number((await c.query('SELECT count(*) AS n FROM events')).rows[0].n);
  } finally {
    await c.end();
  }
}

let cluster: Cluster | undefined;
let skipReason: string | undefined;
let source: TestDatabase | undefined;
const children: ChildProcess[] = [];

beforeAll(async () => {
  const made = await makeCluster();
  if (typeof made === 'string') {
    skipReason = `a second PostgreSQL cluster could not be made with initdb: ${made}`;
    console.warn(`SKIPPED (restore into a new cluster): ${skipReason}`);
  } else cluster = made;
}, 120_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await source?.drop().catch(() => undefined);
  if (cluster) {
    try {
      cluster.stop();
    } catch {
      // Only this test's own server, by the pid in its data directory.
      const pid = Number(readFileSync(join(cluster.data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (pid > 0) process.kill(pid, 'SIGKILL');
    }
    cluster.remove();
  }
}, 120_000);

it('a dump restored into a new cluster without the counter step is refused by the app, the worker and the store, and nothing is written; after the step the app starts and new events sort after the restored ones; earlier writes are recovered', async () => {
  if (!cluster) {
    console.warn(`SKIPPED: ${skipReason}`);
    return;
  }
  // The source: one month of the demo on this machine's cluster, backed up with the CLI.
  source = await createPostgresDatabase('drill_src');
  expect(cli(['demo', '--store', source.url, '--months', '1']).status).toBe(0);
  const dump = join(cluster.dir, 'jixiao.dump');
  const backedUp = cli(['backup', '--store', source.url, '--out', dump, '--json']);
  expect(backedUp.status).toBe(0);
  const manifest = JSON.parse(backedUp.stdout) as { events: number; headPosition: string; largestTransactionId: string; verdict: string };
  expect(manifest.verdict).toBe('intact');

  // Two databases on the new cluster, restored the old way: pg_restore alone, no step.
  const admin = new pg.Client({ connectionString: cluster.url('postgres') });
  await admin.connect();
  await admin.query('CREATE DATABASE jixiao');
  await admin.query('CREATE DATABASE jixiao_b');
  const next = BigInt((await admin.query('SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS n')).rows[0].n);
  await admin.end();
  // The drill needs the source's ids above the new cluster's counter, as after any real use.
  expect(next < BigInt(manifest.largestTransactionId)).toBe(true);
  const a = cluster.url('jixiao');
  const b = cluster.url('jixiao_b');
  for (const url of [a, b]) {
    const r = spawnSync('pg_restore', ['--no-owner', '--exit-on-error', `--dbname=${url}`, dump], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
  }
  expect(await count(a)).toBe(manifest.events);

  // The API refuses to start, naming the cause, the numbers and the section of the docs.
  const api = launch('dist/apps/api/src/main.js', { EVENT_STORE_URL: a, PORT: '0' }, /listening on/);
  children.push(api.child);
  const apiOutcome = await api.outcome;
  expect(apiOutcome.ready).toBe(false);
  expect(apiOutcome.code).not.toBe(0);
  expect(apiOutcome.output).toMatch(/next transaction id \(\d+\) is not above the largest transaction id stored in the events table \(\d+\)/);
  expect(apiOutcome.output).toContain(`(${manifest.largestTransactionId})`);
  expect(apiOutcome.output).toContain('docs/deploy.md §3.3');
  // So does the worker.
  const worker = launch('dist/apps/worker/src/main.js', { EVENT_STORE_URL: a, REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' }, /working BullMQ jobs/);
  children.push(worker.child);
  const workerOutcome = await worker.outcome;
  expect(workerOutcome.ready).toBe(false);
  expect(workerOutcome.code).not.toBe(0);
  expect(workerOutcome.output).toContain('docs/deploy.md §3.3');
  // And the store, opened or (with the guard off at open) on append; nothing was written.
  await expect(openEventStore(a)).rejects.toBeInstanceOf(TransactionCounterBehindError);
  const unguarded = await openEventStore(a, { transactionGuard: false });
  await expect(unguarded.appendToStream('drill-after-restore', [testEvent('DrillWritten')])).rejects.toBeInstanceOf(TransactionCounterBehindError);
  await expect(unguarded.appendToStream('drill-after-restore', [testEvent('DrillWritten'), testEvent('DrillWritten')])).rejects.toBeInstanceOf(TransactionCounterBehindError);
  await unguarded.close();
  expect(await count(a)).toBe(manifest.events);
  // `audit verify` names the cause at once instead of waiting on "an older transaction".
  const verifyBefore = cli(['audit', 'verify', '--store', a]);
  expect(verifyBefore.status).not.toBe(0);
  expect(verifyBefore.stderr).toContain('docs/deploy.md §3.3');

  // What a Jixiao without the guard let through on database b: two events at low transaction ids.
  const raw = new pg.Client({ connectionString: b });
  await raw.connect();
  let previous = GENESIS_HASH;
  for (let revision = 0; revision < 2; revision++) {
    const e = { id: crypto.randomUUID(), type: 'DrillWritten', data: JSON.stringify({ revision }), metadata: JSON.stringify(testMetadata()) };
    const hash = chainHash(previous, { streamId: 'drill-stranded', revision, ...e });
    await raw.query('INSERT INTO events (stream_id, revision, event_id, type, data, metadata, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      'drill-stranded',
      revision,
      e.id,
      e.type,
      e.data,
      e.metadata,
      hash,
    ]);
    previous = hash;
  }
  await raw.end();

  // `jixiao restore --check-only` computes the step from the dump and the cluster.
  const check = cli(['restore', dump, '--to', a, '--check-only', '--json']);
  expect(check.status).toBe(4);
  const plan = JSON.parse(check.stdout) as { safe: boolean; counter: { next: string }; step: { target: string; epoch: string; xid: string } };
  expect(plan.safe).toBe(false);
  expect(BigInt(plan.step.target) > BigInt(manifest.largestTransactionId)).toBe(true);
  expect(BigInt(plan.step.target) >= BigInt(plan.counter.next)).toBe(true);
  expect(BigInt(plan.step.target) % 1_048_576n).toBe(0n);
  // The recovery lists nothing it cannot yet fix, and refuses to move events before the step.
  const early = cli(['recover-writes', '--store', b]);
  expect(`${early.stdout}${early.stderr}`).toContain('apply the step first');
  expect(early.status).toBe(2);

  cluster.stop();
  pgTool('pg_resetwal', ['-e', plan.step.epoch, '-x', plan.step.xid, cluster.data]);
  cluster.start();

  const after = cli(['restore', dump, '--to', a, '--check-only', '--json']);
  expect(after.status).toBe(0);
  expect(JSON.parse(after.stdout)).toMatchObject({ safe: true, report: { verdict: 'intact', summary: { events: manifest.events, headPosition: manifest.headPosition } } });

  // The app starts and says it is healthy; new events sort after the restored ones.
  // PORT=0: the system picks a free port and the log names it (a port found free first may be taken
  // by another test's process before the API binds it).
  const started = launch('dist/apps/api/src/main.js', { EVENT_STORE_URL: a, PORT: '0' }, /listening on http:\/\/localhost:\d+/);
  children.push(started.child);
  const startedOutcome = await started.outcome;
  expect(startedOutcome.output).not.toContain('transaction id');
  // With its output, so a start that fails says why.
  expect({ ready: startedOutcome.ready, output: startedOutcome.output.slice(-2000) }).toMatchObject({ ready: true });
  const port = Number(/listening on http:\/\/localhost:(\d+)/.exec(startedOutcome.output)![1]);
  const health = await fetch(`http://127.0.0.1:${port}/api/v1/health`);
  const body = (await health.json()) as { status: string; details: { eventStore: { empty: boolean; transactionCounter: { safe: boolean } } } };
  expect(body.details.eventStore).toMatchObject({ empty: false, transactionCounter: { safe: true } });
  const store = await openEventStore(a);
  const appended = await store.appendToStream('drill-after-restore', [testEvent('DrillWritten')]);
  expect(store.comparePositions(appended.position, manifest.headPosition)).toBe(1);
  const seen = await store.readAll({ fromPosition: manifest.headPosition });
  expect(seen.map((e) => e.streamId)).toContain('drill-after-restore');
  await store.close();
  started.child.kill('SIGTERM');

  // Database b: the two early writes are invisible past the restored head until recovered.
  const bStore = await openEventStore(b);
  expect((await bStore.readAll({ fromPosition: manifest.headPosition })).map((e) => e.streamId)).not.toContain('drill-stranded');
  const dry = cli(['recover-writes', '--store', b, '--dry-run', '--json']);
  expect(dry.status).toBe(0);
  expect(JSON.parse(dry.stdout)).toMatchObject({
    dryRun: true,
    stranded: [
      { streamId: 'drill-stranded', revision: 0 },
      { streamId: 'drill-stranded', revision: 1 },
    ],
  });
  expect((await bStore.readAll({ fromPosition: manifest.headPosition })).map((e) => e.streamId)).not.toContain('drill-stranded');
  const recovered = cli(['recover-writes', '--store', b]);
  expect(recovered.status).toBe(0);
  expect(recovered.stdout).toContain('2 event(s) in 1 stream(s)');
  const visible = (await bStore.readAll({ fromPosition: manifest.headPosition })).filter((e) => e.streamId === 'drill-stranded');
  expect(visible.map((e) => e.revision)).toEqual([0, 1]);
  await bStore.close();
  expect(cli(['recover-writes', '--store', b]).stdout).toContain('nothing to recover');
  const verified = cli(['audit', 'verify', '--store', b]);
  expect(verified.stdout).toContain('intact');
  expect(verified.status).toBe(0);
}, 600_000);
