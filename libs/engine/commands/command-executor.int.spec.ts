import { randomUUID } from 'node:crypto';
import { openEventStore } from '../event-store/open-event-store.js';
import { alarmDecider, type AlarmCommand } from '../testing/alarm.decider.js';
import { createSqliteDirectory } from '../testing/databases.js';
import type { Principal } from './command.js';
import { executeCommand } from './command-executor.js';

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
