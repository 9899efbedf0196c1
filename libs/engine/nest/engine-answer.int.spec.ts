import type { EventStore } from '../event-store/event-store.js';
import { openEventStore } from '../event-store/open-event-store.js';
import { systemClock } from '../clock.js';
import { readConfig } from '../config.js';
import { openReadModelStore, type ReadModelStore } from '../projections/read-model-store.js';
import { counterProjection } from '../projections/testing/counter.projection.js';
import { createPostgresDatabase, createSqliteDirectory } from '../testing/databases.js';
import { testEvent } from '../testing/fixtures.js';
import { Engine } from './engine.js';

// Engine.answer keeps a live answer until its projection applies another event (issue 17: the
// dashboard's tables are read far more often than they change).
const targets = [
  {
    name: 'SQLite',
    create: async () => {
      const dir = createSqliteDirectory('engine-answer');
      return { url: dir.url(), dispose: async () => dir.drop() };
    },
  },
  {
    name: 'PostgreSQL',
    create: async () => {
      const db = await createPostgresDatabase('engine_answer');
      return { url: db.url, dispose: () => db.drop() };
    },
  },
];

describe.each(targets)('Engine.answer on $name', (target) => {
  let dispose: () => Promise<void>;
  let store: EventStore;
  let readModels: ReadModelStore;
  let engine: Engine;
  // Reads only `Counted`: pages of other events move its checkpoint but not its documents.
  const counter = { ...counterProjection(), eventTypes: ['Counted'] };

  beforeEach(async () => {
    const made = await target.create();
    dispose = made.dispose;
    store = await openEventStore(made.url);
    readModels = await openReadModelStore(made.url);
    // No workflow is registered, so the command bus is never reached.
    engine = new Engine(store, readModels, systemClock, { config: readConfig({}), background: false }, [{ name: 'test', projections: [counter] }] as never, undefined as never);
  });
  afterEach(async () => {
    await engine.runner.stop();
    await store.close();
    await readModels.close();
    await dispose();
  });

  const total = (calls: string[]) => async (docs: { get<T>(c: string, k: string): Promise<T | undefined> }) => {
    calls.push('computed');
    return { n: (await docs.get<{ n: number }>('totals', 'all'))?.n ?? 0 };
  };

  it('computes once per projection state, again after a new event, and never keeps an as-of answer', async () => {
    await store.appendToStream('s-1', [testEvent('Counted', { i: 1 })]);
    const calls: string[] = [];
    // Before the runner follows the store nothing would notice a change: nothing is kept.
    await engine.runner.catchUp();
    expect(engine.runner.stamp('counter')).toBeUndefined();
    await engine.answer(counter, 'all', {}, undefined, total(calls));
    await engine.answer(counter, 'all', {}, undefined, total(calls));
    expect(calls).toHaveLength(2);

    await engine.runner.start();
    const first = await engine.answer(counter, 'all', {}, undefined, total(calls));
    const again = await engine.answer(counter, 'all', {}, undefined, total(calls));
    expect(first).toEqual({ n: 1 });
    expect(again).toBe(first);
    expect(calls).toHaveLength(3);

    const { position } = await store.appendToStream('s-2', [testEvent('Counted', { i: 2 })]);
    const after = await engine.answer(counter, 'all', { minPosition: position }, undefined, total(calls));
    expect(after).toEqual({ n: 2 });
    expect(calls).toHaveLength(4);

    const asOf = { time: new Date(Date.now() + 60_000).toISOString() };
    await engine.answer(counter, 'all', { asOf }, undefined, total(calls));
    await engine.answer(counter, 'all', { asOf }, undefined, total(calls));
    expect(calls).toHaveLength(6);
  });

  it('keeps an answer while events its projection does not read are applied, and computes again after one it reads', async () => {
    await store.appendToStream('s-1', [testEvent('Counted', { i: 1 })]);
    await engine.runner.start();
    await engine.runner.catchUp();
    const calls: string[] = [];
    const first = await engine.answer(counter, 'all', {}, undefined, total(calls));
    const other = await store.appendToStream('s-2', [testEvent('Noted', { i: 2 })]);
    const same = await engine.answer(counter, 'all', { minPosition: other.position }, undefined, total(calls));
    expect(same).toBe(first);
    expect(calls).toHaveLength(1);
    const counted = await store.appendToStream('s-2', [testEvent('Counted', { i: 3 })]);
    expect(await engine.answer(counter, 'all', { minPosition: counted.position }, undefined, total(calls))).toEqual({ n: 2 });
    expect(calls).toHaveLength(2);
  });

  it('does not keep a failed answer', async () => {
    await engine.runner.start();
    await engine.runner.catchUp();
    let fail = true;
    const compute = async () => {
      if (fail) throw new Error('boom');
      return 'ok';
    };
    await expect(engine.answer(counter, 'k', {}, undefined, compute)).rejects.toThrow('boom');
    fail = false;
    await expect(engine.answer(counter, 'k', {}, undefined, compute)).resolves.toBe('ok');
  });
});
