import {
  binaryEvent,
  jsonEvent,
  MaxAppendSizeExceededError,
  NO_STREAM,
  StreamDeletedError,
  WrongExpectedVersionError,
  type EventData,
  type JSONType,
  type Position,
  type RecordedEvent as EsdbRecordedEvent,
} from '@eventstore/db-client';
import { deterministicUuid } from '../../ids.js';
import { EventStoreError, InvalidEventError } from '../errors.js';
import { redact } from '../redact.js';
import type { RawAppendOutcome, StoredEvent, StoredEventInput } from '../storage.js';

/**
 * Pure mappings between the storage port and EventStoreDB / KurrentDB, kept apart from the client
 * calls so they can be tested without a server. The layout they define is described in
 * docs/eventstoredb.md; change both together.
 *
 * One Jixiao event = one ESDB event in stream `[<namespace>/]<streamId>`:
 * - ESDB event id = the Jixiao event id, ESDB type = the Jixiao type;
 * - data: content type application/json, the bytes are exactly the Jixiao data text;
 * - custom metadata: `{"$correlationId":…,"$causationId":…,"hash":"<hex>","jx":<metadata>}`, where
 *   the bytes of `<metadata>` are exactly the Jixiao metadata text. `$correlationId` and
 *   `$causationId` are ESDB's own conventions (its `$by_correlation_id` projection reads them).
 *
 * Why the bytes survive although the client serialises objects itself: it writes
 * `JSON.stringify(value)` and hands back `JSON.parse(bytes)`. The texts come from JSON.stringify
 * (validation.ts), and for such a text `JSON.stringify(JSON.parse(text)) === text` (property order
 * is kept, numbers print in their shortest round-trip form, escapes are canonical). We check that
 * identity for every event before writing; should it ever fail, the text is stored raw instead
 * (data as an application/octet-stream event, metadata as the string `jxText`), which the decoder
 * also reads. Either way the hash chain, computed above over the exact text, verifies on read.
 */

/** Jixiao's schemes; the 6.x client only parses esdb:// and esdb+discover://, so kurrentdb is rewritten. */
export const ESDB_URL = /^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover):\/\//i;

/** Our own connection-string option: scopes a store to streams `<namespace>/…` of a shared database. */
export const NAMESPACE_OPTION = 'jixiaoNamespace';
const NAMESPACE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export interface EsdbTarget {
  /** What the client is given: esdb:// or esdb+discover://, without our own option. */
  connectionString: string;
  namespace: string | undefined;
}

export function parseEsdbUrl(url: string): EsdbTarget {
  const scheme = ESDB_URL.exec(url.trim());
  if (!scheme) throw new Error(`"${redact(url)}" is not an EventStoreDB URL: use esdb://, esdb+discover://, kurrentdb:// or kurrentdb+discover://`);
  const rest = url.trim().slice(scheme[0].length);
  const clientScheme = scheme[1]!.toLowerCase().replace('kurrentdb', 'esdb');
  const q = rest.indexOf('?');
  const base = q < 0 ? rest : rest.slice(0, q);
  let namespace: string | undefined;
  const kept: string[] = [];
  for (const pair of q < 0 ? [] : rest.slice(q + 1).split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (key.toLowerCase() !== NAMESPACE_OPTION.toLowerCase()) {
      kept.push(pair);
      continue;
    }
    const value = decodeURIComponent(eq < 0 ? '' : pair.slice(eq + 1));
    if (!NAMESPACE.test(value)) {
      throw new Error(`${NAMESPACE_OPTION}="${value}" in the EventStoreDB URL: use 1–64 letters, digits, "_", "." or "-", starting with a letter or digit`);
    }
    namespace = value;
  }
  return { connectionString: `${clientScheme}://${base}${kept.length ? `?${kept.join('&')}` : ''}`, namespace };
}

/** Adds (or replaces) the namespace option: how tests give each store its own slice of one server. */
export function withNamespace(url: string, namespace: string): string {
  const trimmed = url.trim();
  const q = trimmed.indexOf('?');
  const base = q < 0 ? trimmed : trimmed.slice(0, q);
  const params = (q < 0 ? [] : trimmed.slice(q + 1).split('&')).filter((p) => p && p.split('=')[0]!.toLowerCase() !== NAMESPACE_OPTION.toLowerCase());
  params.push(`${NAMESPACE_OPTION}=${encodeURIComponent(namespace)}`);
  return `${base}?${params.join('&')}`;
}

// ---------------------------------------------------------------------------------------------
// Streams

/** Claim streams (see esdb-storage.ts): system streams, so no Jixiao stream id (never "$…") can collide. */
export const CLAIM_STREAM_PREFIX = '$jx-id-';
export const CLAIM_EVENT_TYPE = 'jixiao.event-id-claim';

export function esdbStreamName(namespace: string | undefined, streamId: string): string {
  return namespace ? `${namespace}/${streamId}` : streamId;
}

/**
 * The Jixiao stream id of an ESDB event, or undefined when the event is not one of this store's:
 * a system stream or event type (`$…`: metadata, links, tombstones, statistics, claims) or a stream
 * of another namespace.
 */
export function jixiaoStreamId(namespace: string | undefined, esdbStream: string, esdbType: string): string | undefined {
  if (esdbStream.startsWith('$') || esdbType.startsWith('$')) return undefined;
  if (!namespace) return esdbStream;
  const prefix = `${namespace}/`;
  return esdbStream.startsWith(prefix) ? esdbStream.slice(prefix.length) : undefined;
}

export function claimStreamName(namespace: string | undefined, eventId: string): string {
  return `${CLAIM_STREAM_PREFIX}${namespace ? `${namespace}/` : ''}${eventId}`;
}

export interface Claim {
  streamId: string;
  revision: number;
}

/**
 * "Event id X is being written to stream S at revision r." The claim's own ESDB id is derived from
 * (X, S, r), so the same claim sent twice is one event to ESDB's idempotence check, while a claim
 * for another place is a different event and fails the claim stream's expected revision.
 */
export function claimEvent(eventId: string, claim: Claim): EventData {
  return jsonEvent({
    id: deterministicUuid(`${eventId}\n${claim.streamId}\n${claim.revision}`),
    type: CLAIM_EVENT_TYPE,
    data: { streamId: claim.streamId, revision: claim.revision },
  });
}

export function decodeClaim(e: Pick<EsdbRecordedEvent, 'type' | 'data' | 'streamId'>): Claim {
  const d = e.data as { streamId?: unknown; revision?: unknown } | undefined;
  if (e.type !== CLAIM_EVENT_TYPE || !d || typeof d.streamId !== 'string' || !Number.isSafeInteger(d.revision)) {
    throw new Error(`${e.streamId} holds an event that is not a Jixiao event-id claim`);
  }
  return { streamId: d.streamId, revision: d.revision as number };
}

// ---------------------------------------------------------------------------------------------
// Positions: `"<commit>:<prepare>"`, both decimal, ordered as ESDB orders $all.

const MAX_U64 = (1n << 64n) - 1n;

export function formatPosition(p: Position): string {
  return `${p.commit}:${p.prepare}`;
}

export function parsePosition(text: string): Position {
  const m = typeof text === 'string' ? /^(\d{1,20}):(\d{1,20})$/.exec(text) : null;
  const commit = m ? BigInt(m[1]!) : -1n;
  const prepare = m ? BigInt(m[2]!) : -1n;
  if (!m || commit > MAX_U64 || prepare > MAX_U64) {
    throw new InvalidEventError('position', `"${text}" is not a position of this EventStoreDB store (commit:prepare)`);
  }
  return { commit, prepare };
}

export function comparePositionValues(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  return a.prepare < b.prepare ? -1 : a.prepare > b.prepare ? 1 : 0;
}

export function comparePositions(a: string, b: string): number {
  return comparePositionValues(parsePosition(a), parsePosition(b));
}

// ---------------------------------------------------------------------------------------------
// Appends

/** The port's expected head (-1: no stream) as ESDB's expected revision. Never ANY: see esdb-storage.ts. */
export function toExpectedRevision(expectedHead: number): typeof NO_STREAM | bigint {
  if (!Number.isSafeInteger(expectedHead) || expectedHead < -1) throw new RangeError(`expected head ${expectedHead} is not -1 or a revision`);
  return expectedHead === -1 ? NO_STREAM : BigInt(expectedHead);
}

/** A Jixiao stream that EventStoreDB reports deleted, or that carries deletion or retention settings. */
export class StreamDeletedInStoreError extends EventStoreError {
  readonly code = 'stream-deleted';
  constructor(
    readonly streamId: string,
    readonly why: string,
  ) {
    super(
      `Stream "${streamId}" ${why}. Jixiao never deletes or truncates streams, so this was done to the database directly; ` +
        'the stream is refused rather than silently restarted. Run the audit verification and restore the stream from a backup.',
    );
  }
}

/**
 * What a failed ESDB append means for the port: a wrong expected revision is the `head-moved`
 * outcome; the other refusals are thrown as the store's typed errors; anything else (network,
 * timeouts, access) is rethrown as is, its outcome unknown to the caller, who retries with the
 * same event ids.
 */
export function mapAppendError(err: unknown, streamId: string): RawAppendOutcome {
  if (err instanceof WrongExpectedVersionError) {
    const actual = err.actualVersion;
    if (actual === 'no_stream' || (typeof actual === 'bigint' && actual <= BigInt(Number.MAX_SAFE_INTEGER))) return { kind: 'head-moved' };
    // ESDB reports a deleted stream's version as a sentinel far above any real revision.
    throw new StreamDeletedInStoreError(streamId, `is deleted in EventStoreDB (its version is reported as ${String(actual)})`);
  }
  if (err instanceof StreamDeletedError) throw new StreamDeletedInStoreError(streamId, 'is deleted (tombstoned) in EventStoreDB');
  if (err instanceof MaxAppendSizeExceededError) {
    throw new InvalidEventError(
      'events',
      `together exceed the EventStoreDB server's maximum append size of ${err.maxAppendSize} bytes; nothing was written ` +
        '(raise MaxAppendSize on the server, up to 16 MiB, or append fewer events at once)',
    );
  }
  throw err;
}

// ---------------------------------------------------------------------------------------------
// Events

/** JSON text whose parse re-serialises to itself, so the client's JSON round trip keeps its bytes. */
export function roundTrips(text: string): boolean {
  try {
    return JSON.stringify(JSON.parse(text)) === text;
  } catch {
    return false;
  }
}

export function encodeEvent(e: StoredEventInput): EventData {
  const metadata = encodeMetadata(e.metadata, e.hash);
  if (roundTrips(e.data)) {
    return jsonEvent({ id: e.id, type: e.type, data: JSON.parse(e.data) as JSONType, metadata });
  }
  return binaryEvent({ id: e.id, type: e.type, data: Buffer.from(e.data, 'utf8'), metadata });
}

export interface EsdbMetadata {
  $correlationId?: string;
  $causationId?: string;
  hash: string;
  /** The Jixiao metadata, when its text round-trips (always, for text from JSON.stringify). */
  jx?: unknown;
  /** The Jixiao metadata text verbatim, otherwise. */
  jxText?: string;
}

export function encodeMetadata(metadataText: string, hash: string): EsdbMetadata {
  let parsed: unknown;
  try {
    parsed = JSON.parse(metadataText);
  } catch {
    parsed = undefined;
  }
  const { correlationId, causationId } = (parsed && typeof parsed === 'object' ? parsed : {}) as { correlationId?: unknown; causationId?: unknown };
  const out = {} as EsdbMetadata;
  if (typeof correlationId === 'string') out.$correlationId = correlationId;
  if (typeof causationId === 'string') out.$causationId = causationId;
  out.hash = hash;
  if (parsed !== undefined && roundTrips(metadataText)) out.jx = parsed;
  else out.jxText = metadataText;
  return out;
}

/** Thrown when an event in one of this store's streams was not written by Jixiao. */
export class ForeignEventError extends Error {
  constructor(esdbStream: string, revision: bigint | number, why: string) {
    super(
      `EventStoreDB event ${esdbStream}@${revision} is not a Jixiao event (${why}). A database (or namespace) used by Jixiao ` +
        'must hold only streams Jixiao wrote; this one was written by something else.',
    );
  }
}

export function decodeMetadata(raw: unknown, esdbStream: string, revision: bigint | number): { metadata: string; hash: string } {
  if (!raw || typeof raw !== 'object' || raw instanceof Uint8Array) throw new ForeignEventError(esdbStream, revision, 'its metadata is not a JSON object');
  const m = raw as Partial<EsdbMetadata>;
  if (typeof m.hash !== 'string') throw new ForeignEventError(esdbStream, revision, 'its metadata has no "hash"');
  if (typeof m.jxText === 'string') return { metadata: m.jxText, hash: m.hash };
  if (m.jx && typeof m.jx === 'object') return { metadata: JSON.stringify(m.jx), hash: m.hash };
  throw new ForeignEventError(esdbStream, revision, 'its metadata has no "jx"');
}

export function decodeData(e: Pick<EsdbRecordedEvent, 'isJson' | 'data' | 'streamId' | 'revision'>): string {
  if (e.data instanceof Uint8Array) return Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength).toString('utf8');
  // Jixiao data is always a JSON object; a string here is the client's fallback for bytes that were not JSON.
  if (e.isJson && e.data !== null && typeof e.data === 'object' && !Array.isArray(e.data)) return JSON.stringify(e.data);
  throw new ForeignEventError(e.streamId, e.revision, 'its data is not a JSON object');
}

/** An ESDB event of one of this store's streams as the port's stored row. */
export function decodeEvent(e: EsdbRecordedEvent, streamId: string): StoredEvent {
  if (!e.position) {
    throw new Error(`EventStoreDB returned ${e.streamId}@${e.revision} without its log position: Jixiao needs server 22.10 or later`);
  }
  const revision = Number(e.revision);
  if (!Number.isSafeInteger(revision)) throw new ForeignEventError(e.streamId, e.revision, 'its revision is out of range');
  const { metadata, hash } = decodeMetadata(e.metadata, e.streamId, e.revision);
  return {
    streamId,
    revision,
    position: formatPosition(e.position),
    id: e.id.toLowerCase(),
    type: e.type,
    data: decodeData(e),
    metadata,
    hash,
  };
}

/** Did the store write exactly these rows (id, type and the exact texts and hash)? */
export function sameStoredContent(stored: StoredEvent, sent: StoredEventInput): boolean {
  return stored.id === sent.id && stored.type === sent.type && stored.data === sent.data && stored.metadata === sent.metadata && stored.hash === sent.hash;
}
