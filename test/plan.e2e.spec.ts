import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { bootstrapAdmin, createUserViaApi, followLocation, relaxLoginLimits, STORE_TARGETS, startAppOn, type RunningApp, type TestSession } from './support/app.js';

const planId = 'ye-county-2023';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

describe.each(STORE_TARGETS)('the plan maintained over HTTP on $name (issue 15)', (target) => {
  let running: RunningApp;
  let office: TestSession;
  let leader: TestSession;

  beforeAll(async () => {
    running = await startAppOn(target);
    relaxLoginLimits(running);
    const admin = await bootstrapAdmin(running);
    office = await createUserViaApi(running, admin, { username: 'office-zhang', name: '推进办 张', roles: ['office'] });
    leader = await createUserViaApi(running, admin, { username: 'county-head', name: '县长', roles: ['leader'] });
  });
  afterAll(async () => {
    await running.close();
  });

  async function api(method: string, path: string, session: TestSession | null, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${running.url}/api/v1${path}`, {
      method,
      headers: { ...(session?.headers ?? {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const type = res.headers.get('content-type') ?? '';
    if (res.headers.get('x-position')) position = res.headers.get('x-position')!;
    return { status: res.status, headers: res.headers, body: (type.includes('json') ? await res.json() : await res.text()) as any };
  }

  async function upload(session: TestSession, data: Uint8Array, name: string, reason?: string, language?: string) {
    const form = new FormData();
    form.append('file', new Blob([data], { type: XLSX }), name);
    if (reason !== undefined) form.append('reason', reason);
    const res = await fetch(`${running.url}/api/v1/plans/${planId}/imports`, {
      method: 'POST',
      headers: { ...session.headers, ...(language ? { 'accept-language': language } : {}) },
      body: form,
    });
    const body = (await res.json()) as any;
    if (body.position) position = body.position;
    return { status: res.status, body };
  }

  /** Reads wait for our last write (read-your-writes through minPosition). */
  let position = '';
  const changes = async () =>
    (await api('GET', `/plans/${planId}/changes?limit=200${position ? `&minPosition=${position}` : ''}`, leader)).body.items as {
      type: string;
      reason?: string;
      data: any;
      actor: { userId: string };
    }[];

  it('a target and a baseline set on screen: office only, a reason required, each an event in the history', async () => {
    const before = (await changes()).length;
    expect((await api('PUT', `/plans/${planId}/indicators/3/target`, leader, { target: 8, reason: '县政府常务会议审定' })).status).toBe(403);
    expect((await api('PUT', `/plans/${planId}/indicators/3/target`, office, { target: 8 })).status).toBe(400);
    const set = await api('PUT', `/plans/${planId}/indicators/3/target`, office, { target: 8, reason: '县政府常务会议审定' });
    expect(set.status).toBe(200);
    const base = await api('PUT', `/plans/${planId}/indicators/3/baseline`, office, { value: 7.1, rank: 2, reason: '市统计局通报' });
    expect(base.status).toBe(200);
    const badRank = await api('PUT', `/plans/${planId}/indicators/3/baseline`, office, { value: 7.1, rank: 9, reason: '市统计局通报' });
    expect([badRank.status, badRank.body.code]).toEqual([422, 'invalid-value']);
    const plan = (await api('GET', `/plans/${planId}`, leader)).body;
    expect(plan.indicators.find((i: { no: number }) => i.no === 3)).toMatchObject({ target: 8, baseline: { value: 7.1, rank: 2 } });
    const history = await changes();
    expect(history.slice(before).map((c) => [c.type, c.reason, c.actor.userId])).toEqual([
      ['PlanTargetSet', '县政府常务会议审定', office.userId],
      ['PlanBaselineSet', '市统计局通报', office.userId],
    ]);
    const annex = await api('GET', `/plans/${planId}/annex2/2023-03?minPosition=${base.headers.get('x-position')}`, leader);
    const row = annex.body.sections.flatMap((s: { rows: unknown[] }) => s.rows).find((r: { no: number }) => r.no === 3);
    expect(row).toMatchObject({ target: 8, baseline: { value: 7.1, rank: 2 } });
  });

  it('the monthly deadline revised with a reason; the rest of the rule stays', async () => {
    const before = (await api('GET', `/plans/${planId}`, leader)).body.monthlyReport;
    expect((await api('PUT', `/plans/${planId}/rules/monthly-report`, leader, { dueBeforeDayOfNextMonth: 8, reminderWorkingDaysBefore: 2, reason: '延长' })).status).toBe(403);
    const bad = await api('PUT', `/plans/${planId}/rules/monthly-report`, office, { dueBeforeDayOfNextMonth: 30, reminderWorkingDaysBefore: 2, reason: '延长' });
    expect([bad.status, bad.body.code]).toEqual([422, 'invalid-value']);
    expect(
      (await api('PUT', `/plans/${planId}/rules/monthly-report`, office, { dueBeforeDayOfNextMonth: 8, reminderWorkingDaysBefore: 2, reason: '县政府同意延长报送时限' })).status,
    ).toBe(200);
    const after = (await api('GET', `/plans/${planId}`, leader)).body.monthlyReport;
    expect(after).toEqual({ ...before, dueBeforeDayOfNextMonth: 8, reminderWorkingDaysBefore: 2 });
    expect((await changes()).at(-1)).toMatchObject({ type: 'PlanRuleRevised', reason: '县政府同意延长报送时限', data: { rule: 'monthlyReport' } });
  });

  it('targets and baselines imported from the office’s workbook: template, every bad cell in the reader’s language with nothing written, then one event per changed value', async () => {
    const template = await fetch(`${running.url}/api/v1/plans/${planId}/imports/template`, { headers: office.headers });
    expect(template.status).toBe(200);
    expect(template.headers.get('content-type')).toContain(XLSX);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await template.arrayBuffer()) as ExcelJS.Buffer);
    const ws = wb.getWorksheet('目标与基数')!;
    expect(ws.rowCount).toBe(50);
    // The template holds the plan as it stands (no. 3 set above); no. 5 and 6 get new values.
    expect(ws.getRow(4).getCell(6).value).toBe(8);
    ws.getRow(6).getCell(6).value = 9.5;
    ws.getRow(7).getCell(4).value = 3.2;
    ws.getRow(7).getCell(5).value = 4;
    const good = new Uint8Array(await wb.xlsx.writeBuffer());
    ws.getRow(8).getCell(5).value = 7;
    ws.getRow(9).getCell(6).value = 'abc';
    const bad = new Uint8Array(await wb.xlsx.writeBuffer());

    const before = (await changes()).length;
    expect((await upload(leader, good, 'targets.xlsx', '常务会议')).status).toBe(403);
    const noReason = await upload(office, good, 'targets.xlsx');
    expect([noReason.status, noReason.body.code]).toEqual([422, 'reason-required']);
    const refused = await upload(office, bad, '目标.xlsx', '常务会议审定');
    expect([refused.status, refused.body.code]).toEqual([422, 'invalid-spreadsheet']);
    expect(refused.body.cells.map((c: { cell: string; code: string }) => [c.cell, c.code])).toEqual([
      ['E8', 'bad-rank'],
      ['F9', 'not-a-number'],
    ]);
    expect(refused.body.cells[0].message).toBe('位次 7 应为 1 到 6 的整数');
    const english = await upload(office, bad, 'targets.xlsx', 'meeting', 'en-US,en;q=0.9');
    expect(english.body.cells[1].message).toBe('"abc" is not a number: write a number, or leave the cell empty');
    expect((await changes()).length).toBe(before);

    const done = await upload(office, good, '目标.xlsx', '县政府常务会议审定目标');
    // Issue 14: an import revises the plan's values, it creates nothing: 200.
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ file: '目标.xlsx', rows: 49, targets: 1, baselines: 1, unchanged: 47 });
    const history = (await changes()).slice(before);
    expect(history.map((c) => [c.type, c.data.indicatorNo, c.reason])).toEqual([
      ['PlanTargetSet', 5, '县政府常务会议审定目标'],
      ['PlanBaselineSet', 6, '县政府常务会议审定目标'],
    ]);
    // The same file again is answered, not repeated.
    const again = await upload(office, good, '目标.xlsx', '县政府常务会议审定目标');
    expect(again.status).toBe(200);
    expect((await changes()).length).toBe(before + 2);
    const plan = (await api('GET', `/plans/${planId}`, leader)).body;
    expect(plan.indicators.find((i: { no: number }) => i.no === 5).target).toBe(9.5);
    expect(plan.indicators.find((i: { no: number }) => i.no === 6).baseline).toEqual({ value: 3.2, rank: 4 });
  });

  it('next year’s plan drafted from this year’s: the year’s result as its baseline, edited as a draft, published once', async () => {
    // The city's figures for the whole of 2023 on indicator 7: ours (叶县) 12.4, second of six.
    const values: Record<string, number> = { ye: 12.4, baofeng: 13.1, jia: 11.2, lushan: 9.8, wugang: 10.5, ruzhou: 8.7 };
    const recorded = await api('POST', `/plans/${planId}/ranking/figures`, office, {
      indicatorNo: 7,
      period: '2023',
      figures: Object.entries(values).map(([countyId, value]) => ({ countyId, value })),
    });
    expect(recorded.status).toBe(201);
    expect((await api('POST', `/plans/${planId}/next-year`, leader, { reason: '起草2024年方案' })).status).toBe(403);
    expect((await api('POST', `/plans/${planId}/next-year`, office, {})).status).toBe(400);
    const drafted = await api('POST', `/plans/${planId}/next-year`, office, { reason: '依据2023年方案起草2024年方案' });
    expect(drafted.status).toBe(201);
    expect(drafted.body.planId).toBe('ye-county-2024');
    // Issue 14: the draft is read where the answer's Location says.
    expect(drafted.headers.get('location')).toBe('/api/v1/plans/ye-county-2024/draft');
    expect(await followLocation(running, drafted, leader)).toMatchObject({ status: 200, body: { plan: { id: 'ye-county-2024' } } });
    const again = await api('POST', `/plans/${planId}/next-year`, office, { reason: '再次起草' });
    expect([again.status, again.body.code]).toEqual([409, 'plan-exists']);

    // A draft is not a plan: the workflows (and GET /plans/{id}) do not see it until it is published.
    expect((await api('GET', `/plans/ye-county-2024`, leader)).status).toBe(404);
    const draft = (await api('GET', `/plans/ye-county-2024/draft?minPosition=${position}`, leader)).body;
    expect(draft).toMatchObject({ from: { planId }, plan: { id: 'ye-county-2024', year: 2024, documentNumber: '待发文' } });
    expect(draft.plan.indicators.find((i: { no: number }) => i.no === 7)).toMatchObject({ target: null, baseline: { value: 12.4, rank: 2 } });
    // This year's target (no. 3: 8, set above) is not a result: next year's baseline stays empty, its target too.
    expect(draft.plan.indicators.find((i: { no: number }) => i.no === 3)).toMatchObject({ target: null, baseline: { value: null, rank: null } });

    expect((await api('PUT', `/plans/ye-county-2024/indicators/7/target`, office, { target: 13, reason: '2024年县定目标' })).status).toBe(200);
    const tiers = await api('PUT', `/plans/ye-county-2024/rules/warning-tiers`, office, { tiers: draft.plan.warningTiers, reason: '调整' });
    expect([tiers.status, tiers.body.code]).toEqual([409, 'plan-is-draft']);
    expect((await api('POST', `/plans/ye-county-2024/publish`, leader, { reason: '常务会议通过' })).status).toBe(403);
    const published = await api('POST', `/plans/ye-county-2024/publish`, office, { reason: '县政府常务会议通过' });
    // Publishing a draft changes what exists: 200, no Location.
    expect(published.status).toBe(200);
    expect(published.headers.get('location')).toBeNull();
    const twice = await api('POST', `/plans/ye-county-2024/publish`, office, { reason: '县政府常务会议通过' });
    expect([twice.status, twice.body.code]).toEqual([409, 'plan-already-published']);

    const plan = (await api('GET', `/plans/ye-county-2024`, leader)).body;
    expect(plan.indicators.find((i: { no: number }) => i.no === 7)).toMatchObject({ target: 13, baseline: { value: 12.4, rank: 2 } });
    const list = (await api('GET', `/plans?minPosition=${position}`, leader)).body;
    expect(list.next).toBeNull();
    // One plan a page: the second page after the first's `next`, and the end.
    const first = (await api('GET', `/plans?limit=1`, leader)).body;
    expect([first.items.length, typeof first.next]).toEqual([1, 'string']);
    expect((await api('GET', `/plans?limit=1&after=${first.next}`, leader)).body).toEqual({ items: [list.items[1]], next: null });
    expect(list.items.map((p: { id: string; year: number }) => [p.id, p.year])).toEqual([
      [planId, 2023],
      ['ye-county-2024', 2024],
    ]);
    expect((await api('GET', `/plans/ye-county-2024/draft?minPosition=${position}`, leader)).status).toBe(404);
    const history = (await api('GET', `/plans/ye-county-2024/changes?minPosition=${position}`, leader)).body;
    expect(history.next).toBeNull();
    expect(history.items.map((c: { type: string; reason: string }) => [c.type, c.reason])).toEqual([
      ['PlanDrafted', '依据2023年方案起草2024年方案'],
      ['PlanTargetSet', '2024年县定目标'],
      ['PlanPublished', '县政府常务会议通过'],
    ]);
  });

  it('a plan published from its file answers 201 with where it is read (issue 14)', async () => {
    const yaml = readFileSync('plans/ye-county-2023.yaml', 'utf8').replace(/^id: ye-county-2023$/m, 'id: ye-county-2023-copy');
    const created = await api('POST', '/plans', office, { yaml, fileName: 'copy.yaml' });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/api/v1/plans/ye-county-2023-copy');
    expect(await followLocation(running, created, leader)).toMatchObject({ status: 200, body: { id: 'ye-county-2023-copy', year: 2023 } });
  });
});
