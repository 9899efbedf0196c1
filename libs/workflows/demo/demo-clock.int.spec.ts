import { randomUUID } from 'node:crypto';
import type { EventStore, NewEvent } from '../../engine/event-store/event-store.js';
import { openEventStore } from '../../engine/event-store/open-event-store.js';
import { createPostgresDatabase, createSqliteDirectory } from '../../engine/testing/databases.js';
import { testMetadata } from '../../engine/testing/fixtures.js';
import { demoStandsAt } from './demo-clock.js';
import { holdsOnlyPlans, surveyStore } from './demo-store.js';
import { DEMO_STREAM } from './demo.events.js';

const END = Date.parse('2024-01-05T16:00:00.000Z');
const at = (ms: number) => new Date(ms).toISOString();
const HOUR = 3_600_000;

function event(type: string, recordedAt: number, data: Record<string, unknown> = {}, correlationId: string = randomUUID()): NewEvent {
  return { type, data, metadata: testMetadata({ recordedAt: at(recordedAt), correlationId }) };
}

/** The demo's own events (on its dates), ending with DemoYearPlayed at the demo's end. */
async function playedDemo(store: EventStore, events = 10): Promise<void> {
  for (let i = 0; i < events; i++) await store.appendToStream(`report-demo-${i}`, [event('ReportSubmitted', END - (events - i) * HOUR, {}, `demo-${i}`)]);
  const played = {
    planId: 'ye-county-2023',
    year: 2023,
    seed: 1,
    months: 12,
    synthetic: true,
    playedAt: at(END),
    simulated: { from: '2023-01-01T00:00:00.000Z', to: at(END) },
    counts: {},
    commands: events,
  };
  await store.appendToStream(DEMO_STREAM, [event('DemoYearPlayed', END, played, 'demo-played')]);
}

/** Copies of the demo on its own dates after it (the bench's replicas), one append of `n` events a stream. */
async function replicas(store: EventStore, streams: number, n: number): Promise<void> {
  for (let s = 0; s < streams; s++) {
    await store.appendToStream(
      `report-r${s}`,
      Array.from({ length: n }, (_, i) => event('ReportSubmitted', END - HOUR + i, {}, `demo-r${s}`)),
    );
  }
}

/** Counts the events read backwards (the walk must stay at the tail). */
function counted(store: EventStore): { read: () => number } {
  let read = 0;
  const original = store.readAllBackwards.bind(store);
  store.readAllBackwards = async (options) => {
    const page = await original(options);
    read += page.length;
    return page;
  };
  return { read: () => read };
}

describe.each([
  {
    name: 'SQLite',
    create: async () => {
      const d = createSqliteDirectory('demo-clock');
      return { url: d.url(), drop: async () => d.drop() };
    },
  },
  {
    name: 'PostgreSQL',
    create: async () => {
      const d = await createPostgresDatabase('demo_clock');
      return { url: d.url, drop: d.drop };
    },
  },
])('where the demo stands, from the tail of the log ($name)', ({ create }) => {
  let store: EventStore;
  let drop: () => Promise<void>;
  beforeEach(async () => {
    const db = await create();
    drop = db.drop;
    store = await openEventStore(db.url);
  });
  afterEach(async () => {
    await store.close();
    await drop();
  });

  it('is undefined without a played demo', async () => {
    await store.appendToStream('plan-x', [event('PlanPublished', END)]);
    expect(await demoStandsAt(store)).toBeUndefined();
  });

  it('stands a second after the demo’s end on the played store, reading one event of its replicas, not all of them', async () => {
    await playedDemo(store);
    await replicas(store, 3, 1500);
    const reads = counted(store);
    expect((await demoStandsAt(store))!.toISOString()).toBe(at(END + 1000));
    expect(reads.read()).toBeLessThanOrEqual(1000);
  });

  it('stands after the latest time recorded on its clock by earlier runs, past later events on the real clock and commits out of order', async () => {
    await playedDemo(store);
    await replicas(store, 2, 1500);
    // Two served runs on the demo's clock; in the second, a command that read the clock later committed first.
    await store.appendToStream('report-a', [event('ReportSubmitted', END + HOUR)]);
    await store.appendToStream('report-b', [event('ReportSubmitted', END + 2 * HOUR)]);
    await store.appendToStream('report-c', [event('ReportSubmitted', END + 2 * HOUR + 30_000)]);
    await store.appendToStream('report-d', [event('ReportSubmitted', END + 2 * HOUR + 10_000)]);
    // A server on the real clock (production) afterwards: beyond the demo's horizon, not counted.
    for (let i = 0; i < 5; i++) await store.appendToStream(`report-real-${i}`, [event('ReportSubmitted', Date.parse('2026-12-04T10:00:00.000Z') + i)]);
    const reads = counted(store);
    expect((await demoStandsAt(store))!.toISOString()).toBe(at(END + 2 * HOUR + 30_000 + 1000));
    expect(reads.read()).toBeLessThanOrEqual(1000);
  });

  it('the survey for a first start reads up to the first event that is not a published plan', async () => {
    await store.appendToStream('plan-ye-county-2023', [event('PlanPublished', END)]);
    expect(holdsOnlyPlans(await surveyStore(store, (s) => !holdsOnlyPlans(s)))).toBe(true);
    await playedDemo(store, 3);
    await replicas(store, 2, 1500);
    const survey = await surveyStore(store, (s) => !holdsOnlyPlans(s));
    expect(holdsOnlyPlans(survey)).toBe(false);
    expect(survey).toMatchObject({ planPublications: 1, demo: 1 });
    // Without the stop, the whole demo and its copies are surveyed (the demo's refusals name them).
    expect(await surveyStore(store)).toMatchObject({ planPublications: 1, demo: 3 + 1 + 3000 });
  });
});
