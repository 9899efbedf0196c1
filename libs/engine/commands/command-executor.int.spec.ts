import { randomUUID } from 'node:crypto';
import { openEventStore } from '../event-store/open-event-store.js';
import { alarmDecider, type AlarmCommand } from '../testing/alarm.decider.js';
import { createPostgresDatabase, createSqliteDirectory } from '../testing/databases.js';
import { testEvent } from '../testing/fixtures.js';
import type { Principal } from './command.js';
import { decideOnFacts, executeCommand } from './command-executor.js';

const office: Principal = { userId: 'u-office', roles: ['office'] };
const system: Principal = { userId: 'system', roles: ['system'] };
const cmd = (type: AlarmCommand['type'], actor: Principal, now: string): AlarmCommand =>
  ({ type, data: { alarmId: 'a1', at: '2026-01-02T00:00:00.000Z' }, meta: { commandId: randomUUID(), actor, now } }) as AlarmCommand;

describe('command executor: a stream’s events kept between commands', () => {
  it('decides on events another process appended since the last command, and answers a retry from the kept history', async () => {
    const dir = createSqliteDirectory('executor');
    const store = await openEventStore(dir.url());
    const other = await openEventStore(dir.url()); // another process on the same file
    try {
      const set = cmd('alarm.Set', office, '2026-01-01T00:00:00.000Z');
      const first = await executeCommand(store, alarmDecider, 'alarm-a1', set);
      expect(first.revision).toBe(1);
      // Rung twice through the other store: the next command must see both, not the kept two events alone.
      for (const at of ['2026-01-01T01:00:00.000Z', '2026-01-01T02:00:00.000Z']) await executeCommand(other, alarmDecider, 'alarm-a1', cmd('alarm.Ring', system, at));
      const again = await executeCommand(store, alarmDecider, 'alarm-a1', cmd('alarm.Ring', system, '2026-01-01T03:00:00.000Z'));
      expect(again.revision).toBe(4);
      expect((await store.readStream('alarm-a1')).filter((e) => e.type === 'AlarmRang')).toHaveLength(3);
      // The first command again (a retry): answered with its first result, nothing written.
      const retry = await executeCommand(store, alarmDecider, 'alarm-a1', set);
      expect(retry).toMatchObject({ replayed: true, revision: 1 });
      expect(await store.revision('alarm-a1')).toBe(4);
    } finally {
      await other.close();
      await store.close();
      dir.drop();
    }
  });
});

describe('command executor: a stream’s state kept between commands', () => {
  it('folds each event once, takes up another process’s events, and refuses a decider that changes the state', async () => {
    const dir = createSqliteDirectory('executor-state');
    const store = await openEventStore(dir.url());
    const other = await openEventStore(dir.url());
    try {
      const folded: string[] = [];
      let rang = -1;
      const counting: typeof alarmDecider = {
        ...alarmDecider,
        evolve: (s, e) => (folded.push(e.type), alarmDecider.evolve(s, e)),
        decide: (c, s) => ((rang = s.rang), alarmDecider.decide(c, s)),
      };
      await executeCommand(store, counting, 'alarm-s1', cmd('alarm.Set', office, '2026-01-01T00:00:00.000Z'));
      expect(folded).toEqual([]); // an empty stream: nothing to fold
      await executeCommand(store, counting, 'alarm-s1', cmd('alarm.Ring', system, '2026-01-01T01:00:00.000Z'));
      expect(folded).toEqual(['AlarmSet', 'TimerScheduled']);
      folded.length = 0;
      await executeCommand(store, counting, 'alarm-s1', cmd('alarm.Ring', system, '2026-01-01T02:00:00.000Z'));
      expect(folded).toEqual(['AlarmRang']); // the previous command's state taken up with its own event: not the whole history again
      await executeCommand(other, alarmDecider, 'alarm-s1', cmd('alarm.Ring', system, '2026-01-01T03:00:00.000Z'));
      folded.length = 0;
      await executeCommand(store, counting, 'alarm-s1', cmd('alarm.Ring', system, '2026-01-01T04:00:00.000Z'));
      expect(folded).toEqual(['AlarmRang', 'AlarmRang']); // the previous command's ring and the other process's, read and folded onto the kept state
      expect(rang).toBe(3);
      // The kept state is shared by the next command: changing it throws instead of changing that one's decision.
      const changing: typeof alarmDecider = { ...alarmDecider, decide: (c, s) => ((s.rang = 0), alarmDecider.decide(c, s)) };
      await expect(executeCommand(store, changing, 'alarm-s1', cmd('alarm.Ring', system, '2026-01-01T05:00:00.000Z'))).rejects.toThrow(TypeError);
    } finally {
      await other.close();
      await store.close();
      dir.drop();
    }
  });
});

/** Two stores on one database: this process, and another one writing behind its back. */
const TARGETS = [
  {
    name: 'SQLite',
    async open() {
      const dir = createSqliteDirectory('executor-facts');
      const [store, other] = [await openEventStore(dir.url()), await openEventStore(dir.url())];
      return { store, other, drop: async () => (await other.close(), await store.close(), dir.drop()) };
    },
  },
  {
    name: 'PostgreSQL',
    async open() {
      const db = await createPostgresDatabase('executor_facts');
      const [store, other] = [await openEventStore(db.url), await openEventStore(db.url)];
      return { store, other, drop: async () => (await other.close(), await store.close(), await db.drop()) };
    },
  },
];

describe.each(TARGETS)('command executor: deciding on what this process knows, on $name', (target) => {
  it('a fact another process moved: nothing stored on the stale one, the command prepared again from the store', async () => {
    const { store, other, drop } = await target.open();
    try {
      await store.appendToStream('plan-p1', [testEvent()]);
      const seen: { fresh: boolean; revision: number }[] = [];
      // The alarm's time comes from the "plan": a decision on a stale plan would store the wrong time.
      const setOnPlan = () =>
        decideOnFacts(store, alarmDecider, 'alarm-f1', async (facts) => {
          const [revision] = await facts.revisions(['plan-p1']);
          seen.push({ fresh: facts.fresh, revision: revision! });
          return { ...cmd('alarm.Set', office, '2026-01-01T00:00:00.000Z'), data: { alarmId: 'f1', at: `2026-01-0${revision! + 2}T00:00:00.000Z` } } as AlarmCommand;
        });
      expect((await setOnPlan()).revision).toBe(1);
      expect(seen).toEqual([{ fresh: false, revision: 0 }]); // known from this process's own append: no read
      await other.appendToStream('plan-p1', [testEvent()]);
      seen.length = 0;
      await setOnPlan();
      expect(seen).toEqual([
        { fresh: false, revision: 0 },
        { fresh: true, revision: 1 },
      ]);
      const sets = (await store.readStream('alarm-f1')).filter((e) => e.type === 'AlarmSet').map((e) => e.data.at);
      expect(sets).toEqual(['2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z']);
    } finally {
      await drop();
    }
  });

  it('nothing to do on the kept events is not the answer until the stream is read: another process set the alarm', async () => {
    const { store, other, drop } = await target.open();
    try {
      const ring = () => executeCommand(store, alarmDecider, 'alarm-f2', { ...cmd('alarm.Ring', system, '2026-01-01T03:00:00.000Z'), data: { alarmId: 'f2' } } as AlarmCommand);
      expect((await ring()).events).toEqual([]); // not set: nothing to do (and this process now knows the stream is empty)
      await executeCommand(other, alarmDecider, 'alarm-f2', {
        ...cmd('alarm.Set', office, '2026-01-01T01:00:00.000Z'),
        data: { alarmId: 'f2', at: '2026-01-02T00:00:00.000Z' },
      } as AlarmCommand);
      const rung = await ring();
      expect(rung.events.map((e) => e.type)).toEqual(['AlarmRang']);
      expect(rung.revision).toBe(2);
    } finally {
      await drop();
    }
  });
});
