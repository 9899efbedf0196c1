import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { ManualClock } from '../../libs/engine/clock.js';
import { readConfig } from '../../libs/engine/config.js';
import { createSqliteDirectory } from '../../libs/engine/testing/databases.js';
import { playDemoYear, type DemoOutcome } from '../../libs/workflows/demo/demo-year.js';
import { AppModule } from '../../apps/api/src/app.module.js';

/**
 * The demo year, played once and copied for every suite that starts from it.
 *
 * Playing the synthetic year is 2,300 commands through the real engine (~40–60 s on this machine);
 * seven suites start from it. Each now gets a private copy of one store played by the first suite
 * that asks (the others wait on a lock), so a suite still owns its store — it may write, sign in
 * with the one-time passwords, break things — but the year is played once per kind per code
 * version. The cache is keyed by a hash of the code and plans that play it, so a change to any of
 * them plays it again. demo.int's whole year is the open store's play (its progress lines are kept
 * for it): the same seed, clock and configuration, so playing it a second time in one run proved
 * nothing more; its shorter plays, the PostgreSQL one and demo.e2e's, still play on their own.
 */
export type DemoKind = 'open' | 'closed';

const ROOT = process.cwd();
// This file too: what it keeps of a play (outcome.json, progress.json) is part of the template.
const CODE = ['libs', 'apps/api/src', 'plans', 'package-lock.json', 'test/support/demo-store.ts'];

function codeHash(): string {
  const hash = createHash('sha256');
  const walk = (path: string) => {
    if (!existsSync(path)) return;
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) if (!name.endsWith('.spec.ts')) walk(join(path, name));
    } else hash.update(path.slice(ROOT.length)).update(readFileSync(path));
  };
  for (const p of CODE) walk(join(ROOT, p));
  return hash.digest('hex').slice(0, 16);
}

let cacheDir: string | undefined;
const cache = () => (cacheDir ??= join(tmpdir(), 'jixiao-demo-cache', codeHash()));

/** What playing left: the outcome, and the progress lines it printed (one per month; demo.int asserts them). */
export interface PlayedDemo {
  outcome: DemoOutcome;
  progress: string[];
}

async function play(kind: DemoKind, into: string): Promise<PlayedDemo> {
  const url = `sqlite:${join(into, 'jixiao.db')}`;
  const setup = await NestFactory.createApplicationContext(
    AppModule.forRoot({ config: readConfig({ EVENT_STORE_URL: url }), background: false, clock: new ManualClock('2022-12-31T00:00:00.000Z') }),
    { logger: ['error'] },
  );
  await setup.init();
  const progress: string[] = [];
  try {
    const outcome = await playDemoYear(setup, { seed: 2023, closeYear: kind === 'closed', progress: (line) => progress.push(line) });
    return { outcome, progress };
  } finally {
    // Closing checkpoints SQLite's WAL into the file, so a copy of the folder is the whole store.
    await setup.close();
  }
}

/** Stores played for other versions of the code, untouched for a day, go (a developer's /tmp would fill up). */
function forgetOlderVersions(): void {
  const root = join(tmpdir(), 'jixiao-demo-cache');
  for (const name of readdirSync(root)) {
    const path = join(root, name);
    if (path !== cache() && Date.now() - statSync(path).mtimeMs > 86_400_000) rmSync(path, { recursive: true, force: true });
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The template folder of `kind` (store + outcome.json), played now if no run has played it for this code. */
async function template(kind: DemoKind): Promise<string> {
  const dir = join(cache(), kind);
  const lock = `${dir}.lock`;
  mkdirSync(cache(), { recursive: true });
  for (const deadline = Date.now() + 15 * 60_000; Date.now() < deadline;) {
    if (existsSync(join(dir, 'outcome.json'))) return dir;
    try {
      mkdirSync(lock); // atomic: one process plays, the others wait
    } catch {
      let owner = 0;
      try {
        owner = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {
        // the player has not written its pid yet, or has just finished
      }
      if (owner && !alive(owner)) rmSync(lock, { recursive: true, force: true }); // its player died mid-year
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    try {
      writeFileSync(join(lock, 'pid'), String(process.pid));
      const building = `${dir}.${process.pid}`;
      rmSync(building, { recursive: true, force: true });
      mkdirSync(building);
      forgetOlderVersions();
      const played = await play(kind, building);
      writeFileSync(join(building, 'progress.json'), JSON.stringify(played.progress));
      writeFileSync(join(building, 'outcome.json'), JSON.stringify(played.outcome)); // last: its presence says the folder is whole
      renameSync(building, dir);
      return dir;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  throw new Error(`the ${kind} demo store was not played within 15 minutes (lock ${lock})`);
}

/** A private copy of the demo store: its URL, the year's outcome (users and one-time passwords), its progress lines, and drop(). */
export async function demoStore(kind: DemoKind): Promise<{ url: string; dir: string; outcome: DemoOutcome; progress: string[]; drop(): void }> {
  const from = await template(kind);
  const copy = createSqliteDirectory(`demo-${kind}`);
  cpSync(from, copy.dir, { recursive: true, filter: (src) => !src.endsWith('.json') });
  const read = <T>(name: string) => JSON.parse(readFileSync(join(from, name), 'utf8')) as T;
  return { url: copy.url(), dir: copy.dir, outcome: read<DemoOutcome>('outcome.json'), progress: read<string[]>('progress.json'), drop: copy.drop };
}
