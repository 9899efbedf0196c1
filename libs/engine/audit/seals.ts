import { hash } from 'node:crypto';
import { readHeadsToHead, type EventStore } from '../event-store/event-store.js';
import type { StoredEvent } from '../event-store/storage.js';

/**
 * A seal is a digest over the whole record up to a position: the Merkle root of every stream's
 * head (its last revision and that event's chained hash) as of that position. Hash chains make a
 * change inside a stream evident; a seal makes evident what chains alone cannot — the newest events
 * of a stream removed, a whole stream rewritten with a fresh chain, or a stream dropped.
 *
 * Each seal is itself recorded in the `audit-seals` stream (so later seals cover earlier ones),
 * with the heads that changed since the previous seal, so a verifier can name what differs and
 * not only say that something does. Exported as a short text block, a seal can be printed in
 * meeting minutes and checked against the record years later with `audit verify --seal`.
 */
export const SEALS_STREAM = 'audit-seals';
export const SEAL_RECORDED = 'SealRecorded';
export const SEAL_HEADS_RECORDED = 'SealHeadsRecorded';
/** Heads per SealHeadsRecorded event: keeps each well under the store's 1 MiB per event. */
export const HEADS_PER_CHUNK = 4000;

export interface StreamHeadEntry {
  streamId: string;
  revision: number;
  hash: string;
}

export interface SealRecordedData {
  sealId: string;
  /** Everything recorded up to and including this position is covered. */
  position: string;
  sealedAt: string;
  streams: number;
  events: number;
  /** sha256 Merkle root over the heads, sorted by stream id. */
  root: string;
  previous: { sealId: string; root: string } | null;
  /** How many SealHeadsRecorded events (in the same append, before this one) carry the changed heads. */
  chunks: number;
  /** Why this seal was made: 'daily', 'quarter 2023-Q3 published', 'on request'. */
  occasion: string;
}

export interface SealHeadsRecordedData {
  sealId: string;
  chunk: number;
  /** Heads that differ from the previous seal's. */
  heads: StreamHeadEntry[];
}

const leaf = (h: StreamHeadEntry) => hash('sha256', `leaf\n${h.streamId}\n${h.revision}\n${h.hash}`, 'hex');

export function merkleRoot(heads: Iterable<StreamHeadEntry>): string {
  let level = [...heads].sort((a, b) => (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0)).map(leaf);
  if (level.length === 0) return hash('sha256', 'empty', 'hex');
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? hash('sha256', `node\n${level[i]}\n${level[i + 1]}`, 'hex') : level[i]!);
    level = next;
  }
  return level[0]!;
}

/** Stream heads after applying stored events in global order. */
export class HeadTracker {
  readonly heads = new Map<string, StreamHeadEntry>();
  events = 0;
  apply(e: Pick<StoredEvent, 'streamId' | 'revision' | 'hash'>): void {
    this.events++;
    const current = this.heads.get(e.streamId);
    // Global order agrees with revision order within a stream; keep the highest all the same.
    if (!current || e.revision > current.revision) this.heads.set(e.streamId, { streamId: e.streamId, revision: e.revision, hash: e.hash });
  }
}

/** The heads that differ between two head sets (new or changed in `now`). */
export function changedHeads(before: ReadonlyMap<string, StreamHeadEntry>, now: ReadonlyMap<string, StreamHeadEntry>): StreamHeadEntry[] {
  const out: StreamHeadEntry[] = [];
  for (const h of now.values()) {
    const b = before.get(h.streamId);
    if (!b || b.revision !== h.revision || b.hash !== h.hash) out.push(h);
  }
  return out.sort((a, b) => (a.streamId < b.streamId ? -1 : 1));
}

export interface ExportedSeal {
  sealId: string;
  position: string;
  sealedAt: string;
  streams: number;
  events: number;
  root: string;
  store: string;
}

/** The short text block printed in the minutes or handed to the audit bureau. */
export function sealText(seal: SealRecordedData, storeKind: string): string {
  return [
    '-----BEGIN JIXIAO SEAL-----',
    `seal: ${seal.sealId}`,
    `sealed-at: ${seal.sealedAt}`,
    `store: ${storeKind}`,
    `position: ${seal.position}`,
    `events: ${seal.events}`,
    `streams: ${seal.streams}`,
    `root: sha256:${seal.root}`,
    '-----END JIXIAO SEAL-----',
  ].join('\n');
}

export function parseSealText(text: string): ExportedSeal {
  const body = /-----BEGIN JIXIAO SEAL-----([\s\S]*?)-----END JIXIAO SEAL-----/.exec(text);
  if (!body) throw new Error('no "-----BEGIN JIXIAO SEAL-----" block found');
  const fields = new Map<string, string>();
  for (const line of body[1]!.split('\n')) {
    const m = /^\s*([a-z-]+):\s*(.+?)\s*$/.exec(line);
    if (m) fields.set(m[1]!, m[2]!);
  }
  const need = (k: string) => {
    const v = fields.get(k);
    if (!v) throw new Error(`the seal block has no "${k}:" line`);
    return v;
  };
  const root = need('root').replace(/^sha256:/, '');
  if (!/^[0-9a-f]{64}$/.test(root)) throw new Error('the seal\'s root is not a sha256 hex digest');
  return {
    sealId: need('seal'),
    sealedAt: need('sealed-at'),
    store: need('store'),
    position: need('position'),
    events: Number(need('events')),
    streams: Number(need('streams')),
    root,
  };
}

export type SealProblemKind = 'seal-missing' | 'seal-replaced' | 'stream-dropped' | 'stream-truncated' | 'stream-rewritten' | 'stream-unexpected' | 'root-mismatch';

export interface SealProblem {
  kind: SealProblemKind;
  sealId: string;
  streamId?: string;
  detail: string;
}

export interface SealReport {
  ok: boolean;
  seals: number;
  problems: SealProblem[];
  /** The exported seal checked, if one was given. */
  exported?: { sealId: string; ok: boolean };
}

/**
 * Re-derives every seal's heads from the events and compares them with what the seal recorded,
 * then (if given) checks an exported seal against the record. One pass over the log, reading only
 * each event's place and hash.
 *
 * At each seal only the streams that can differ are compared: those with events since the
 * previous seal and those whose head the seal recorded anew; every other stream matched before
 * and nothing changed on either side. The Merkle root is recomputed for the exported seal and the
 * newest one; the roots in between are vouched for by the seals stream's own hash chain (verified
 * with every chain), and an exported copy is what catches that stream rewritten whole.
 */
export async function verifySeals(store: EventStore, exported?: ExportedSeal): Promise<SealReport> {
  const sealEvents = await store.storage.readStream(SEALS_STREAM, 'forwards', undefined, Number.MAX_SAFE_INTEGER);
  const seals: { data: SealRecordedData; delta: StreamHeadEntry[] }[] = [];
  let delta: StreamHeadEntry[] = [];
  for (const e of sealEvents) {
    if (e.type === SEAL_HEADS_RECORDED) delta.push(...(JSON.parse(e.data) as SealHeadsRecordedData).heads);
    if (e.type === SEAL_RECORDED) {
      seals.push({ data: JSON.parse(e.data) as SealRecordedData, delta });
      delta = [];
    }
  }
  const problems: SealProblem[] = [];
  let exportedOk: boolean | undefined;
  if (exported) {
    const found = seals.find((s) => s.data.sealId === exported.sealId);
    if (!found) {
      problems.push({ kind: 'seal-missing', sealId: exported.sealId, detail: `the exported seal ${exported.sealId} (${exported.sealedAt}) is not in the record: the seals stream was cut or rewritten` });
      exportedOk = false;
    } else if (found.data.root !== exported.root || found.data.position !== exported.position) {
      problems.push({
        kind: 'seal-replaced',
        sealId: exported.sealId,
        detail: `the record holds a different seal ${exported.sealId}: root ${found.data.root.slice(0, 16)}… at ${found.data.position}, the exported one says ${exported.root.slice(0, 16)}… at ${exported.position}`,
      });
      exportedOk = false;
    }
  }

  const claimed = new Map<string, StreamHeadEntry>();
  const tracker = new HeadTracker();
  const touched = new Set<string>();
  const reported = new Set<string>();
  const newest = seals.at(-1);
  const check = (seal: (typeof seals)[number]) => {
    const before = problems.length;
    const toCheck = new Set(touched);
    for (const h of seal.delta) {
      claimed.set(h.streamId, h);
      toCheck.add(h.streamId);
    }
    touched.clear();
    const report = (p: SealProblem) => {
      // A stream that differs at one seal differs at every later one: name it once.
      if (reported.has(`${p.kind}/${p.streamId}`)) return;
      reported.add(`${p.kind}/${p.streamId}`);
      problems.push(p);
    };
    for (const streamId of toCheck) {
      const c = claimed.get(streamId);
      const h = tracker.heads.get(streamId);
      if (!c) {
        if (h) report({ kind: 'stream-unexpected', sealId: seal.data.sealId, streamId, detail: `stream "${streamId}" appears before the sealed position but was not sealed` });
      } else if (!h) report({ kind: 'stream-dropped', sealId: seal.data.sealId, streamId, detail: `stream "${streamId}" (revision ${c.revision} when sealed) is gone` });
      else if (h.revision < c.revision) {
        report({ kind: 'stream-truncated', sealId: seal.data.sealId, streamId, detail: `stream "${streamId}" was sealed at revision ${c.revision} but now ends at ${h.revision}: its newest events were removed` });
      } else if (h.revision > c.revision) {
        report({ kind: 'stream-unexpected', sealId: seal.data.sealId, streamId, detail: `stream "${streamId}" has events up to revision ${h.revision} at the sealed position, the seal says ${c.revision}` });
      } else if (h.hash !== c.hash) {
        report({ kind: 'stream-rewritten', sealId: seal.data.sealId, streamId, detail: `stream "${streamId}" was rewritten: its head at revision ${c.revision} no longer matches the sealed hash` });
      }
    }
    const isExported = exported !== undefined && seal.data.sealId === exported.sealId;
    if (isExported || seal === newest) {
      const root = merkleRoot(tracker.heads.values());
      if (root !== seal.data.root && problems.length === before) {
        problems.push({ kind: 'root-mismatch', sealId: seal.data.sealId, detail: `the record up to ${seal.data.position} no longer hashes to the sealed root` });
      }
      if (isExported) exportedOk = (exportedOk ?? true) && root === exported.root && problems.length === before;
    }
  };
  const pending = [...seals].sort((a, b) => store.comparePositions(a.data.position, b.data.position));
  let i = 0;
  await readHeadsToHead(store, undefined, (page) => {
    for (const e of page) {
      while (i < pending.length && store.comparePositions(e.position, pending[i]!.data.position) > 0) check(pending[i++]!);
      tracker.apply(e);
      touched.add(e.streamId);
    }
    return i < pending.length;
  });
  while (i < pending.length) check(pending[i++]!);
  // A stream gone at the sealed position but present now was deleted and written again.
  for (const p of problems) {
    if (p.kind !== 'stream-dropped' || !p.streamId) continue;
    const head = await store.storage.head(p.streamId);
    if (head.revision >= 0) {
      p.kind = 'stream-rewritten';
      p.detail = `stream "${p.streamId}" was replaced: the events sealed are gone and ${head.revision + 1} event(s) recorded after the seal stand in their place`;
    }
  }
  return { ok: problems.length === 0, seals: seals.length, problems, ...(exported ? { exported: { sealId: exported.sealId, ok: exportedOk ?? false } } : {}) };
}
