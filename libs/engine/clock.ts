/**
 * Time is injected: deciders never read it, handlers take it from here and put it in the command,
 * and tests and the demo year move it by hand.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  #now: number;
  readonly #listeners = new Set<(now: Date) => void>();
  constructor(start: Date | string = '2023-01-01T00:00:00+08:00') {
    this.#now = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.#now);
  }
  set(to: Date | string): void {
    const t = new Date(to).getTime();
    if (Number.isNaN(t)) throw new Error(`not a time: ${String(to)}`);
    this.#now = t;
    for (const l of this.#listeners) l(this.now());
  }
  advance(ms: number): void {
    this.set(new Date(this.#now + ms));
  }
  /** Timers use this to fire promptly when a test or the demo moves time. */
  onChange(listener: (now: Date) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

export function isManualClock(clock: Clock): clock is ManualClock {
  return clock instanceof ManualClock;
}
