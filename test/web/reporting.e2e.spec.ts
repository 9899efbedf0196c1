import type { Page } from 'playwright-core';
import { focusedTestId, PLAN, tabTo, waitForFocus, WebWorld, type WebUser } from './support/web.js';

/**
 * The monthly report in the browser: a reporter signs in and drafts the July report, a lagging
 * line demands its analysis, the reporter submits; the unit head signs exactly that content; the
 * office receives it and the compliance board shows it.
 */
describe('monthly report journey in the browser (SQLite)', () => {
  // 10:00 in Ye County on 3 August 2023: July's report is due before the 6th.
  const world = new WebWorld('2023-08-03T02:00:00.000Z');
  let office: WebUser;
  let reporter: WebUser;
  let head: WebUser;

  beforeAll(async () => {
    await world.start();
    office = await world.user('office1', ['office'], '推进办 张');
    reporter = await world.user('sthjj-reporter', ['reporter'], '李填报', 'sthjj');
    head = await world.user('sthjj-head', ['head'], '王局长', 'sthjj');
    await world.api(office, 'POST', `/plans/${PLAN}/reporting/periods/2023-07/open`);
  }, 120_000);
  afterAll(() => world.stop());
  // axe-core on every page state each journey visits: no critical or serious violation.
  let mark = 0;
  beforeEach(() => {
    mark = world.axe.states.length;
  });
  afterEach(() => world.axe.expectClean(mark));

  const fillLine = async (page: Page, no: number, v: { value: string; rank: string; problems: string; nextSteps: string }) => {
    await page.getByTestId(`value-${no}`).fill(v.value);
    await page.getByTestId(`rank-${no}`).fill(v.rank);
    await page.getByTestId(`problems-${no}`).fill(v.problems);
    await page.getByTestId(`nextSteps-${no}`).fill(v.nextSteps);
  };

  it('a reporter signs in, drafts, is asked for the lagging line’s analysis, and submits', async () => {
    const page = await world.pageAs(null);
    await page.goto(world.url('/'));
    await page.getByTestId('login-submit').waitFor();
    await world.state(page, 'login');
    await page.getByTestId('login-username').fill(reporter.username);
    await page.getByTestId('login-password').fill(reporter.password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/unit/);
    const card = page.getByTestId('report-card');
    await expectText(card, '2023');
    await expectText(page.getByTestId('deadline'), '剩余');

    await fillLine(page, 27, { value: '78.5', rank: '2', problems: '无', nextSteps: '保持' });
    await fillLine(page, 28, { value: '41', rank: '5', problems: '扬尘污染', nextSteps: '加强治理' });
    await fillLine(page, 29, { value: '92', rank: '1', problems: '无', nextSteps: '保持' });
    // Rank 5 is red: the line is lagging and asks for its analysis and countermeasures.
    await page.getByTestId('line-28').and(page.locator('[data-lagging="true"]')).waitFor();
    await page.getByTestId('save-draft').click();
    await page.getByTestId('report-card').getByTestId('report-status').and(page.locator('[data-status="draft"]')).waitFor();

    await page.getByTestId('submit-report').click();
    await expectText(page.getByTestId('line-28'), '须填写落后原因分析');
    await world.state(page, 'reporter-asked-for-analysis');
    await page.getByTestId('analysis-28').fill('秋冬季扬尘管控不到位，建筑工地覆盖率低');
    await page.getByTestId('countermeasures-28').fill('开展扬尘专项整治，工地全覆盖');
    await page.getByTestId('submit-report').click();
    await page.getByTestId('report-card').getByTestId('report-status').and(page.locator('[data-status="submitted"]')).waitFor();
    await world.state(page, 'reporter-submits');

    const view = await world.api<{ status: string; lines: { indicatorNo: number; analysis?: string }[]; submitted: { lagging: number[] } }>(
      office,
      'GET',
      `/plans/${PLAN}/reporting/reports/sthjj/2023-07`,
    );
    expect(view.status).toBe('submitted');
    expect(view.submitted.lagging).toEqual([28]);
    expect(view.lines.find((l) => l.indicatorNo === 28)?.analysis).toContain('扬尘');
  }, 180_000);

  it('the unit head signs exactly the submitted content', async () => {
    const page = await world.pageAs(head);
    await page.goto(world.url('/unit'));
    await page.getByTestId('sign-report').click();
    await page.getByTestId('sign-confirm').click();
    await page.getByTestId('report-card').getByTestId('report-status').and(page.locator('[data-status="signed"]')).waitFor();
    await expectText(page.getByTestId('report-card'), '王局长');
    await world.state(page, 'head-signs');

    // The printed report carries the signature and the seal.
    await page.goto(world.url('/unit/sthjj/2023-07/print'));
    await expectText(page.getByTestId('signature-block'), '王局长');
    await world.state(page, 'printed-report');
  }, 180_000);

  it('the office receives it from its inbox and the compliance board shows it', async () => {
    const page = await world.pageAs(office);
    await page.goto(world.url('/office'));
    await page.getByTestId('open-sthjj-2023-07').click();
    await page.getByTestId('receive-report').click();
    await page.getByTestId('inbox').getByText('没有待接收的报告').waitFor();
    await page.getByRole('tab', { name: '报送情况' }).click();
    await page.getByTestId('cell-sthjj-2023-07').and(page.locator('[data-status="received"]')).waitFor();
    await world.state(page, 'office-receives');
    const view = await world.api<{ status: string }>(office, 'GET', `/plans/${PLAN}/reporting/reports/sthjj/2023-07`);
    expect(view.status).toBe('received');
    expect(world.errors.filter((e) => !e.includes('Warning:'))).toEqual([]);
  }, 180_000);

  it('by keyboard alone: a reporter files and submits a report, the head signs it and opens a figure’s provenance', async () => {
    // 司法局 (sfj): its own unit and month, so this journey starts from an empty report.
    const kbReporter = await world.user('sfj-reporter', ['reporter'], '赵填报', 'sfj');
    const kbHead = await world.user('sfj-head', ['head'], '孙局长', 'sfj');
    const page = await world.pageAs(null);
    const keys = page.keyboard;
    await page.goto(world.url('/'));
    await page.getByTestId('login-username').waitFor();
    // The user name field has the focus on arrival.
    expect(await focusedTestId(page)).toBe('login-username');
    await keys.type(kbReporter.username);
    await keys.press('Tab');
    await keys.type(kbReporter.password);
    await keys.press('Enter');
    await page.waitForURL(/\/unit/);
    await page.getByTestId('report-card').waitFor();

    // The skip link is the first stop, and leads into the main content.
    await keys.press('Tab');
    expect(await focusedTestId(page)).toBe('skip-link');
    await keys.press('Enter');
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('main');

    const nos = await page.locator('[data-testid^="line-"]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-testid')!.slice(5))));
    expect(nos.length).toBeGreaterThan(0);
    for (const [i, no] of nos.entries()) {
      await tabTo(page, `value-${no}`);
      await keys.type('1');
      await tabTo(page, `rank-${no}`);
      // The first line ranks fifth of six: red, so it is lagging and needs its analysis.
      await keys.type(i === 0 ? '5' : '1');
      await tabTo(page, `problems-${no}`);
      await keys.type('进度偏慢');
      await tabTo(page, `nextSteps-${no}`);
      await keys.type('加快推进');
    }
    await page.getByTestId(`line-${nos[0]}`).and(page.locator('[data-lagging="true"]')).waitFor();
    await world.state(page, 'keyboard-report-filled');

    // Submitting with the analysis missing puts the focus on the first field to fix.
    await tabTo(page, 'submit-report');
    await keys.press('Enter');
    await waitForFocus(page, `analysis-${nos[0]}`);
    await world.state(page, 'keyboard-report-invalid');
    for (const no of nos) {
      if (!(await page.getByTestId(`analysis-${no}`).count())) continue;
      await tabTo(page, `analysis-${no}`, { back: true, max: 5 }).catch(() => tabTo(page, `analysis-${no}`));
      await keys.type('工作推进不及预期');
      await tabTo(page, `countermeasures-${no}`);
      await keys.type('倒排工期，专人督办');
    }
    await tabTo(page, 'submit-report');
    await keys.press('Enter');
    await page.getByTestId('report-card').getByTestId('report-status').and(page.locator('[data-status="submitted"]')).waitFor();
    // After the submission the focus is on the report's heading with its new status, not the page body.
    await waitForFocus(page, 'report-heading');
    await world.state(page, 'keyboard-report-submitted');

    // The user menu opens with Enter and its items are reached by the arrow keys.
    await tabTo(page, 'user-menu', { back: true });
    await keys.press('Enter');
    await page.getByTestId('menu-logout').waitFor();
    await world.state(page, 'keyboard-user-menu');
    await keys.press('Escape');

    // The head signs by keyboard.
    const headPage = await world.pageAs(kbHead);
    await headPage.goto(world.url('/unit'));
    await headPage.getByTestId('sign-report').waitFor();
    await tabTo(headPage, 'sign-report');
    await headPage.keyboard.press('Enter');
    await headPage.getByTestId('sign-confirm').waitFor();
    await world.state(headPage, 'keyboard-sign-dialog');
    await tabTo(headPage, 'sign-confirm');
    await headPage.keyboard.press('Enter');
    await headPage.getByTestId('report-card').getByTestId('report-status').and(headPage.locator('[data-status="signed"]')).waitFor();
    await waitForFocus(headPage, 'report-heading');

    // A figure's provenance (出处) opens with Enter, takes the focus, and Escape gives it back.
    await headPage.goto(world.url('/dashboard?period=2023-07'));
    await headPage.getByTestId('provenance-trigger').first().waitFor();
    await tabTo(headPage, 'provenance-trigger');
    await headPage.keyboard.press('Enter');
    await headPage.getByTestId('provenance').waitFor();
    await waitForFocus(headPage, 'provenance');
    await headPage.keyboard.press('Escape');
    await waitForFocus(headPage, 'provenance-trigger');
    await headPage.getByTestId('provenance').waitFor({ state: 'hidden' });
    // Space opens it too; the open popup is checked by axe.
    await headPage.keyboard.press(' ');
    await waitForFocus(headPage, 'provenance');
    await world.state(headPage, 'keyboard-provenance');

    const view = await world.api<{ status: string; signature: { by: { name?: string } } | null }>(office, 'GET', `/plans/${PLAN}/reporting/reports/sfj/2023-07`);
    expect(view.status).toBe('signed');
  }, 180_000);
});

async function expectText(locator: import('playwright-core').Locator, text: string): Promise<void> {
  await locator.getByText(text, { exact: false }).first().waitFor();
}
