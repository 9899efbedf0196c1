import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { type BenchEvent, type Scale, streamEvents, type Workload } from './data.js';
import { type Impl, PAGE, type Visit } from './impls.js';
import { Prng } from './prng.js';

/** One output line (before the median over rounds). */
export interface Line {
  workload: string;
  store: string;
  impl: string;
  events: number;
  seconds: number;
  eventsPerSec: number;
  conflicts?: number;
  missing?: number;
  duplicates?: number;
  p50Ms?: number;
  p99Ms?: number;
  /** W3c: events the concurrent writers appended while the reader ran. */
  written?: number;
  staleRefused?: boolean;
  newStreamAccepted?: boolean;
}

/** What the store has acknowledged, to check the global read against: "stream#version". */
export class Ledger {
  readonly acked = new Set<string>();
  add(e: BenchEvent): void {
    this.acked.add(`${e.streamId}#${e.version}`);
  }
}

/**
 * A timed phase cut into steps, so that two implementations can take turns step by step and see
 * the same machine: on this shared host the fsync rate alone swings by 2× within a minute. Each
 * implementation still does exactly the phase's operations in the phase's order; only the clock
 * is stopped between steps. `step` resolves true once the phase is done.
 */
export interface Plan {
  step(): Promise<boolean>;
  /** The output line, from the summed time of the steps. */
  finish(ms: number): Line;
}

/** How many steps a write phase is cut into: W1's rounds are natural steps. */
const STEPS = 10;

function line(impl: Impl, workload: string, events: number, ms: number, extra: Partial<Line> = {}): Line {
  const seconds = ms / 1000;
  return { workload, store: impl.store, impl: impl.impl, events, seconds, eventsPerSec: events / seconds, ...extra };
}

/** Steps over `total` items in STEPS slices; `run(from, to)` does one slice. */
function sliced(total: number, run: (from: number, to: number) => Promise<void>, finish: (ms: number) => Line): Plan {
  let done = 0;
  const size = Math.ceil(total / STEPS);
  return {
    async step() {
      const to = Math.min(total, done + size);
      await run(done, to);
      done = to;
      return done >= total;
    },
    finish,
  };
}

/** W1a: one client, each append awaited; step r is round r (every stream gets its (r+1)-th event). */
export function w1a(impl: Impl, wl: Workload, ledger: Ledger): Plan {
  const events = wl.w1a;
  const ok = new Uint8Array(events.length);
  return sliced(
    events.length,
    async (from, to) => {
      for (let i = from; i < to; i++) ok[i] = (await impl.appendOne(events[i]!)) ? 1 : 0;
    },
    (ms) => {
      let conflicts = 0;
      events.forEach((e, i) => (ok[i] ? ledger.add(e) : conflicts++));
      return line(impl, 'W1a', events.length, ms, { conflicts });
    },
  );
}

/** W1b: 8 concurrent clients, each awaiting its own appends; step r is every client's round r. */
export function w1b(impl: Impl, wl: Workload, ledger: Ledger): Plan {
  const clients = wl.w1b;
  const ok = clients.map((c) => new Uint8Array(c.length));
  const perClient = clients[0]!.length;
  const n = clients.reduce((a, c) => a + c.length, 0);
  return sliced(
    perClient,
    async (from, to) => {
      await Promise.all(
        clients.map(async (appends, c) => {
          const mine = ok[c]!;
          for (let i = from; i < Math.min(to, appends.length); i++) mine[i] = (await impl.appendOne(appends[i]!)) ? 1 : 0;
        }),
      );
    },
    (ms) => {
      let conflicts = 0;
      clients.forEach((appends, c) => appends.forEach((e, i) => (ok[c]![i] ? ledger.add(e) : conflicts++)));
      return line(impl, 'W1b', n, ms, { conflicts });
    },
  );
}

export function w2(impl: Impl, wl: Workload, ledger: Ledger): Plan {
  const appends = wl.w2;
  const ok = new Uint8Array(appends.length);
  return sliced(
    appends.length,
    async (from, to) => {
      for (let i = from; i < to; i++) ok[i] = (await impl.appendNew(appends[i]!)) ? 1 : 0;
    },
    (ms) => {
      let n = 0;
      let conflicts = 0;
      appends.forEach((events, i) => {
        n += events.length;
        if (ok[i]) events.forEach((e) => ledger.add(e));
        else conflicts++;
      });
      return line(impl, 'W2', n, ms, { conflicts });
    },
  );
}

/** The fold W3 does: the latest value per unit + indicator + period, and a count per unit. */
export class Fold {
  readonly latest = new Map<string, number>();
  readonly perUnit = new Map<string, number>();
  readonly streams: string[] = [];
  readonly versions: number[] = [];

  readonly visit: Visit = (streamId, version, d) => {
    this.latest.set(`${d.unitId}|${d.indicatorId}|${d.period}`, d.value);
    this.perUnit.set(streamId, (this.perUnit.get(streamId) ?? 0) + 1);
    this.streams.push(streamId);
    this.versions.push(version);
  };

  /** Missed: acknowledged but never read. Duplicates: reads beyond the first of an event. */
  check(ledger: Ledger): { missing: number; duplicates: number; unexpected: number } {
    const seen = new Map<string, number>();
    for (let i = 0; i < this.streams.length; i++) {
      const key = `${this.streams[i]}#${this.versions[i]}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    let duplicates = 0;
    let unexpected = 0;
    for (const [key, n] of seen) {
      duplicates += n - 1;
      if (!ledger.acked.has(key)) unexpected++;
    }
    let missing = 0;
    for (const key of ledger.acked) if (!seen.has(key)) missing++;
    return { missing, duplicates, unexpected };
  }

  /** The same events must fold to the same state whichever implementation stored them. */
  digest(): string {
    let sum = 0;
    for (const v of this.latest.values()) sum += v;
    let units = 0;
    for (const n of this.perUnit.values()) units += n;
    return `${this.latest.size} keys, ${this.perUnit.size} units, ${units} events, Σlatest=${sum.toFixed(2)}`;
  }
}

/**
 * Reads pages until it has read at least every acknowledged event and then gets a short page. A
 * short page alone is not the end for Jixiao on PostgreSQL: it stops at the oldest transaction
 * still running anywhere in the cluster (other databases included), so a reader that wants "every
 * write acknowledged so far" polls on (every ms) until it has them; after `patienceMs` without a
 * new event it gives up, and whatever it has not read counts as missing.
 */
class Reader {
  readonly fold = new Fold();
  cursor: string | undefined;
  /** Time spent polling at a short page before having read everything acknowledged. */
  waitedMs = 0;
  /** When the last new event was read. */
  lastReadAt = performance.now();
  #lastProgress = performance.now();
  #finishing = false;

  constructor(
    readonly impl: Impl,
    readonly ledger: Ledger,
    readonly patienceMs = 10_000,
  ) {}

  /** One page; true when done (only once `mayFinish` holds, e.g. the writers have stopped). */
  async page(mayFinish = true): Promise<boolean> {
    const page = await this.impl.readPage(this.cursor, this.fold.visit);
    this.cursor = page.cursor;
    const now = performance.now();
    // Patience counts from the moment finishing is allowed, or from the last new event.
    if (page.count > 0) this.lastReadAt = now;
    if (page.count > 0 || (mayFinish && !this.#finishing)) this.#lastProgress = now;
    this.#finishing ||= mayFinish;
    if (page.count === PAGE) return false;
    if (mayFinish && (this.fold.streams.length >= this.ledger.acked.size || now - this.#lastProgress > this.patienceMs)) return true;
    if (mayFinish) this.waitedMs -= performance.now();
    await sleep(1);
    if (mayFinish) this.waitedMs += performance.now();
    return false;
  }
}

/** W3: the global read from the start, 1,000 a page, until everything acknowledged is read; a step is 24 pages. */
export function w3(impl: Impl, ledger: Ledger, onDone: (note: string) => void): Plan {
  const reader = new Reader(impl, ledger);
  return {
    async step() {
      for (let p = 0; p < 24; p++) if (await reader.page()) return true;
      return false;
    },
    finish(ms) {
      const { missing, duplicates, unexpected } = reader.fold.check(ledger);
      onDone(
        `W3 fold: ${reader.fold.digest()}` +
          (unexpected ? `; ${unexpected} events read that were never acknowledged` : '') +
          (reader.waitedMs > 0 ? `; polled ${reader.waitedMs.toFixed(0)} ms at a short page before the end` : ''),
      );
      return line(impl, 'W3', reader.fold.streams.length, ms, { missing, duplicates });
    },
  };
}

/** W4: stream loads one at a time, each timed on its own. */
export function w4(impl: Impl, wl: Workload): Plan {
  const times = new Float64Array(wl.w4Streams.length);
  let events = 0;
  return sliced(
    wl.w4Streams.length,
    async (from, to) => {
      for (let i = from; i < to; i++) {
        const s = performance.now();
        events += await impl.loadStream(wl.w4Streams[i]!);
        times[i] = performance.now() - s;
      }
    },
    (ms) => {
      times.sort();
      return line(impl, 'W4', events, ms, { p50Ms: quantile(times, 0.5), p99Ms: quantile(times, 0.99) });
    },
  );
}

/** Nearest rank. */
function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

/** Runs plans in turns, the first going first in even steps and last in odd ones; returns their lines. */
export async function alternate(plans: Plan[]): Promise<Line[]> {
  const ms = plans.map(() => 0);
  const done = plans.map(() => false);
  for (let step = 0; done.some((d) => !d); step++) {
    const order = plans.map((_, i) => i);
    if (step % 2) order.reverse();
    for (const i of order) {
      if (done[i]) continue;
      const t0 = performance.now();
      done[i] = await plans[i]!.step();
      ms[i]! += performance.now() - t0;
    }
  }
  return plans.map((p, i) => p.finish(ms[i]!));
}

/** Not timed: an append to a new stream is accepted, and one with a stale expected revision is refused. */
export async function checks(impl: Impl, wl: Workload, ledger: Ledger): Promise<Line> {
  const rng = new Prng(0xc4ec_4000);
  const clock = { t: 0 };
  const [first, second] = streamEvents(rng, wl.nextStream, 2, 1, clock);
  const newStreamAccepted = await impl.appendOne(first!);
  if (newStreamAccepted) ledger.add(first!);
  if (await impl.appendOne(second!)) ledger.add(second!);
  // Another writer's event for revision 1, sent with the now stale expected revision 0.
  const [, stale] = streamEvents(rng, wl.nextStream, 2, 1, clock);
  const staleRefused = !(await impl.appendOne(stale!));
  if (!staleRefused) ledger.add(stale!);
  return { workload: 'checks', store: impl.store, impl: impl.impl, events: 0, seconds: 0, eventsPerSec: 0, staleRefused, newStreamAccepted };
}

/**
 * W3 while writers append: 8 writers append new streams (batches of 10) from before the reader
 * starts until it has followed the end of the log for `w3cTailAppends` appends (at most 4 × that
 * in all, or 20 s, if it never catches up); the reader reads from the beginning, and at the end
 * polls every millisecond. When the writers have stopped, it reads on until it has read as many
 * events as were acknowledged (or 3 s pass without a new one), then missed and doubled events are
 * counted against every acknowledgement. Not interleaved: the point is what the reader sees.
 */
export async function w3c(impl: Impl, wl: Workload, ledger: Ledger, scale: Scale): Promise<Line> {
  const state = { caughtUp: false, tailAppends: 0, appends: 0, writersDone: false, written: 0 };
  const deadline = performance.now() + 20_000;
  const cap = 4 * scale.w3cTailAppends;
  const base = wl.nextStream + 1_000;
  const writers = Array.from({ length: scale.w3cWriters }, async (_, w) => {
    const rng = new Prng(0x3c00 + w);
    const clock = { t: 0 };
    for (let k = 0; !(state.caughtUp && state.tailAppends >= scale.w3cTailAppends) && state.appends < cap && performance.now() < deadline; k++) {
      state.appends++;
      const events = streamEvents(rng, base + w * 1_000_000 + k, scale.w3cBatch, scale.w3cBatch, clock);
      if (await impl.appendNew(events)) {
        for (const e of events) ledger.add(e);
        state.written += events.length;
      }
      if (state.caughtUp) state.tailAppends++;
    }
  });
  const allDone = Promise.all(writers).finally(() => (state.writersDone = true));
  allDone.catch(() => undefined);

  const reader = new Reader(impl, ledger, 3_000);
  const t0 = performance.now();
  for (;;) {
    const writersDoneBefore = state.writersDone;
    const before = reader.fold.streams.length;
    if (await reader.page(writersDoneBefore)) break;
    if (reader.fold.streams.length - before < PAGE) state.caughtUp = true;
  }
  // Until the last event read: a reader that missed events would otherwise be charged its patience.
  const ms = reader.lastReadAt - t0;
  await allDone;
  const { missing, duplicates } = reader.fold.check(ledger);
  return line(impl, 'W3c', reader.fold.streams.length, ms, { missing, duplicates, written: state.written });
}
