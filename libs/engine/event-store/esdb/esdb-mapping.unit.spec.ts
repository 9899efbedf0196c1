import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  EventStoreDBClient,
  MaxAppendSizeExceededError,
  NO_STREAM,
  StreamDeletedError,
  UnavailableError,
  WrongExpectedVersionError,
  type EventData,
  type RecordedEvent as EsdbRecordedEvent,
} from '@eventstore/db-client';
import { convertGrpcRecord } from '@eventstore/db-client/dist/utils/convertGrpcEvent.js';
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';
import fc from 'fast-check';
import { deterministicUuid } from '../../ids.js';
import { InvalidEventError } from '../errors.js';
import { redact } from '../redact.js';
import type { StoredEventInput } from '../storage.js';
import {
  CLAIM_EVENT_TYPE,
  claimEvent,
  claimStreamName,
  comparePositions,
  decodeClaim,
  decodeEvent,
  encodeEvent,
  esdbStreamName,
  ForeignEventError,
  formatPosition,
  jixiaoStreamId,
  mapAppendError,
  parseEsdbUrl,
  parsePosition,
  roundTrips,
  sameStoredContent,
  StreamDeletedInStoreError,
  toExpectedRevision,
  withNamespace,
} from './esdb-mapping.js';

/**
 * The ESDB wire, without a server: what the 6.x client puts in an append request for an EventData
 * (its streams/appendToStream/append.js and batchAppend.js, checked below so an upgrade that
 * changes them fails here), the bytes a server stores verbatim, and the client's own decoder
 * (convertGrpcRecord) turning a recorded event back into what our adapter reads.
 */
function throughTheWire(e: EventData, place = { stream: 'ns/s', revision: 7n, commit: 1234n, prepare: 1230n }): EsdbRecordedEvent {
  const data = e.contentType === 'application/json' ? Buffer.from(JSON.stringify(e.data), 'utf8') : (e.data as Uint8Array);
  const metadata =
    e.metadata === undefined ? undefined : (e.metadata as object).constructor === Uint8Array ? (e.metadata as Uint8Array) : Buffer.from(JSON.stringify(e.metadata), 'utf8');
  const { RecordedEvent } = streamsPb.ReadResp.ReadEvent;
  const record = new RecordedEvent()
    .setId(new sharedPb.UUID().setString(e.id))
    .setStreamIdentifier(new sharedPb.StreamIdentifier().setStreamName(Buffer.from(place.stream, 'utf8')))
    .setStreamRevision(place.revision.toString())
    .setCommitPosition(place.commit.toString())
    .setPreparePosition(place.prepare.toString())
    .setData(Uint8Array.from(data));
  if (metadata) record.setCustomMetadata(Uint8Array.from(metadata));
  record.getMetadataMap().set('type', e.type).set('content-type', e.contentType).set('created', '638000000000000000');
  // Serialise and parse as gRPC would: the bytes are all that travels.
  return convertGrpcRecord(RecordedEvent.deserializeBinary(record.serializeBinary())) as EsdbRecordedEvent;
}

const row = (data: string, metadata: string, over: Partial<StoredEventInput> = {}): StoredEventInput => ({
  id: '0b7e3d0e-6a2f-4a53-9a44-3f1f6f0f2c11',
  type: 'MonthlyReportSubmitted',
  data,
  metadata,
  hash: 'a'.repeat(64),
  ...over,
});

const META = JSON.stringify({
  actor: { userId: 'u1', role: 'reporter', unitId: '叶县财政局' },
  commandId: 'c1',
  correlationId: 'corr-1',
  causationId: 'cause-1',
  recordedAt: '2023-02-03T04:05:06.007Z',
  reason: '更正：\n第二行\u2028',
});

describe('EventStoreDB mapping', () => {
  describe('the installed client still serialises as this mapping assumes', () => {
    const dir = dirname(createRequire(import.meta.url).resolve('@eventstore/db-client'));
    it.each(['streams/appendToStream/append.js', 'streams/appendToStream/batchAppend.js'])('%s', (file) => {
      const source = readFileSync(join(dir, file), 'utf8');
      expect(source).toContain('JSON.stringify(event.data)');
      expect(source).toContain('event.metadata.constructor === Uint8Array');
      expect(source).toContain('JSON.stringify(event.metadata)');
    });
  });

  describe('data and metadata survive the round trip byte for byte', () => {
    const cases: [string, string][] = [
      ['plain', JSON.stringify({ unit: 'u1', month: '2023-01', values: [1, 2.5, -3, 0.1 + 0.2, 1e21, 5e-324] })],
      ['Chinese text and escapes', JSON.stringify({ name: '叶县', note: 'a"b\\c\n\t\u0000\u2028\u2029', emoji: '📈' })],
      ['lone surrogates', JSON.stringify({ broken: '\ud800x\udfff' })],
      ['integer-like keys, which JavaScript orders first', JSON.stringify({ b: 1, 2: 'two', 1: 'one', a: { 10: 0, 9: 0, z: 0 } })],
      ['a __proto__ key', '{"__proto__":{"polluted":true},"x":1}'],
      ['an empty object', '{}'],
      ['deep nesting', JSON.stringify({ a: [[[{ b: [null, true, false, ''] }]]] })],
    ];
    it.each(cases)('%s', (_label, data) => {
      const sent = row(data, META);
      const esdb = encodeEvent(sent);
      expect(esdb.contentType).toBe('application/json');
      const recorded = throughTheWire(esdb);
      const back = decodeEvent(recorded, 's');
      expect(back).toEqual({ ...sent, streamId: 's', revision: 7, position: '1234:1230' });
      expect(sameStoredContent(back, sent)).toBe(true);
    });

    it('metadata carries the hash, the Jixiao metadata, and ESDB’s $correlationId / $causationId', () => {
      const recorded = throughTheWire(encodeEvent(row('{}', META)));
      expect(recorded.metadata).toEqual({ $correlationId: 'corr-1', $causationId: 'cause-1', hash: 'a'.repeat(64), jx: JSON.parse(META) });
      expect(recorded.isJson).toBe(true);
      expect(recorded.data).toEqual({});
    });

    it('any JSON object serialised by JSON.stringify (property)', () => {
      fc.assert(
        fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.dictionary(fc.string(), fc.jsonValue()), (d, m) => {
          const sent = row(JSON.stringify(d), JSON.stringify(m));
          expect(roundTrips(sent.data)).toBe(true);
          const back = decodeEvent(throughTheWire(encodeEvent(sent)), 's');
          expect(back.data).toBe(sent.data);
          expect(back.metadata).toBe(sent.metadata);
          expect(back.hash).toBe(sent.hash);
        }),
        { numRuns: 300 },
      );
    });

    it('text that would not survive a JSON round trip is stored raw instead, and still comes back exact', () => {
      const data = '{"a":1.0, "b" : "x"}';
      const metadata = '{ "actor": {"userId":"u","role":"r"}, "n": 1.50 }';
      expect(roundTrips(data)).toBe(false);
      const esdb = encodeEvent(row(data, metadata));
      expect(esdb.contentType).toBe('application/octet-stream');
      expect(esdb.metadata).toEqual({ hash: 'a'.repeat(64), jxText: metadata });
      const back = decodeEvent(throughTheWire(esdb), 's');
      expect([back.data, back.metadata]).toEqual([data, metadata]);
    });

    it('refuses events that Jixiao did not write, naming them', () => {
      const foreign = (over: Partial<EsdbRecordedEvent>) => ({ ...throughTheWire(encodeEvent(row('{}', META))), ...over }) as EsdbRecordedEvent;
      expect(() => decodeEvent(foreign({ metadata: undefined }), 's')).toThrow(ForeignEventError);
      expect(() => decodeEvent(foreign({ metadata: { jx: {} } }), 's')).toThrow(/no "hash"/);
      expect(() => decodeEvent(foreign({ metadata: { hash: 'h' } }), 's')).toThrow(/no "jx"/);
      expect(() => decodeEvent(foreign({ data: 'not json' }), 's')).toThrow(/data is not a JSON object/);
      expect(() => decodeEvent(foreign({ position: undefined }), 's')).toThrow(/22\.10 or later/);
    });
  });

  describe('positions', () => {
    it('are "commit:prepare" strings that parse back', () => {
      const p = { commit: 18446744073709551615n, prepare: 42n };
      expect(formatPosition(p)).toBe('18446744073709551615:42');
      expect(parsePosition(formatPosition(p))).toEqual(p);
    });

    it('order by commit, then prepare, as numbers (not as text)', () => {
      expect(comparePositions('9:9', '10:0')).toBe(-1);
      expect(comparePositions('10:0', '9:9')).toBe(1);
      expect(comparePositions('10:2', '10:11')).toBe(-1);
      expect(comparePositions('10:11', '10:11')).toBe(0);
      const shuffled = ['300:300', '2:1', '2:0', '1000:5', '99:99'];
      expect([...shuffled].sort(comparePositions)).toEqual(['2:0', '2:1', '99:99', '300:300', '1000:5']);
    });

    it('compare like the pairs of numbers they encode (property)', () => {
      const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
      fc.assert(
        fc.property(u64, u64, u64, u64, (c1, p1, c2, p2) => {
          const expected = c1 !== c2 ? (c1 < c2 ? -1 : 1) : p1 < p2 ? -1 : p1 > p2 ? 1 : 0;
          expect(comparePositions(formatPosition({ commit: c1, prepare: p1 }), formatPosition({ commit: c2, prepare: p2 }))).toBe(expected);
        }),
      );
    });

    it.each(['not-a-position', '', '1', '1:', ':1', '-1:0', '1:2:3', '1.5:0', '18446744073709551616:0', ' 1:2'])('refuses %j with InvalidEventError', (text) => {
      expect(() => parsePosition(text)).toThrow(InvalidEventError);
      expect(() => comparePositions(text, '0:0')).toThrow(InvalidEventError);
    });
  });

  describe('expected revisions', () => {
    it('maps the port’s head: -1 is NO_STREAM, N is exactly N', () => {
      expect(toExpectedRevision(-1)).toBe(NO_STREAM);
      expect(toExpectedRevision(0)).toBe(0n);
      expect(toExpectedRevision(41)).toBe(41n);
      expect(toExpectedRevision(Number.MAX_SAFE_INTEGER)).toBe(BigInt(Number.MAX_SAFE_INTEGER));
    });
    it.each([-2, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1])('refuses %p', (n) => {
      expect(() => toExpectedRevision(n)).toThrow(RangeError);
    });
  });

  describe('append errors, using the client’s own error classes', () => {
    it('a wrong expected version is head-moved', () => {
      const moved = new WrongExpectedVersionError(undefined, { streamName: 's', expected: 3n, current: 5n });
      expect(mapAppendError(moved, 's')).toEqual({ kind: 'head-moved' });
      const absent = new WrongExpectedVersionError(undefined, { streamName: 's', expected: 0n, current: 'no_stream' });
      expect(mapAppendError(absent, 's')).toEqual({ kind: 'head-moved' });
    });

    it('a deleted stream is refused with a typed error, never taken as a new stream', () => {
      const sentinel = new WrongExpectedVersionError(undefined, { streamName: 's', expected: NO_STREAM, current: (1n << 63n) - 1n });
      expect(() => mapAppendError(sentinel, 's')).toThrow(StreamDeletedInStoreError);
      expect(() => mapAppendError(StreamDeletedError.fromStreamName('s'), 's')).toThrow(/tombstoned/);
    });

    it('an append over the server’s size limit is bad input, naming the limit', () => {
      const err = (() => {
        try {
          return mapAppendError(MaxAppendSizeExceededError.fromMaxAppendSize(1048576), 's');
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(InvalidEventError);
      expect((err as Error).message).toMatch(/1048576 bytes/);
    });

    it('anything else is rethrown unchanged (outcome unknown: the caller retries with the same ids)', () => {
      const unavailable = new UnavailableError();
      expect(() => mapAppendError(unavailable, 's')).toThrow(unavailable);
      const plain = new Error('socket hang up');
      expect(() => mapAppendError(plain, 's')).toThrow(plain);
    });
  });

  describe('streams and namespaces', () => {
    it('prefixes a namespace and keeps only this store’s streams from $all', () => {
      expect(esdbStreamName(undefined, 'report-1')).toBe('report-1');
      expect(esdbStreamName('t1', 'report-1')).toBe('t1/report-1');
      expect(jixiaoStreamId('t1', 't1/report-1', 'Submitted')).toBe('report-1');
      expect(jixiaoStreamId('t1', 't2/report-1', 'Submitted')).toBeUndefined();
      expect(jixiaoStreamId(undefined, 'report-1', 'Submitted')).toBe('report-1');
      for (const [stream, type] of [
        ['$stats-127.0.0.1:2113', '$statsCollected'],
        ['$$report-1', '$metadata'],
        ['$ce-report', '$>'],
        ['report-1', '$streamDeleted'],
        [claimStreamName(undefined, 'x'), CLAIM_EVENT_TYPE],
      ] as const) {
        expect(jixiaoStreamId(undefined, stream, type)).toBeUndefined();
      }
    });
  });

  describe('event-id claims', () => {
    const id = '0b7e3d0e-6a2f-4a53-9a44-3f1f6f0f2c11';
    it('live in a system stream per id and namespace', () => {
      expect(claimStreamName(undefined, id)).toBe(`$jx-id-${id}`);
      expect(claimStreamName('t1', id)).toBe(`$jx-id-t1/${id}`);
    });

    it('have an id derived from (event id, stream, revision), so the same claim is idempotent in ESDB and another place is not', () => {
      const a = claimEvent(id, { streamId: 's', revision: 3 });
      expect(claimEvent(id, { streamId: 's', revision: 3 }).id).toBe(a.id);
      expect(claimEvent(id, { streamId: 's', revision: 4 }).id).not.toBe(a.id);
      expect(claimEvent(id, { streamId: 't', revision: 3 }).id).not.toBe(a.id);
      expect(a.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(deterministicUuid('x')).toBe(deterministicUuid('x'));
    });

    it('decode from what the client reads back', () => {
      const recorded = throughTheWire(claimEvent(id, { streamId: '叶县/report 1', revision: 12 }), {
        stream: claimStreamName(undefined, id),
        revision: 0n,
        commit: 1n,
        prepare: 1n,
      });
      expect(decodeClaim(recorded)).toEqual({ streamId: '叶县/report 1', revision: 12 });
      expect(() => decodeClaim({ ...recorded, type: 'Other' })).toThrow(/not a Jixiao event-id claim/);
    });
  });

  describe('connection strings', () => {
    it('passes esdb:// and esdb+discover:// through', () => {
      expect(parseEsdbUrl('esdb://localhost:2113?tls=false')).toEqual({ connectionString: 'esdb://localhost:2113?tls=false', namespace: undefined });
      expect(parseEsdbUrl('esdb+discover://admin:changeit@cluster.local:2113').connectionString).toBe('esdb+discover://admin:changeit@cluster.local:2113');
    });

    it('rewrites kurrentdb:// for the 6.x client, which only parses esdb://', () => {
      expect(parseEsdbUrl('kurrentdb://a:2113,b:2113,c:2113?tls=true&nodePreference=leader').connectionString).toBe('esdb://a:2113,b:2113,c:2113?tls=true&nodePreference=leader');
      expect(parseEsdbUrl('kurrentdb+discover://db.example:2113').connectionString).toBe('esdb+discover://db.example:2113');
    });

    it('takes out the namespace option before the client sees it', () => {
      expect(parseEsdbUrl('esdb://h:2113?tls=false&jixiaoNamespace=county-a&keepAliveTimeout=10000')).toEqual({
        connectionString: 'esdb://h:2113?tls=false&keepAliveTimeout=10000',
        namespace: 'county-a',
      });
      expect(parseEsdbUrl(withNamespace('esdb://h:2113?tls=false', 't1'))).toEqual({ connectionString: 'esdb://h:2113?tls=false', namespace: 't1' });
      expect(withNamespace(withNamespace('esdb://h', 'a'), 'b')).toBe('esdb://h?jixiaoNamespace=b');
      expect(() => parseEsdbUrl('esdb://h?jixiaoNamespace=a/b')).toThrow(/jixiaoNamespace/);
    });

    it('every form is accepted by the real client (constructing one does not connect)', async () => {
      for (const url of ['esdb://localhost:2113?tls=false', 'kurrentdb://u:p@a:2113,b:2113?tls=true', 'kurrentdb+discover://db.example:2113?jixiaoNamespace=x']) {
        const client = EventStoreDBClient.connectionString(parseEsdbUrl(url).connectionString);
        await client.dispose();
      }
    });

    it('refuses other schemes without printing a password', () => {
      expect(() => parseEsdbUrl('postgres://u:secret@h/db')).toThrow(/not an EventStoreDB URL/);
      expect(() => parseEsdbUrl('http://u:secret@h')).not.toThrow(/secret/);
      expect(redact('esdb://admin:changeit@h:2113')).toBe('esdb://admin:***@h:2113');
    });
  });
});
