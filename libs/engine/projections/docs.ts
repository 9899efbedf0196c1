import { deepFreeze } from '../deep-freeze.js';
import type { RecordedEvent } from '../event-store/event-store.js';

/**
 * Projections keep JSON documents addressed by (collection, key). That is enough for every board
 * and table here, runs unchanged on SQLite and PostgreSQL, and lets the same projection code
 * fold events into memory to answer "as known at T" from the events themselves.
 */
export interface DocReader {
  get<T>(collection: string, key: string): Promise<T | undefined>;
  /** Several documents of a collection at once (one query where the store can), in the order of `keys`. */
  getMany<T>(collection: string, keys: readonly string[]): Promise<(T | undefined)[]>;
  /** Documents of a collection (whose keys start with `prefix`), ordered by key. */
  list<T>(collection: string, prefix?: string): Promise<{ key: string; doc: T }[]>;
  /** One page of a collection in key order: up to `limit` documents after (before, if `reverse`) the key `after`. */
  page<T>(collection: string, prefix: string, options: PageOptions): Promise<{ key: string; doc: T }[]>;
}

export interface PageOptions {
  after?: string;
  limit: number;
  reverse?: boolean;
}

export interface DocWriter extends DocReader {
  /**
   * Like get, without the copy: the document frozen (changing it throws). For a projection that
   * only reads a document, or derives a new one from it by spreading (a pure evolve): a plan
   * document is 21 KB, and copying it per plan event was most of an as-of Annex 2 (issue 17).
   */
  peek<T>(collection: string, key: string): Promise<Readonly<T> | undefined>;
  put(collection: string, key: string, doc: unknown): void;
  delete(collection: string, key: string): void;
  /**
   * Whether this batch has put (or deleted) the document: it is written with the batch whatever
   * happens to it, so changing it again costs nothing more, while one committed before would be
   * written again whole (the timeline appends to a list's open chunk only while that is cheap).
   */
  written(collection: string, key: string): boolean;
}

export interface Projection {
  /** Stable name: it keys the stored documents and checkpoint. */
  name: string;
  /** Bump when apply() changes meaning: the projection is rebuilt from the start and swapped in. */
  version: number;
  /** Event types it reads; others only move its checkpoint. Omit to read every event. */
  eventTypes?: readonly string[];
  apply(event: RecordedEvent, docs: DocWriter): Promise<void> | void;
}

const SEP = '\u0000';
const DELETED = Symbol('deleted');

/** Source of committed documents for one projection generation. */
export interface DocSource {
  get(collection: string, key: string): Promise<string | undefined>;
  /** Several at once, in the order of `keys`; without it, one get() each. */
  getMany?(collection: string, keys: readonly string[]): Promise<(string | undefined)[]>;
  list(collection: string, prefix: string): Promise<{ key: string; doc: string }[]>;
  page(collection: string, prefix: string, options: PageOptions): Promise<{ key: string; doc: string }[]>;
  /** The document parsed and frozen, which the source may share between callers (BatchDocs.peek); without it, get() and parse. */
  peek?(collection: string, key: string): Promise<unknown>;
}

/**
 * The documents one batch of events changes, on top of what is committed. Every get() returns a
 * fresh copy, so a projection that mutates what it read without put() changes nothing.
 */
export class BatchDocs implements DocWriter {
  readonly dirty = new Map<string, unknown>();
  readonly #loaded = new Map<string, string | undefined>();
  readonly #peeked = new Map<string, unknown>();
  constructor(readonly source: DocSource) {}

  async get<T>(collection: string, key: string): Promise<T | undefined> {
    const id = collection + SEP + key;
    if (this.dirty.has(id)) {
      const v = this.dirty.get(id);
      return v === DELETED ? undefined : (structuredClone(v) as T);
    }
    let text: string | undefined;
    if (this.#loaded.has(id)) text = this.#loaded.get(id);
    else {
      text = await this.source.get(collection, key);
      this.#loaded.set(id, text);
    }
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  async getMany<T>(collection: string, keys: readonly string[]): Promise<(T | undefined)[]> {
    const missing = keys.filter((key) => {
      const id = collection + SEP + key;
      return !this.dirty.has(id) && !this.#loaded.has(id);
    });
    if (missing.length > 0 && this.source.getMany) {
      const texts = await this.source.getMany(collection, missing);
      missing.forEach((key, i) => this.#loaded.set(collection + SEP + key, texts[i]));
    }
    return Promise.all(keys.map((key) => this.get<T>(collection, key)));
  }

  async peek<T>(collection: string, key: string): Promise<Readonly<T> | undefined> {
    const id = collection + SEP + key;
    if (this.dirty.has(id)) {
      const v = this.dirty.get(id);
      return v === DELETED ? undefined : (v as Readonly<T>);
    }
    if (!this.#peeked.has(id)) {
      // Parsed once and frozen, so the next peek (and a put of a document derived from it) is free.
      // The source's own frozen copy where it keeps one, unless this batch has read the text already.
      const doc = this.source.peek && !this.#loaded.has(id) ? await this.source.peek(collection, key) : await this.get<T>(collection, key);
      this.#peeked.set(id, doc === undefined ? undefined : deepFreeze(doc));
    }
    return this.#peeked.get(id) as Readonly<T> | undefined;
  }

  async list<T>(collection: string, prefix = ''): Promise<{ key: string; doc: T }[]> {
    const merged = new Map<string, T>();
    for (const r of await this.source.list(collection, prefix)) merged.set(r.key, JSON.parse(r.doc) as T);
    const head = collection + SEP;
    for (const [id, v] of this.dirty) {
      if (!id.startsWith(head)) continue;
      const key = id.slice(head.length);
      if (!key.startsWith(prefix)) continue;
      if (v === DELETED) merged.delete(key);
      else merged.set(key, structuredClone(v) as T);
    }
    return [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, doc]) => ({ key, doc }));
  }

  async page<T>(collection: string, prefix: string, options: PageOptions): Promise<{ key: string; doc: T }[]> {
    if (this.dirty.size === 0) return (await this.source.page(collection, prefix, options)).map((r) => ({ key: r.key, doc: JSON.parse(r.doc) as T }));
    // Rare (a projection paging inside its own batch): merge in full, then cut the page.
    const all = await this.list<T>(collection, prefix);
    return cutPage(all, options);
  }

  put(collection: string, key: string, doc: unknown): void {
    if (doc === undefined) throw new Error(`projection put ${collection}/${key}: a document may not be undefined`);
    // Frozen, not copied: a projection that changes a document after putting it fails loudly
    // (modules are strict) instead of silently, and a put costs a walk, not a copy (a 21 KB plan
    // document: ~260 µs to copy; an as-of Annex 2 puts it once per plan event).
    this.dirty.set(collection + SEP + key, deepFreeze(doc));
  }

  delete(collection: string, key: string): void {
    this.dirty.set(collection + SEP + key, DELETED);
  }

  written(collection: string, key: string): boolean {
    return this.dirty.has(collection + SEP + key);
  }

  /** The changes as rows to write: doc text, or null to delete. */
  changes(): { collection: string; key: string; doc: string | null }[] {
    return [...this.dirty].map(([id, v]) => {
      const i = id.indexOf(SEP);
      return { collection: id.slice(0, i), key: id.slice(i + 1), doc: v === DELETED ? null : JSON.stringify(v) };
    });
  }

  /** Make this batch's changes the committed state (for in-memory folding). */
  settle(into: Map<string, string>): void {
    for (const { collection, key, doc } of this.changes()) {
      const id = collection + SEP + key;
      if (doc === null) into.delete(id);
      else into.set(id, doc);
    }
    this.dirty.clear();
    this.#loaded.clear();
    this.#peeked.clear();
  }
}

/**
 * Folds events into memory with the same projection code: how a view "as known at T" is
 * re-derived from the events recorded up to T rather than read from a stored copy.
 */
export class MemoryDocs implements DocWriter {
  readonly #committed = new Map<string, string>();
  #batch: BatchDocs;

  constructor() {
    this.#batch = new BatchDocs(this.#source());
  }

  #source(): DocSource {
    const committed = this.#committed;
    return {
      async get(collection, key) {
        return committed.get(collection + SEP + key);
      },
      async getMany(collection, keys) {
        return keys.map((key) => committed.get(collection + SEP + key));
      },
      async list(collection, prefix) {
        const head = collection + SEP + prefix;
        const out: { key: string; doc: string }[] = [];
        for (const [id, doc] of committed) if (id.startsWith(head)) out.push({ key: id.slice(collection.length + 1), doc });
        return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      },
      async page(collection, prefix, options) {
        return cutPage(await this.list(collection, prefix), options);
      },
    };
  }

  get<T>(collection: string, key: string) {
    return this.#batch.get<T>(collection, key);
  }
  getMany<T>(collection: string, keys: readonly string[]) {
    return this.#batch.getMany<T>(collection, keys);
  }
  peek<T>(collection: string, key: string) {
    return this.#batch.peek<T>(collection, key);
  }
  list<T>(collection: string, prefix?: string) {
    return this.#batch.list<T>(collection, prefix);
  }
  page<T>(collection: string, prefix: string, options: PageOptions) {
    return this.#batch.page<T>(collection, prefix, options);
  }
  put(collection: string, key: string, doc: unknown) {
    this.#batch.put(collection, key, doc);
  }
  delete(collection: string, key: string) {
    this.#batch.delete(collection, key);
  }
  written(collection: string, key: string) {
    return this.#batch.written(collection, key);
  }

  /** Apply events in order with one projection (documents are per projection, as when stored). */
  async fold(events: Iterable<RecordedEvent>, projection: Projection): Promise<this> {
    for (const e of events) {
      if (!projection.eventTypes || projection.eventTypes.includes(e.type)) await projection.apply(e, this);
    }
    this.#batch.settle(this.#committed);
    return this;
  }
}

/** A page cut from rows in key order. */
export function cutPage<R extends { key: string }>(rows: R[], { after, limit, reverse }: PageOptions): R[] {
  const ordered = reverse ? [...rows].reverse() : rows;
  const start = after === undefined ? 0 : ordered.findIndex((r) => (reverse ? r.key < after : r.key > after));
  return start < 0 ? [] : ordered.slice(start, start + limit);
}
