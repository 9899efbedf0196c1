import type { Principal } from '../../engine/commands/command.js';
import { DomainError } from '../../engine/commands/command.js';
import { executeCommand } from '../../engine/commands/command-executor.js';
import { changedHeads, HeadTracker, merkleRoot, SEAL_HEADS_RECORDED, SEAL_RECORDED, SEALS_STREAM, type SealHeadsRecordedData, type SealRecordedData, type StreamHeadEntry } from '../../engine/audit/seals.js';
import { readHeadsToHead, type EventStore } from '../../engine/event-store/event-store.js';
import { sealDecider, type SealCommand } from './seal.decider.js';

/** The latest seal, from the stream's last event: a seal's chunks are appended before it, in one append. */
export async function lastSeal(store: EventStore): Promise<SealRecordedData | null> {
  const [e] = await store.readStream(SEALS_STREAM, { direction: 'backwards', maxCount: 1 });
  return e?.type === SEAL_RECORDED ? (e.data as SealRecordedData) : null;
}

/** Reads the seals recorded so far: the latest seal and every head it vouches for. */
export async function sealsSoFar(store: EventStore): Promise<{ last: SealRecordedData | null; claimed: Map<string, StreamHeadEntry>; all: SealRecordedData[] }> {
  const claimed = new Map<string, StreamHeadEntry>();
  const all: SealRecordedData[] = [];
  for (const e of await store.readStream(SEALS_STREAM)) {
    if (e.type === SEAL_HEADS_RECORDED) for (const h of (e.data as SealHeadsRecordedData).heads) claimed.set(h.streamId, h);
    if (e.type === SEAL_RECORDED) all.push(e.data as SealRecordedData);
  }
  return { last: all.at(-1) ?? null, claimed, all };
}

/**
 * Makes a seal of the record as it stands: the heads vouched for by the last seal, moved forward
 * by the events recorded since, hashed into a Merkle root and recorded in the seals stream.
 */
export async function makeSeal(store: EventStore, actor: Principal, now: string, occasion: string): Promise<SealRecordedData | undefined> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const { last, claimed } = await sealsSoFar(store);
    const tracker = new HeadTracker();
    for (const h of claimed.values()) tracker.heads.set(h.streamId, h);
    tracker.events = last?.events ?? 0;
    let news = false;
    const position = await readHeadsToHead(store, last?.position, (page) => {
      for (const e of page) {
        tracker.apply(e);
        if (e.streamId !== SEALS_STREAM) news = true;
      }
    });
    if (position === undefined) return undefined; // nothing recorded yet
    // Only the last seal's own events since it: nothing new to seal.
    if (last && !news) return last;
    const sealId = `seal-${now.replace(/[^0-9]/g, '').slice(0, 14)}-${position.replace(/[^0-9]/g, '-')}`;
    const seal: Omit<SealRecordedData, 'chunks'> = {
      sealId,
      position,
      sealedAt: now,
      streams: tracker.heads.size,
      events: tracker.events,
      root: merkleRoot(tracker.heads.values()),
      previous: last ? { sealId: last.sealId, root: last.root } : null,
      occasion,
    };
    const command: SealCommand = {
      type: 'audit.Seal',
      data: { seal, changed: changedHeads(claimed, tracker.heads) },
      meta: { commandId: sealId, actor, now, reason: occasion },
    };
    try {
      const { events } = await executeCommand(store, sealDecider, SEALS_STREAM, command);
      return events.at(-1)!.data as SealRecordedData;
    } catch (err) {
      if (err instanceof DomainError && err.code === 'seal-raced') continue;
      throw err;
    }
  }
  throw new DomainError('seal-raced', 'other seals kept being recorded; try again');
}

