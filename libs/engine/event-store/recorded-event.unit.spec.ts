import { RecordedEvent } from './event-store.js';

describe('an event read from the store', () => {
  const metadata = JSON.stringify({ schemaVersion: 1, recordedAt: '2023-01-01T00:00:00.000Z' });

  it('parses (and upcasts) its data on first access only: a projection skips the types it does not read for free', () => {
    let upcasts = 0;
    const e = RecordedEvent.fromText('s', 0, '1', 'id', 'T', '{"n":1}', metadata, (data: { n: number }, m) => (upcasts++, { n: data.n + m.schemaVersion! }));
    expect(upcasts).toBe(0);
    expect(e.data).toEqual({ n: 2 });
    expect(e.data).toBe(e.data);
    expect(upcasts).toBe(1);
    expect(JSON.parse(JSON.stringify(e))).toEqual({ streamId: 's', revision: 0, position: '1', id: 'id', type: 'T', data: { n: 2 }, metadata: JSON.parse(metadata) });
    // Never read, never parsed: a body that would not parse costs nothing until someone reads it.
    const skipped = RecordedEvent.fromText('s', 1, '2', 'id2', 'T', '{not json', metadata);
    expect(skipped.type).toBe('T');
    expect(() => skipped.data).toThrow(SyntaxError);
    expect(() => skipped.data).toThrow(SyntaxError);
  });
});
