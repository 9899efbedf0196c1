import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SealRecordedData } from './seals.js';

/**
 * A witness keeps a copy of every seal outside the database. Whoever rewrites the database can
 * delete its newest events and the seals that covered them, or its seals stream entire; they cannot
 * reach the witness's copies, and `audit verify --witness` names what the record no longer holds.
 * The default is an append-only file (JIXIAO_WITNESS); any further witness (a WORM bucket, a
 * transparency log, a mail to the audit bureau) implements `record`.
 */
export interface SealWitness {
  readonly name: string;
  record(seal: SealRecordedData, storeKind: string): Promise<void>;
}

/** One JSON line per seal, opened for appending only and synced before `record` returns. */
export class FileWitness implements SealWitness {
  constructor(readonly path: string) {}
  get name(): string {
    return `file ${this.path}`;
  }
  async record(seal: SealRecordedData, storeKind: string): Promise<void> {
    mkdirSync(dirname(this.path), { recursive: true });
    const fd = openSync(this.path, 'a', 0o600);
    try {
      writeSync(fd, `${JSON.stringify({ store: storeKind, ...seal })}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

/** The seals a witness file holds, by seal id (the last copy of one id wins; copies are identical). */
export function readWitnessFile(path: string): SealRecordedData[] {
  if (!existsSync(path)) throw new Error(`no witness file at ${path}`);
  const byId = new Map<string, SealRecordedData>();
  for (const [i, line] of readFileSync(path, 'utf8').split('\n').entries()) {
    if (!line.trim()) continue;
    let seal: SealRecordedData;
    try {
      seal = JSON.parse(line) as SealRecordedData;
    } catch {
      throw new Error(`${path}:${i + 1} is not a JSON line: the witness file was damaged`);
    }
    byId.set(seal.sealId, seal);
  }
  return [...byId.values()];
}
