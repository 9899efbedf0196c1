import { MemoryDocs } from './docs.js';

describe('projection documents: copies, frozen puts and peeks', () => {
  it('get returns a copy; put freezes what it keeps, so a change after put fails loudly', async () => {
    const docs = new MemoryDocs();
    const doc = { a: { b: [1, 2] } };
    docs.put('c', 'k', doc);
    expect(() => doc.a.b.push(3)).toThrow(TypeError);
    const copy = await docs.get<typeof doc>('c', 'k');
    copy!.a.b.push(3);
    expect(await docs.get('c', 'k')).toEqual({ a: { b: [1, 2] } });
  });

  it('peek returns the document itself, frozen, and the same object until it is put again', async () => {
    const docs = new MemoryDocs();
    docs.put('c', 'k', { n: 1, nested: { m: 2 } });
    await docs.fold([], { name: 'p', version: 1, apply: () => undefined }); // settles: now committed
    const first = await docs.peek<{ n: number; nested: { m: number } }>('c', 'k');
    expect(first).toEqual({ n: 1, nested: { m: 2 } });
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first!.nested)).toBe(true);
    expect(await docs.peek('c', 'k')).toBe(first);
    // A document derived by spreading keeps the frozen parts and is put without copying them.
    const next = { ...first!, n: 2 };
    docs.put('c', 'k', next);
    expect(await docs.peek('c', 'k')).toBe(next);
    expect((await docs.peek<{ nested: unknown }>('c', 'k'))!.nested).toBe(first!.nested);
    expect(await docs.get('c', 'k')).toEqual({ n: 2, nested: { m: 2 } });
    docs.delete('c', 'k');
    expect(await docs.peek('c', 'k')).toBeUndefined();
    expect(await docs.peek('c', 'absent')).toBeUndefined();
  });
});
