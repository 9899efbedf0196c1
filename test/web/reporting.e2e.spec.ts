import type { Page } from 'playwright-core';
import { PLAN, screenshot, WebWorld, type WebUser } from './support/web.js';

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
    await world.api(office, 'POST', `/reporting/${PLAN}/periods/2023-07/open`);
  }, 120_000);
  afterAll(() => world.stop());

  const fillLine = async (page: Page, no: number, v: { value: string; rank: string; problems: string; nextSteps: string }) => {
    await page.getByTestId(`value-${no}`).fill(v.value);
    await page.getByTestId(`rank-${no}`).fill(v.rank);
    await page.getByTestId(`problems-${no}`).fill(v.problems);
    await page.getByTestId(`nextSteps-${no}`).fill(v.nextSteps);
  };

  it('a reporter signs in, drafts, is asked for the lagging line’s analysis, and submits', async () => {
    const page = await world.pageAs(null);
    await page.goto(world.url('/'));
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
    await page.getByTestId('analysis-28').fill('秋冬季扬尘管控不到位，建筑工地覆盖率低');
    await page.getByTestId('countermeasures-28').fill('开展扬尘专项整治，工地全覆盖');
    await page.getByTestId('submit-report').click();
    await page.getByTestId('report-card').getByTestId('report-status').and(page.locator('[data-status="submitted"]')).waitFor();
    await screenshot(page, 'reporter-submits');

    const view = await world.api<{ status: string; lines: { indicatorNo: number; analysis?: string }[]; submitted: { lagging: number[] } }>(office, 'GET', `/reporting/${PLAN}/reports/sthjj/2023-07`);
    expect(view.status).toBe('submitted');
    expect(view.submitted.lagging).toEqual([28]);
    expect(view.lines.find((l) => l.indicatorNo === 28)?.analysis).toContain('扬尘');
  });

  it('the unit head signs exactly the submitted content', async () => {
    const page = await world.pageAs(head);
    await page.goto(world.url('/unit'));
    await page.getByTestId('sign-report').click();
    await page.getByTestId('sign-confirm').click();
    await page.getByTestId('report-card').getByTestId('report-status').and(page.locator('[data-status="signed"]')).waitFor();
    await expectText(page.getByTestId('report-card'), '王局长');
    await screenshot(page, 'head-signs');

    // The printed report carries the signature and the seal.
    await page.goto(world.url('/unit/sthjj/2023-07/print'));
    await expectText(page.getByTestId('signature-block'), '王局长');
    await screenshot(page, 'printed-report');
  });

  it('the office receives it from its inbox and the compliance board shows it', async () => {
    const page = await world.pageAs(office);
    await page.goto(world.url('/office'));
    await page.getByTestId('open-sthjj-2023-07').click();
    await page.getByTestId('receive-report').click();
    await page.getByTestId('inbox').getByText('没有待办的报告').waitFor();
    await page.getByRole('tab', { name: '报送情况' }).click();
    await page.getByTestId('cell-sthjj-2023-07').and(page.locator('[data-status="received"]')).waitFor();
    await screenshot(page, 'office-receives');
    const view = await world.api<{ status: string }>(office, 'GET', `/reporting/${PLAN}/reports/sthjj/2023-07`);
    expect(view.status).toBe('received');
    expect(world.errors.filter((e) => !e.includes('Warning:'))).toEqual([]);
  });
});

async function expectText(locator: import('playwright-core').Locator, text: string): Promise<void> {
  await locator.getByText(text, { exact: false }).first().waitFor();
}
