import type { Page } from 'playwright-core';
import { Engine } from '../../libs/engine/nest/engine.js';
import { WebWorld, type WebUser } from './support/web.js';

/**
 * User administration in the browser (issue 15): granting or revoking a role, disabling a user
 * and resetting a password each ask first, with a reason; without one nothing is sent, cancelled
 * nothing changes, confirmed the reason is recorded with the event.
 */
describe('user administration in the browser: every privileged change asks first, with a reason (SQLite)', () => {
  const world = new WebWorld('2023-08-03T02:00:00.000Z', 'user administration');
  let clerk: WebUser;

  beforeAll(async () => {
    await world.start();
    clerk = await world.user('gxj-clerk', ['office'], '工信局 赵');
  }, 120_000);
  afterAll(() => world.stop());

  const events = async (type: string) =>
    (await world.running.app.get(Engine).store.readStream(`user-${clerk.userId}`))
      .filter((e) => e.type === type)
      .map((e) => ({ data: e.data as Record<string, unknown>, metadata: e.metadata }));
  const dialog = (page: Page) => page.getByTestId('admin-confirm');
  const confirmWith = async (page: Page, reason: string) => {
    await page.getByTestId('admin-confirm-reason').fill(reason);
    await page.getByTestId('admin-confirm-ok').click();
    await dialog(page).waitFor({ state: 'detached' });
  };

  it('grants a role only with a reason; a cancelled revocation changes nothing; revokes, disables and resets a password with reasons', async () => {
    const page = await world.pageAs(world.admin);
    await page.goto(world.url('/admin/users'));
    const row = page.locator('tr', { hasText: 'gxj-clerk' });
    await row.waitFor();

    // Grant: choosing a role opens the dialog; OK without a reason shows what is missing and sends nothing.
    await row.getByLabel('为 工信局 赵 添加角色').click();
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', { hasText: '审计' }).click();
    await page.getByTestId('admin-confirm-ok').click();
    await dialog(page).getByText('请填写理由').waitFor();
    const auditorGrants = async () => (await events('RoleGranted')).filter((e) => e.data.role === 'auditor');
    expect(await auditorGrants()).toHaveLength(0);
    await confirmWith(page, '兼任审计联络员');
    await row.locator('.ant-tag', { hasText: '审计' }).waitFor();
    const [granted] = await auditorGrants();
    expect(granted).toMatchObject({ data: { role: 'auditor' }, metadata: { reason: '兼任审计联络员' } });

    // Revoke: cancelled, the role stays; confirmed with a reason, it goes.
    await row.getByLabel('取消 工信局 赵 的角色：审计').click();
    await dialog(page).waitFor();
    await page.keyboard.press('Escape');
    await dialog(page).waitFor({ state: 'detached' });
    expect(await events('RoleRevoked')).toHaveLength(0);
    await row.getByLabel('取消 工信局 赵 的角色：审计').click();
    await confirmWith(page, '联络员改由他人担任');
    await row.locator('.ant-tag', { hasText: '审计' }).waitFor({ state: 'detached' });
    expect((await events('RoleRevoked'))[0]).toMatchObject({ data: { role: 'auditor' }, metadata: { reason: '联络员改由他人担任' } });

    // Reset the password: the one-time password is shown once; the reason is recorded.
    await page.getByTestId('reset-gxj-clerk').click();
    await confirmWith(page, '本人遗忘密码');
    await page.getByTestId('one-time-password').waitFor();
    expect((await events('PasswordSet')).at(-1)).toMatchObject({ metadata: { reason: '本人遗忘密码' } });

    // Disable: the user is marked disabled, with the reason.
    await page.getByTestId('disable-gxj-clerk').click();
    await confirmWith(page, '调离工信局');
    await row.locator('.ant-tag', { hasText: '已停用' }).waitFor();
    expect((await events('UserDisabled'))[0]).toMatchObject({ metadata: { reason: '调离工信局' } });

    expect(world.errors.filter((e) => !e.includes('Warning:'))).toEqual([]);
  }, 180_000);
});
