import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { PLAN, WebWorld, type WebUser } from './support/web.js';

/**
 * The Chinese UI's errors are Chinese (issue 14): a bad sign-in, a refused supervision review (no
 * comment), a workbook with bad cells, a forbidden case, an unknown unit, each shown as an alert or
 * a notice, in which no English sentence (three Latin words in a row) and no raw code
 * (`report-not-found`, `cell-not-figure-text`) appears. The browser asks in English
 * (Accept-Language en-US) while the UI is set to Chinese: the UI's language is what counts.
 */
const ENGLISH = /[A-Za-z]+[\s,;:]+[A-Za-z]+[\s,;:]+[A-Za-z]+/;
const RAW_CODE = /\b[a-z]+-[a-z-]+\b/;
const SHOWN = '[role="alert"], .ant-notification-notice, .ant-form-item-explain-error, [data-testid="import-errors"]';

describe('errors in the Chinese UI are said in Chinese (SQLite)', () => {
  const world = new WebWorld('2023-10-20T02:00:00.000Z', 'errors zh');
  let office: WebUser;
  let supervisor: WebUser;
  let head: WebUser;
  let reporter: WebUser;
  let other: WebUser;

  beforeAll(async () => {
    await world.start();
    office = await world.user('office1', ['office'], '推进办 张');
    supervisor = await world.user('bureau1', ['supervisor'], '督查局 孙');
    head = await world.user('sthjj-head', ['head'], '王局长', 'sthjj');
    reporter = await world.user('sthjj-reporter', ['reporter'], '李填报', 'sthjj');
    other = await world.user('czj-reporter', ['reporter'], '赵填报', 'czj');
    // A case at the bureau's review: opened, acknowledged, planned, fed back.
    const base = `/plans/${PLAN}/supervision/cases/sthjj/28/1`;
    await world.api(supervisor, 'POST', `/plans/${PLAN}/supervision/cases/on-ground`, {
      unitId: 'sthjj',
      indicatorNo: 28,
      ground: 'lagging-work',
      period: '2023-Q2',
      note: '推进滞后',
    });
    await world.api(head, 'POST', `${base}/acknowledge`, { note: '已收悉' });
    await world.api(reporter, 'POST', `${base}/plan`, { plan: '成立专班，逐月调度', rectifyBy: '2023-11-30' });
    await world.api(reporter, 'POST', `${base}/feedback`, { feedback: '整改措施已落实' });
  }, 180_000);
  afterAll(() => world.stop());

  /** The page as a Chinese UI in a browser that asks for English. */
  const zhPage = async (who: WebUser | null): Promise<Page> => {
    const page = await world.pageAs(who, { language: 'en-US' });
    await page.addInitScript({ content: `localStorage.setItem('jixiao.language', 'zh-CN')` });
    return page;
  };
  /** Every alert and notice shown: Chinese, no English sentence, no raw code. */
  const expectChinese = async (page: Page, what: string) => {
    await page.locator(SHOWN).first().waitFor();
    await page.waitForTimeout(300); // a notice's description renders with its title
    const texts = (await page.locator(SHOWN).allInnerTexts()).map((t) => t.trim()).filter(Boolean);
    expect(texts.length).toBeGreaterThan(0);
    for (const text of texts) {
      expect(`${what}: ${text}`).toMatch(/[\u4e00-\u9fff]/);
      expect(`${what}: ${ENGLISH.exec(text)?.[0] ?? ''}`).toBe(`${what}: `);
      expect(`${what}: ${RAW_CODE.exec(text)?.[0] ?? ''}`).toBe(`${what}: `);
    }
  };

  it('a bad sign-in', async () => {
    const page = await zhPage(null);
    await page.goto(world.url('/login'));
    await page.getByTestId('login-username').fill(reporter.username);
    await page.getByTestId('login-password').fill('not-the-password-1A');
    await page.getByTestId('login-submit').click();
    await expectChinese(page, 'sign-in');
  });

  it('a supervision review asking for more without a comment', async () => {
    const page = await zhPage(supervisor);
    await page.goto(world.url('/supervision/cases/sthjj/28/1'));
    await page.getByTestId('act-review').click();
    await page.locator('.ant-modal .ant-radio-wrapper', { hasText: '要求补充' }).click();
    await page.getByTestId('case-action-ok').click();
    await expectChinese(page, 'review');
  });

  it('a report command the server refuses (the report was submitted meanwhile)', async () => {
    await world.api(office, 'POST', `/plans/${PLAN}/reporting/periods/2023-09/open`);
    const report = `/plans/${PLAN}/reporting/reports/sthjj/2023-09`;
    const lines = [27, 28, 29].map((indicatorNo) => ({ indicatorNo, value: 50, rank: 1, problems: '无', nextSteps: '保持' }));
    await world.api(reporter, 'PUT', `${report}/draft`, { lines });
    const page = await zhPage(reporter);
    await page.goto(world.url('/unit'));
    await page.getByTestId('submit-report').waitFor();
    await world.api(reporter, 'POST', `${report}/submit`);
    await page.getByTestId('submit-report').click();
    await page.locator('.ant-notification-notice').waitFor(); // the refusal, as a notice
    await expectChinese(page, 'report');
  });

  it('a workbook with bad cells', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('2023-Q3');
    ws.addRow(['序号', '指标', '叶县', '舞钢市', '宝丰县', '鲁山县', '郏县', '汝州市']);
    ws.addRow([7, '规模以上工业企业研发费用支出增速', 5.1, 'abc', 6, 4.2, 8.8, 3.9]);
    ws.addRow([28, null, '第8名']);
    const page = await zhPage(office);
    await page.goto(world.url('/peer-figures'));
    await page
      .locator('input[type="file"]')
      .setInputFiles({ name: '三季度.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: Buffer.from(await wb.xlsx.writeBuffer()) });
    await page.getByTestId('import-errors').waitFor();
    await expectChinese(page, 'import');
  });

  it('a case of another unit (forbidden) and an unknown unit', async () => {
    const page = await zhPage(other);
    await page.goto(world.url('/supervision/cases/sthjj/28/1'));
    await expectChinese(page, 'forbidden');
    const unknown = await zhPage(office);
    await unknown.goto(world.url('/supervision/cases/nosuchunit/28/1'));
    await expectChinese(unknown, 'unknown unit');
  });
});
