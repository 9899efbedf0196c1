import { hash } from 'node:crypto';

/**
 * Tamper evidence: every event's hash covers the previous event's hash in its stream and exactly
 * the bytes stored for it. It is computed here, above the adapters, so SQLite, PostgreSQL and
 * EventStoreDB all carry the same chain, and it needs no global lock: a chain is per stream, and
 * the expected-revision check that every append already does keeps each chain linear.
 *
 * The fields are joined by newlines. None of them can contain a raw newline: stream ids and types
 * are validated, and `data` / `metadata` are JSON text as produced by JSON.stringify, which never
 * emits one (newlines inside strings are escaped), so the encoding is unambiguous.
 */
export const GENESIS_HASH = '';

export interface ChainedFields {
  streamId: string;
  revision: number;
  id: string;
  type: string;
  data: string;
  metadata: string;
}

export function chainHash(previousHash: string, e: ChainedFields): string {
  return hash('sha256', `${previousHash}\n${e.streamId}\n${e.revision}\n${e.id}\n${e.type}\n${e.data}\n${e.metadata}`, 'hex');
}
