/**
 * The event-store benchmark of /work/shared/bench/workload.md (method and results: docs/benchmarks.md).
 *
 *   npm run bench -- [--quick] [--store sqlite|postgres] [--rounds N] [--only W1a,W3,...] [--ids random|ordered]
 *   npm run bench -- --audit …   (bench/audit.ts)
 *   npm run bench -- --http …    (bench/http.ts)
 *   npm run bench -- --startup … (bench/startup.ts)
 *   npm run bench -- --scale [--events N]   (bench/audit.ts on PostgreSQL, 10 M events by default)
 *
 * For each store, N rounds, each on fresh databases; within a round raw and jixiao take turns in
 * steps of each timed phase (see Plan in phases.ts). Prints one JSON line per workload × store ×
 * impl (the median over rounds; missing, duplicates and conflicts are the worst round), then one
 * summary line per store: each ratio is the median over rounds of jixiao/raw within the round.
 * Progress and per-round lines go to stderr.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createPostgresDatabase, createSqliteDirectory, TEST_POSTGRES_ADMIN_URL } from '../libs/engine/testing/databases.js';
import { FULL, generateWorkload, type IdOrder, QUICK, type Workload } from './data.js';
import { type Impl, type ImplKind, openImpl, type StoreKind } from './impls.js';
import { alternate, checks, Ledger, type Line, type Plan, w1a, w1b, w2, w3, w3c, w4 } from './phases.js';

const PHASES = ['W1a', 'W1b', 'W2', 'W3', 'W4', 'checks', 'W3c'] as const;
type Phase = (typeof PHASES)[number];

interface Options {
  quick: boolean;
  stores: StoreKind[];
  rounds: number;
  only: Set<Phase>;
  ids: IdOrder;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { quick: false, stores: ['sqlite', 'postgres'], rounds: 1, only: new Set(PHASES), ids: 'ordered' };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--quick':
        opts.quick = true;
        break;
      case '--store': {
        const v = value();
        if (v !== 'sqlite' && v !== 'postgres') throw new Error(`--store ${v}: use sqlite or postgres`);
        opts.stores = [v];
        break;
      }
      case '--rounds': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1) throw new Error('--rounds needs a positive integer');
        opts.rounds = n;
        break;
      }
      case '--only': {
        const names = value()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        for (const n of names) if (!(PHASES as readonly string[]).includes(n)) throw new Error(`--only ${n}: phases are ${PHASES.join(', ')}`);
        opts.only = new Set(names as Phase[]);
        break;
      }
      case '--ids': {
        const v = value();
        if (v !== 'random' && v !== 'ordered') throw new Error(`--ids ${v}: use random or ordered`);
        opts.ids = v;
        break;
      }
      default:
        throw new Error(`unknown argument ${argv[i]}; usage: [--quick] [--store sqlite|postgres] [--rounds N] [--only ${PHASES.join(',')}] [--ids random|ordered]`);
    }
  }
  return opts;
}

const log = (msg: string) => process.stderr.write(`${msg}\n`);

/** 1-minute load average at the start of each timed phase: how busy the shared machine was. */
const loads: number[] = [];

/** Every phase up to the last one asked for runs (later phases read what earlier ones wrote); only those asked for print. */
function phasesToRun(only: Set<Phase>): Set<Phase> {
  const last = Math.max(...[...only].map((p) => PHASES.indexOf(p)));
  const run = new Set<Phase>(PHASES.slice(0, last + 1));
  if (!only.has('W3c')) run.delete('W3c');
  return run;
}

async function checkpointPostgres(): Promise<void> {
  // Called before each timed phase: no phase pays for the writes of the one before.
  const c = new pg.Client({ connectionString: TEST_POSTGRES_ADMIN_URL });
  await c.connect();
  try {
    await c.query('CHECKPOINT');
  } finally {
    await c.end();
  }
}

interface Subject {
  impl: Impl;
  ledger: Ledger;
  drop(): Promise<void>;
}

async function open(store: StoreKind, kind: ImplKind): Promise<Subject> {
  if (store === 'postgres') {
    const db = await createPostgresDatabase(`bench_${kind}`);
    return { impl: await openImpl(kind, store, db.url), ledger: new Ledger(), drop: () => db.drop() };
  }
  const dir = createSqliteDirectory(`bench-${kind}`);
  return { impl: await openImpl(kind, store, join(dir.dir, 'bench.db')), ledger: new Ledger(), drop: async () => dir.drop() };
}

/**
 * One round: a fresh, empty store per implementation, then every phase in order. A timed phase
 * runs for both implementations in alternating steps (see Plan), so the two figures of a ratio
 * are taken on the same machine weather; W3c and the checks run one implementation after the other.
 */
async function runRound(store: StoreKind, wl: Workload, run: Set<Phase>, round: number): Promise<Record<ImplKind, Line[]>> {
  const order: ImplKind[] = round % 2 ? ['raw', 'jixiao'] : ['jixiao', 'raw'];
  const subjects = {} as Record<ImplKind, Subject>;
  const lines: Record<ImplKind, Line[]> = { raw: [], jixiao: [] };
  const started = performance.now();
  const note = (kind: ImplKind, l: Line) => {
    lines[kind].push(l);
    log(`[${store} ${kind} round ${round}] ${JSON.stringify(l)}`);
  };
  try {
    for (const kind of order) subjects[kind] = await open(store, kind);
    for (const phase of PHASES) {
      if (!run.has(phase) && phase !== 'checks') continue;
      if (phase === 'checks' || phase === 'W3c') {
        for (const kind of order) {
          const { impl, ledger } = subjects[kind];
          note(kind, phase === 'checks' ? await checks(impl, wl, ledger) : await w3c(impl, wl, ledger, wl.scale));
        }
        continue;
      }
      // Each timed phase starts with no dirty pages from the phase before waiting to be written.
      if (store === 'postgres') await checkpointPostgres();
      loads.push(loadavg()[0]!);
      const plans = order.map((kind): Plan => {
        const { impl, ledger } = subjects[kind];
        switch (phase) {
          case 'W1a':
            return w1a(impl, wl, ledger);
          case 'W1b':
            return w1b(impl, wl, ledger);
          case 'W2':
            return w2(impl, wl, ledger);
          case 'W3':
            return w3(impl, ledger, (note) => log(`[${store} ${kind} round ${round}] ${note}`));
          case 'W4':
            return w4(impl, wl);
        }
      });
      const results = await alternate(plans);
      order.forEach((kind, i) => note(kind, results[i]!));
    }
  } finally {
    for (const kind of order) {
      const s = subjects[kind];
      if (!s) continue;
      await s.impl.close();
      await s.drop();
    }
  }
  log(`[${store} round ${round}] ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return lines;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** Median over rounds; correctness counts are the worst round. Key order is the documented format's. */
function combine(rounds: Line[]): Record<string, unknown> {
  const first = rounds[0]!;
  const out: Record<string, unknown> = { workload: first.workload, store: first.store, impl: first.impl };
  if (first.workload === 'checks') {
    out.staleRefused = rounds.every((l) => l.staleRefused);
    out.newStreamAccepted = rounds.every((l) => l.newStreamAccepted);
    return out;
  }
  const seconds = median(rounds.map((l) => l.seconds));
  out.events = first.events;
  out.seconds = round3(seconds);
  out.eventsPerSec = Math.round(median(rounds.map((l) => l.eventsPerSec)));
  if (first.workload === 'W1b') out.conflicts = Math.max(...rounds.map((l) => l.conflicts ?? 0));
  if (first.workload === 'W3' || first.workload === 'W3c') {
    out.missing = Math.max(...rounds.map((l) => l.missing ?? 0));
    out.duplicates = Math.max(...rounds.map((l) => l.duplicates ?? 0));
  }
  if (first.workload === 'W3c') out.written = Math.round(median(rounds.map((l) => l.written ?? 0)));
  if (first.workload === 'W4') {
    out.p50Ms = round3(median(rounds.map((l) => l.p50Ms!)));
    out.p99Ms = round3(median(rounds.map((l) => l.p99Ms!)));
  }
  return out;
}

interface Target {
  name: string;
  target: string;
  value: number | null;
  /** Per round, paired (raw and jixiao of the same round). */
  rounds?: number[];
  pass: boolean;
}

function summarise(store: StoreKind, byImpl: Record<ImplKind, Line[][]>, shown: Set<Phase>, rounds: number): Record<string, unknown> {
  const get = (impl: ImplKind, w: string) => byImpl[impl].map((r) => r.find((l) => l.workload === w)).filter((l): l is Line => !!l);
  const targets: Target[] = [];
  for (const w of ['W1a', 'W1b', 'W2', 'W3'] as const) {
    if (!shown.has(w)) continue;
    const raw = get('raw', w);
    const jx = get('jixiao', w);
    const perRound = jx.map((l, i) => l.eventsPerSec / raw[i]!.eventsPerSec);
    const ratio = median(perRound);
    targets.push({ name: `${w} jixiao/raw ev/s`, target: '>= 0.8', value: round3(ratio), rounds: perRound.map(round3), pass: ratio >= 0.8 });
  }
  if (shown.has('W4')) {
    const raw = get('raw', 'W4');
    const jx = get('jixiao', 'W4');
    const perRound = jx.map((l, i) => l.p99Ms! / raw[i]!.p99Ms!);
    const ratio = median(perRound);
    targets.push({ name: 'W4 jixiao/raw p99', target: '<= 1.5', value: round3(ratio), rounds: perRound.map(round3), pass: ratio <= 1.5 });
  }
  for (const w of ['W3', 'W3c'] as const) {
    if (!shown.has(w)) continue;
    const jx = get('jixiao', w);
    const bad = Math.max(...jx.map((l) => (l.missing ?? 0) + (l.duplicates ?? 0)));
    targets.push({ name: `${w} jixiao missing + duplicates`, target: '= 0', value: bad, pass: bad === 0 });
  }
  if (shown.has('W1b')) {
    const c = Math.max(...get('jixiao', 'W1b').map((l) => l.conflicts ?? 0));
    targets.push({ name: 'W1b jixiao conflicts', target: '= 0', value: c, pass: c === 0 });
  }
  const chk = get('jixiao', 'checks');
  targets.push({
    name: 'checks: stale revision refused, new stream accepted',
    target: 'both',
    value: null,
    pass: chk.every((l) => l.staleRefused && l.newStreamAccepted),
  });
  const load = loads.splice(0);
  return {
    summary: store,
    rounds,
    pass: targets.every((t) => t.pass),
    loadAvg1m: load.length ? { min: Math.min(...load), max: Math.max(...load) } : null,
    targets,
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--startup')) {
    const { runStartupBench } = await import('./startup.js');
    return runStartupBench(argv.filter((a) => a !== '--startup'));
  }
  if (argv.includes('--http')) {
    // Commands and reads over HTTP against a bare NestJS route (bench/http.ts); loaded only when asked for.
    const { runHttpBench } = await import('./http.js');
    return runHttpBench(argv.filter((a) => a !== '--http'));
  }
  if (argv.includes('--scale')) {
    // A province's worth: the auditors' questions, the projection rebuild and verify at 10 M events on PostgreSQL.
    const { runAuditBench } = await import('./audit.js');
    return runAuditBench(['--store', 'postgres', '--events', '10000000', ...argv.filter((a) => a !== '--scale')]);
  }
  if (argv.includes('--audit')) {
    // The auditors' questions on a scaled demo store (bench/audit.ts); loaded only when asked for.
    const { runAuditBench } = await import('./audit.js');
    return runAuditBench(argv.filter((a) => a !== '--audit'));
  }
  const opts = parseArgs(argv);
  const scale = opts.quick ? QUICK : FULL;
  const run = phasesToRun(opts.only);
  const t0 = performance.now();
  const wl = generateWorkload(scale, undefined, opts.ids);
  log(
    `workload generated in ${(performance.now() - t0).toFixed(0)} ms (${opts.quick ? 'quick' : 'full'}; ${opts.ids} ids; phases ${[...run].join(', ')}; printing ${[...opts.only].join(', ')})`,
  );

  const summaries: Record<string, unknown>[] = [];
  for (const store of opts.stores) {
    const byImpl: Record<ImplKind, Line[][]> = { raw: [], jixiao: [] };
    for (let r = 1; r <= opts.rounds; r++) {
      const lines = await runRound(store, wl, run, r);
      byImpl.raw.push(lines.raw);
      byImpl.jixiao.push(lines.jixiao);
    }
    for (const phase of PHASES) {
      if (!opts.only.has(phase) && phase !== 'checks') continue;
      for (const impl of ['jixiao', 'raw'] as const) {
        const lines = byImpl[impl].map((r) => r.find((l) => l.workload === phase)).filter((l): l is Line => !!l);
        if (lines.length) process.stdout.write(`${JSON.stringify(combine(lines))}\n`);
      }
    }
    summaries.push(summarise(store, byImpl, opts.only, opts.rounds));
  }
  for (const s of summaries) process.stdout.write(`${JSON.stringify(s)}\n`);
  log(`total ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
