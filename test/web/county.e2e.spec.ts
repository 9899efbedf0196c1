import type { Locator } from 'playwright-core';
import { PLAN, WebWorld, type WebUser } from './support/web.js';

/**
 * A quarter in the browser, one journey per role on one record: the office enters the six
 * counties' PM2.5 figures and a red warning appears; the office publishes the quarter and the
 * supervision bureau opens the case that follows and escalates it; the auditor reads the unit's
 * timeline, compares two moments and opens a figure's provenance; a county leader reads the
 * dashboard on a phone, now and as known before the figures came in.
 */
describe('a quarter in the browser, role by role (SQLite)', () => {
  const world = new WebWorld('2023-07-10T01:00:00.000Z');
  const beforeFigures = '2023-07-10T01:30:00.000Z';
  let office: WebUser;
  let supervisor: WebUser;
  let auditor: WebUser;
  let leader: WebUser;

  beforeAll(async () => {
    await world.start();
    office = await world.user('office1', ['office'], '推进办 张');
    supervisor = await world.user('dcj1', ['supervisor'], '督查局 赵');
    auditor = await world.user('audit1', ['auditor'], '审计 钱');
    leader = await world.user('leader1', ['leader'], '文县长');
    await world.api(office, 'POST', `/plans/${PLAN}/ranking/scoring-rules`, {
      coefficients: [1, 0.9, 0.8, 0.7, 0.6, 0.5].map((coefficient, i) => ({ rank: i + 1, coefficient })),
      missingRankCoefficient: 0,
      note: '市考核办法：第1名得满分，每降一名减10%',
    });
    world.clock.set('2023-07-10T02:00:00.000Z');
  }, 120_000);
  afterAll(() => world.stop());
  // axe-core on every page state each journey visits: no critical or serious violation.
  let mark = 0;
  beforeEach(() => {
    mark = world.axe.states.length;
  });
  afterEach(() => world.axe.expectClean(mark));

  it('the office enters the six counties’ figures and a red warning appears', async () => {
    const page = await world.pageAs(office);
    await page.goto(world.url('/peer-figures?period=2023-Q2'));
    await page.getByTestId('enter-28').click();
    const figures: Record<string, string> = { ye: '45', baofeng: '38', jia: '40', lushan: '35', wugang: '39', ruzhou: '42' };
    for (const [county, value] of Object.entries(figures)) await page.getByTestId(`entry-value-${county}`).fill(value);
    await page.getByTestId('entry-save').click();
    // PM2.5: lower is better, so 45 is the sixth of six: red.
    await page.getByTestId('peer-warning-28').locator('[data-warning="red"]').waitFor();
    await expectText(page.getByTestId('our-rank-28'), '6');
    await world.state(page, 'office-peer-figures-red');

    await page.goto(world.url('/dashboard?period=2023-06'));
    await page.getByTestId('warning-28').and(page.locator('[data-warning="red"]')).waitFor();
    await expectText(page.getByTestId('warning-changes'), 'PM2.5');
    // The cause in the reader's language, not the API's English explanation.
    await expectText(page.getByTestId('warning-changes'), '首次录入数据');
    await world.state(page, 'office-dashboard-red');
  }, 180_000);

  it('the office publishes the quarter; the supervision bureau opens the red case and escalates it', async () => {
    world.clock.set('2023-07-12T02:00:00.000Z');
    const page = await world.pageAs(office);
    await page.goto(world.url('/assessment?quarter=2023-Q2'));
    await page.getByTestId('prepare').click();
    await page.getByTestId('prepared-snapshot').waitFor();
    await page.getByTestId('record-meeting').click();
    const date = page.getByTestId('meeting-date');
    await date.click();
    await date.fill('2023-07-11');
    await date.press('Enter');
    await page.getByTestId('meeting-conclusions').fill('PM2.5 排名末位，列为红色预警');
    await page.getByTestId('meeting-next-steps').fill('生态环境局制定整改方案');
    await page.getByTestId('meeting-save').click();
    await expectText(page.getByTestId('assessment'), 'PM2.5 排名末位');
    await page.getByTestId('publish').click();
    // Publishing asks for a reason (issue 15): without one, nothing is sent.
    await page.getByTestId('publish-confirm').click();
    await page.getByTestId('publish-dialog').getByText('请填写理由').waitFor();
    await page.getByTestId('publish-dialog-reason').fill('领导小组会议审定，予以发布');
    await page.getByTestId('publish-confirm').click();
    await page.getByTestId('published-snapshot').waitFor();
    await world.state(page, 'office-assessment-published');

    const bureau = await world.pageAs(supervisor);
    await bureau.goto(world.url('/supervision'));
    const caseLink = bureau.getByTestId('case-sthjj-28-1');
    // The case is opened by a reaction to the published quarter: reload until it is on the board.
    for (let i = 0; i < 20 && !(await caseLink.isVisible()); i++) {
      await bureau.waitForTimeout(300);
      await bureau.reload();
    }
    await bureau.getByTestId('deadline-light').first().waitFor();
    await world.state(bureau, 'supervisor-board');
    await caseLink.click();
    await bureau.getByTestId('case-status').and(bureau.locator('[data-status="open"]')).waitFor();
    await bureau.getByTestId('act-escalate').click();
    await bureau.getByTestId('case-reason').fill('连续两个季度排名末位，予以通报');
    await bureau.getByTestId('case-action-ok').click();
    await expectText(bureau.getByTestId('escalation'), '予以通报');
    await expectText(bureau.getByTestId('case-history'), '升级处理');
    await world.state(bureau, 'supervisor-case');
  }, 180_000);

  it('the auditor reads the unit’s timeline, compares two moments and opens a provenance popover', async () => {
    const page = await world.pageAs(auditor);
    await page.goto(world.url('/audit?unit=sthjj'));
    await page.getByTestId('timeline-entry').first().waitFor();
    await expectText(page.getByTestId('unit-timeline'), '排名变化');
    await world.state(page, 'auditor-timeline');

    await page.goto(world.url(`/audit?tab=diff&view=annex2&period=2023-06&from=${encodeURIComponent(beforeFigures)}`));
    const diff = page.getByTestId('diff-result');
    await diff.waitFor();
    await expectText(diff, 'PM2.5');
    await diff.getByTestId('diff-cause').first().waitFor();
    await world.state(page, 'auditor-two-moments');

    await page.goto(world.url('/dashboard?period=2023-06'));
    await page.getByTestId('warning-28').click();
    const popover = page.getByTestId('provenance');
    await popover.waitFor();
    await expectText(popover, '录入六县市数据');
    await world.state(page, 'auditor-provenance');
  }, 180_000);

  it('a county leader reads the dashboard on a phone, now and as known before the figures', async () => {
    const page = await world.pageAs(leader, { width: 390, height: 844, mobile: true });
    const started = Date.now();
    await page.goto(world.url('/dashboard?period=2023-06'));
    await page.getByTestId('annex2-list').waitFor();
    await page.getByTestId('result-28').or(page.getByTestId('rank-28')).first().waitFor();
    const firstLoadMs = Date.now() - started;
    // The same first load measured in the page (issue 15): from the navigation's start to the mark the dashboard sets when
    // its figures are first in the document (apps/web/src/lib/marks.ts), without Playwright's own round trips and polling.
    const [navigationAt, figuresAt] = (await page.evaluate(`[performance.timeOrigin, performance.getEntriesByName('jixiao:dashboard-figures', 'mark')[0]?.startTime ?? -1]`)) as [
      number,
      number,
    ];
    expect(figuresAt).toBeGreaterThan(0);
    // The JavaScript the dashboard's first load fetched, as sent (compressed) and as run.
    const js = (await page.evaluate(`performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.js')).map((e) => [e.encodedBodySize, e.decodedBodySize])`)) as [
      number,
      number,
    ][];
    const sent = js.reduce((s, [e]) => s + e, 0);
    const decoded = js.reduce((s, [, d]) => s + d, 0);
    // A budget in bytes, not in time (issue 15): ≤ 450 KB of compressed JavaScript; every file arrived compressed.
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThanOrEqual(450 * 1024);
    expect(sent).toBeLessThan(decoded / 2);
    await page.getByTestId('annex2-list').locator('.warning-red').first().waitFor();
    await expectText(page.getByTestId('score-text'), '116');
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth + 1')).toBe(true);
    await world.state(page, 'leader-dashboard-phone');

    await page.goto(world.url(`/dashboard?period=2023-06&asOf=${encodeURIComponent(beforeFigures)}`));
    await page.getByTestId('as-of-banner').waitFor();
    await page.getByTestId('annex2-list').waitFor();
    expect(await page.getByTestId('annex2-list').locator('.warning-red').count()).toBe(0);
    await world.state(page, 'leader-dashboard-phone-as-of');

    // English by the switch, remembered for the next visit.
    await page.getByTestId('language-switch').getByText('EN').click();
    await page.getByText('Performance dashboard').waitFor();
    await page.reload();
    await page.getByText('Performance dashboard').waitFor();
    await world.state(page, 'leader-dashboard-phone-en');
    // Printed, not asserted: on a loaded machine a first load says more about the machine than the app.
    process.stdout.write(
      `first load of the dashboard on a phone: ${Math.round(figuresAt)} ms in the page (navigation start → figures rendered), ` +
        `${firstLoadMs} ms by the test's clock (goto + waiting; the navigation started ${Math.round(navigationAt - started)} ms after it), ${js.length} scripts, ${Math.round(sent / 1024)} KB sent compressed (${Math.round(decoded / 1024)} KB decoded)\n`,
    );
    expect(world.errors).toEqual([]);
  }, 180_000);
});

async function expectText(locator: Locator, text: string): Promise<void> {
  await locator.getByText(text, { exact: false }).first().waitFor();
}
