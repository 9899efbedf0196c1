import ExcelJS from 'exceljs';
import { Engine } from '../libs/engine/nest/engine.js';
import { bootstrapAdmin, createUserViaApi, followLocation, relaxLoginLimits, STORE_TARGETS, startAppOn, type RunningApp, type TestSession } from './support/app.js';

const planId = 'ye-county-2023';
const COUNTIES = ['叶县', '宝丰县', '郏县', '鲁山县', '舞钢市', '汝州市'];
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

async function workbook(rows: unknown[][], sheetName = '2023-Q3'): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheetName);
  ws.addRow(['序号', '指标', ...COUNTIES]);
  for (const r of rows) ws.addRow(r);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

describe.each(STORE_TARGETS)('rankings and warnings over HTTP on $name', (target) => {
  let running: RunningApp;
  let office: TestSession;
  let reporter: TestSession;
  let leader: TestSession;

  beforeAll(async () => {
    running = await startAppOn(target);
    relaxLoginLimits(running);
    const admin = await bootstrapAdmin(running);
    office = await createUserViaApi(running, admin, { username: 'office-zhang', name: '推进办 张', roles: ['office'] });
    reporter = await createUserViaApi(running, admin, { username: 'gxj-reporter', name: '工信局 李', roles: ['reporter'], unitId: 'gxj' });
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
    return { status: res.status, headers: res.headers, body: (type.includes('json') ? await res.json() : await res.text()) as any };
  }

  async function upload(session: TestSession, data: Uint8Array, name: string) {
    const form = new FormData();
    form.append('file', new Blob([data], { type: XLSX }), name);
    const res = await fetch(`${running.url}/api/v1/plans/${planId}/ranking/imports`, { method: 'POST', headers: session.headers, body: form });
    return { status: res.status, headers: res.headers, body: (await res.json()) as any };
  }

  /** The rule-change reaction runs after the plan's revision is projected: poll until it shows. */
  async function eventually<T>(read: () => Promise<T>, done: (t: T) => boolean): Promise<T> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const t = await read();
      if (done(t) || Date.now() > deadline) return t;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('needs a session, and only the office records figures', async () => {
    expect((await api('GET', `/plans/${planId}/ranking/warnings?quarter=2023-Q3`, null)).status).toBe(401);
    const denied = await api('POST', `/plans/${planId}/ranking/figures`, reporter, { indicatorNo: 7, period: '2023-Q3', figures: [{ countyId: 'ye', value: 5 }] });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('content-type')).toContain('application/problem+json');
    expect((await upload(leader, await workbook([[7, null, 5]]), 'x.xlsx')).status).toBe(403);
  });

  it('serves a template and refuses a malformed spreadsheet cell by cell, recording nothing', async () => {
    const template = await fetch(`${running.url}/api/v1/plans/${planId}/ranking/imports/template?period=2023-Q3`, { headers: office.headers });
    expect(template.status).toBe(200);
    expect(template.headers.get('content-type')).toContain(XLSX);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await template.arrayBuffer()) as unknown as ExcelJS.Buffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['2023-Q3', '说明']);

    const bad = await upload(
      office,
      await workbook([
        [7, '规模以上工业企业研发费用支出增速', 5.1, 'abc', 6, 4.2, 8.8, 3.9],
        [28, null, '第8名'],
      ]),
      '三季度.xlsx',
    );
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({ code: 'invalid-spreadsheet', status: 422 });
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(["'2023-Q3'!D2", "'2023-Q3'!C3"]);
    expect(bad.body.cells[0]).toMatchObject({ sheet: '2023-Q3', row: 2, column: 'D', cell: 'D2', code: 'cell-not-figure-text', params: { text: 'abc' } });
    // Each cell's problem in the reader's language (zh-CN by default), from its code and params.
    expect(bad.body.errors[0].message).toBe('“abc”不是数据：请填写数值（5.2）、名次（第2名）或两者（5.2（第2名））');
    expect((await api('GET', `/plans/${planId}/ranking/standings/7/2023-Q3`, office)).status).toBe(404);
  });

  it('imports, records by hand, corrects, re-tiers; the standing, the warning board, the score and Annex 2 follow, and "as of" shows the past', async () => {
    // The city's Q3 figures by spreadsheet; a second upload of the same file is answered, not repeated.
    const file = await workbook([
      [7, '规模以上工业企业研发费用支出增速', 6, 7, 5, 4.5, 4, 3],
      [28, 'PM2.5年均浓度', 41, 38.5, 45, 52, 46, 49],
    ]);
    const imported = await upload(office, file, '三季度.xlsx');
    expect(imported.status).toBe(201);
    expect(imported.body).toMatchObject({ recorded: 2, replayed: 0, file: '三季度.xlsx' });
    // Issue 14: the figures recorded are read in the standings of the period imported.
    expect(imported.headers.get('location')).toBe(`/api/v1/plans/${planId}/ranking/standings?period=2023-Q3`);
    const importedStandings = await followLocation(running, imported, leader, imported.body.position);
    expect(importedStandings.status).toBe(200);
    const uploadedAgain = await upload(office, file, '三季度.xlsx');
    expect(uploadedAgain.body).toMatchObject({ recorded: 0, replayed: 2, importId: imported.body.importId });
    expect([uploadedAgain.status, uploadedAgain.headers.get('location')]).toEqual([200, null]);

    const s7 = await api('GET', `/plans/${planId}/ranking/standings/7/2023-Q3?minPosition=${imported.body.position}`, leader);
    expect(s7.status).toBe(200);
    expect(s7.headers.get('etag')).toBe('"1"');
    expect(s7.body).toMatchObject({ ours: { rank: 2, warning: 'green' }, rankBasis: 'values' });
    expect(s7.body.counties.find((c: { countyId: string }) => c.countyId === 'ye').lastChange.source).toMatchObject({
      kind: 'import',
      file: '三季度.xlsx',
      sheet: '2023-Q3',
      row: 2,
    });
    const beforeRevision = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));

    // 汝州 revised by hand; the retry with the same Idempotency-Key is answered from the first.
    const revision = { indicatorNo: 7, period: '2023-Q3', figures: [{ countyId: 'ruzhou', value: 6.4 }] };
    const recorded = await api('POST', `/plans/${planId}/ranking/figures`, office, revision, { 'idempotency-key': 'ruzhou-q3-revision' });
    expect(recorded.status).toBe(201);
    expect(recorded.headers.get('etag')).toBe('"3"');
    expect(recorded.headers.get('location')).toBe(`/api/v1/plans/${planId}/ranking/standings/7/2023-Q3`);
    expect(await followLocation(running, recorded, leader)).toMatchObject({ status: 200, body: { indicatorNo: 7, period: '2023-Q3' } });
    expect(recorded.body.events.map((e: { type: string }) => e.type)).toEqual(['PeerFiguresRecorded', 'StandingChanged']);
    const retried = await api('POST', `/plans/${planId}/ranking/figures`, office, revision, { 'idempotency-key': 'ruzhou-q3-revision' });
    expect(retried.body).toMatchObject({ replayed: true, revision: 3 });
    const after = await api('GET', `/plans/${planId}/ranking/standings/7/2023-Q3?minPosition=${recorded.headers.get('x-position')}`, office);
    expect(after.body.ours).toMatchObject({ rank: 3, warning: 'yellow' });
    expect(after.body.history.at(-1)).toMatchObject({ cause: { kind: 'peer-revision', countyId: 'ruzhou' }, explanation: '汝州市’s figure 3 → 6.4' });

    // Bad input names the field and writes nothing.
    const badPeriod = await api('POST', `/plans/${planId}/ranking/figures`, office, { indicatorNo: 7, period: '2023-Q5', figures: [{ countyId: 'ye', value: 1 }] });
    expect(badPeriod.status).toBe(400);
    expect(badPeriod.body.errors[0].field).toBe('period');
    const badRank = await api('POST', `/plans/${planId}/ranking/figures`, office, { indicatorNo: 7, period: '2023-Q3', figures: [{ countyId: 'ye', value: 1, rank: 7 }] });
    expect(badRank.status).toBe(422);
    expect(badRank.body).toMatchObject({ code: 'invalid-figures', errors: [{ field: 'figures[0].rank' }] });
    expect((await api('POST', `/plans/${planId}/ranking/figures/7/2023-Q3/corrections`, office, { countyId: 'ye', value: 7 })).status).toBe(400);

    // A correction with its reason.
    const corrected = await api('POST', `/plans/${planId}/ranking/figures/28/2023-Q3/corrections`, office, { countyId: 'ye', value: 39, reason: '录入错误：叶县应为39' });
    expect(corrected.status).toBe(200);
    expect(corrected.body.events).toEqual([
      {
        type: 'PeerFigureCorrected',
        data: expect.objectContaining({ countyId: 'ye', previous: { value: 41, rank: null }, corrected: { value: 39, rank: null }, reason: '录入错误：叶县应为39' }),
      },
    ]);

    // The scoring rule, the score and a what-if.
    const rule = await api('POST', `/plans/${planId}/ranking/scoring-rules`, office, {
      coefficients: [1, 0.9, 0.8, 0.7, 0.6, 0.5].map((coefficient, i) => ({ rank: i + 1, coefficient })),
      missingRankCoefficient: 0,
      note: '按名次折算',
    });
    expect(rule.status).toBe(201);
    expect(rule.headers.get('location')).toBe(`/api/v1/plans/${planId}/ranking/scoring-rules`);
    expect((await followLocation(running, rule, leader)).status).toBe(200);
    const score = await api('GET', `/plans/${planId}/ranking/score?period=2023-Q3&minPosition=${rule.headers.get('x-position')}`, leader);
    expect(score.body).toMatchObject({ scoringRuleVersion: 1, totalScore: 5, maxScore: 116 });
    const whatIf = await api('POST', `/plans/${planId}/ranking/score/what-if`, leader, { period: '2023-Q3', changes: [{ indicatorNo: 7, rank: 1 }] });
    expect(whatIf.status).toBe(200);
    expect(whatIf.body).toMatchObject({ baseTotal: 5, projectedTotal: 5.8, delta: 0.8 });
    expect((await api('POST', `/plans/${planId}/ranking/scoring-rules`, reporter, { coefficients: [], missingRankCoefficient: 0, note: '' })).status).toBe(403);

    // The office narrows green to rank 1: both standings re-tier by the reaction, whatever the entry point.
    const tiers = [
      { tier: 'green', fromRank: 1, toRank: 1, label: { zh: '绿色', en: 'green' } },
      { tier: 'yellow', fromRank: 2, toRank: 4, label: { zh: '黄色', en: 'yellow' } },
      { tier: 'red', fromRank: 5, toRank: 6, label: { zh: '红色', en: 'red' } },
    ];
    // Sent through the engine (the CommandBus) in the running app, as the CLI and jobs send commands.
    const revised = await running.app.get(Engine).execute({
      type: 'plan.ReviseWarningTiers',
      data: { planId, tiers: tiers as never },
      meta: { commandId: 'revise-tiers-q3', actor: { userId: office.userId, roles: ['office'] }, now: new Date().toISOString(), reason: '市里调整预警档次' },
    });
    expect(revised.events.map((e) => e.type)).toEqual(['PlanRuleRevised']);
    const s28 = await eventually(
      () => api('GET', `/plans/${planId}/ranking/standings/28/2023-Q3`, office),
      (r) => r.body.history?.at(-1)?.cause.kind === 'rule-change',
    );
    expect(s28.body.ours).toMatchObject({ rank: 2, warning: 'yellow' });
    expect(s28.body.history.at(-1)).toMatchObject({ by: { role: 'system' }, warning: { from: 'green', to: 'yellow' } });

    const board = await api('GET', `/plans/${planId}/ranking/warnings?quarter=2023-Q3`, leader);
    expect(board.body.counts).toEqual({ green: 0, yellow: 2, red: 0, missing: 47 });
    expect(board.body.changesSinceLastMeeting.map((c: { indicatorNo: number; cause: { kind: string } }) => `${c.indicatorNo}:${c.cause.kind}`)).toEqual([
      '7:first-figures',
      '28:first-figures',
      '7:peer-revision',
      '28:rule-change',
    ]);
    expect((await api('GET', `/plans/${planId}/ranking/warnings?quarter=2023-08`, leader)).status).toBe(400);

    // Annex 2 for September takes Q3's official standings.
    const annex = await api('GET', `/plans/${planId}/annex2/2023-09`, leader);
    const rows = annex.body.sections.flatMap((s: { rows: unknown[] }) => s.rows);
    expect(rows.find((r: { no: number }) => r.no === 7)).toMatchObject({ rank: 3, rankSource: 'official', rankPeriod: '2023-Q3', warning: 'yellow', score: 3.2 });
    expect(annex.body).toMatchObject({ totalScore: 5, maxScore: 116 });

    // As known before 汝州's revision: second and green.
    const then = await api('GET', `/plans/${planId}/ranking/standings/7/2023-Q3?asOf=${encodeURIComponent(beforeRevision)}`, office);
    expect(then.body).toMatchObject({ ours: { rank: 2, warning: 'green' }, asOf: beforeRevision });
    const annexThen = await api('GET', `/plans/${planId}/annex2/2023-09?asOf=${encodeURIComponent(beforeRevision)}`, office);
    expect(annexThen.body.sections.flatMap((s: { rows: unknown[] }) => s.rows).find((r: { no: number }) => r.no === 7)).toMatchObject({ rank: 2, warning: 'green', score: null });

    const all = await api('GET', `/plans/${planId}/ranking/standings?period=2023-Q3`, leader);
    expect(all.body.indicators.filter((i: { recorded: boolean }) => i.recorded).map((i: { indicatorNo: number }) => i.indicatorNo)).toEqual([7, 28]);
  });

  it('documents every ranking endpoint in OpenAPI', async () => {
    const doc = (await (await fetch(`${running.url}/api/docs-json`)).json()) as { paths: Record<string, unknown> };
    expect(
      Object.keys(doc.paths)
        .filter((p) => p.startsWith('/api/v1/plans/{planId}/ranking/'))
        .sort(),
    ).toEqual([
      '/api/v1/plans/{planId}/ranking/figures',
      '/api/v1/plans/{planId}/ranking/figures/{indicatorNo}/{period}/corrections',
      '/api/v1/plans/{planId}/ranking/imports',
      '/api/v1/plans/{planId}/ranking/imports/template',
      '/api/v1/plans/{planId}/ranking/score',
      '/api/v1/plans/{planId}/ranking/score/what-if',
      '/api/v1/plans/{planId}/ranking/scoring-rules',
      '/api/v1/plans/{planId}/ranking/standings',
      '/api/v1/plans/{planId}/ranking/standings/{indicatorNo}/{period}',
      '/api/v1/plans/{planId}/ranking/warnings',
    ]);
  });
});
