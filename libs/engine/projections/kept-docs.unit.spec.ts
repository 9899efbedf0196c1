import { BatchDocs, type DocSource } from './docs.js';
import { KeptDocs } from './kept-docs.js';

/** A stored side that counts its reads (the documents behind KeptDocs). */
function stored(docs: Record<string, string>) {
  const reads: string[] = [];
  const source: DocSource = {
    get: async (collection, key) => {
      reads.push(`${collection}/${key}`);
      return docs[`${collection}/${key}`];
    },
    list: async () => [],
    page: async () => [],
  };
  return { docs, reads, source };
}

describe('kept documents: a rebuild page does not push out what is read on every event', () => {
  it('a small batch is kept whole; a large one refreshes what is kept and keeps nothing new', async () => {
    const db = stored({ 'plans/p': '{"v":1}' });
    const kept = new KeptDocs();
    const source = kept.source(db.source);
    expect(await source.get('plans', 'p')).toBe('{"v":1}');
    kept.committed([{ collection: 'status', key: 'u', doc: '{"s":1}' }]);
    expect(kept.size).toBe(2);

    // A page of a rebuild: a thousand entries written once, and the plan's index changed.
    const entries = Array.from({ length: 1000 }, (_, i) => ({ collection: 'unit', key: String(i), doc: `{"i":${i}}` }));
    db.docs['plans/p'] = '{"v":2}';
    kept.committed([...entries, { collection: 'plans', key: 'p', doc: '{"v":2}' }]);
    expect(kept.size).toBe(2);
    db.reads.length = 0;
    expect(await source.get('plans', 'p')).toBe('{"v":2}'); // refreshed, not read again
    expect(await source.get('status', 'u')).toBe('{"s":1}');
    expect(db.reads).toEqual([]);
    // An entry the large batch wrote is read from the store when asked for, then kept.
    db.docs['unit/7'] = '{"i":7}';
    expect(await source.get('unit', '7')).toBe('{"i":7}');
    expect(await source.get('unit', '7')).toBe('{"i":7}');
    expect(db.reads).toEqual(['unit/7']);
  });
});

describe('kept documents: a peeked document is parsed once while its text stays', () => {
  it('batch after batch gets the same frozen document, and a new one once a commit changes its text', async () => {
    const db = stored({ 'plan/p': '{"units":["a"]}' });
    const kept = new KeptDocs();
    const source = kept.source(db.source);
    const first = await new BatchDocs(source).peek<{ units: string[] }>('plan', 'p');
    const second = await new BatchDocs(source).peek<{ units: string[] }>('plan', 'p');
    expect(second).toBe(first); // not parsed again for the next batch
    expect(Object.isFrozen(first!.units)).toBe(true);
    expect(db.reads).toEqual(['plan/p']);
    kept.committed([{ collection: 'plan', key: 'p', doc: '{"units":["a","b"]}' }]);
    const third = await new BatchDocs(source).peek<{ units: string[] }>('plan', 'p');
    expect(third).toEqual({ units: ['a', 'b'] });
    expect(await new BatchDocs(source).get('plan', 'p')).toEqual({ units: ['a', 'b'] }); // a get is still a copy of its own
    expect(await new BatchDocs(source).peek('plan', 'missing')).toBeUndefined();
  });
});
