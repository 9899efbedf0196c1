/**
 * The demo's clock for the served application (issue 15). The demo year is recorded in 2023 (and
 * the first days of 2024); served on the real clock, a report left open in the demo would read
 * "已超期 1154天" and every timer of the year would fire at once. So a store holding the demo is
 * served on a clock that stands at the demo's date and moves at the real pace from there: what
 * people do in the demo is recorded in order, a minute later is a minute later.
 *
 * Derived, not stored: it starts at the later of the demo's end (`DemoYearPlayed.simulated.to`)
 * and the latest event recorded on the demo clock, so a restart never goes back before what was
 * recorded in an earlier run. Only events within a year after the demo's end count: one recorded on
 * the real clock (by a server that ran before this clock existed) would put the demo in today's year.
 *
 * Sessions and sign-in limits keep the real time (credential-store.ts): only the domain's clock is
 * the demo's.
 */
import type { Clock } from '../../engine/clock.js';
import { readRecordedToHead, type EventStore } from '../../engine/event-store/event-store.js';
import { DEMO_STREAM, type DemoYearPlayed } from './demo.events.js';

/** A clock that stood at `standsAt` when the server started, and moves at the real pace since. */
export class DemoClock implements Clock {
  readonly #startedReal: number;
  constructor(
    readonly standsAt: Date,
    readonly real: () => number = Date.now,
  ) {
    this.#startedReal = real();
  }
  now(): Date {
    return new Date(this.standsAt.getTime() + Math.max(0, this.real() - this.#startedReal));
  }
}

/** True for the demo's served clock. */
export function isDemoClock(clock: Clock): clock is DemoClock {
  return clock instanceof DemoClock;
}

/**
 * Where the demo stands on this store: undefined when the store holds no played demo (then the
 * application serves on the real clock).
 */
export async function demoStandsAt(store: EventStore): Promise<Date | undefined> {
  const played = (await store.readStream(DEMO_STREAM)).find((e) => e.type === 'DemoYearPlayed')?.data as DemoYearPlayed['data'] | undefined;
  if (!played) return undefined;
  let latest = Date.parse(played.simulated.to);
  const horizon = latest + 366 * 86_400_000;
  await readRecordedToHead(store, undefined, (page) => {
    for (const e of page) {
      const t = Date.parse(e.metadata.recordedAt);
      if (t > latest && t < horizon) latest = t;
    }
  });
  // A second on: what comes next is recorded after everything already there.
  return new Date(latest + 1000);
}

/** The clock to serve a store on: the demo's when it holds the demo, else undefined (the real one). */
export async function demoClockFor(store: EventStore): Promise<DemoClock | undefined> {
  const at = await demoStandsAt(store);
  return at ? new DemoClock(at) : undefined;
}
