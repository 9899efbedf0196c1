import type { Locator, Page } from 'playwright-core';
import { PLAN, WebWorld, type WebUser } from './support/web.js';

/**
 * The plan maintained on screen (issue 15): the office sets a county target with a reason, finds the
 * change in the plan's history, and Annex 2's target column and its "behind target" mark follow.
 */
describe('the plan maintained in the browser (SQLite)', () => {
  const world = new WebWorld('2023-08-02T01:00:00.000Z', 'plan maintenance');
  let office: WebUser;
  let admin: WebUser;

  beforeAll(async () => {
    await world.start();
    admin = world.admin;
    office = await world.user('office1', ['office'], '推进办 张');
    const reporter = await world.user('sthjj-reporter', ['reporter'], '李填报', 'sthjj');
    // July's report of the environment bureau: 78.5% good-air days (no. 27), ranked 2nd, so green and not lagging (no target yet).
    await world.api(office, 'POST', `/plans/${PLAN}/reporting/periods/2023-07/open`);
    const line = (indicatorNo: number, value: number, rank: number) => ({ indicatorNo, value, rank, problems: '无', nextSteps: '保持' });
    await world.api(reporter, 'PUT', `/plans/${PLAN}/reporting/reports/sthjj/2023-07/draft`, { lines: [line(27, 78.5, 2), line(28, 38, 1), line(29, 92, 1)] });
    await world.api(reporter, 'POST', `/plans/${PLAN}/reporting/reports/sthjj/2023-07/submit`);
  }, 120_000);
  afterAll(() => world.stop());
  let mark = 0;
  beforeEach(() => {
    mark = world.axe.states.length;
  });
  afterEach(() => world.axe.expectClean(mark));

  it('the office sets a target with a reason; the history shows it; Annex 2’s target column and lagging mark change', async () => {
    const page = await world.pageAs(office);
    // Annex 2 before: no target, nothing behind it.
    await page.goto(world.url('/dashboard?period=2023-07'));
    await expectText(page.getByTestId('result-27'), '78.5');
    await expectText(page.getByTestId('target-27'), '—');
    expect(await page.getByTestId('behind-27').count()).toBe(0);

    // The menu leads to the plan page.
    await page.getByRole('menuitem', { name: '方案维护' }).click();
    await page.waitForURL(/\/plan/);
    await page.getByTestId('plan-indicators').waitFor();
    await expectText(page.getByTestId('plan-target-27'), '—');
    await world.state(page, 'office-plan-indicators');

    await page.getByTestId('plan-edit-27').click();
    await page.getByTestId('plan-target-input').fill('80');
    // A reason is required: saving without one is refused on the form, nothing sent.
    await page.getByTestId('plan-edit-save').click();
    await expectText(page.locator('.ant-modal'), '请填写理由');
    await world.state(page, 'office-plan-edit-reason-required');
    await page.getByTestId('plan-reason-input').fill('县政府常务会议审定2023年度县定目标');
    await page.getByTestId('plan-edit-save').click();
    await expectText(page.getByTestId('plan-target-27'), '80');

    await page.getByRole('tab', { name: '变更记录' }).click();
    const history = page.getByTestId('plan-changes');
    await expectText(history, '第 27 项 空气质量优良天数比例：县定目标 — → 80');
    await expectText(history, '县政府常务会议审定2023年度县定目标');
    await expectText(history, '推进办 张');
    await world.state(page, 'office-plan-history');
    await expectNoEnglish(page);

    // Annex 2 after: the target, and 78.5 < 80 marks the line behind its target.
    await page.goto(world.url('/dashboard?period=2023-07'));
    await expectText(page.getByTestId('target-27'), '80');
    await expectText(page.getByTestId('behind-27'), '未达目标');
    await world.state(page, 'office-annex2-behind-target');
    await expectNoEnglish(page);
    expect(world.errors).toEqual([]);
  }, 180_000);

  it('the office drafts the 2024 plan from 2023’s, sets a target in the draft and publishes it once', async () => {
    const page = await world.pageAs(office);
    await page.goto(world.url('/plan?tab=next'));
    await page.getByTestId('draft-next-year').click();
    // The reason first: nothing is drafted without one.
    await expectText(page.getByTestId('next-year'), '请填写理由');
    await page.getByTestId('next-year-reason').fill('依据2023年方案起草2024年方案');
    await page.getByTestId('draft-next-year').click();
    await expectText(page.getByTestId('next-year'), '2024 年度方案（草案）');
    await page.getByTestId('plan-edit-27').click();
    await page.getByTestId('plan-target-input').fill('82');
    await page.getByTestId('plan-reason-input').fill('2024年县定目标');
    await page.getByTestId('plan-edit-save').click();
    await expectText(page.getByTestId('plan-target-27'), '82');
    await world.state(page, 'office-plan-draft-2024');
    await expectNoEnglish(page);

    await page.getByTestId('next-year-reason').fill('县政府常务会议通过2024年方案');
    await page.getByTestId('publish-draft').click();
    await page.getByRole('button', { name: '发布方案' }).last().click();
    await expectText(page.getByTestId('next-year'), '2024 年度方案已发布');
    const plan = await world.api<{ indicators: { no: number; target: number | null }[] }>(office, 'GET', `/plans/ye-county-2024`);
    expect(plan.indicators.find((i) => i.no === 27)!.target).toBe(82);
    expect(world.errors).toEqual([]);
  }, 180_000);

  it('an administrator reads the plan page and is told the office makes the changes', async () => {
    const page = await world.pageAs(admin);
    await page.goto(world.url('/plan'));
    await page.getByTestId('plan-read-only').waitFor();
    await expectText(page.getByTestId('plan-target-27'), '80');
    expect(await page.getByTestId('plan-edit-27').count()).toBe(0);
    await world.state(page, 'admin-plan-read-only');
    await expectNoEnglish(page);
    expect(world.errors).toEqual([]);
  }, 120_000);
});

async function expectText(locator: Locator, text: string): Promise<void> {
  await locator.getByText(text, { exact: false }).first().waitFor();
}

/** Latin words on a zh-CN page are English left untranslated; names that are Latin in Chinese too are allowed. */
async function expectNoEnglish(page: Page): Promise<void> {
  // File names and other identifiers (<code>, translate="no") are not text to translate; text recorded in English is marked lang="en".
  const text = await page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { getElementById(id: string): { cloneNode(deep: boolean): any } | null } }).document;
    const main = doc.getElementById('main')!.cloneNode(true);
    for (const el of main.querySelectorAll('code, [translate="no"], [lang^="en"]')) el.remove();
    return (main.innerText || main.textContent) as string;
  });
  const allowed = new Set(['PM', 'Excel', 'xlsx', 'EN', 'Jixiao', 'GDP', 'R&D', 'ug', 'μg']);
  const words = (text.match(/[A-Za-z][A-Za-z&]{2,}/g) ?? []).filter((w) => !allowed.has(w));
  expect(words).toEqual([]);
}
