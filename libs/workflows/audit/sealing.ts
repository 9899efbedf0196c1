import {
  changedDigest,
  changedHeads,
  HeadTracker,
  merkleRoot,
  RangeTree,
  SEAL_HEADS_RECORDED,
  SEAL_RECORDED,
  SEALS_STREAM,
  type SealHeadsRecordedData,
  type SealRecordedData,
  type StreamHeadEntry,
} from '../../engine/audit/seals.js';
import { besideStore, loadSealKey, type SealSigner } from '../../engine/audit/seal-key.js';
import { FileWitness, readWitnessFile, type SealWitness } from '../../engine/audit/witness.js';
import { existsSync } from 'node:fs';
import { sealPayload, type VerifySealsOptions } from '../../engine/audit/seals.js';
import type { Clock } from '../../engine/clock.js';
import type { Command, Principal } from '../../engine/commands/command.js';
import { DomainError } from '../../engine/commands/command.js';
import { executeCommand, type CommandResult, type ExecuteOptions } from '../../engine/commands/command-executor.js';
import { readHeadsToHead, type EventStore } from '../../engine/event-store/event-store.js';
import { SYSTEM_PRINCIPAL } from '../../engine/timers/system-principal.js';
import { SCHEDULED_SEAL, sealDecider, type SealCommand } from './seal.decider.js';

/**
 * How this process seals: the key it signs with (none: unsigned, legacy-style), where each seal
 * is also written (witnesses outside the database), and how often the seal timer fires.
 */
export interface Sealing {
  signer?: SealSigner;
  witnesses: SealWitness[];
  everyMs: number;
  log?: (message: string) => void;
}

export const DEFAULT_SEAL_EVERY_MS = 5 * 60_000;
export const DEFAULT_WITNESS_FILE = 'seal-witness.jsonl';

// Per store, so makeSeal's many callers (the reactor, exports, the demo, the CLI) need not pass it.
const sealings = new WeakMap<EventStore, Sealing>();
export function useSealing(store: EventStore, sealing: Sealing): void {
  sealings.set(store, sealing);
}
export function sealingOf(store: EventStore): Sealing {
  return sealings.get(store) ?? { witnesses: [], everyMs: DEFAULT_SEAL_EVERY_MS };
}

/**
 * From the environment: JIXIAO_SEAL_KEY / JIXIAO_SEAL_KEY_FILE (see seal-key.ts), JIXIAO_WITNESS
 * (a file; default `seal-witness.jsonl` beside the SQLite store, `off` for none), JIXIAO_SEAL_EVERY
 * (minutes, default 5).
 */
export function sealingFromEnv(o: {
  env: NodeJS.ProcessEnv;
  storeUrl: string;
  production: boolean;
  generate?: boolean;
  log?: (m: string) => void;
}): Sealing & { keyFrom?: string; generated?: boolean } {
  const key = loadSealKey(o);
  const witnessPath = o.env.JIXIAO_WITNESS ?? (o.production ? undefined : besideStore(o.storeUrl, defaultWitnessFile(o.storeUrl)));
  const minutes = o.env.JIXIAO_SEAL_EVERY ? Number(o.env.JIXIAO_SEAL_EVERY) : DEFAULT_SEAL_EVERY_MS / 60_000;
  if (!(minutes > 0)) throw new Error(`JIXIAO_SEAL_EVERY "${o.env.JIXIAO_SEAL_EVERY}" is not a number of minutes`);
  return {
    ...(key ? { signer: key.signer, keyFrom: key.from, generated: key.generated } : {}),
    witnesses: witnessPath && witnessPath !== 'off' ? [new FileWitness(witnessPath)] : [],
    everyMs: minutes * 60_000,
    ...(o.log ? { log: o.log } : {}),
  };
}

/** Beside a SQLite store its own file; PostgreSQL stores share ./data, so one file per database. */
function defaultWitnessFile(storeUrl: string): string {
  if (storeUrl.startsWith('sqlite:')) return DEFAULT_WITNESS_FILE;
  let name = 'store';
  try {
    const u = new URL(storeUrl);
    name = `${u.hostname}-${u.port || 'default'}-${u.pathname.replace(/^\//, '') || 'default'}`;
  } catch {
    // not a URL: one shared name
  }
  return `seal-witness-${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.jsonl`;
}

/** What verification trusts from outside the database: this process's key, and the file witnesses that exist. */
export function verifyOptionsFor(store: EventStore): VerifySealsOptions {
  const sealing = sealingOf(store);
  const files = sealing.witnesses.filter((w): w is FileWitness => w instanceof FileWitness && existsSync(w.path));
  return {
    ...(sealing.signer ? { trustedKeys: [sealing.signer.publicKey] } : {}),
    ...(files.length ? { witness: files.flatMap((f) => readWitnessFile(f.path)) } : {}),
  };
}

/** The latest seal. The seals stream also holds the seal timer's events, so look back past them. */
export async function lastSeal(store: EventStore): Promise<SealRecordedData | null> {
  for (let from: number | undefined; ;) {
    const page = await store.readStream(SEALS_STREAM, { direction: 'backwards', maxCount: 20, ...(from !== undefined ? { fromRevision: from } : {}) });
    const seal = page.find((e) => e.type === SEAL_RECORDED);
    if (seal) return seal.data as SealRecordedData;
    const oldest = page.at(-1);
    if (page.length < 20 || !oldest || oldest.revision === 0) return null;
    from = oldest.revision - 1;
  }
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

interface TimerRound {
  command: Command;
  options?: ExecuteOptions | undefined;
}

/**
 * Makes a seal of the record as it stands: the heads vouched for by the last seal, moved forward
 * by the events recorded since, hashed into a Merkle root; the events since, in order, into a
 * range root; signed, recorded in the seals stream, then handed to every witness.
 * With `round` (the seal timer firing) it also settles that timer and schedules the next, whether
 * or not anything new was recorded.
 */
export async function makeSeal(store: EventStore, actor: Principal, now: string, occasion: string, round?: TimerRound): Promise<SealRecordedData | undefined> {
  return (await sealRound(store, actor, now, occasion, round)).seal;
}

async function sealRound(store: EventStore, actor: Principal, now: string, occasion: string, round?: TimerRound): Promise<{ seal?: SealRecordedData; result?: CommandResult }> {
  const sealing = sealingOf(store);
  for (let attempt = 0; attempt < 5; attempt++) {
    const { last, claimed } = await sealsSoFar(store);
    const tracker = new HeadTracker();
    for (const h of claimed.values()) tracker.heads.set(h.streamId, h);
    tracker.events = last?.events ?? 0;
    const range = new RangeTree();
    let news = false;
    const position = await readHeadsToHead(store, last?.position, (page) => {
      for (const e of page) {
        tracker.apply(e);
        range.add(e);
        // The seals stream's own events (seals, the seal timer) are not news: sealing them alone would never stop.
        if (e.streamId !== SEALS_STREAM) news = true;
      }
    });
    let seal: Omit<SealRecordedData, 'chunks'> | null = null;
    let changed: StreamHeadEntry[] = [];
    if (position !== undefined && (!last || news)) {
      const sealId = `seal-${now.replace(/[^0-9]/g, '').slice(0, 14)}-${position.replace(/[^0-9]/g, '-')}`;
      changed = changedHeads(claimed, tracker.heads);
      const unsigned: Omit<SealRecordedData, 'chunks'> = {
        sealId,
        position,
        sealedAt: now,
        streams: tracker.heads.size,
        events: tracker.events,
        root: merkleRoot(tracker.heads.values()),
        previous: last ? { sealId: last.sealId, root: last.root } : null,
        occasion,
        version: 2,
        range: { after: last?.position ?? null, count: range.count, root: range.root() },
        changed: changedDigest(changed),
      };
      const signer = sealing.signer;
      seal = signer ? { ...unsigned, signature: { alg: 'ed25519', key: signer.publicKey, sig: signer.sign(sealPayload(unsigned, signer.publicKey)) } } : unsigned;
    }
    if (!seal && !round) return last ? { seal: last } : {}; // nothing recorded yet, or nothing new to seal
    const next = round ? { dueAt: new Date(Date.parse(now) + sealing.everyMs).toISOString(), everyMs: sealing.everyMs } : undefined;
    const command: SealCommand = {
      type: 'audit.Seal',
      data: { seal, changed, ...(next ? { next } : {}) },
      meta: round ? { ...round.command.meta, actor, now, reason: occasion } : { commandId: seal!.sealId, actor, now, reason: occasion },
    };
    try {
      const result = await executeCommand(store, sealDecider, SEALS_STREAM, command, round?.options ?? {});
      const recorded = result.events.find((e) => e.type === SEAL_RECORDED)?.data as SealRecordedData | undefined;
      if (recorded && !result.replayed) await witness(sealing, recorded, store.kind);
      return { ...(recorded ? { seal: recorded } : last ? { seal: last } : {}), result };
    } catch (err) {
      if (err instanceof DomainError && err.code === 'seal-raced') continue;
      throw err;
    }
  }
  throw new DomainError('seal-raced', 'other seals kept being recorded; try again');
}

/** Every witness gets the seal; one that fails is logged, not fatal: the seal is recorded, and the next is witnessed. */
async function witness(sealing: Sealing, seal: SealRecordedData, storeKind: string): Promise<void> {
  for (const w of sealing.witnesses) {
    try {
      await w.record(seal, storeKind);
    } catch (err) {
      (sealing.log ?? console.error)(`seal ${seal.sealId} was not written to the witness (${w.name}): ${(err as Error).message}`);
    }
  }
}

/**
 * Seal now unless a seal already covers `unlessSealedAt` (the quarter-seal reactor: publication
 * sealed by whoever published, or by an earlier delivery of the same event).
 */
export async function sealNow(store: EventStore, actor: Principal, now: string, occasion: string, unlessSealedAt?: string): Promise<CommandResult> {
  const last = await lastSeal(store);
  const nothing = async (): Promise<CommandResult> => {
    const [head] = await store.readStream(SEALS_STREAM, { direction: 'backwards', maxCount: 1 });
    return { streamId: SEALS_STREAM, revision: head?.revision ?? -1, events: [] };
  };
  if (unlessSealedAt !== undefined && last && store.comparePositions(last.position, unlessSealedAt) >= 0) return nothing();
  const { result } = await sealRound(store, actor, now, occasion);
  return result ?? nothing();
}

/** The seal timer's command handler: seal if anything new was recorded, and schedule the next round. */
export async function scheduledSeal(store: EventStore, command: Command, options?: ExecuteOptions): Promise<CommandResult> {
  if (command.type !== SCHEDULED_SEAL) throw new Error(`not a scheduled seal: ${command.type}`);
  const every = sealingOf(store).everyMs;
  const { result } = await sealRound(store, command.meta.actor, command.meta.now, `every ${every / 60_000} minute(s)`, { command, options });
  return result!;
}

/**
 * Makes sure a seal timer is pending (at start: the first round, or none if one is pending
 * already). Its command id is per due time, so processes starting together schedule one.
 */
export async function ensureSealTimer(store: EventStore, clock: Clock): Promise<CommandResult> {
  const now = clock.now();
  const everyMs = sealingOf(store).everyMs;
  const dueAt = new Date(now.getTime() + everyMs).toISOString();
  const command: SealCommand = {
    type: 'audit.ScheduleSeals',
    data: { dueAt, everyMs },
    meta: { commandId: `schedule-seals-${dueAt}`, actor: SYSTEM_PRINCIPAL, now: now.toISOString() },
  };
  return executeCommand(store, sealDecider, SEALS_STREAM, command, { clock });
}
