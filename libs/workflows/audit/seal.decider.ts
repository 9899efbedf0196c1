import { DomainError, type Command, type Decider, type DomainEvent } from '../../engine/commands/command.js';
import {
  HEADS_PER_CHUNK,
  SEAL_HEADS_RECORDED,
  SEAL_RECORDED,
  type SealHeadsRecordedData,
  type SealRecordedData,
  type StreamHeadEntry,
} from '../../engine/audit/seals.js';
import { authorize } from '../access/access.js';

export type SealEvent = DomainEvent<typeof SEAL_RECORDED, SealRecordedData> | DomainEvent<typeof SEAL_HEADS_RECORDED, SealHeadsRecordedData>;

/** The handler computes the heads from the record; the decision checks it sealed on top of the latest seal. */
export type SealCommand = Command<
  'audit.Seal',
  { seal: Omit<SealRecordedData, 'chunks'>; changed: StreamHeadEntry[] }
>;

export interface SealState {
  last: SealRecordedData | null;
}

export const sealDecider: Decider<SealCommand, SealEvent, SealState> = {
  initialState: () => ({ last: null }),
  evolve: (s, e) => (e.type === SEAL_RECORDED ? { last: e.data } : s),
  authorize: (c) => authorize(c.meta.actor, 'audit.seal'),
  decide(c, s) {
    const { seal, changed } = c.data;
    if ((s.last?.sealId ?? null) !== (seal.previous?.sealId ?? null)) {
      // Another seal was recorded while this one was computed: compute again on top of it.
      throw new DomainError('seal-raced', `seal ${seal.sealId} was computed on ${seal.previous?.sealId ?? 'no seal'} but the latest is ${s.last?.sealId}`);
    }
    const chunks: SealEvent[] = [];
    for (let i = 0; i < changed.length; i += HEADS_PER_CHUNK) {
      chunks.push({ type: SEAL_HEADS_RECORDED, data: { sealId: seal.sealId, chunk: chunks.length, heads: changed.slice(i, i + HEADS_PER_CHUNK) } });
    }
    return [...chunks, { type: SEAL_RECORDED, data: { ...seal, chunks: chunks.length } }];
  },
};
