import { cutPage, MemoryDocs } from '../../engine/projections/docs.js';
import { appendListItem, LIST_CHUNK, listCollection, listPage, OPEN_CHUNK, pad, type StoredListItem } from './timeline.projection.js';

describe('indicator and case lists: stored as chunks of items, paged as the rows of one document an item', () => {
  const prefix = 'p/009/';
  // Sequence numbers with gaps (the plan's other events), items of every kind: a unit's id, an indicator's number, an entry inline.
  const seqs = Array.from({ length: 5 * LIST_CHUNK + 7 }, (_, i) => 4 * i + 1 + (i % 3));
  const item = (seq: number): StoredListItem => (seq % 3 === 0 ? `unit-${seq}` : seq % 3 === 1 ? 9 : ({ seq, summary: { zh: '', en: `e${seq}` } } as unknown as StoredListItem));
  // What the list held before (timeline v7): a document an item, under the prefix and its sequence number.
  const rows = seqs.map((seq) => ({ key: prefix + pad(seq), doc: item(seq) }));

  async function stored(): Promise<MemoryDocs> {
    const docs = new MemoryDocs();
    // Appended a few at a time, each batch committed, as the projection runner does.
    await docs.fold([], { name: 'timeline', version: 8, apply: () => undefined });
    for (let i = 0; i < seqs.length; i += 10) {
      for (const seq of seqs.slice(i, i + 10)) await appendListItem(docs, 'indicator', prefix, seq, item(seq));
      await docs.fold([], { name: 'timeline', version: 8, apply: () => undefined });
    }
    return docs;
  }

  it('keeps full chunks under their last item and the open one last, far fewer documents than items', async () => {
    const docs = await stored();
    const chunks = await docs.list<[number, StoredListItem][]>(listCollection('indicator'), prefix);
    expect(chunks.map((c) => c.key)).toEqual([...[1, 2, 3, 4, 5].map((k) => prefix + pad(seqs[k * LIST_CHUNK - 1]!)), prefix + OPEN_CHUNK]);
    expect(chunks.flatMap((c) => c.doc)).toEqual(seqs.map((seq) => [seq, item(seq)]));
    expect(await docs.list('indicator', prefix)).toEqual([]);
  });

  it('pages from any cursor with any limit exactly as the rows of one document an item did', async () => {
    const docs = await stored();
    const afters = [
      undefined,
      prefix,
      prefix + '0',
      prefix + OPEN_CHUNK,
      prefix + 'zz',
      ...rows.filter((_, i) => i % 9 === 0 || i % LIST_CHUNK === 0 || i % LIST_CHUNK === LIST_CHUNK - 1).map((r) => r.key),
    ];
    afters.push(...rows.filter((_, i) => i % 17 === 0).map((r) => r.key.slice(0, -1) + '5'));
    for (const after of afters) {
      for (const limit of [1, 9, LIST_CHUNK - 1, LIST_CHUNK, LIST_CHUNK + 1, 100, 1000]) {
        expect(await listPage(docs, 'indicator', prefix, after, limit)).toEqual(cutPage(rows, { ...(after !== undefined ? { after } : {}), limit }));
      }
    }
  });
});
