import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { EventStore } from '../event-store/event-store.js';
import { openEventStore } from '../event-store/open-event-store.js';
import { createPostgresDatabase, createSqliteDirectory } from '../testing/databases.js';
import { testEvent } from '../testing/fixtures.js';
import type { Projection } from './docs.js';
import { ProjectionRunner } from './projection-runner.js';
import { openReadModelStore, type ReadModelStore } from './read-model-store.js';
import { counterProjection } from './testing/counter.projection.js';

const CRASH_WORKER = join(process.cwd(), 'dist/libs/engine/projections/testing/crash-worker.js');

interface Target {
  name: string;
  create(): Promise<{ url: string; dispose(): Promise<void> }>;
}

const targets: Target[] = [
  {
    name: 'SQLite',
    async create() {
      const dir = createSqliteDirectory('projections');
      return { url: dir.url(), dispose: async () => dir.drop() };
    },
  },
  {
    name: 'PostgreSQL',
    async create() {
      const db = await createPostgresDatabase('projections');
      return { url: db.url, dispose: () => db.drop() };
    },
  },
];

describe.each(targets)('projections on $name', (target) => {
  let url: string;
  let dispose: () => Promise<void>;
  let store: EventStore;
  let readModels: ReadModelStore;
  const runners: ProjectionRunner[] = [];

  beforeEach(async () => {
    ({ url, dispose } = await target.create());
    store = await openEventStore(url);
    readModels = await openReadModelStore(url);
  });
  afterEach(async () => {
    for (const r of runners.splice(0)) await r.stop();
    await store.close();
    await readModels.close();
    await dispose();
  });

  const runner = (projections: Projection[], options = {}) => {
    const r = new ProjectionRunner(store, readModels, projections, { pollIntervalMs: 20, ...options });
    runners.push(r);
    return r;
  };
  const append = async (n: number, stream = 's') => {
    let last = '';
    for (let i = 0; i < n; i++) last = (await store.appendToStream(`${stream}-${i % 7}`, [testEvent('Counted', { i })])).position;
    return last;
  };
  const total = async (r: ProjectionRunner, name = 'counter') => (await r.reader(name).get<{ n: number }>('totals', 'all'))?.n;

  it('given events, when the runner catches up, then every event is applied once and documents can be listed', async () => {
    await append(30);
    const r = runner([counterProjection()]);
    await r.catchUp();
    expect(await total(r)).toBe(30);
    const streams = await r.reader('counter').list<{ n: number }>('streams', 's-');
    expect(streams.map((s) => s.key)).toEqual(['s-0', 's-1', 's-2', 's-3', 's-4', 's-5', 's-6']);
    expect(streams.reduce((sum, s) => sum + s.doc.n, 0)).toBe(30);
  });

  it('getMany reads several documents in one go, in the order asked, missing ones undefined, as get reads each', async () => {
    await append(30);
    const r = runner([counterProjection()]);
    await r.catchUp();
    const keys = ['s-3', 'none', 's-0', 's-6', 's-3', "s-'1"];
    const many = await r.reader('counter').getMany<{ n: number }>('streams', keys);
    expect(many).toEqual(await Promise.all(keys.map((k) => r.reader('counter').get<{ n: number }>('streams', k))));
    expect(many.map((d) => d?.n)).toEqual([4, undefined, 5, 4, 4, undefined]);
    expect(await r.reader('counter').getMany('streams', [])).toEqual([]);
    expect(await r.reader('counter').getMany('nothing', ['s-0'])).toEqual([undefined]);
  });

  it('one page feeds several projections in one commit: writes and deletes of each land, and one reading none of its types only moves its checkpoint', async () => {
    // "latest" keeps a document per stream until the stream's Removed event deletes it.
    const latest: Projection = {
      name: 'latest',
      version: 1,
      eventTypes: ['Counted', 'Removed'],
      apply(e, docs) {
        if (e.type === 'Removed') docs.delete('streams', e.streamId);
        else docs.put('streams', e.streamId, { i: (e.data as { i: number }).i });
      },
    };
    const unrelated: Projection = { name: 'unrelated', version: 1, eventTypes: ['NeverWritten'], apply: (_e, docs) => docs.put('seen', 'x', { bad: true }) };
    await append(14);
    const last = (await store.appendToStream('s-3', [testEvent('Removed')])).position;
    const r = runner([counterProjection(), latest, unrelated]);
    await r.catchUp();
    expect(await total(r)).toBe(15);
    expect((await r.reader('latest').list('streams', 's-')).map((d) => d.key)).toEqual(['s-0', 's-1', 's-2', 's-4', 's-5', 's-6']);
    expect(await r.reader('latest').get('streams', 's-6')).toEqual({ i: 13 });
    expect(await r.reader('unrelated').list('seen')).toEqual([]);
    // Every checkpoint, stored, is at the last event: a restart resumes there for all three.
    const stored = await readModels.generations();
    expect(stored.filter((g) => g.active).map((g) => [g.projection, g.checkpoint])).toEqual([
      ['counter', last],
      ['latest', last],
      ['unrelated', last],
    ]);
  });

  it('pages a collection in key order, forwards and backwards, after a key', async () => {
    await append(14);
    const r = runner([counterProjection()]);
    await r.catchUp();
    const keys = async (options: { after?: string; limit: number; reverse?: boolean }) => (await r.reader('counter').page('streams', 's-', options)).map((p) => p.key);
    expect(await keys({ limit: 3 })).toEqual(['s-0', 's-1', 's-2']);
    expect(await keys({ after: 's-2', limit: 3 })).toEqual(['s-3', 's-4', 's-5']);
    expect(await keys({ after: 's-5', limit: 3 })).toEqual(['s-6']);
    expect(await keys({ limit: 2, reverse: true })).toEqual(['s-6', 's-5']);
    expect(await keys({ after: 's-5', limit: 2, reverse: true })).toEqual(['s-4', 's-3']);
    expect(await r.reader('counter').page('streams', 'x-', { limit: 5 })).toEqual([]);
    expect((await r.reader('counter').page<{ n: number }>('streams', 's-', { limit: 1 }))[0]!.doc).toEqual({ n: 2 });
  });

  it('a running runner writes only the checkpoints of projections whose documents changed; the others move in memory, are stored on stop, and a restart in between applies nothing twice', async () => {
    const unrelated: Projection = { name: 'unrelated', version: 1, eventTypes: ['NeverWritten'], apply: (_e, docs) => docs.put('seen', 'x', { bad: true }) };
    // Reads every Counted event, changes a document for one in ten.
    const sparse: Projection = {
      name: 'sparse',
      version: 1,
      eventTypes: ['Counted'],
      async apply(e, docs) {
        const { i } = e.data as { i: number };
        if (i % 10 === 0) docs.put('tens', 'all', { n: ((await docs.get<{ n: number }>('tens', 'all'))?.n ?? 0) + 1 });
      },
    };
    const a = runner([counterProjection(), unrelated, sparse]);
    await a.start();
    let last = '';
    for (let burst = 0; burst < 4; burst++) last = await append(5, `b${burst}`);
    await a.waitFor(last);
    // Every projection has applied every event, as far as this runner and its readers are concerned…
    expect(a.status().map((s) => [s.name, s.checkpoint])).toEqual([
      ['counter', last],
      ['unrelated', last],
      ['sparse', last],
    ]);
    // …but only the counter (a document changed on every page) had its checkpoint written each time.
    const stored = async () => new Map((await readModels.generations()).filter((g) => g.active).map((g) => [g.projection, g.checkpoint]));
    expect((await stored()).get('counter')).toBe(last);
    expect((await stored()).get('unrelated')).toBeUndefined();

    // A restart now (the runner above not stopped: a crash) reads from the stored checkpoints again
    // and applies nothing twice: what those events changed was committed with its checkpoint.
    const b = runner([counterProjection(), unrelated, sparse]);
    await b.catchUp();
    expect(await total(b)).toBe(20);
    expect(await b.reader('sparse').get('tens', 'all')).toEqual({ n: 4 }); // i = 0 in each burst
    expect(await b.reader('unrelated').list('seen')).toEqual([]);
    // catchUp stores where it got to: every checkpoint at the last event.
    expect([...(await stored()).values()]).toEqual([last, last, last]);

    // The first runner's own unwritten checkpoints were overtaken by b's: it is refused, reloads, carries on.
    const more = await append(3, 'c');
    await a.waitFor(more);
    expect(await total(a)).toBe(23);
    await a.stop();
    expect([...(await stored()).values()]).toEqual([more, more, more]);
  });

  it('read-your-writes: a query can wait until the projection has applied a given position', async () => {
    const r = runner([counterProjection()]);
    await r.start();
    const position = await append(5);
    await r.waitFor(position);
    expect(await total(r)).toBe(5);
  });

  it('a crash (SIGKILL mid-batch) and restart applies each event exactly once', async () => {
    await append(400);
    const r = runner([counterProjection('counter', 1)]);
    const afterKills: number[] = [];
    for (let round = 0; round < 3; round++) {
      const killed = await runUntilKilled(url, 100 + round * 100);
      if (killed) afterKills.push((await total(r)) ?? 0);
    }
    // The worker really died part-way at least once, with work committed and work lost.
    expect(afterKills.some((n) => n < 400)).toBe(true);
    await r.catchUp();
    expect(await total(r)).toBe(400);
  });

  it('two runners on the same read models (two processes) still apply each event exactly once', async () => {
    await append(200);
    const otherReadModels = await openReadModelStore(url);
    try {
      const a = runner([counterProjection()], { pageSize: 13 });
      const b = new ProjectionRunner(store, otherReadModels, [counterProjection()], { pageSize: 17 });
      await Promise.all([a.catchUp(), b.catchUp()]);
      await a.catchUp();
      expect(await total(a)).toBe(200);
    } finally {
      await otherReadModels.close();
    }
  });

  it('two running runners keep documents in memory, yet each event is applied once: a runner whose kept documents fell behind the other is refused and reloads', async () => {
    const otherReadModels = await openReadModelStore(url);
    try {
      const a = runner([counterProjection()], { pageSize: 5 });
      const b = new ProjectionRunner(store, otherReadModels, [counterProjection()], { pageSize: 7, pollIntervalMs: 20 });
      await a.start();
      await b.start();
      try {
        let last = '';
        // Bursts, so both runners read pages, keep documents, and now and then lose a commit to the other.
        for (let burst = 0; burst < 10; burst++) {
          last = await append(15, `burst${burst}`);
          await new Promise((r) => setTimeout(r, 15));
        }
        await a.waitFor(last);
        await b.waitFor(last);
        // What each serves (from its kept documents) and what is stored (a runner not following the store keeps nothing).
        expect(await total(a)).toBe(150);
        expect(await total(b)).toBe(150);
        expect(await total(new ProjectionRunner(store, readModels, [counterProjection()]))).toBe(150);
        const perStream = await a.reader('counter').list<{ n: number }>('streams');
        expect(perStream.reduce((sum, r) => sum + r.doc.n, 0)).toBe(150);
      } finally {
        await b.stop();
      }
    } finally {
      await otherReadModels.close();
    }
  });

  it('rebuild: a new generation is built while the old one keeps serving, then swapped in; the serving runner follows', async () => {
    const appended = await append(50);
    const serving = runner([counterProjection()]);
    await serving.start();
    await serving.waitFor(appended);
    expect(await total(serving)).toBe(50);

    // The CLI's rebuild: another runner (another process) builds generation 2, held at a gate so
    // the test can look while it is half done.
    const cliReadModels = await openReadModelStore(url);
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const counter = counterProjection('counter', 1);
    const gated: Projection = { ...counter, apply: async (e, docs) => (await gate, counter.apply(e, docs)) };
    try {
      const cli = new ProjectionRunner(store, cliReadModels, [gated], { pageSize: 10 });
      const rebuilding = cli.rebuild('counter');
      await waitUntil(async () => (await readModels.generations()).some((g) => g.projection === 'counter' && g.generation === 2));
      expect(await total(serving)).toBe(50); // the old copy still serves while the new one is built
      const position = await append(5, 'late');
      await serving.waitFor(position);
      expect(await total(serving)).toBe(55); // …and keeps following the store
      open();
      const state = await rebuilding;
      expect(state.generation).toBe(2);
      expect(await total(cli)).toBe(55);
      // The serving runner moves to generation 2; until it notices, it reads the old, whole copy.
      await waitUntil(async () => serving.status()[0]!.generation === 2);
      expect(await total(serving)).toBe(55);
      const after = await append(3, 'after');
      await serving.waitFor(after);
      expect(await total(serving)).toBe(58); // it now writes the new generation
      expect((await readModels.generations()).filter((g) => g.projection === 'counter').map((g) => [g.generation, g.active])).toEqual([
        [1, false],
        [2, true],
      ]);
    } finally {
      open();
      await cliReadModels.close();
    }
  });

  it('a projection whose version changed is rebuilt from the start and swapped in', async () => {
    await append(20);
    const v1 = runner([counterProjection('counter', 1)]);
    await v1.catchUp();
    await v1.stop();
    const v2 = runner([counterProjection('counter', 2)]);
    await v2.catchUp();
    await waitUntil(async () => v2.status()[0]!.generation === 2);
    expect(await v2.reader('counter').get('totals', 'all')).toEqual({ n: 20, version: 2 });
  });

  it('a failing projection does not hold the others back, and reports its error', async () => {
    await append(10);
    const broken: Projection = {
      name: 'broken',
      version: 1,
      apply() {
        throw new Error('bug in projection');
      },
    };
    const r = runner([counterProjection(), broken]);
    await r.catchUp();
    expect(await total(r)).toBe(10);
    expect(r.status().find((s) => s.name === 'broken')!.error).toBe('bug in projection');
    expect(r.status().find((s) => s.name === 'broken')!.checkpoint).toBeUndefined();
  });
});

/** Resolves true if the worker was killed before it finished. */
function runUntilKilled(url: string, afterMs: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CRASH_WORKER, url, url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.once('data', () => setTimeout(() => child.kill('SIGKILL'), afterMs));
    child.on('error', reject);
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(true) : code === 0 ? resolve(false) : reject(new Error(`crash worker exited ${code}: ${err}`))));
  });
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
