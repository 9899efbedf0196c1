import { openEventStore } from '../../engine/event-store/open-event-store.js';
import type { EventStore } from '../../engine/event-store/event-store.js';
import { createSqliteDirectory } from '../../engine/testing/databases.js';
import { testEvent } from '../../engine/testing/fixtures.js';
import { StreamReads } from './views.js';

/**
 * The reader behind one auditors' question (issue 17): a two-moment diff folds the same streams at
 * both moments, so the second asks for exactly what the first read. It gets the same events in
 * global order without another query and without sorting them again (comparing two PostgreSQL
 * positions parses both: ~15,000 comparisons for the ~1,450 events behind an Annex 2).
 */
describe('StreamReads', () => {
  const dir = createSqliteDirectory('stream-reads');
  let store: EventStore;

  beforeAll(async () => {
    store = await openEventStore(dir.url());
    // Interleaved, so global order is not stream order.
    for (let i = 0; i < 3; i++) for (const s of ['a', 'b', 'c']) await store.appendToStream(`s-${s}`, [testEvent('Tested', { s, i })], { expectedRevision: 'any' });
  });
  afterAll(async () => {
    await store.close();
    dir.drop();
  });

  it('answers the same streams asked again with the same events in global order, read once', async () => {
    const reads = new StreamReads(store);
    const streams = ['s-c', 's-a', 's-b'];
    const [first, second] = await Promise.all([reads.read(streams), reads.read(streams)]);
    const third = await reads.read([...streams, 's-a']);
    expect(first.map((e) => e.data)).toEqual([0, 1, 2].flatMap((i) => ['a', 'b', 'c'].map((s) => ({ s, i }))));
    expect(second).toBe(first);
    expect(third).toBe(first);
  });

  it('merges streams read for other questions into global order', async () => {
    const reads = new StreamReads(store);
    await reads.read(['s-b']);
    const merged = await reads.read(['s-a', 's-b']);
    expect(merged.map((e) => e.data)).toEqual([0, 1, 2].flatMap((i) => ['a', 'b'].map((s) => ({ s, i }))));
    expect((await reads.events(['s-b', 's-a'])).map((e) => e.data)).toEqual([...[0, 1, 2].map((i) => ({ s: 'b', i })), ...[0, 1, 2].map((i) => ({ s: 'a', i }))]);
  });
});
