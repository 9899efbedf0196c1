import { deepFreeze } from '../deep-freeze.js';
import type { DocSource } from './docs.js';

const SEP = '\u0000';
/** Documents kept per projection generation; the least recently used go first. */
const MAX_KEPT = 2_000;
/** A document this long (a plan, a whole table) is read each time rather than kept. */
const MAX_KEPT_CHARS = 256 * 1024;

/**
 * The documents of one projection generation as this runner last read or committed them: the
 * state at its checkpoint. On PostgreSQL a projection reading a document per event was one round
 * trip per projection per event (`jx_doc_get`, the most frequent query of a command's run), and
 * every request read its session's user the same way; most of those documents are read again and
 * again between changes that this same runner writes.
 *
 * Safe because the runner is the only writer it answers for: another process applying the same
 * generation moves the stored checkpoint, this runner's next commit is refused, and it reloads with
 * nothing kept (ProjectionRunner drops a target's KeptDocs with the target). Until then a read
 * answers the state at this runner's checkpoint, which is what read-your-writes checks against.
 */
export class KeptDocs {
  /** A document's text (undefined: known to be absent) and, once peeked, its parse, frozen: a kept text is parsed once, not once per batch. */
  readonly #docs = new Map<string, { text: string | undefined; doc?: unknown }>();
  /** Moves on every commit: a read that started before it may have fetched the older text. */
  #version = 0;

  source(inner: DocSource): DocSource {
    const get: DocSource['get'] = async (collection, key) => {
      const id = collection + SEP + key;
      const kept = this.#docs.get(id);
      if (kept) {
        this.#docs.delete(id); // re-inserted last: the least recently used is the first in the Map
        this.#docs.set(id, kept);
        return kept.text;
      }
      const version = this.#version;
      const text = await inner.get(collection, key);
      if (version === this.#version) this.#keep(id, text);
      return text;
    };
    return {
      get,
      /**
       * The document frozen, as BatchDocs.peek gives it: parsed once while its text is kept (a commit
       * that changes the text replaces the entry, parse and all), so a projection peeking at a large
       * document on every event (the plan, 21 KB: ~0.2 ms to parse) parses it once per change.
       */
      peek: async (collection, key) => {
        const text = await get(collection, key);
        if (text === undefined) return undefined;
        const kept = this.#docs.get(collection + SEP + key);
        if (kept?.text === text && kept.doc !== undefined) return kept.doc;
        const doc = deepFreeze(JSON.parse(text) as unknown);
        if (kept?.text === text) kept.doc = doc;
        return doc;
      },
      // Many at once are a reader's (a timeline page's entries), read once: not kept.
      ...(inner.getMany ? { getMany: inner.getMany.bind(inner) } : {}),
      list: (collection, prefix) => inner.list(collection, prefix),
      page: (collection, prefix, options) => inner.page(collection, prefix, options),
    };
  }

  /**
   * A batch of this generation was committed: its documents are now the stored ones. A batch of
   * more documents than a quarter of what is kept (a rebuild's page writes thousands of timeline
   * entries nobody reads back) only refreshes what is kept already: kept whole, it would push out
   * the few documents read on every event (a plan's index, a unit's status) to keep ones written
   * once, and cost an insertion and an eviction each. What it did not keep is read when first asked for.
   */
  committed(changes: readonly { collection: string; key: string; doc: string | null }[]): void {
    this.#version++;
    const large = changes.length > MAX_KEPT / 4;
    for (const c of changes) {
      const id = c.collection + SEP + c.key;
      if (large && !this.#docs.has(id)) continue;
      this.#keep(id, c.doc ?? undefined);
    }
  }

  get size(): number {
    return this.#docs.size;
  }

  #keep(id: string, text: string | undefined): void {
    this.#docs.delete(id);
    if (text !== undefined && text.length > MAX_KEPT_CHARS) return;
    this.#docs.set(id, { text });
    if (this.#docs.size > MAX_KEPT) this.#docs.delete(this.#docs.keys().next().value!);
  }
}
