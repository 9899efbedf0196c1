import type { EventMetadata } from '../libs/engine/event-store/envelope.js';
import { Prng } from './prng.js';

/** The counts of workload.md; `--quick` divides them by ten. */
export interface Scale {
  /** Streams in W1a, and again in W1b. */
  w1Streams: number;
  /** Events per W1 stream, one append each. */
  w1PerStream: number;
  /** Appends in W2, each creating a stream. */
  w2Appends: number;
  w2Batch: number;
  /** W4 stream loads. */
  w4Loads: number;
  /** W3c: appends the writers keep making after the reader has first reached the end. */
  w3cTailAppends: number;
  w3cBatch: number;
  w3cWriters: number;
}

export const FULL: Scale = {
  w1Streams: 2_000,
  w1PerStream: 10,
  w2Appends: 2_000,
  w2Batch: 100,
  w4Loads: 1_000,
  w3cTailAppends: 2_000,
  w3cBatch: 10,
  w3cWriters: 8,
};

export const QUICK: Scale = { ...FULL, w1Streams: 200, w2Appends: 200, w4Loads: 100, w3cTailAppends: 200 };

export const EVENT_TYPE = 'IndicatorValueRecorded';
export const INDICATORS = Array.from({ length: 20 }, (_, i) => `ind-${String(i + 1).padStart(2, '0')}`);

export interface IndicatorValueRecorded {
  unitId: string;
  indicatorId: string;
  period: string;
  value: number;
  note: string;
}

/** One event as the workload defines it; each implementation takes what it stores from here. */
export interface BenchEvent {
  streamId: string;
  /** 0-based position in its stream (the expected revision of its append is version - 1). */
  version: number;
  id: string;
  type: string;
  data: IndicatorValueRecorded;
  metadata: EventMetadata;
}

const WORDS = [
  'quarterly',
  'target',
  'indicator',
  'county',
  'progress',
  'verified',
  'office',
  'township',
  'report',
  'figure',
  'revised',
  'audit',
  'plan',
  'milestone',
  'budget',
  'household',
  'road',
  'water',
  'school',
  'clinic',
  'survey',
  'sample',
  'submitted',
  'reviewed',
  'approved',
  'pending',
  'adjusted',
  'source',
  'statistics',
  'bureau',
  'village',
  'committee',
  'inspection',
  'record',
  'estimate',
  'baseline',
  'completed',
  'delayed',
  'weather',
  'supply',
  'contract',
  'payment',
  'training',
  'staff',
  'meeting',
];

const BASE_TIME = Date.parse('2026-11-25T01:00:00.000Z');

export function unitId(index: number): string {
  return `unit-${String(index).padStart(5, '0')}`;
}

function note(rng: Prng): string {
  const words = [rng.pick(WORDS)];
  let length = words[0]!.length;
  while (length < 190) {
    const w = rng.pick(WORDS);
    words.push(w);
    length += w.length + 1;
  }
  // join, not +=: a flat string, where += would keep a rope of ~30 pieces per note in memory
  return words.join(' ');
}

/**
 * A stream's events, from the seeded generator. One command per append: a W1 event has its own
 * command id; the events of one W2 append share theirs, as the events of one command do.
 */
export function streamEvents(rng: Prng, index: number, count: number, eventsPerCommand: number, clock: { t: number }): BenchEvent[] {
  const streamId = unitId(index);
  const userId = `user-${String(index % 500).padStart(4, '0')}`;
  const out: BenchEvent[] = [];
  let metadata: EventMetadata | undefined;
  for (let version = 0; version < count; version++) {
    if (version % eventsPerCommand === 0) {
      const commandId = rng.uuid();
      metadata = {
        actor: { userId, role: 'unit-reporter', unitId: streamId },
        commandId,
        correlationId: rng.uuid(),
        causationId: commandId,
        recordedAt: new Date(BASE_TIME + clock.t++ * 1000).toISOString(),
      };
    }
    out.push({
      streamId,
      version,
      id: rng.uuid(),
      type: EVENT_TYPE,
      data: {
        unitId: streamId,
        indicatorId: rng.pick(INDICATORS),
        period: `2023-${String((version % 12) + 1).padStart(2, '0')}`,
        value: Math.round(rng.next() * 10_000_000) / 100,
        note: note(rng),
      },
      metadata: metadata!,
    });
  }
  return out;
}

export interface Workload {
  scale: Scale;
  /** W1a appends in the order they are made: round r gives every stream its (r+1)-th event. */
  w1a: BenchEvent[];
  /** W1b: per client, its appends in order (client c owns streams i % 8 == c, round-robin). */
  w1b: BenchEvent[][];
  /** W2: one array per append, each a new stream. */
  w2: BenchEvent[][];
  /** Stream ids of W1a and W1b, for W4. */
  w1StreamIds: string[];
  /** Stream indices W4 loads, in order. */
  w4Streams: string[];
  /** Index of the next unused stream, for the checks and for W3c's writers. */
  nextStream: number;
}

export const W1B_CLIENTS = 8;

/**
 * `ordered` (the default): time-ordered ids (UUID version 7 layout) in append order, as Jixiao's
 * command executor makes them (libs/engine/ids.ts orderedUuid). `random`: ids with no order, to
 * show what they cost an index (they were Jixiao's until the first benchmark showed it).
 */
export type IdOrder = 'random' | 'ordered';

export function generateWorkload(scale: Scale, seed = 0x5eed_2023, ids: IdOrder = 'ordered'): Workload {
  const rng = new Prng(seed);
  const clock = { t: 0 };
  let next = 0;
  const streams = (n: number, count: number, perCommand: number) => Array.from({ length: n }, () => streamEvents(rng, next++, count, perCommand, clock));

  const a = streams(scale.w1Streams, scale.w1PerStream, 1);
  const b = streams(scale.w1Streams, scale.w1PerStream, 1);
  const w2 = streams(scale.w2Appends, scale.w2Batch, scale.w2Batch);

  const w1a: BenchEvent[] = [];
  for (let r = 0; r < scale.w1PerStream; r++) for (const s of a) w1a.push(s[r]!);
  const w1b: BenchEvent[][] = Array.from({ length: W1B_CLIENTS }, () => []);
  for (let r = 0; r < scale.w1PerStream; r++) b.forEach((s, i) => w1b[i % W1B_CLIENTS]!.push(s[r]!));

  if (ids === 'ordered') {
    const idRng = new Prng(seed ^ 0x0707_0707);
    let ms = BASE_TIME;
    for (const e of w1a) e.id = idRng.uuid7(ms++);
    for (let i = 0; i < w1b[0]!.length; i++) for (const client of w1b) if (client[i]) client[i]!.id = idRng.uuid7(ms++);
    for (const batch of w2) for (const e of batch) e.id = idRng.uuid7(ms++);
  }

  const w1StreamIds = [...a, ...b].map((s) => s[0]!.streamId);
  const pick = new Prng(seed ^ 0x0a0a_0a0a);
  const w4Streams = Array.from({ length: scale.w4Loads }, () => w1StreamIds[pick.int(w1StreamIds.length)]!);
  return { scale, w1a, w1b, w2, w1StreamIds, w4Streams, nextStream: next };
}
