/**
 * The demo's clock for the served application (issue 15). The demo year is recorded in 2023 (and
 * the first days of 2024); served on the real clock, a report left open in the demo would read
 * "已超期 1154天" and every timer of the year would fire at once. So a store holding the demo is
 * served on a clock that stands at the demo's date and moves at the real pace from there: what
 * people do in the demo is recorded in order, a minute later is a minute later.
 *
 * Derived, not stored: it starts at the later of the demo's end (`DemoYearPlayed.simulated.to`)
 * and the latest event recorded on the demo clock (found at the log's tail: demoStandsAt), so a restart never goes back before what was
 * recorded in an earlier run. Only events within a year after the demo's end count: one recorded on
 * the real clock (by a server that ran before this clock existed) would put the demo in today's year.
 *
 * Sessions and sign-in limits keep the real time (credential-store.ts): only the domain's clock is
 * the demo's.
 */
import type { Clock } from '../../engine/clock.js';
import type { EventStore } from '../../engine/event-store/event-store.js';
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

/** How far a commit may trail the clock reading it recorded (commands in flight together commit in any order). */
const COMMIT_SKEW_MS = 60_000;
const TAIL_PAGE = 1000;

/**
 * Where the demo stands on this store: undefined when the store holds no played demo (then the
 * application serves on the real clock).
 *
 * Read from the tail of the log, not the whole of it (a restart of a store of a million events
 * must not read them all). Everything recorded on the demo's clock comes after the demo's own
 * events, each server run starting after what the one before recorded, so the latest such time
 * is among the last ones: the walk goes back from the head, past events on the real clock (beyond
 * the horizon), and stops at the first event recorded on or before the demo's end (the demo's own,
 * or a copy of it: bench replicas) or the first one more than a minute before the latest found (a
 * command that read the clock earlier may commit later, never a minute later).
 */
export async function demoStandsAt(store: EventStore): Promise<Date | undefined> {
  const played = (await store.readStream(DEMO_STREAM)).find((e) => e.type === 'DemoYearPlayed')?.data as DemoYearPlayed['data'] | undefined;
  if (!played) return undefined;
  const end = Date.parse(played.simulated.to);
  const horizon = end + 366 * 86_400_000;
  let latest = end;
  let before: string | undefined;
  walk: for (;;) {
    const page = await store.readAllBackwards({ ...(before === undefined ? {} : { beforePosition: before }), maxCount: TAIL_PAGE });
    for (const e of page) {
      const t = Date.parse(e.metadata.recordedAt);
      if (t >= horizon) continue;
      if (t <= end || t < latest - COMMIT_SKEW_MS) break walk;
      if (t > latest) latest = t;
    }
    if (page.length < TAIL_PAGE) break;
    before = page[page.length - 1]!.position;
  }
  // A second on: what comes next is recorded after everything already there.
  return new Date(latest + 1000);
}

/** The clock to serve a store on: the demo's when it holds the demo, else undefined (the real one). */
export async function demoClockFor(store: EventStore): Promise<DemoClock | undefined> {
  const at = await demoStandsAt(store);
  return at ? new DemoClock(at) : undefined;
}
