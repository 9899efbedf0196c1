/**
 * A seeded generator, so every implementation receives byte-identical events. mulberry32: 32 bits
 * of state, passes the statistical tests that matter for test data, a handful of instructions.
 */
export class Prng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A uniform 32-bit unsigned integer. */
  uint32(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** A lower-case version-4-shaped UUID (the store checks the textual form only). */
  uuid(): string {
    const a = this.uint32();
    const b = this.uint32();
    const c = this.uint32();
    const d = this.uint32();
    // join, not +: one flat string rather than a rope of ten pieces, for 300,000 ids held in memory
    return [
      HEX16[a >>> 16],
      HEX16[a & 0xffff],
      '-',
      HEX16[b >>> 16],
      '-',
      HEX16[((b & 0x0fff) | 0x4000) >>> 0], // version 4
      '-',
      HEX16[((c >>> 16) & 0x3fff) | 0x8000], // variant 10xx
      '-',
      HEX16[c & 0xffff],
      HEX16[d >>> 16],
      HEX16[d & 0xffff],
    ].join('');
  }

  /**
   * A UUID with version 7's layout: 48 bits of milliseconds, then random bits, so ids made one
   * after another sort one after another (and land at the right-hand end of an index).
   */
  uuid7(ms: number): string {
    const hi = Math.floor(ms / 2 ** 32);
    const lo = ms >>> 0;
    const b = this.uint32();
    const c = this.uint32();
    const d = this.uint32();
    return [
      HEX16[(hi >>> 0) & 0xffff],
      HEX16[lo >>> 16],
      '-',
      HEX16[lo & 0xffff],
      '-',
      HEX16[((b & 0x0fff) | 0x7000) >>> 0], // version 7
      '-',
      HEX16[((c >>> 16) & 0x3fff) | 0x8000],
      '-',
      HEX16[c & 0xffff],
      HEX16[d >>> 16],
      HEX16[d & 0xffff],
    ].join('');
  }
}

const HEX16 = Array.from({ length: 65536 }, (_, i) => i.toString(16).padStart(4, '0'));
