import { randomBytes, randomUUID } from 'node:crypto';
import { END, BACKWARDS } from '@eventstore/db-client';
import { eventStoreConformance, verifyChain } from '../conformance/event-store.conformance.js';
import { EventIdConflictError } from '../errors.js';
import { EventStore } from '../event-store.js';
import { openEventStore } from '../open-event-store.js';
import { testEvent } from '../../testing/fixtures.js';
import { redact } from '../redact.js';
import { claimEvent, claimStreamName, esdbStreamName, StreamDeletedInStoreError, withNamespace } from './esdb-mapping.js';
import { EsdbStorage } from './esdb-storage.js';

/**
 * The shared conformance suite against a real EventStoreDB / KurrentDB server, never a fake: it
 * runs only when EVENTSTORE_TEST_URL is set and the server answers, and says why not otherwise
 * (docs/eventstoredb.md: how to start one). One server serves every test, so each store gets its
 * own namespace (`?jixiaoNamespace=…`): streams `<ns>/…`, and $all filtered to them.
 */
const URL_VARIABLE = 'EVENTSTORE_TEST_URL';
const serverUrl = process.env[URL_VARIABLE];

async function whyNotRun(url: string | undefined): Promise<string | undefined> {
  if (!url) {
    return (
      `${URL_VARIABLE} is not set. Start a server with ` +
      '"docker compose -f docker/compose.yml --profile eventstoredb up -d eventstoredb" and set ' +
      `${URL_VARIABLE}=esdb://localhost:2113?tls=false`
    );
  }
  try {
    const probe = await EsdbStorage.open(url, { probeTimeoutMs: 5000 });
    await probe.close();
    return undefined;
  } catch (err) {
    return `${URL_VARIABLE}=${redact(url)} is set but the server is not reachable: ${(err as Error).message}`;
  }
}

const notRunBecause = await whyNotRun(serverUrl);

/** ESDB has no client-held transactions: an append is committed when it is acknowledged. */
const NO_TRANSACTIONS =
  'EventStoreDB has no client transactions: an append is durable and visible when acknowledged, and $all positions are ' +
  'assigned in commit order by the leader, so the held-transaction hazard cannot be set up.';

const namespaced = (url: string) => withNamespace(url, `jxt-${randomBytes(6).toString('hex')}`);

if (notRunBecause !== undefined) {
  describe('event store conformance: EventStoreDB', () => {
    console.log(`EventStoreDB conformance suite SKIPPED, nothing was run against a server: ${notRunBecause}`);
    it.skip(`SKIPPED: ${notRunBecause}`, () => undefined);
  });
} else {
  const url = serverUrl!;

  eventStoreConformance({
    name: 'EventStoreDB',
    serializedWriters: false,
    async create() {
      const storeUrl = namespaced(url);
      const store = await openEventStore(storeUrl);
      return { store, url: storeUrl, dispose: () => store.close() };
    },
    noHeldTransactions: NO_TRANSACTIONS,
  });

  describe('EventStoreDB adapter specifics', () => {
    let storage: EsdbStorage;
    let store: EventStore;
    let storeUrl: string;
    const s = () => `stream-${randomUUID()}`;

    beforeEach(async () => {
      storeUrl = namespaced(url);
      storage = await EsdbStorage.open(storeUrl);
      store = new EventStore(storage);
    });
    afterEach(async () => {
      await store.close();
    });

    it('stores one ESDB JSON event per Jixiao event, with the hash and the metadata in the ESDB metadata', async () => {
      const id = s();
      const e = testEvent('MonthlyReportSubmitted', { unit: '叶县财政局', values: [1, 2.5], 2: 'two', a: 'A' });
      const appended = await store.appendToStream(id, [e]);
      const [raw] = await storage.readStream(id, 'forwards', 0, 1);
      // One position per event, whichever way it is read: the append's answer, the stream, $all.
      expect(raw!.position).toBe(appended.position);
      expect((await store.readAll()).map((r) => r.position)).toEqual([appended.position]);
      const esdb = [];
      for await (const r of storage.client.readStream(esdbStreamName(storage.namespace, id))) esdb.push(r.event!);
      expect(esdb).toHaveLength(1);
      expect(esdb[0]!).toMatchObject({ id: e.id, type: 'MonthlyReportSubmitted', isJson: true, revision: 0n });
      expect(JSON.stringify(esdb[0]!.data)).toBe(raw!.data);
      expect(esdb[0]!.metadata).toMatchObject({ hash: raw!.hash, jx: JSON.parse(raw!.metadata), $correlationId: e.metadata.correlationId });
      await verifyChain(store, id, 1);
    });

    it('claims every event id in a system stream that names its place, and keeps claims out of $all', async () => {
      const id = s();
      const events = [testEvent('A'), testEvent('B')];
      await store.appendToStream(id, events);
      for (const [i, e] of events.entries()) {
        const claims = [];
        for await (const r of storage.client.readStream(claimStreamName(storage.namespace, e.id!))) claims.push(r.event!.data);
        expect(claims).toEqual([{ streamId: id, revision: i }]);
      }
      expect((await store.readAll()).map((e) => e.type)).toEqual(['A', 'B']);
    });

    it('takes over a claim whose append lost its race (its place holds another event)', async () => {
      const id = s();
      await store.appendToStream(id, [testEvent('Winner')]);
      const loser = testEvent('Loser');
      await storage.client.appendToStream(claimStreamName(storage.namespace, loser.id!), claimEvent(loser.id!, { streamId: id, revision: 0 }));
      expect((await store.appendToStream(id, [loser], { expectedRevision: 0 })).nextExpectedRevision).toBe(1);
      expect((await storage.findByIds([loser.id!])).map((e) => e.revision)).toEqual([1]);
    });

    it('refuses an id claimed by another stream’s unfinished append, and writes nothing', async () => {
      const e = testEvent('Pending');
      const other = s();
      await storage.client.appendToStream(claimStreamName(storage.namespace, e.id!), claimEvent(e.id!, { streamId: other, revision: 0 }));
      const id = s();
      await expect(store.appendToStream(id, [e])).rejects.toThrow(EventIdConflictError);
      expect(await store.readStream(id)).toEqual([]);
    });

    it('refuses a soft-deleted stream instead of restarting it at revision 0 or continuing its numbers', async () => {
      const id = s();
      await store.appendToStream(id, [testEvent('Before')]);
      await storage.client.deleteStream(esdbStreamName(storage.namespace, id));
      const fresh = new EventStore(await EsdbStorage.open(storeUrl));
      try {
        await expect(fresh.readStream(id)).rejects.toThrow(StreamDeletedInStoreError);
        await expect(fresh.appendToStream(id, [testEvent('After')], { expectedRevision: 'no_stream' })).rejects.toThrow(StreamDeletedInStoreError);
        await expect(fresh.appendToStream(id, [testEvent('After')])).rejects.toThrow(StreamDeletedInStoreError);
      } finally {
        await fresh.close();
      }
      // Nothing revived it: the stream is still deleted and holds no new event.
      const revived = [];
      try {
        for await (const r of storage.client.readStream(esdbStreamName(storage.namespace, id), { direction: BACKWARDS, fromRevision: END, maxCount: 1 })) revived.push(r);
      } catch {
        /* StreamNotFound */
      }
      expect(revived).toEqual([]);
    });

    it('refuses a tombstoned (hard-deleted) stream', async () => {
      const id = s();
      await store.appendToStream(id, [testEvent('Before')]);
      await storage.client.tombstoneStream(esdbStreamName(storage.namespace, id));
      await expect(store.appendToStream(id, [testEvent('After')])).rejects.toThrow(StreamDeletedInStoreError);
    });

    it('keeps namespaces apart and accepts the kurrentdb:// scheme', async () => {
      await store.appendToStream(s(), [testEvent('Mine')]);
      const otherUrl = namespaced(url).replace(/^esdb/i, 'kurrentdb');
      const other = await openEventStore(otherUrl);
      try {
        expect(await other.readAll()).toEqual([]);
        await other.appendToStream(s(), [testEvent('Theirs')]);
        expect((await store.readAll()).map((e) => e.type)).toEqual(['Mine']);
      } finally {
        await other.close();
      }
    });

    it('lists every stream in (stream, revision) order for audit verification', async () => {
      const ids = [s(), s(), s()].sort();
      for (const id of [...ids].reverse()) await store.appendToStream(id, [testEvent('A'), testEvent('B')]);
      const page1 = await storage.readAllByStream(undefined, 3);
      const page2 = await storage.readAllByStream({ streamId: page1.at(-1)!.streamId, revision: page1.at(-1)!.revision }, 100);
      expect([...page1, ...page2].map((e) => `${e.streamId}@${e.revision}`)).toEqual(ids.flatMap((id) => [`${id}@0`, `${id}@1`]));
    });
  });
}
