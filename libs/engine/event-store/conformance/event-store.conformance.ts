import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EventIdConflictError, FactsMovedError, InvalidEventError, RecordedTimeRegressionError, WrongExpectedRevisionError } from '../errors.js';
import { EventStore, type RecordedEvent } from '../event-store.js';
import { chainHash, GENESIS_HASH } from '../hash-chain.js';
import { openStorage } from '../open-event-store.js';
import { MAX_STREAM_ID_LENGTH } from '../validation.js';
import { testEvent, testMetadata } from '../../testing/fixtures.js';
import { runWriters, type WriterPlan } from './writers.js';

/**
 * One conformance suite, run unchanged against every adapter (emmett's shared-features pattern).
 * A target gives a fresh store, the URL another process can open it by, and a way to hold a
 * write transaction open (which is how the commit-order hazard is provoked).
 */
export interface ConformanceTarget {
  name: string;
  create(): Promise<{ store: EventStore; url: string; dispose(): Promise<void> }>;
  /** A second store on the same database whose appends stay uncommitted until commit(). */
  openTransaction?(url: string): Promise<HeldTransaction>;
  /**
   * Why the store has no client-held transactions (EventStoreDB: an append is committed when it is
   * acknowledged). The held-transaction tests are then replaced by one that checks an acknowledged
   * append is at once visible, in order, to a reader on another connection.
   */
  noHeldTransactions?: string;
  /**
   * True when the database admits one writer at a time (SQLite): a held transaction then blocks
   * every other writer, so the out-of-order-commit hazard cannot arise; the suite proves that
   * premise instead of the interleaving.
   */
  serializedWriters: boolean;
}

export interface HeldTransaction {
  store: EventStore;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  /** serializedWriters only: can another connection write right now? (false while this is held) */
  otherWriterCanWrite?(): Promise<boolean>;
}

/** The script another OS process runs; compiled by `npm run build`, which `npm test` does first. */
export const APPEND_WORKER = join(process.cwd(), 'dist/libs/engine/event-store/conformance/append-worker.js');

export function eventStoreConformance(target: ConformanceTarget): void {
  describe(`event store conformance: ${target.name}`, () => {
    let store: EventStore;
    let url: string;
    let dispose: () => Promise<void>;

    beforeEach(async () => {
      ({ store, url, dispose } = await target.create());
    });
    afterEach(async () => {
      await dispose();
    });

    const s = () => `stream-${randomUUID()}`;
    /** Everything acknowledged so far: reads until the store's head, since a reader may briefly trail it. */
    const all = async (): Promise<RecordedEvent[]> => {
      const head = await store.headPosition();
      const out: RecordedEvent[] = [];
      const deadline = Date.now() + 15_000;
      while (head !== undefined && (out.length === 0 || store.comparePositions(out.at(-1)!.position, head) < 0)) {
        const page = await store.readAll({ fromPosition: out.at(-1)?.position, maxCount: 500 });
        out.push(...page);
        if (page.length === 0) {
          if (Date.now() > deadline) throw new Error(`readers did not reach the head ${head} in time`);
          await sleep(20);
        }
      }
      return out;
    };
    /** Runs `act`, expects it to throw `type`, and checks that the store is unchanged. */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any error class, whatever its constructor takes
    async function refusedWithoutWrite(act: () => Promise<unknown>, type: new (...a: any[]) => Error): Promise<Error> {
      const before = (await all()).length;
      const err = await act().then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err).toBeInstanceOf(type);
      expect((await all()).length).toBe(before);
      return err!;
    }

    describe('expected revision', () => {
      it('no_stream: creates a stream, and refuses once it exists', async () => {
        const id = s();
        const r = await store.appendToStream(id, [testEvent()], { expectedRevision: 'no_stream' });
        expect(r.nextExpectedRevision).toBe(0);
        expect(typeof r.position).toBe('string');
        const err = await refusedWithoutWrite(() => store.appendToStream(id, [testEvent()], { expectedRevision: 'no_stream' }), WrongExpectedRevisionError);
        expect((err as WrongExpectedRevisionError).actual).toBe(0);
        expect((err as WrongExpectedRevisionError).streamId).toBe(id);
      });

      it('exact revision: appends at N, refuses a stale or future N', async () => {
        const id = s();
        await store.appendToStream(id, [testEvent(), testEvent()], { expectedRevision: 'no_stream' });
        const r = await store.appendToStream(id, [testEvent()], { expectedRevision: 1 });
        expect(r.nextExpectedRevision).toBe(2);
        await refusedWithoutWrite(() => store.appendToStream(id, [testEvent()], { expectedRevision: 1 }), WrongExpectedRevisionError);
        await refusedWithoutWrite(() => store.appendToStream(id, [testEvent()], { expectedRevision: 7 }), WrongExpectedRevisionError);
        await refusedWithoutWrite(() => store.appendToStream(s(), [testEvent()], { expectedRevision: 0 }), WrongExpectedRevisionError);
      });

      it('stream_exists: refuses an absent stream, appends to an existing one', async () => {
        const id = s();
        const err = await refusedWithoutWrite(() => store.appendToStream(id, [testEvent()], { expectedRevision: 'stream_exists' }), WrongExpectedRevisionError);
        expect((err as WrongExpectedRevisionError).actual).toBe(-1);
        await store.appendToStream(id, [testEvent()]);
        expect((await store.appendToStream(id, [testEvent()], { expectedRevision: 'stream_exists' })).nextExpectedRevision).toBe(1);
      });

      it('any: appends whether or not the stream exists (the default)', async () => {
        const id = s();
        expect((await store.appendToStream(id, [testEvent()], { expectedRevision: 'any' })).nextExpectedRevision).toBe(0);
        expect((await store.appendToStream(id, [testEvent(), testEvent()])).nextExpectedRevision).toBe(2);
      });

      it('a second store instance (another process) appending moves the head under the first one’s cache', async () => {
        const other = new EventStore(await openStorage(url));
        try {
          const id = s();
          await store.appendToStream(id, [testEvent()], { expectedRevision: 'no_stream' });
          await other.appendToStream(id, [testEvent()], { expectedRevision: 0 });
          await refusedWithoutWrite(() => store.appendToStream(id, [testEvent()], { expectedRevision: 0 }), WrongExpectedRevisionError);
          expect((await store.appendToStream(id, [testEvent()], { expectedRevision: 1 })).nextExpectedRevision).toBe(2);
          expect((await store.appendToStream(id, [testEvent()])).nextExpectedRevision).toBe(3);
          await verifyChain(store, id, 4);
        } finally {
          await other.close();
        }
      });

      it('concurrent appends with the same exact revision: exactly one wins', async () => {
        const id = s();
        await store.appendToStream(id, [testEvent()], { expectedRevision: 'no_stream' });
        const results = await Promise.allSettled(Array.from({ length: 8 }, () => store.appendToStream(id, [testEvent()], { expectedRevision: 0 })));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results.filter((r) => r.status === 'rejected')) {
          expect((r as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
        }
        expect(await store.readStream(id)).toHaveLength(2);
      });
    });

    describe('facts: other streams a decision was made on', () => {
      it('appends only while each fact stream is at its revision (-1: no stream), one or many events', async () => {
        const [id, plan, figures] = [s(), s(), s()];
        await store.appendToStream(plan, [testEvent()]);
        const facts = [
          { streamId: plan, revision: 0 },
          { streamId: figures, revision: -1 },
        ];
        expect((await store.appendToStream(id, [testEvent()], { expectedRevision: 'no_stream', facts })).nextExpectedRevision).toBe(0);
        expect((await store.appendToStream(id, [testEvent(), testEvent()], { expectedRevision: 0, facts })).nextExpectedRevision).toBe(2);
        // Another process moves a fact: nothing is written, whichever the fact and however many events.
        const other = new EventStore(await openStorage(url));
        try {
          await other.appendToStream(figures, [testEvent()]);
          for (const events of [[testEvent()], [testEvent(), testEvent()]]) {
            const err = (await refusedWithoutWrite(() => store.appendToStream(id, events, { expectedRevision: 2, facts }), FactsMovedError)) as FactsMovedError;
            expect(err.facts).toEqual(facts);
          }
          await other.appendToStream(plan, [testEvent()]);
          await refusedWithoutWrite(() => store.appendToStream(id, [testEvent()], { expectedRevision: 2, facts: [{ streamId: plan, revision: 0 }] }), FactsMovedError);
        } finally {
          await other.close();
        }
        // On the facts as they are now, it appends; the stream itself is still checked first.
        const now = [
          { streamId: plan, revision: 1 },
          { streamId: figures, revision: 0 },
        ];
        await refusedWithoutWrite(() => store.appendToStream(id, [testEvent()], { expectedRevision: 1, facts: now }), WrongExpectedRevisionError);
        expect((await store.appendToStream(id, [testEvent()], { expectedRevision: 2, facts: now })).nextExpectedRevision).toBe(3);
        await verifyChain(store, id, 4);
      });

      it('knows the revisions this process saw, and forgets a fact that moved', async () => {
        const [id, plan, never] = [s(), s(), s()];
        expect(store.knownRevisions([plan])).toEqual([undefined]);
        await store.appendToStream(plan, [testEvent(), testEvent()]);
        expect(await store.revisions([never])).toEqual([-1]);
        expect(store.knownRevisions([plan, never])).toEqual([1, -1]);
        const other = new EventStore(await openStorage(url));
        try {
          await other.appendToStream(plan, [testEvent()]);
          // Not asked: still what this process saw, which only the append's check corrects.
          expect(store.knownRevisions([plan])).toEqual([1]);
          await expect(store.appendToStream(id, [testEvent()], { facts: [{ streamId: plan, revision: 1 }] })).rejects.toBeInstanceOf(FactsMovedError);
          expect(store.knownRevisions([plan])).toEqual([undefined]);
        } finally {
          await other.close();
        }
      });

      it('answers the events appended as a read returns them', async () => {
        const id = s();
        await store.appendToStream(id, [testEvent()]);
        const appended = await store.appendToStream(id, [testEvent('Tested', { n: 1 }), testEvent('Tested', { n: 2 })], { expectedRevision: 0, recorded: true });
        const read = await store.readStream(id, { fromRevision: 1 });
        expect(appended.events?.map((e) => e.toJSON())).toEqual(read.map((e) => e.toJSON()));
        expect(appended.position).toBe(read.at(-1)!.position);
      });
    });

    describe('recorded time never goes back within a stream', () => {
      // "As known at T" folds each stream up to T; an event recorded earlier than the one before it
      // would make a state appear at T that never existed, so the store refuses it.
      const at = (recordedAt: string, id: string = randomUUID()) => ({ id, type: 'Timed', data: { recordedAt }, metadata: testMetadata({ recordedAt }) });

      it('refuses an event recorded earlier than its stream’s last one, with a typed error, and writes nothing', async () => {
        const id = s();
        await store.appendToStream(id, [at('2023-07-01T00:00:05.000Z')]);
        const err = (await refusedWithoutWrite(() => store.appendToStream(id, [at('2023-07-01T00:00:00.800Z')]), RecordedTimeRegressionError)) as RecordedTimeRegressionError;
        expect(err).toMatchObject({
          code: 'recorded-time-regression',
          streamId: id,
          revision: 1,
          previousRecordedAt: '2023-07-01T00:00:05.000Z',
          recordedAt: '2023-07-01T00:00:00.800Z',
        });
        expect(err.message).toContain('4.2 s');
        // The same instant is not earlier; another stream has no say.
        expect((await store.appendToStream(id, [at('2023-07-01T00:00:05.000Z')])).nextExpectedRevision).toBe(1);
        expect((await store.appendToStream(s(), [at('2023-07-01T00:00:00.000Z')])).nextExpectedRevision).toBe(0);
      });

      it('refuses one append whose own events go back in time', async () => {
        const id = s();
        await refusedWithoutWrite(() => store.appendToStream(id, [at('2023-07-01T00:00:05.000Z'), at('2023-07-01T00:00:04.000Z')]), RecordedTimeRegressionError);
        expect(await store.readStream(id)).toEqual([]);
      });

      it('checks the stream as stored, not a cached head: another instance appended a later event', async () => {
        const other = new EventStore(await openStorage(url));
        try {
          const id = s();
          await store.appendToStream(id, [at('2023-07-01T00:00:01.000Z')]);
          await other.appendToStream(id, [at('2023-07-01T00:00:09.000Z')]);
          await refusedWithoutWrite(() => store.appendToStream(id, [at('2023-07-01T00:00:05.000Z')]), RecordedTimeRegressionError);
          expect((await store.appendToStream(id, [at('2023-07-01T00:00:09.500Z')])).nextExpectedRevision).toBe(2);
        } finally {
          await other.close();
        }
      });

      it('a retry of events already stored is answered as before, even after later events', async () => {
        const id = s();
        const first = at('2023-07-01T00:00:01.000Z');
        const r = await store.appendToStream(id, [first]);
        await store.appendToStream(id, [at('2023-07-01T00:00:09.000Z')]);
        expect(await store.appendToStream(id, [first])).toEqual(r);
      });
    });

    describe('idempotent appends', () => {
      it('the same event ids sent again return the first result and store nothing new', async () => {
        const id = s();
        const events = [testEvent('A', { n: 1 }), testEvent('B', { n: 2 })];
        const first = await store.appendToStream(id, events, { expectedRevision: 'no_stream' });
        await store.appendToStream(id, [testEvent('C')], { expectedRevision: 1 });
        for (const expectedRevision of ['no_stream', 'any', 0, 'stream_exists'] as const) {
          const again = await store.appendToStream(id, events, { expectedRevision });
          expect(again).toEqual(first);
        }
        // A retry re-sends the same events with a new envelope (a new recorded time): still the same events.
        const retried = events.map((e) => ({ ...e, metadata: testMetadata() }));
        expect(await store.appendToStream(id, retried, { expectedRevision: 'any' })).toEqual(first);
        expect((await store.readStream(id)).map((e) => e.type)).toEqual(['A', 'B', 'C']);
      });

      it('concurrent retries of one append store it once', async () => {
        const id = s();
        const events = [testEvent('A'), testEvent('B')];
        const results = await Promise.all(Array.from({ length: 6 }, () => store.appendToStream(id, events, { expectedRevision: 'any' })));
        expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
        expect(await store.readStream(id)).toHaveLength(2);
      });

      it('the same id with different content is a clear error and writes nothing', async () => {
        const id = s();
        const e = testEvent('A', { n: 1 });
        await store.appendToStream(id, [e]);
        const err = await refusedWithoutWrite(() => store.appendToStream(id, [{ ...e, data: { n: 2 } }], { expectedRevision: 'any' }), EventIdConflictError);
        expect(err.message).toContain(e.id!);
        await refusedWithoutWrite(() => store.appendToStream(s(), [e], { expectedRevision: 'any' }), EventIdConflictError);
        await refusedWithoutWrite(() => store.appendToStream(id, [e, testEvent()], { expectedRevision: 'any' }), EventIdConflictError);
      });
    });

    describe('reading', () => {
      it('reads a stream forwards and backwards with a start and a limit', async () => {
        const id = s();
        await store.appendToStream(
          id,
          Array.from({ length: 10 }, (_, i) => testEvent('N', { i })),
        );
        await store.appendToStream(s(), [testEvent()]);
        const revs = (events: RecordedEvent[]) => events.map((e) => e.revision);
        expect(revs(await store.readStream(id))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect(revs(await store.readStream(id, { fromRevision: 3, maxCount: 4 }))).toEqual([3, 4, 5, 6]);
        expect(revs(await store.readStream(id, { direction: 'backwards' }))).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
        expect(revs(await store.readStream(id, { direction: 'backwards', fromRevision: 5, maxCount: 3 }))).toEqual([5, 4, 3]);
        expect(revs(await store.readStream(id, { fromRevision: 10 }))).toEqual([]);
        expect(await store.readStream(s())).toEqual([]);
        const [e] = await store.readStream(id, { fromRevision: 4, maxCount: 1 });
        expect(e!.data).toEqual({ i: 4 });
        expect(e!.metadata.actor.userId).toBe('test-user');
        expect(e!.streamId).toBe(id);
      });

      it('tells a stream’s revision without reading it: -1 for none, then its last event’s', async () => {
        const id = s();
        expect(await store.revision(id)).toBe(-1);
        await store.appendToStream(id, [testEvent('N', { i: 0 }), testEvent('N', { i: 1 })]);
        expect(await store.revision(id)).toBe(1);
        await store.appendToStream(id, [testEvent('N', { i: 2 })]);
        expect(await store.revision(id)).toBe(2);
        // Several at once, in the order asked, an absent stream and a repeat included.
        const other = s();
        await store.appendToStream(other, [testEvent()]);
        expect(await store.revisions([id, s(), other, id])).toEqual([2, -1, 0, 2]);
        expect(await store.revisions([])).toEqual([]);
      });

      it('reads several streams at once, in global order (a view as known at a moment)', async () => {
        const [a, b, c] = [s(), s(), s()];
        await store.appendToStream(a, [testEvent('N', { i: 0 }), testEvent('N', { i: 1 })]);
        await store.appendToStream(b, [testEvent('N', { i: 2 })]);
        await store.appendToStream(c, [testEvent('N', { i: 3 })]);
        await store.appendToStream(a, [testEvent('N', { i: 4 })]);
        const read = await store.readStreams([a, s(), b, a]);
        expect(read.map((e) => e.data.i)).toEqual([0, 1, 2, 4]);
        expect(read.map((e) => `${e.streamId === a ? 'a' : 'b'}${e.revision}`)).toEqual(['a0', 'a1', 'b0', 'a2']);
        // The envelope (who, when, why) arrives as with readStream.
        expect(read[3]!.metadata).toEqual((await store.readStream(a))[2]!.metadata);
        expect(await store.readStreams([])).toEqual([]);
        await expect(store.readStreams([''])).rejects.toBeInstanceOf(InvalidEventError);
      });

      it('reads all events in one global order from a position, in pages, with opaque string positions', async () => {
        // First, on an empty store: a batch shares one transaction on PostgreSQL, and its positions
        // 1…12 must not sort as text (1, 10, 11, 12, 2…).
        const batch = s();
        await store.appendToStream(
          batch,
          Array.from({ length: 12 }, (_, i) => testEvent('Batched', { i })),
        );
        expect((await all()).map((e) => e.revision)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
        const ids = [s(), s(), s()];
        for (let i = 0; i < 9; i++) await store.appendToStream(ids[i % 3]!, [testEvent('N', { i })]);
        const everything = (await all()).filter((e) => e.streamId !== batch);
        expect(everything.map((e) => e.data.i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
        for (let i = 1; i < everything.length; i++) {
          expect(typeof everything[i]!.position).toBe('string');
          expect(store.comparePositions(everything[i - 1]!.position, everything[i]!.position)).toBe(-1);
        }
        const after3 = await store.readAll({ fromPosition: everything[2]!.position, maxCount: 4 });
        expect(after3.map((e) => e.data.i)).toEqual([3, 4, 5, 6]);
        expect(await store.readAll({ fromPosition: everything.at(-1)!.position })).toEqual([]);
        expect(await store.headPosition()).toBe(everything.at(-1)!.position);
        await expect(store.readAll({ fromPosition: 'not-a-position' })).rejects.toBeInstanceOf(InvalidEventError);
        // The tail, newest first: from the head, and before a position (exclusive).
        const tail = await store.readAllBackwards({ maxCount: 3 });
        expect(tail.map((e) => e.position)).toEqual(
          everything
            .slice(-3)
            .reverse()
            .map((e) => e.position),
        );
        expect(tail.map((e) => e.data.i)).toEqual([8, 7, 6]);
        expect((await store.readAllBackwards({ beforePosition: everything[5]!.position, maxCount: 4 })).map((e) => e.data.i)).toEqual([4, 3, 2, 1]);
        expect(tail[0]!.metadata.recordedAt).toBe(everything.at(-1)!.metadata.recordedAt);
        const firstOfAll = (await store.readAll({ maxCount: 1 }))[0]!;
        expect(await store.readAllBackwards({ beforePosition: firstOfAll.position })).toEqual([]);
        // A projection's lag: counted exactly, or up to a limit (a health probe's cheap question).
        const storage = store.storage;
        if (storage.countAfter) {
          expect(await storage.countAfter(everything[2]!.position)).toBe(6);
          expect(await storage.countAfter(everything[2]!.position, 4)).toBe(4);
          expect(await storage.countAfter(everything[2]!.position, 100)).toBe(6);
          expect(await storage.countAfter(everything.at(-1)!.position, 100)).toBe(0);
        }
      });

      it('upcasts old event versions on read and never rewrites them', async () => {
        const upcasting = new EventStore(store.storage, {
          upcasters: { Renamed: { 1: (d) => ({ fullName: d.name }), 2: (d) => ({ ...d, v3: true }) } },
        });
        const id = s();
        await upcasting.appendToStream(id, [
          { type: 'Renamed', data: { name: 'a' }, metadata: testMetadata() },
          { type: 'Renamed', data: { fullName: 'b' }, metadata: testMetadata({ schemaVersion: 2 }) },
          { type: 'Renamed', data: { fullName: 'c', v3: true }, metadata: testMetadata({ schemaVersion: 3 }) },
        ]);
        expect((await upcasting.readStream(id)).map((e) => e.data)).toEqual([
          { fullName: 'a', v3: true },
          { fullName: 'b', v3: true },
          { fullName: 'c', v3: true },
        ]);
        const [raw] = await store.storage.readStream(id, 'forwards', 0, 1);
        expect(JSON.parse(raw!.data)).toEqual({ name: 'a' });
      });
    });

    describe('subscriptions', () => {
      it('catches up from a checkpoint, then follows live appends, each event exactly once', async () => {
        for (let i = 0; i < 5; i++) await store.appendToStream(s(), [testEvent('N', { i })]);
        const checkpoint = (await all())[1]!.position;
        const sub = store.subscribeToAll({ fromPosition: checkpoint, pageSize: 2 });
        const seen: number[] = [];
        const done = (async () => {
          for await (const e of sub) {
            seen.push(e.data.i as number);
            if (seen.length === 3) {
              for (let i = 5; i < 8; i++) await store.appendToStream(s(), [testEvent('N', { i })]);
            }
            if (seen.length === 6) sub.close();
          }
        })();
        await done;
        expect(seen).toEqual([2, 3, 4, 5, 6, 7]);
      });

      it('sees appends made by another store instance (polling)', async () => {
        const other = new EventStore(await openStorage(url));
        try {
          const sub = store.subscribeToAll({ pollIntervalMs: 20 });
          const it = sub[Symbol.asyncIterator]();
          const next = it.next();
          await other.appendToStream(s(), [testEvent('N', { from: 'other' })]);
          const got = await Promise.race([next, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5000))]);
          expect(got).not.toBe('timeout');
          expect((got as IteratorResult<RecordedEvent>).value.data).toEqual({ from: 'other' });
          sub.close();
        } finally {
          await other.close();
        }
      });
    });

    describe('bad input gets a clear error and writes nothing', () => {
      const cases: [string, () => [string, unknown[], unknown], RegExp][] = [
        ['an empty stream name', () => ['', [testEvent()], 'any'], /streamId.*non-empty/],
        ['an over-long stream name', () => ['x'.repeat(MAX_STREAM_ID_LENGTH + 1), [testEvent()], 'any'], /at most 200/],
        ['a stream name with a newline', () => ['a\nb', [testEvent()], 'any'], /control characters/],
        ['no events', () => [s(), [], 'any'], /at least one event/],
        ['NaN in data', () => [s(), [testEvent('N', { v: NaN })], 'any'], /events\[0\]\.data\.v: NaN is not a JSON number/],
        ['a bigint in data', () => [s(), [testEvent('N', { v: 10n as unknown })], 'any'], /data\.v: is a bigint/],
        ['a function in data', () => [s(), [testEvent('N', { f: () => 1 })], 'any'], /data\.f: is a function/],
        [
          'circular data',
          () => {
            const o: Record<string, unknown> = {};
            o.self = o;
            return [s(), [testEvent('N', o)], 'any'];
          },
          /circular/,
        ],
        ['data that is not an object', () => [s(), [{ ...testEvent(), data: 'text' }], 'any'], /data: must be a JSON object/],
        ['data over 1 MiB', () => [s(), [testEvent('N', { big: 'x'.repeat(1024 * 1024) })], 'any'], /limit is 1048576/],
        ['an unknown expected-revision form', () => [s(), [testEvent()], 'latest'], /expectedRevision.*"latest"/],
        ['a negative expected revision', () => [s(), [testEvent()], -1], /expectedRevision/],
        ['a fractional expected revision', () => [s(), [testEvent()], 1.5], /expectedRevision/],
        ['an event id that is not a UUID', () => [s(), [{ ...testEvent(), id: 'x' }], 'any'], /id: an event id must be/],
        ['an event type with spaces', () => [s(), [{ ...testEvent(), type: 'Report submitted' }], 'any'], /type/],
        ['an event without an actor', () => [s(), [{ ...testEvent(), metadata: { ...testMetadata(), actor: undefined } }], 'any'], /actor/],
        [
          'the same id twice in one append',
          () => {
            const e = testEvent();
            return [s(), [e, e], 'any'];
          },
          /appears twice/,
        ],
      ];
      it.each(cases)('%s', async (_label, make, message) => {
        const [streamId, events, expectedRevision] = make();
        const err = await refusedWithoutWrite(() => store.appendToStream(streamId, events as never, { expectedRevision: expectedRevision as never }), InvalidEventError);
        expect(err.message).toMatch(message);
      });

      it('accepts data up to the limit and non-ASCII text', async () => {
        const id = s();
        await store.appendToStream(id, [testEvent('N', { big: 'x'.repeat(1024 * 1024 - 64), name: '叶县' })]);
        const [e] = await store.readStream(id);
        expect(e!.data.name).toBe('叶县');
      });
    });

    describe('hash chain', () => {
      it('chains each event to the previous one in its stream over exactly the stored bytes', async () => {
        const id = s();
        await store.appendToStream(id, [testEvent('A', { a: 1 })]);
        await store.appendToStream(id, [testEvent('B', { b: '叶' }), testEvent('C')]);
        await verifyChain(store, id, 3);
      });
    });

    describe('commit order and gaps', () => {
      if (target.openTransaction) {
        it('a reader never skips an event whose transaction commits after a later one (A begins, B commits, A commits)', async () => {
          const a = await target.openTransaction!(url);
          if (target.serializedWriters) {
            // One writer at a time: while A holds its transaction nobody else can commit, so a later
            // position can never become visible before an earlier one.
            await a.store.appendToStream(s(), [testEvent('A')]);
            expect(await a.otherWriterCanWrite!()).toBe(false);
            await a.commit();
            await store.appendToStream(s(), [testEvent('B')]);
            expect((await all()).map((e) => e.type)).toEqual(['A', 'B']);
            return;
          }
          const reader = new Reader(store);
          await a.store.appendToStream(s(), [testEvent('A')]);
          await store.appendToStream(s(), [testEvent('B')]);
          await reader.poll();
          await a.commit();
          await store.appendToStream(s(), [testEvent('C')]);
          // The horizon may trail while an unrelated transaction elsewhere in the cluster runs: poll on.
          await reader.pollUntil((types) => types.includes('C'));
          expect(reader.types().sort()).toEqual(['A', 'B', 'C']);
          expect(reader.types().filter((t) => t === 'A')).toHaveLength(1);
        });

        it('a rolled-back append does not stall readers', async () => {
          const reader = new Reader(store);
          await store.appendToStream(s(), [testEvent('Before')]);
          const a = await target.openTransaction!(url);
          await a.store.appendToStream(s(), [testEvent('RolledBack')]);
          await a.rollback();
          await store.appendToStream(s(), [testEvent('After')]);
          await reader.pollUntil((types) => types.includes('After'));
          expect(reader.types()).toEqual(['Before', 'After']);
        });
      } else {
        it(`has no held transactions (${target.noHeldTransactions ?? 'no reason given'}): an acknowledged append is visible at once, in order, to another reader`, async () => {
          expect(target.noHeldTransactions).toBeTruthy();
          const other = new EventStore(await openStorage(url));
          try {
            const reader = new Reader(other);
            for (const type of ['A', 'B', 'C']) {
              await store.appendToStream(s(), [testEvent(type)]);
              await reader.poll();
              expect(reader.types().at(-1)).toBe(type);
            }
            expect(reader.types()).toEqual(['A', 'B', 'C']);
          } finally {
            await other.close();
          }
        });
      }

      it('two OS processes and many async writers: every acknowledged event is read back exactly once, in one order, and a live subscriber started mid-way misses none', async () => {
        if (!existsSync(APPEND_WORKER)) {
          throw new Error(`${APPEND_WORKER} is missing: run "npm run build" first (npm test does).`);
        }
        const PER_WRITER = 40;
        const WRITERS = 6;
        const shared = `shared-${randomUUID()}`;
        const child = runWorker(url, { writers: WRITERS, perWriter: PER_WRITER, prefix: 'child', shared });

        // The subscriber starts once some events exist, from the beginning: it must catch up and go live.
        while ((await store.readAll({ maxCount: 1 })).length === 0) await sleep(5);
        const sub = store.subscribeToAll({ pollIntervalMs: 10 });
        const subscribed: RecordedEvent[] = [];
        const total = WRITERS * PER_WRITER * 2 * 2; // two processes × (own stream + shared stream) appends
        const consuming = (async () => {
          for await (const e of sub) {
            subscribed.push(e);
            if (subscribed.length >= total) break;
          }
        })();

        const parentAcked = await runWriters(store, { writers: WRITERS, perWriter: PER_WRITER, prefix: 'parent', shared });
        const childAcked = await child;
        const acked = [...parentAcked, ...childAcked];
        expect(acked).toHaveLength(total);

        const timeout = setTimeout(() => sub.close(), 30_000);
        await consuming;
        clearTimeout(timeout);
        sub.close();

        // A reader's horizon may trail a commit briefly (on PostgreSQL, while any older transaction in
        // the cluster runs), so each reader keeps its checkpoint and polls until it has caught up.
        const readUntil = async (reader: EventStore, pageSize: number): Promise<RecordedEvent[]> => {
          const out: RecordedEvent[] = [];
          const deadline = Date.now() + 15_000;
          while (out.length < total && Date.now() < deadline) {
            const page = await reader.readAll({ fromPosition: out.at(-1)?.position, maxCount: pageSize });
            if (page.length) out.push(...page);
            else await sleep(20);
          }
          out.push(...(await reader.readAll({ fromPosition: out.at(-1)?.position }))); // nothing extra may follow
          return out;
        };
        const reader1 = await readUntil(store, 500);
        const other = new EventStore(await openStorage(url));
        const reader2 = await readUntil(other, 97);
        await other.close();

        const ackedSet = new Set(acked);
        for (const [name, seen] of [
          ['reader 1', reader1],
          ['reader 2', reader2],
          ['live subscriber', subscribed],
        ] as const) {
          const ids = seen.map((e) => e.id);
          const got = new Set(ids);
          const summary = {
            reader: name,
            doubled: ids.length - got.size,
            missing: acked.filter((id) => !got.has(id)).length,
            unacknowledged: ids.filter((id) => !ackedSet.has(id)).length,
          };
          expect(summary).toEqual({ reader: name, doubled: 0, missing: 0, unacknowledged: 0 });
        }
        expect(reader2.map((e) => e.id)).toEqual(reader1.map((e) => e.id));
        expect(subscribed.map((e) => e.id)).toEqual(reader1.map((e) => e.id));
        // Within each stream, global order is revision order.
        const last = new Map<string, number>();
        for (const e of reader1) {
          expect(e.revision).toBe((last.get(e.streamId) ?? -1) + 1);
          last.set(e.streamId, e.revision);
        }
        expect(last.get(shared)).toBe(WRITERS * PER_WRITER * 2 - 1);
        await verifyChain(store, shared, WRITERS * PER_WRITER * 2);
      }, 240_000); // two OS processes writing for a while: slow on a loaded machine
    });
  });
}

/** A checkpointed poller, as a projection would be. */
class Reader {
  seen: RecordedEvent[] = [];
  constructor(readonly store: EventStore) {}
  async poll(): Promise<void> {
    for (;;) {
      const page = await this.store.readAll({ fromPosition: this.seen.at(-1)?.position, maxCount: 100 });
      if (!page.length) return;
      this.seen.push(...page);
    }
  }
  async pollUntil(done: (types: string[]) => boolean, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.poll();
      if (done(this.types()) || Date.now() > deadline) return;
      await sleep(20);
    }
  }
  types(): string[] {
    return this.seen.map((e) => e.type);
  }
}

export async function verifyChain(store: EventStore, streamId: string, expectedLength: number): Promise<void> {
  const rows = await store.storage.readStream(streamId, 'forwards', undefined, Number.MAX_SAFE_INTEGER);
  expect(rows).toHaveLength(expectedLength);
  let previous = GENESIS_HASH;
  for (const [i, r] of rows.entries()) {
    expect(r.revision).toBe(i);
    expect(r.hash).toBe(chainHash(previous, r));
    previous = r.hash;
  }
}

function runWorker(url: string, plan: WriterPlan): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [APPEND_WORKER, url, JSON.stringify(plan)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`append worker exited ${code}: ${err}`));
      resolve(JSON.parse(out) as string[]);
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
