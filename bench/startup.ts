/**
 * `npm run bench -- --startup [--rounds N]`: how long a user waits (issue 17).
 *
 *   - first start: `node dist/apps/api/src/main.js` on a fresh SQLite store, the demo year played
 *     before it serves — target ≤ 15 s on a quiet machine;
 *   - restart on that store (projections resume from their checkpoints) — target ≤ 3 s;
 *   - `npm start`'s build check on an unchanged tree (bin/ensure-built.mjs) and a CLI call
 *     (`bin/jixiao.mjs --help`) — target ≤ 2 s each.
 * Ready means the process printed "listening on" (it does so after the HTTP server listens) and
 * answers GET /api/v1/health. The median of the rounds is printed, one JSON line each, then a
 * summary line with pass/fail and the machine's load average.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const ROOT = process.cwd();
const log = (msg: string) => process.stderr.write(`${msg}\n`);

/**
 * Starts the API (the build next to this file's) and resolves when it answers; returns the time
 * taken, the URL it listens on and a stop(). `env`: more environment (bench/audit.ts turns the demo off).
 */
export function startApi(storeUrl: string, env: Record<string, string> = {}): Promise<{ ms: number; url: string; stop(): Promise<void> }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [fileURLToPath(new URL('../apps/api/src/main.js', import.meta.url))], {
    env: { ...process.env, EVENT_STORE_URL: storeUrl, PORT: '0', NODE_ENV: 'development', JIXIAO_DEMO: 'on', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const onData = async (d: Buffer) => {
      output += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(output);
      if (!m) return;
      child.stdout.off('data', onData);
      child.stderr.off('data', onData);
      const res = await fetch(`${m[1]}/api/v1/health`);
      if (res.status !== 200) return reject(new Error(`health answered ${res.status}`));
      resolve({ ms: performance.now() - t0, url: m[1]!, stop });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`the API exited (${code}) before it listened:\n${output.slice(-2000)}`)));
  });
}

function timeCommand(args: string[]): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`${args.join(' ')} exited ${code}: ${err}`))));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Math.round(x);

export async function runStartupBench(argv: string[]): Promise<void> {
  const i = argv.indexOf('--rounds');
  const rounds = i >= 0 ? Number(argv[i + 1]) : 3;
  if (!(rounds >= 1)) throw new Error('--rounds needs a positive integer');
  const load0 = loadavg()[0]!;
  const first: number[] = [];
  const restart: number[] = [];
  const check: number[] = [];
  const cli: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const dir = mkdtempSync(join(tmpdir(), 'jx-startup-'));
    try {
      const storeUrl = `sqlite:${join(dir, 'jixiao.db')}`;
      log(`round ${r + 1}: first start (demo year)…`);
      const a = await startApi(storeUrl);
      first.push(a.ms);
      await a.stop();
      log(`round ${r + 1}: restart…`);
      const b = await startApi(storeUrl);
      restart.push(b.ms);
      await b.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    check.push(await timeCommand(['bin/ensure-built.mjs']));
    cli.push(await timeCommand(['bin/jixiao.mjs', '--help']));
  }
  const lines = [
    { name: 'first start with the demo year (ms)', values: first, target: 15_000 },
    { name: 'restart on the demo store (ms)', values: restart, target: 3_000 },
    { name: 'npm start build check, unchanged tree (ms)', values: check, target: 2_000 },
    { name: 'CLI call, unchanged tree (ms)', values: cli, target: 2_000 },
  ];
  for (const l of lines) console.log(JSON.stringify({ bench: 'startup', name: l.name, medianMs: round(median(l.values)), rounds: l.values.map(round) }));
  const targets = lines.map((l) => ({ name: l.name, target: `<= ${l.target}`, value: round(median(l.values)), pass: median(l.values) <= l.target }));
  console.log(JSON.stringify({ summary: 'startup', pass: targets.every((t) => t.pass), loadAvg1m: { start: load0, end: loadavg()[0] }, targets }));
}
