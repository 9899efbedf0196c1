import { RecordedEvent } from '../../engine/event-store/event-store.js';
import { MemoryDocs } from '../../engine/projections/docs.js';
import { testMetadata } from '../../engine/testing/fixtures.js';
import type { UserEvent } from './accounts.events.js';
import { accountsProjection, type UserDoc } from './accounts.projection.js';

let position = 0;
const recorded = (e: UserEvent, revision: number, actor = 'admin-1') =>
  new RecordedEvent(
    `user-${e.data.userId}`,
    revision,
    String(++position),
    `id-${position}`,
    e.type,
    e.data,
    JSON.stringify(testMetadata({ actor: { userId: actor, role: 'admin' }, recordedAt: `2023-07-0${revision + 1}T00:00:00.000Z` })),
  );

describe('accounts projection', () => {
  it('keeps each user with the roles granted now, the unit and the status, and finds them by username', async () => {
    const events: UserEvent[] = [
      { type: 'UserCreated', data: { userId: 'u1', username: 'wang.fang', name: '王芳', unitId: 'fgw' } },
      { type: 'RoleGranted', data: { userId: 'u1', role: 'reporter', unitId: 'fgw' } },
      { type: 'RoleGranted', data: { userId: 'u1', role: 'head', unitId: 'fgw' } },
      { type: 'PasswordSet', data: { userId: 'u1', by: 'admin', mustChange: true } },
      { type: 'RoleRevoked', data: { userId: 'u1', role: 'reporter' } },
      { type: 'UserDisabled', data: { userId: 'u1', reason: 'transferred' } },
    ];
    const docs = await new MemoryDocs().fold(
      events.map((e, i) => recorded(e, i)),
      accountsProjection,
    );
    expect(await docs.get<UserDoc>('users', 'u1')).toEqual({
      userId: 'u1',
      username: 'wang.fang',
      name: '王芳',
      unitId: 'fgw',
      roles: ['head'],
      disabled: true,
      disabledReason: 'transferred',
      createdAt: '2023-07-01T00:00:00.000Z',
      createdBy: 'admin-1',
      updatedAt: '2023-07-06T00:00:00.000Z',
      passwordSetAt: '2023-07-04T00:00:00.000Z',
      passwordSetBy: 'admin',
      revision: 5,
    });
    expect(await docs.get('usernames', 'wang.fang')).toEqual({ userId: 'u1' });

    await docs.fold([recorded({ type: 'UserEnabled', data: { userId: 'u1' } }, 6)], accountsProjection);
    const enabled = await docs.get<UserDoc>('users', 'u1');
    expect(enabled).toMatchObject({ disabled: false, revision: 6 });
    expect(enabled).not.toHaveProperty('disabledReason');

    await docs.fold([recorded({ type: 'OneTimePasswordUsed', data: { userId: 'u1' } }, 7, 'u1')], accountsProjection);
    expect(await docs.get<UserDoc>('users', 'u1')).toMatchObject({ oneTimePasswordUsedAt: '2023-07-08T00:00:00.000Z', revision: 7 });
    await docs.fold([recorded({ type: 'PasswordSet', data: { userId: 'u1', by: 'self', mustChange: false } }, 8, 'u1')], accountsProjection);
    expect(await docs.get<UserDoc>('users', 'u1')).not.toHaveProperty('oneTimePasswordUsedAt');
  });
});
