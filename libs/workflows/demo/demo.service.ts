import { Injectable } from '@nestjs/common';
import { Engine } from '../../engine/nest/engine.js';
import { knownAt, type AsOf } from '../../engine/projections/as-of.js';
import { localDate } from '../supervision/supervision.deadlines.js';
import { evolveDemo, type DemoState } from './demo.decider.js';
import { DEMO_LABEL, DEMO_STREAM, type DemoEvent, type DemoYearPlayed, type DemoYearStarted } from './demo.events.js';

/** What the UI shows in its banner: the store's figures are synthetic. */
export interface DemoStatus {
  synthetic: true;
  label: string;
  status: 'started' | 'played';
  planId: string;
  year: number;
  seed: number;
  months: number;
  startedAt: string;
  playedAt: string | null;
  simulated: DemoYearPlayed['data']['simulated'] | null;
  counts: Record<string, number> | null;
  /**
   * The date the application's domain clock stands at (the demo's clock when served on one: see
   * demo-clock.ts): `now` as an instant, `date` as the plan's local date, for the banner.
   */
  clock: { now: string; date: string };
}

/** The county's zone: the demo's plans are all Ye County's (Asia/Shanghai). */
const PLAN_TIME_ZONE = 'Asia/Shanghai';

/** The status the API serves. Read from the stream itself: it is two events long. */
@Injectable()
export class DemoService {
  constructor(private readonly engine: Engine) {}

  /** undefined when no demo was played on this store (or none was known at asOf). */
  async status(asOf?: AsOf): Promise<DemoStatus | undefined> {
    const store = this.engine.store;
    const events = (await store.readStream(DEMO_STREAM)).filter(knownAt(store, asOf));
    const state = events.reduce<DemoState>((s, e) => evolveDemo(s, { type: e.type, data: e.data } as DemoEvent), { status: 'none' });
    if (state.status === 'none') return undefined;
    const started = events.find((e) => e.type === 'DemoYearStarted')!.data as DemoYearStarted['data'];
    const now = this.engine.clock.now();
    const played = events.find((e) => e.type === 'DemoYearPlayed')?.data as DemoYearPlayed['data'] | undefined;
    return {
      synthetic: true,
      label: DEMO_LABEL,
      status: state.status,
      planId: started.planId,
      year: started.year,
      seed: started.seed,
      months: started.months,
      startedAt: started.startedAt,
      playedAt: played?.playedAt ?? null,
      simulated: played?.simulated ?? null,
      counts: played?.counts ?? null,
      clock: { now: now.toISOString(), date: localDate(now.toISOString(), PLAN_TIME_ZONE) },
    };
  }
}
