import type { Page } from 'playwright-core';
import { WebWorld, type WebUser } from './web.js';

type Language = 'zh-CN' | 'en-US';

/**
 * WCAG 2.1 AA (GB/T 37668) over the demo year: every role's pages, with their popups, dialogs and
 * menus open, in one language, checked by axe-core; none may have a critical or serious
 * violation. A popup, menu or dialog is checked on its own: the page under it was checked just before;
 * colour contrast is checked on the Chinese pages (the English ones are the same elements, same colours).
 * The counts per state are printed at the end (the "before and after").
 *
 * One suite per language (accessibility-zh / accessibility-en.e2e.spec.ts), each on its own copy of
 * the demo store, so the two walks — the longest browser suite when they were one — run side by side.
 */
export function accessibilityWalk(lang: Language): void {
  describe(`every page state of the demo year meets WCAG 2.1 AA by axe-core, in ${lang} (SQLite)`, () => {
    const world = new WebWorld('2023-01-01T00:00:00.000Z', `the demo year, page by page, ${lang}`);
    const users: Record<string, WebUser> = {};

    beforeAll(async () => {
      world.timeout = 60_000;
      await world.start({ demo: true });
      for (const u of ['admin', 'office', 'leader', 'supervisor', 'auditor', 'sthjj-reporter', 'sthjj-head']) users[u] = await world.demoUser(u);
      users['must-change'] = await world.demoUser('fgw-reporter', { keepOneTime: true });
    }, 600_000);
    afterAll(() => world.stop());

    // The English walk runs every rule but colour contrast: its pages are the same elements in the same
    // colours as the Chinese walk's, whose contrast was checked (contrast is most of axe's time on the
    // big tables: the dashboard, the compliance board, the peer figures).
    const check = (page: Page, state: string, include?: string) => world.axe.check(page, state, include, { skipContrast: lang !== 'zh-CN' });

    const visit = async (page: Page, path: string, ready: string) => {
      await page.goto(world.url(path));
      await page.getByTestId(ready).first().waitFor();
    };

    it('signing in, and the password a one-time password must be replaced with', async () => {
      const mark = world.axe.states.length;
      const anon = await world.pageAs(null, { language: lang });
      await visit(anon, '/login', 'login-submit');
      await check(anon, `${lang} login`);
      const first = await world.pageAs(users['must-change']!, { language: lang });
      await visit(first, '/', 'password-submit');
      await check(first, `${lang} password (required)`);
      world.axe.expectClean(mark);
    }, 600_000);

    it('a county leader: the dashboard with its provenance popup, the user menu, as known before, on a phone; the year-end list', async () => {
      const mark = world.axe.states.length;
      const page = await world.pageAs(users['leader']!, { language: lang });
      await visit(page, '/dashboard', 'score-text');
      // Annex 2's wide table is a chunk of its own (issue 15), possibly arriving after the score: checked with it.
      await page.getByTestId('annex2-table').waitFor();
      await check(page, `${lang} dashboard`);
      await page.getByTestId('provenance-trigger').first().click();
      await page.getByTestId('provenance').waitFor();
      await check(page, `${lang} dashboard provenance popup`, '.ant-popover:not(.ant-popover-hidden)');
      await page.keyboard.press('Escape');
      await page.getByTestId('user-menu').focus();
      await page.keyboard.press('Enter');
      const menu = page.locator('.ant-dropdown:not(.ant-dropdown-hidden) .ant-dropdown-menu');
      // The keyboard journey asserts that Enter opens it; here the menu is only looked at.
      if (
        !(await menu.waitFor({ timeout: 2_000 }).then(
          () => true,
          () => false,
        ))
      )
        await page.getByTestId('user-menu').hover();
      await menu.waitFor();
      await check(page, `${lang} dashboard user menu`, '.ant-dropdown:not(.ant-dropdown-hidden)');
      await page.keyboard.press('Escape');
      await page.mouse.move(600, 600);
      await visit(page, `/dashboard?period=2023-06&asOf=${encodeURIComponent('2023-07-01T00:00:00.000Z')}`, 'as-of-banner');
      await page.getByTestId('score-text').waitFor();
      await page.getByTestId('annex2-table').waitFor();
      await check(page, `${lang} dashboard as of 1 July`);
      await visit(page, '/year-end', 'year-end');
      await check(page, `${lang} year-end`);
      const phone = await world.pageAs(users['leader']!, { language: lang, width: 390, height: 844, mobile: true });
      await visit(phone, '/dashboard', 'score-text');
      await check(phone, `${lang} dashboard on a phone`);
      world.axe.expectClean(mark);
    }, 600_000);

    it('a unit: the monthly report form and its printed report', async () => {
      const mark = world.axe.states.length;
      const page = await world.pageAs(users['sthjj-reporter']!, { language: lang });
      await visit(page, '/unit', 'report-card');
      await check(page, `${lang} unit report`);
      const head = await world.pageAs(users['sthjj-head']!, { language: lang });
      await visit(head, '/unit/sthjj/2023-11/print', 'signature-block');
      await check(head, `${lang} printed report`);
      world.axe.expectClean(mark);
    }, 600_000);

    it('the office: inbox, compliance board, corrections, peer figures with the entry dialog, the quarterly assessment', async () => {
      const mark = world.axe.states.length;
      const page = await world.pageAs(users['office']!, { language: lang });
      await visit(page, '/office', 'inbox');
      await check(page, `${lang} office inbox`);
      await visit(page, '/office?tab=compliance', 'compliance-board');
      await check(page, `${lang} office compliance board`);
      await visit(page, '/office?tab=corrections', 'correct-unit');
      await check(page, `${lang} office corrections`);
      await visit(page, '/peer-figures?period=2023-Q2', 'enter-28');
      await check(page, `${lang} peer figures`);
      await page.getByTestId('enter-28').click();
      await page.getByTestId('entry-value-ye').waitFor();
      await check(page, `${lang} peer figures entry dialog`, '.ant-modal-wrap');
      await visit(page, '/assessment?quarter=2023-Q2', 'assessment');
      await check(page, `${lang} assessment`);
      world.axe.expectClean(mark);
    }, 600_000);

    it('the office maintains the plan: targets with the edit dialog, the scoring rule’s preview, the calendar, the history (issue 15)', async () => {
      const mark = world.axe.states.length;
      const page = await world.pageAs(users['office']!, { language: lang });
      await visit(page, '/plan', 'plan-target-27');
      await check(page, `${lang} plan targets`);
      await page.getByTestId('plan-edit-27').click();
      await page.getByTestId('plan-target-input').waitFor();
      await check(page, `${lang} plan target dialog`, '.ant-modal-wrap');
      await visit(page, '/plan?tab=scoring', 'rule-preview');
      await check(page, `${lang} plan scoring rule`);
      await visit(page, '/plan?tab=calendar', 'plan-page');
      await check(page, `${lang} plan calendar`);
      await visit(page, '/plan?tab=changes', 'plan-changes');
      await check(page, `${lang} plan history`);
      world.axe.expectClean(mark);
    }, 600_000);

    it('the supervision bureau: the case board and a case', async () => {
      const mark = world.axe.states.length;
      const page = await world.pageAs(users['supervisor']!, { language: lang });
      await visit(page, '/supervision?status=all', 'case-board');
      await check(page, `${lang} supervision board`);
      await page.getByTestId('case-board').locator('a[href*="/supervision/cases/"]').first().click();
      await page.getByTestId('case-status').waitFor();
      await check(page, `${lang} supervision case`);
      world.axe.expectClean(mark);
    }, 600_000);

    it('the auditor: a unit’s timeline, two moments compared, the seals', async () => {
      const mark = world.axe.states.length;
      const page = await world.pageAs(users['auditor']!, { language: lang });
      await visit(page, '/audit?unit=sthjj', 'timeline-entry');
      await check(page, `${lang} audit timeline`);
      await visit(page, `/audit?tab=diff&view=annex2&period=2023-06&from=${encodeURIComponent('2023-07-01T00:00:00.000Z')}`, 'diff-result');
      await check(page, `${lang} audit two moments`);
      await visit(page, '/audit?tab=seals', 'audit');
      await page.getByRole('tabpanel').first().waitFor();
      await check(page, `${lang} audit seals`);
      world.axe.expectClean(mark);
    }, 600_000);

    it('the administrator: users, with the new-user form, and the password page', async () => {
      const mark = world.axe.states.length;
      const page = await world.pageAs(users['admin']!, { language: lang });
      await visit(page, '/admin/users', 'admin-users');
      await page.getByTestId('admin-users').locator('.ant-table-row').nth(2).waitFor();
      await check(page, `${lang} admin users`);
      await visit(page, '/password', 'password-submit');
      await check(page, `${lang} password`);
      world.axe.expectClean(mark);
      expect(world.errors.filter((e) => !e.includes('Warning:'))).toEqual([]);
    }, 600_000);
  });
}
