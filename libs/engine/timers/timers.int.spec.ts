import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { ManualClock } from '../clock.js';
import { ForbiddenError, PreconditionFailedError, type Command, type Principal } from '../commands/command.js';
import { executeCommand } from '../commands/command-executor.js';
import { CommandRouter } from '../commands/command-router.js';
import type { EventStore } from '../event-store/event-store.js';
import { openEventStore } from '../event-store/open-event-store.js';
import { testMetadata } from '../testing/fixtures.js';
import { ProjectionRunner } from '../projections/projection-runner.js';
import { openReadModelStore, type ReadModelStore } from '../projections/read-model-store.js';
import { alarmDecider, type AlarmCommand } from '../testing/alarm.decider.js';
import { createPostgresDatabase, createSqliteDirectory } from '../testing/databases.js';
import { BullmqTimerScheduler, InProcessTimerScheduler } from './timer-scheduler.js';
import { TIMER_FIRED, TIMER_SCHEDULED } from './timer-events.js';
import { timersProjection } from './timers.projection.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const office: Principal = { userId: 'u-office', name: '推进办', roles: ['office'] };

describe.each([
  {
    name: 'SQLite',
    create: async () => {
      const d = createSqliteDirectory('timers');
      return { url: d.url(), drop: async () => d.drop() };
    },
  },
  {
    name: 'PostgreSQL',
    create: async () => {
      const d = await createPostgresDatabase('timers');
      return { url: d.url, drop: () => d.drop() };
    },
  },
])('commands and durable timers on $name', ({ create }) => {
  let store: EventStore;
  let readModels: ReadModelStore;
  let drop: () => Promise<void>;
  let clock: ManualClock;
  let runner: ProjectionRunner;
  let router: CommandRouter;

  beforeEach(async () => {
    const db = await create();
    drop = db.drop;
    store = await openEventStore(db.url);
    readModels = await openReadModelStore(db.url);
    clock = new ManualClock('2023-07-01T00:00:00Z');
    runner = new ProjectionRunner(store, readModels, [timersProjection], { pollIntervalMs: 20 });
    await runner.start();
    router = new CommandRouter();
    router.register(['alarm.Set', 'alarm.Cancel', 'alarm.Ring'], (c, o) => executeCommand(store, alarmDecider, `alarm-${(c as AlarmCommand).data.alarmId}`, c as AlarmCommand, o));
  });
  afterEach(async () => {
    await runner.stop();
    await store.close();
    await readModels.close();
    await drop();
  });

  const cmd = <T extends AlarmCommand['type']>(type: T, data: Extract<AlarmCommand, { type: T }>['data'], extra: Partial<Command['meta']> = {}) =>
    ({ type, data, meta: { commandId: randomUUID(), actor: office, now: clock.now().toISOString(), ...extra } }) as AlarmCommand;
  const types = async (alarmId: string) => (await store.readStream(`alarm-${alarmId}`)).map((e) => e.type);

  describe('executing a command', () => {
    it('records the audit envelope: actor, acting role, command id, reason, recorded time', async () => {
      const c = cmd('alarm.Set', { alarmId: 'a', at: '2023-07-02T00:00:00Z' }, { reason: 'test', onBehalfOf: 'unit-1' });
      const r = await router.execute(c);
      expect(r.revision).toBe(1);
      const [e] = await store.readStream('alarm-a');
      expect(e!.metadata).toEqual({
        actor: { userId: 'u-office', role: 'office', name: '推进办' },
        onBehalfOf: 'unit-1',
        commandId: c.meta.commandId,
        // The digest of type, target and content that binds the Idempotency-Key (a retry must match it).
        commandDigest: expect.stringMatching(/^[0-9a-f]{64}$/),
        correlationId: c.meta.commandId,
        causationId: c.meta.commandId,
        recordedAt: '2023-07-01T00:00:00.000Z',
        reason: 'test',
      });
    });

    it('a retry with the same command id is answered with the first result, not repeated', async () => {
      const c = cmd('alarm.Set', { alarmId: 'b', at: '2023-07-02T00:00:00Z' });
      const first = await router.execute(c);
      const again = await router.execute({ ...c, meta: { ...c.meta, now: '2023-07-05T00:00:00Z' } });
      expect(again).toMatchObject({ revision: first.revision, position: first.position, replayed: true });
      expect(await types('b')).toEqual(['AlarmSet', TIMER_SCHEDULED]);
    });

    it('a stale If-Match revision is refused (412) and writes nothing', async () => {
      await router.execute(cmd('alarm.Set', { alarmId: 'c', at: '2023-07-02T00:00:00Z' }));
      await expect(router.execute(cmd('alarm.Cancel', { alarmId: 'c' }), { expectedRevision: 0 })).rejects.toBeInstanceOf(PreconditionFailedError);
      expect(await types('c')).toHaveLength(2);
      await router.execute(cmd('alarm.Cancel', { alarmId: 'c' }), { expectedRevision: 1 });
      expect(await types('c')).toHaveLength(3);
    });

    it('a denied command writes nothing', async () => {
      const c = cmd('alarm.Set', { alarmId: 'd', at: '2023-07-02T00:00:00Z' }, { actor: { userId: 'x', roles: ['reporter'] } });
      await expect(router.execute(c)).rejects.toBeInstanceOf(ForbiddenError);
      expect(await types('d')).toEqual([]);
    });

    it('concurrent commands without If-Match are each decided on the latest state', async () => {
      await router.execute(cmd('alarm.Set', { alarmId: 'e', at: '2023-07-02T00:00:00Z' }));
      const ring = (i: number) =>
        ({
          ...cmd('alarm.Ring', { alarmId: 'e' }),
          meta: { commandId: `ring-${i}`, actor: { userId: 'system', roles: ['system'] }, now: clock.now().toISOString() },
        }) as AlarmCommand;
      await Promise.all([1, 2, 3, 4].map((i) => router.execute(ring(i))));
      expect((await types('e')).filter((t) => t === 'AlarmRang')).toHaveLength(4);
    });
  });

  describe('recorded time', () => {
    const recordedAts = async (stream: string) => (await store.readStream(stream)).map((e) => e.metadata.recordedAt);
    const nondecreasing = (times: string[]) => times.every((t, i) => i === 0 || Date.parse(t) >= Date.parse(times[i - 1]!));
    const note = (stream: string) => store.appendToStream(stream, [{ type: 'AlarmNoted', data: {}, metadata: testMetadata({ recordedAt: clock.now().toISOString() }) }]);

    it('a command stamped before its stream’s last event is stamped again at append, with the clock, not refused', async () => {
      await router.execute(cmd('alarm.Set', { alarmId: 's', at: '2023-07-02T00:00:00Z' }));
      const stale = cmd('alarm.Cancel', { alarmId: 's' }); // read the clock at 00:00:00 …
      clock.advance(3000);
      await note('alarm-s'); // … another writer recorded at 00:00:03 meanwhile …
      clock.advance(2000); // … and the command's append happens at 00:00:05
      await router.execute(stale, { clock });
      const times = await recordedAts('alarm-s');
      expect(times.at(-1)).toBe('2023-07-01T00:00:05.000Z');
      expect(nondecreasing(times)).toBe(true);
    });

    it('without a clock to read, it is stamped at the stream’s last recorded time (the earliest true one)', async () => {
      await router.execute(cmd('alarm.Set', { alarmId: 't', at: '2023-07-02T00:00:00Z' }));
      const stale = cmd('alarm.Cancel', { alarmId: 't' });
      clock.advance(3000);
      await note('alarm-t');
      await router.execute(stale);
      expect((await recordedAts('alarm-t')).at(-1)).toBe('2023-07-01T00:00:03.000Z');
    });

    it('each timer of a round is stamped with the clock when its own command runs, never before the event before it', async () => {
      await router.execute(cmd('alarm.Set', { alarmId: 'r1', at: '2023-07-01T01:00:00Z' }));
      const set = await router.execute(cmd('alarm.Set', { alarmId: 'r2', at: '2023-07-01T01:00:00Z' }));
      await runner.waitFor(set.position!);
      // Delivering r1 takes 4.2 s, during which someone records an event in r2's stream.
      const slow = new CommandRouter();
      slow.register(['alarm.Ring'], async (c, o) => {
        const r = await router.execute(c, o);
        if ((c as AlarmCommand).data.alarmId === 'r1') {
          clock.advance(4200);
          await note('alarm-r2');
        }
        return r;
      });
      clock.set('2023-07-01T01:00:00Z');
      const scheduler = new InProcessTimerScheduler(slow, runner, clock, { tickMs: 60_000 });
      expect(await scheduler.deliverDue()).toBe(2);
      const times = await recordedAts('alarm-r2');
      expect(times.at(-1)).toBe('2023-07-01T01:00:04.200Z');
      expect(nondecreasing(times)).toBe(true);
      expect((await store.readStream('alarm-r2')).map((e) => e.type)).toEqual(['AlarmSet', TIMER_SCHEDULED, 'AlarmNoted', 'AlarmRang', TIMER_FIRED]);
    });
  });

  describe('in-process timers (no Redis)', () => {
    it('fire when the clock reaches them, once, with the timer’s command id and the system as actor', async () => {
      const scheduler = new InProcessTimerScheduler(router, runner, clock, { tickMs: 60_000 });
      const set = await router.execute(cmd('alarm.Set', { alarmId: 'f', at: '2023-07-01T08:00:00Z' }));
      await runner.waitFor(set.position!);
      expect(await scheduler.deliverDue()).toBe(0);
      clock.set('2023-07-01T08:00:00Z');
      expect(await scheduler.deliverDue()).toBe(1);
      expect(await scheduler.deliverDue()).toBe(0);
      const events = await store.readStream('alarm-f');
      expect(events.map((e) => e.type)).toEqual(['AlarmSet', TIMER_SCHEDULED, 'AlarmRang', TIMER_FIRED]);
      expect(events[2]!.metadata).toMatchObject({ actor: { userId: 'system', role: 'system' }, commandId: 'timer-alarm-f', causationId: events[1]!.id });
      expect(events[2]!.data).toEqual({ alarmId: 'f', at: '2023-07-01T08:00:00.000Z' });
    });

    it('a cancelled timer never fires', async () => {
      const scheduler = new InProcessTimerScheduler(router, runner, clock, { tickMs: 60_000 });
      await router.execute(cmd('alarm.Set', { alarmId: 'g', at: '2023-07-01T08:00:00Z' }));
      const cancel = await router.execute(cmd('alarm.Cancel', { alarmId: 'g' }));
      await runner.waitFor(cancel.position!);
      clock.set('2023-07-02T00:00:00Z');
      expect(await scheduler.deliverDue()).toBe(0);
      expect(await types('g')).toEqual(['AlarmSet', TIMER_SCHEDULED, 'TimerCancelled']);
    });
  });

  describe('BullMQ timers against the real Redis', () => {
    let redis: Redis;
    const db = 7 + Math.floor(Math.random() * 8); // a Redis database of this test's own, flushed freely
    beforeEach(async () => {
      redis = new Redis(REDIS_URL, { db, maxRetriesPerRequest: null });
      await redis.flushdb();
    });
    afterEach(async () => {
      await redis.flushdb();
      redis.disconnect();
    });
    const connection = () => ({ url: REDIS_URL, db, maxRetriesPerRequest: null });

    it('a Redis flush followed by reconciliation loses no timer and fires none twice', async () => {
      const ids = Array.from({ length: 12 }, (_, i) => `h${i}`);
      let last = '';
      for (const id of ids) last = (await router.execute(cmd('alarm.Set', { alarmId: id, at: '2023-07-01T06:00:00Z' }))).position!;
      await runner.waitFor(last);

      // Jobs are queued (delayed: not due yet), then Redis loses everything.
      const enqueueOnly = new BullmqTimerScheduler(router, runner, clock, connection(), { process: false, queueName: 'timers-test' });
      expect(await enqueueOnly.reconcile()).toEqual({ added: 12, promoted: 0 });
      expect(await enqueueOnly.queue.getDelayedCount()).toBe(12);
      await enqueueOnly.queue.close();
      await redis.flushdb();

      clock.set('2023-07-01T06:00:00Z');
      const scheduler = new BullmqTimerScheduler(router, runner, clock, connection(), { queueName: 'timers-test', reconcileMs: 50 });
      await scheduler.start();
      try {
        for (const id of ids) await waitUntil(async () => (await types(id)).includes(TIMER_FIRED));
        // Deliver them all again, as a Redis replay or a second reconcile race would.
        for (const id of ids) {
          await scheduler.queue.add(
            'fire',
            (await runner.reader('timers').get('pending', `alarm-${id}`)) ?? {
              timerId: `alarm-${id}`,
              command: { type: 'alarm.Ring', data: { alarmId: id } },
              dueAt: '2023-07-01T06:00:00Z',
              scheduledBy: randomUUID(),
              correlationId: 'x',
              streamId: `alarm-${id}`,
              purpose: 'ring',
            },
            { jobId: `again-${id}` },
          );
        }
        await waitUntil(async () => (await scheduler.queue.getCompletedCount()) >= 24);
        for (const id of ids) {
          const t = await types(id);
          expect(t.filter((x) => x === 'AlarmRang')).toHaveLength(1);
          expect(t.filter((x) => x === TIMER_FIRED)).toHaveLength(1);
        }
      } finally {
        await scheduler.stop();
      }
    });
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
