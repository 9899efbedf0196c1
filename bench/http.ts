/**
 * `npm run bench -- --http [--store sqlite|postgres] [--seconds N] [--connections N]`: what a user
 * feels, over HTTP (issue 17).
 *
 * For each store, on fresh databases, in one run:
 *   - **the limit**: a bare NestJS route (same Express platform, same JSON body parsing) that writes
 *     one row (an upsert, committed as durably as the store commits, the same way: on SQLite
 *     synchronous = NORMAL then an fdatasync of the WAL off the event loop; printed also with FULL,
 *     the fsync inside the commit, as "bare (FULL)") and one that reads one row
 *     holding the same document Annex 2 answers with;
 *   - **Jixiao**: the API as `npm start` builds it (AppModule + configureApp), with its sessions,
 *     validation, authorisation and projections, driven by the office: draft saves of the monthly
 *     reports of every unit for every month (entered on the unit's behalf), and the six counties'
 *     figures; reads of Annex 2 and of a report.
 * Each load runs with autocannon in a child process: at full speed with `--connections` (16), then
 * commands at a fixed 200/s for the latency target. One JSON line per measurement, then a summary
 * line per store with the ratios and pass/fail: commands ≥ 0.5 × the bare write, p99 ≤ 20 ms at
 * 200 commands/s, reads ≥ 0.7 × the bare read.
 */
import 'reflect-metadata';
import { Body, Controller, Get, Inject, Module, Param, Put } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadavg } from 'node:os';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openSqlite } from '../libs/engine/event-store/sqlite/sqlite-storage.js';
import { WalSync } from '../libs/engine/event-store/sqlite/wal-sync.js';
import { createPostgresDatabase, createSqliteDirectory } from '../libs/engine/testing/databases.js';
import { loadBuiltinPlan } from '../libs/workflows/plan/plans.js';
import { bootstrapAdmin, createUserViaApi, relaxLoginLimits, startApp, type RunningApp } from '../test/support/app.js';
import type { LoadOptions, LoadRequest, LoadResult } from './http-load.js';

type StoreKind = 'sqlite' | 'postgres';
const PLAN = 'ye-county-2023';
const log = (msg: string) => process.stderr.write(`${msg}\n`);

interface Options {
  stores: StoreKind[];
  seconds: number;
  connections: number;
  /** `--jixiao-only`: skip the bare route (to profile Jixiao alone with --cpu-prof). */
  jixiaoOnly: boolean;
  /** `--commands-only`: Jixiao's commands at full speed alone (a profile of the command path only). */
  commandsOnly: boolean;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { stores: ['sqlite', 'postgres'], seconds: 10, connections: 16, jixiaoOnly: false, commandsOnly: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = () => inline ?? argv[++i] ?? '';
    if (flag === '--store') {
      const v = value();
      if (v !== 'sqlite' && v !== 'postgres') throw new Error(`--store ${v}: use sqlite or postgres`);
      opts.stores = [v];
    } else if (flag === '--seconds') opts.seconds = Number(value());
    else if (flag === '--connections') opts.connections = Number(value());
    else if (flag === '--jixiao-only') opts.jixiaoOnly = true;
    else if (flag === '--commands-only') opts.jixiaoOnly = opts.commandsOnly = true;
    else throw new Error(`unknown argument ${argv[i]}; usage: --http [--store sqlite|postgres] [--seconds N] [--connections N] [--jixiao-only | --commands-only]`);
  }
  if (!(opts.seconds > 0) || !(opts.connections > 0)) throw new Error('--seconds and --connections need positive numbers');
  return opts;
}

/**
 * One load, with the CPU the server (this process) spent on it per request answered: a figure a
 * loaded machine disturbs far less than the throughput, since other processes' work is not in it.
 */
async function load(options: LoadOptions): Promise<LoadResult & { cpuMsPerRequest: number }> {
  const before = process.cpuUsage();
  const result = await loadInChild(options);
  const used = process.cpuUsage(before);
  return { ...result, cpuMsPerRequest: round((used.user + used.system) / 1000 / Math.max(1, result.requests)) };
}

function loadInChild(options: LoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('./http-load.js', import.meta.url)), [], { stdio: 'inherit' });
    child.once('message', (m: { ok?: LoadResult; error?: string }) => (m.ok ? resolve(m.ok) : reject(new Error(m.error))));
    child.once('error', reject);
    child.send(options);
  });
}

// The limit: one row written, one row read, behind the same framework.

interface BareDb {
  write(key: string, body: string): Promise<number>;
  read(key: string): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * The bare route commits as durably as the store: by default the same way (synchronous = NORMAL,
 * then an fdatasync of the WAL on the thread pool, shared by the commits made meanwhile, before
 * answering); `full`: the fsync inside each commit, on the event loop (how both committed before).
 */
function sqliteBare(path: string, mode: 'wal-sync' | 'full'): BareDb {
  const db = openSqlite(path, { walSynced: mode === 'wal-sync' });
  const wal = mode === 'wal-sync' ? new WalSync(path) : undefined;
  db.exec('CREATE TABLE IF NOT EXISTS bare (key TEXT PRIMARY KEY, n INTEGER NOT NULL, body TEXT NOT NULL)');
  const write = db.prepare('INSERT INTO bare (key, n, body) VALUES (?, 1, ?) ON CONFLICT (key) DO UPDATE SET n = n + 1, body = excluded.body RETURNING n');
  const read = db.prepare('SELECT body FROM bare WHERE key = ?');
  return {
    write: async (key, body) => {
      const n = (write.get(key, body) as { n: number }).n;
      await wal?.afterCommit();
      return n;
    },
    read: async (key) => JSON.parse((read.get(key) as { body: string }).body),
    close: async () => {
      await wal?.close();
      db.close();
    },
  };
}

function postgresBare(url: string): BareDb {
  const pool = new pg.Pool({ connectionString: url, max: 16 });
  // An idle client's connection ends when the benchmark drops its database (WITH (FORCE)); unheard, that error ends the process before the summary.
  pool.on('error', () => undefined);
  const ready = pool.query('CREATE TABLE IF NOT EXISTS bare (key text PRIMARY KEY, n integer NOT NULL, body text NOT NULL)');
  return {
    write: async (key, body) => {
      await ready;
      const r = await pool.query('INSERT INTO bare (key, n, body) VALUES ($1, 1, $2) ON CONFLICT (key) DO UPDATE SET n = bare.n + 1, body = excluded.body RETURNING n', [
        key,
        body,
      ]);
      return r.rows[0].n as number;
    },
    read: async (key) => JSON.parse((await pool.query('SELECT body FROM bare WHERE key = $1', [key])).rows[0].body as string),
    close: () => pool.end(),
  };
}

const BARE_DB = Symbol('BARE_DB');

@Controller('bare')
class BareController {
  constructor(@Inject(BARE_DB) private readonly db: BareDb) {}

  @Put(':key')
  async write(@Param('key') key: string, @Body() body: unknown) {
    return { key, revision: await this.db.write(key, JSON.stringify(body)) };
  }

  @Get(':key')
  read(@Param('key') key: string) {
    return this.db.read(key);
  }
}

async function startBare(db: BareDb): Promise<{ url: string; close(): Promise<void> }> {
  @Module({ controllers: [BareController], providers: [{ provide: BARE_DB, useValue: db }] })
  class BareModule {}
  const app = await NestFactory.create(BareModule, { logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

// Jixiao, as npm start builds it.

async function api(running: RunningApp, headers: Record<string, string>, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${running.url}/api/v1${path}`, {
    method,
    headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

/** The office's day at full speed: reports typed in for units (their paper copies) and the counties' figures. */
async function prepareJixiao(running: RunningApp): Promise<{ headers: Record<string, string>; commands: LoadRequest[]; reads: LoadRequest[]; annex2: unknown }> {
  relaxLoginLimits(running);
  const admin = await bootstrapAdmin(running);
  const office = await createUserViaApi(running, admin, { username: 'office-bench', roles: ['office'] });
  const headers = { ...office.headers, 'content-type': 'application/json' };
  const plan = loadBuiltinPlan(PLAN);
  const months = Array.from({ length: 12 }, (_, i) => `${plan.year}-${String(i + 1).padStart(2, '0')}`);
  for (const m of months) await api(running, office.headers, 'POST', `/plans/${PLAN}/reporting/periods/${m}/open`);

  const commands: LoadRequest[] = [];
  const units = plan.units.filter((u) => plan.indicators.some((i) => i.units.includes(u.id)));
  const counties = plan.peerGroup.counties.map((c) => c.id);
  const ranked = plan.indicators.filter((i) => i.kind === 'ranked');
  let n = 0;
  for (const m of months) {
    for (const u of units) {
      const template = await api(running, office.headers, 'GET', `/plans/${PLAN}/reporting/reports/${u.id}/${m}/template`);
      const lines = (template.indicators as { no: number }[]).map((l, i) => ({
        indicatorNo: l.no,
        value: 50 + ((n + i) % 40),
        rank: 1 + ((n + i) % 6),
        problems: '无',
        nextSteps: '保持',
      }));
      commands.push({ method: 'PUT', path: `/api/v1/plans/${PLAN}/reporting/reports/${u.id}/${m}/draft`, body: JSON.stringify({ lines }), headers: { 'x-on-behalf-of': u.id } });
      n++;
      // One in four commands records the counties' figures for an indicator and month.
      if (n % 3 === 0) {
        const ind = ranked[n % ranked.length]!;
        const figures = counties.map((countyId, k) => ({ countyId, value: 40 + ((n + k * 7) % 50) }));
        commands.push({ method: 'POST', path: `/api/v1/plans/${PLAN}/ranking/figures`, body: JSON.stringify({ indicatorNo: ind.no, period: m, figures }) });
      }
    }
  }
  // Check one of each once (a bench that measured 4xx answers would measure nothing).
  for (const c of [commands[0]!, commands.find((c) => c.path.endsWith('/figures'))!]) {
    const res = await fetch(`${running.url}${c.path}`, { method: c.method, headers: { ...headers, ...c.headers }, body: c.body! });
    if (res.status >= 300) throw new Error(`${c.method} ${c.path} answered ${res.status}: ${(await res.text()).slice(0, 400)}`);
  }
  const annex2 = await api(running, office.headers, 'GET', `/plans/${PLAN}/annex2/${plan.year}-06`);
  const reads: LoadRequest[] = months.map((m) => ({ method: 'GET', path: `/api/v1/plans/${PLAN}/annex2/${m}` }));
  return { headers, commands, reads, annex2 };
}

interface Line {
  bench: 'http';
  store: StoreKind;
  target: 'bare' | 'bare (FULL)' | 'jixiao';
  load: string;
  [k: string]: unknown;
}

async function benchStore(store: StoreKind, opts: Options): Promise<Line[]> {
  const lines: Line[] = [];
  const print = (line: Line) => {
    lines.push(line);
    console.log(JSON.stringify(line));
  };
  const base = { connections: opts.connections, seconds: opts.seconds };

  // Jixiao first: its Annex 2 document is what the bare read serves.
  const dir = store === 'sqlite' ? createSqliteDirectory('bench-http') : undefined;
  const pgDb = store === 'postgres' ? await createPostgresDatabase('bench_http') : undefined;
  const storeUrl = dir ? dir.url() : pgDb!.url;
  log(`[${store}] starting Jixiao on ${store}…`);
  const running = await startApp({ storeUrl, env: { JIXIAO_DEMO: 'off' } });
  let annex2: unknown;
  try {
    const prepared = await prepareJixiao(running);
    annex2 = prepared.annex2;
    const headers = prepared.headers;
    log(`[${store}] jixiao: ${prepared.commands.length} distinct commands, ${prepared.reads.length} reads`);
    const commands = await load({ url: running.url, headers, requests: prepared.commands, ...base });
    print({ bench: 'http', store, target: 'jixiao', load: 'commands', ...commands });
    if (!opts.commandsOnly) {
      const paced = await load({ url: running.url, headers, requests: prepared.commands, ...base, rate: 200 });
      print({ bench: 'http', store, target: 'jixiao', load: 'commands at 200/s', ...paced });
      const reads = await load({ url: running.url, headers, requests: prepared.reads, ...base });
      print({ bench: 'http', store, target: 'jixiao', load: 'reads (Annex 2)', ...reads });
    }
  } finally {
    await running.close();
  }

  if (opts.jixiaoOnly) {
    dir?.drop();
    await pgDb?.drop();
    return lines;
  }
  log(`[${store}] starting the bare route…`);
  const db = dir ? sqliteBare(dir.url('bare.db').replace(/^sqlite:/, ''), 'wal-sync') : postgresBare(pgDb!.url);
  const bare = await startBare(db);
  try {
    const doc = JSON.stringify(annex2);
    const keys = Array.from({ length: 12 }, (_, i) => `annex2-${i}`);
    for (const k of keys) await fetch(`${bare.url}/bare/${k}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: doc });
    const rows = Array.from({ length: 400 }, (_, i) => `report-${i}`);
    const body = JSON.stringify({ lines: [{ indicatorNo: 1, value: 50, rank: 2, problems: '无', nextSteps: '保持' }] });
    const writes = rows.map((k): LoadRequest => ({ method: 'PUT', path: `/bare/${k}`, body }));
    const headers = { 'content-type': 'application/json' };
    const w = await load({ url: bare.url, headers, requests: writes, ...base });
    print({ bench: 'http', store, target: 'bare', load: 'commands', ...w });
    const wp = await load({ url: bare.url, headers, requests: writes, ...base, rate: 200 });
    print({ bench: 'http', store, target: 'bare', load: 'commands at 200/s', ...wp });
    const r = await load({ url: bare.url, headers, requests: keys.map((k): LoadRequest => ({ method: 'GET', path: `/bare/${k}` })), ...base });
    print({ bench: 'http', store, target: 'bare', load: 'reads (Annex 2)', ...r });
    if (dir) {
      // For comparison, the same writes with the fsync inside each commit (synchronous = FULL).
      const fullDb = sqliteBare(dir.url('bare-full.db').replace(/^sqlite:/, ''), 'full');
      const full = await startBare(fullDb);
      try {
        const fw = await load({ url: full.url, headers, requests: writes, ...base });
        print({ bench: 'http', store, target: 'bare (FULL)', load: 'commands', ...fw });
        const fwp = await load({ url: full.url, headers, requests: writes, ...base, rate: 200 });
        print({ bench: 'http', store, target: 'bare (FULL)', load: 'commands at 200/s', ...fwp });
      } finally {
        await full.close();
        await fullDb.close();
      }
    }
  } finally {
    await bare.close();
    await db.close();
    dir?.drop();
    await pgDb?.drop();
  }
  return lines;
}

export async function runHttpBench(argv: string[]): Promise<void> {
  const opts = parseArgs(argv);
  for (const store of opts.stores) {
    const load1 = loadavg()[0]!;
    const lines = await benchStore(store, opts);
    if (opts.jixiaoOnly) continue;
    const get = (target: string, l: string) => lines.find((x) => x.target === target && x.load === l)! as unknown as LoadResult;
    const cmdRatio = get('jixiao', 'commands').perSec / get('bare', 'commands').perSec;
    const readRatio = get('jixiao', 'reads (Annex 2)').perSec / get('bare', 'reads (Annex 2)').perSec;
    const cpu = (target: string, l: string) => (get(target, l) as unknown as { cpuMsPerRequest: number }).cpuMsPerRequest;
    const p99 = get('jixiao', 'commands at 200/s').p99Ms;
    const failures = lines.reduce((s, l) => s + (l.non2xx as number) + (l.errors as number), 0);
    const targets = [
      { name: 'commands/s jixiao/bare', target: '>= 0.5', value: round(cmdRatio), pass: cmdRatio >= 0.5 },
      { name: 'command p99 at 200/s (ms)', target: '<= 20', value: p99, pass: p99 <= 20 },
      // Context: the bare route's own p99 at 200/s, committing the store's way (and with FULL, on SQLite).
      { name: 'bare write p99 at 200/s (ms)', target: 'context', value: get('bare', 'commands at 200/s').p99Ms },
      ...(store === 'sqlite' ? [{ name: 'bare write (FULL) p99 at 200/s (ms)', target: 'context', value: get('bare (FULL)', 'commands at 200/s').p99Ms }] : []),
      { name: 'reads/s jixiao/bare', target: '>= 0.7', value: round(readRatio), pass: readRatio >= 0.7 },
      // Context, not a target: the same ratios in server CPU per request (bare / Jixiao), steadier on a loaded machine.
      { name: 'cpu per command bare/jixiao', target: 'context', value: round(cpu('bare', 'commands') / cpu('jixiao', 'commands')) },
      { name: 'cpu per read bare/jixiao', target: 'context', value: round(cpu('bare', 'reads (Annex 2)') / cpu('jixiao', 'reads (Annex 2)')) },
      { name: 'non-2xx answers and errors', target: '= 0', value: failures, pass: failures === 0 },
    ];
    console.log(JSON.stringify({ summary: `http ${store}`, pass: targets.every((t) => t.pass !== false), loadAvg1m: { start: round(load1), end: round(loadavg()[0]!) }, targets }));
  }
}

const round = (x: number) => Math.round(x * 1000) / 1000;
