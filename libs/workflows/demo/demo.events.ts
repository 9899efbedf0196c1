import type { DomainEvent } from '../../engine/commands/command.js';

/**
 * The demo marks itself in the record: the store says, in events anyone can read and the API
 * serves (GET /demo), that its figures are synthetic, so the UI can say so on every page and an
 * auditor is never misled. Every demo command also carries the label in its reason and a
 * correlation id starting with `demo-`.
 *
 * Stream: `demo` (one per store: the demo plays once, on a store with no real data).
 */
export const DEMO_STREAM = 'demo';
/** Every reason the demo gives ends with this. */
export const DEMO_LABEL = '演示数据 / synthetic demo data';
export const DEMO_CORRELATION_PREFIX = 'demo-';

export interface DemoYearRef {
  planId: string;
  /** The plan year played. */
  year: number;
  seed: number;
  /** Months of reports and figures played (12: the whole year, with its year-end review). */
  months: number;
}

export type DemoYearStarted = DomainEvent<'DemoYearStarted', DemoYearRef & { synthetic: true; startedAt: string }>;
export type DemoYearPlayed = DomainEvent<
  'DemoYearPlayed',
  DemoYearRef & {
    synthetic: true;
    playedAt: string;
    /** The simulated time the demo's events are recorded at (transaction time of the synthetic year). */
    simulated: { from: string; to: string };
    /** Events the demo recorded, by type. */
    counts: Record<string, number>;
    commands: number;
    durationMs: number;
  }
>;

export type DemoEvent = DemoYearStarted | DemoYearPlayed;

/** `synthetic demo data` in a reason: what the demo adds to every command it sends. */
export const demoReason = (what?: string) => (what ? `${what}（${DEMO_LABEL}）` : DEMO_LABEL);
