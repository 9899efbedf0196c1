import ExcelJS from 'exceljs';
import { ManualClock } from '../libs/engine/clock.js';
import type { Principal } from '../libs/engine/commands/command.js';
import { Engine } from '../libs/engine/nest/engine.js';
import { startClosedDemoYear } from './support/closed-demo.js';
import { bootstrapAdmin, createUserViaApi, relaxLoginLimits, STORE_TARGETS, startAppOn, type RunningApp, type TestSession } from './support/app.js';

const planId = 'ye-county-2023';
const period = '2023-06';

/**
 * The exports an office asks for, from the running app: the compliance workbook (each unit × month,
 * on-time rates per unit, per month and in total) and the supervision case list.
 */
describe.each(STORE_TARGETS.slice(0, 1))('exports on $name', (target) => {
  let running: RunningApp;
  let clock: ManualClock;
  let admin: TestSession;
  let reporter: TestSession;
  let head: TestSession;
  let office: TestSession;
  let supervisor: TestSession;
  let other: TestSession;

  beforeAll(async () => {
    clock = new ManualClock('2023-07-01T01:00:00.000Z');
    running = await startAppOn(target, { clock });
    relaxLoginLimits(running);
    admin = await bootstrapAdmin(running);
    reporter = await createUserViaApi(running, admin, { username: 'sthjj-reporter', roles: ['reporter'], unitId: 'sthjj' });
    head = await createUserViaApi(running, admin, { username: 'sthjj-head', roles: ['head'], unitId: 'sthjj' });
    office = await createUserViaApi(running, admin, { username: 'office-zhang', roles: ['office'] });
    supervisor = await createUserViaApi(running, admin, { username: 'dcj-zhao', roles: ['supervisor'] });
    other = await createUserViaApi(running, admin, { username: 'fgw-reporter', roles: ['reporter'], unitId: 'fgw' });
  });
  afterAll(() => running.close());

  async function api(method: string, path: string, who: TestSession, body?: unknown) {
    const res = await fetch(`${running.url}/api/v1${path}`, {
      method,
      headers: { ...who.headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as any) : undefined };
  }
  async function workbook(path: string, who: TestSession) {
    const res = await fetch(`${running.url}/api/v1${path}`, { headers: who.headers });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
    return wb.worksheets[0]!;
  }
  const rowOf = (ws: ExcelJS.Worksheet, first: string) => {
    let found: unknown[] | undefined;
    ws.eachRow((row) => {
      const values = (row.values as unknown[]).slice(1);
      if (values[0] === first) found = values;
    });
    return found;
  };

  it('writes the compliance workbook with on-time rates and the supervision case list', async () => {
    const engine = running.app.get(Engine);
    expect((await api('POST', `/plans/${planId}/reporting/periods/${period}/open`, office)).status).toBe(200);
    const report = `/plans/${planId}/reporting/reports/sthjj/${period}`;
    const lines = [
      { indicatorNo: 27, value: 78.5, rank: 2, problems: '无', nextSteps: '保持' },
      { indicatorNo: 28, value: 41, rank: 2, problems: '无', nextSteps: '保持' },
      { indicatorNo: 29, value: 92, rank: 1, problems: '无', nextSteps: '保持' },
    ];
    await api('PUT', `${report}/draft`, reporter, { lines });
    const submitted = await api('POST', `${report}/submit`, reporter);
    expect((await api('POST', `${report}/sign`, head, { contentHash: submitted.body.events[0].data.contentHash })).status).toBe(200);
    // The deadline passes: the other twenty units are overdue.
    clock.set('2023-07-07T01:00:00.000Z');
    await engine.timers.deliverDue();
    await engine.runner.catchUp();

    const ws = await workbook(`/plans/${planId}/reporting/compliance.xlsx`, office);
    const header = rowOf(ws, '单位')!;
    const june = header.indexOf('6月');
    expect(june).toBeGreaterThan(0);
    const unitRows: unknown[][] = [];
    ws.eachRow((row, n) => n > 3 && unitRows.push((row.values as unknown[]).slice(1)));
    const mine = unitRows.find((r) => String(r[0]).includes('生态环境'))!;
    expect(mine[june]).toBe('按时');
    expect(mine.slice(-3)).toEqual([1, 1, 1]);
    const late = unitRows.find((r) => r[june] === '逾期未报')!;
    expect(late.slice(-3)).toEqual([0, 1, 0]);
    const totals = rowOf(ws, '合计（按时率）')!;
    expect(totals[june]).toBeCloseTo(1 / 21);
    expect(totals.slice(-3)).toEqual([1, 21, 1 / 21]);
    expect(unitRows).toHaveLength(22); // 21 units and the totals
    // Read like the board: another unit's reporter gets only their own unit's row (the plan keeps boards to the county).
    const theirs = await workbook(`/plans/${planId}/reporting/compliance.xlsx`, other);
    const theirRows: unknown[][] = [];
    theirs.eachRow((row, n) => n > 3 && theirRows.push((row.values as unknown[]).slice(1)));
    expect(theirRows.map((r) => r[0])).toEqual([expect.stringContaining('发'), '合计（按时率）']);
    expect((await api('GET', `/plans/${planId}/reporting/compliance.xlsx?from=June`, office)).status).toBe(400);

    // A case, then the case list.
    const officeP: Principal = { userId: 'office-1', roles: ['office'] };
    const run = (type: string, data: object) => engine.execute({ type, data, meta: { commandId: crypto.randomUUID(), actor: officeP, now: engine.clock.now().toISOString() } });
    await run('ranking.PublishScoringRule', {
      planId,
      coefficients: [1, 0.9, 0.8, 0.7, 0.6, 0.5].map((coefficient, i) => ({ rank: i + 1, coefficient })),
      missingRankCoefficient: 0,
      note: '试行',
    });
    const counties = ['ye', 'baofeng', 'jia', 'lushan', 'wugang', 'ruzhou'];
    const recorded = await run('ranking.RecordFigures', {
      planId,
      indicatorNo: 28,
      period: '2023-Q2',
      figures: counties.map((countyId, i) => ({ countyId, value: i === 0 ? 60 : 10 + i, rank: null })),
      source: { kind: 'manual' },
    });
    await engine.waitFor(recorded.position);
    const opened = await api('POST', `/plans/${planId}/supervision/cases`, supervisor, { unitId: 'sthjj', indicatorNo: 28, period: '2023-Q2', note: '红色预警，人工立案' });
    expect(opened.status).toBe(201);
    await engine.waitFor(opened.body.position);
    const cases = await workbook(`/plans/${planId}/supervision/cases.xlsx`, supervisor);
    const caseRows: unknown[][] = [];
    cases.eachRow((r, n) => n > 3 && caseRows.push((r.values as unknown[]).slice(1)));
    expect(caseRows).toHaveLength(1);
    const row = caseRows[0]!;
    expect(String(row[0])).toContain('生态环境');
    expect(row.slice(1, 5)).toEqual(['28. PM2.5年均浓度', 1, '办理中', '签收']);
    expect((await api('GET', `/plans/${planId}/supervision/cases.xlsx?status=some`, supervisor)).status).toBe(400);
  });
});

/**
 * The year-end list (拟奖惩名单) and decision (奖惩决定) as workbooks, from the demo year closed
 * through its review (demo --close-year): one row per unit, ranks and working funds as numbers, the
 * office's amendment with its reason, a Chinese header row (English with Accept-Language: en-US);
 * the proposal for county roles only, the published decision for a unit too.
 */
describe('year-end exports from the closed demo year', () => {
  let demo: Awaited<ReturnType<typeof startClosedDemoYear>>;
  let office: TestSession;
  let unit: TestSession;
  beforeAll(async () => {
    demo = await startClosedDemoYear();
    office = await demo.signIn('office');
    unit = await demo.signIn('fgw-reporter');
  }, 240_000);
  afterAll(() => demo?.close());

  async function get(path: string, who: TestSession, lang = 'zh-CN') {
    const res = await fetch(`${demo.running.url}/api/v1${path}`, { headers: { ...who.headers, 'accept-language': lang } });
    return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), bytes: Buffer.from(await res.arrayBuffer()) };
  }
  async function sheets(bytes: Buffer) {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as never);
    return wb.worksheets.map((ws) => {
      const rows: unknown[][] = [];
      ws.eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
      return { name: ws.name, rows };
    });
  }

  it('exports the proposal with its amendment and the decision as decided, in Chinese or English, to whom may read them', async () => {
    const proposal = (await (await fetch(`${demo.running.url}/api/v1/plans/${planId}/rewards/2023/proposal`, { headers: office.headers })).json()) as {
      status: string;
      lines: { unitName: string; excluded: boolean; indicators: { annualRank: number }[]; amendments: { reason: string }[] }[];
    };
    expect(proposal.status).toBe('published');

    const zh = await get(`/plans/${planId}/rewards/2023/proposal.xlsx`, office);
    expect(zh.status).toBe(200);
    expect(zh.type).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(zh.disposition).toContain(encodeURIComponent('2023年度拟奖惩名单.xlsx'));
    const [list] = await sheets(zh.bytes);
    expect(list!.name).toBe('拟奖惩名单');
    expect(list!.rows[0]).toEqual(['2023年度目标责任考核拟奖惩名单']);
    expect(list!.rows[2]).toEqual([
      '序号',
      '单位',
      '指标及年度排名',
      '最好年度排名',
      '排名指标数',
      '拟定等次',
      '拟奖惩措施',
      '工作经费（月）',
      '是否剔除',
      '等次冲突及处理',
      '修改次数',
      '修改及理由',
    ]);
    const lines = list!.rows.slice(3);
    expect(lines).toHaveLength(proposal.lines.length);
    // Numbers are numbers: the rank, the count, the working funds (+ adds, − deducts), the amendments.
    for (const [i, l] of proposal.lines.entries()) {
      expect(lines[i]![1]).toBe(l.unitName);
      expect(lines[i]![3]).toBe(Math.min(...l.indicators.map((x) => x.annualRank)));
      expect(lines[i]![10]).toBe(l.amendments.length);
    }
    expect(lines.some((r) => typeof r[7] === 'number' && r[7] > 0)).toBe(true);
    expect(lines.some((r) => typeof r[7] === 'number' && r[7] < 0)).toBe(true);
    const excluded = proposal.lines.findIndex((l) => l.excluded);
    expect(lines[excluded]![8]).toBe('是');
    expect(String(lines[excluded]![11])).toContain(proposal.lines[excluded]!.amendments[0]!.reason);

    const en = await sheets((await get(`/plans/${planId}/rewards/2023/proposal.xlsx`, office, 'en-US')).bytes);
    expect(en[0]!.rows[2]!.slice(0, 4)).toEqual(['No.', 'Unit', 'Indicators and annual ranks', 'Best annual rank']);

    const decided = await sheets((await get(`/plans/${planId}/rewards/2023/decisions.xlsx`, office)).bytes);
    expect(decided.map((s) => s.name)).toEqual(['奖惩决定', '剔除单位']);
    expect(decided[0]!.rows[2]!.slice(5, 8)).toEqual(['决定等次', '奖惩决定', '工作经费（月）']);
    const decisions = decided[0]!.rows.slice(3);
    expect(decisions).toHaveLength(proposal.lines.filter((l) => !l.excluded).length);
    expect(decided[1]!.rows.slice(3).map((r) => r[1])).toEqual([proposal.lines[excluded]!.unitName]);
    console.log(`year-end exports: proposal ${zh.bytes.length} bytes (${lines.length} lines), decision ${decisions.length} rows`);

    // A unit reads the published decision (without the office's amendments), never the proposal.
    expect((await get(`/plans/${planId}/rewards/2023/proposal.xlsx`, unit)).status).toBe(403);
    const theirs = await get(`/plans/${planId}/rewards/2023/decisions.xlsx`, unit);
    expect(theirs.status).toBe(200);
    const unitSheets = await sheets(theirs.bytes);
    expect(unitSheets.map((s) => s.name)).toEqual(['奖惩决定']);
    expect(unitSheets[0]!.rows.slice(3).every((r) => r[10] === 0)).toBe(true);
    expect((await get(`/plans/${planId}/rewards/20x3/decisions.xlsx`, office)).status).toBe(400);
  });
});
