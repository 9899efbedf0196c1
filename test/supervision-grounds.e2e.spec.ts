import { ManualClock } from '../libs/engine/clock.js';
import { bootstrapAdmin, createUserViaApi, followLocation, relaxLoginLimits, STORE_TARGETS, startAppOn, type RunningApp, type TestSession } from './support/app.js';

/**
 * 四（四）建立督查机制: "县委县政府督查局要及时对各责任单位指标完成情况开展督查，特别要紧盯红色预警单位工作开展情况，
 * 督查结果及时上报县委、县政府领导。对行动不力、工作滞后、成效不明显的，视情形予以通报、约谈。"
 * Beside the automatic case for a red warning, the bureau opens a case for any unit and indicator on
 * one of the three grounds, whatever the colour; the ground is recorded and shown on the board (issue 12).
 */
const planId = 'ye-county-2023';
const COUNTIES = ['ye', 'baofeng', 'jia', 'lushan', 'wugang', 'ruzhou'];

describe.each(STORE_TARGETS)('a supervision case on a ground the document names, over HTTP on $name', (target) => {
  let running: RunningApp;
  let office: TestSession;
  let supervisor: TestSession;
  let fgwHead: TestSession;

  beforeAll(async () => {
    running = await startAppOn(target, { clock: new ManualClock('2023-10-09T02:00:00.000Z') });
    relaxLoginLimits(running);
    const admin = await bootstrapAdmin(running);
    office = await createUserViaApi(running, admin, { username: 'office-zhang', name: '推进办 张', roles: ['office'] });
    supervisor = await createUserViaApi(running, admin, { username: 'dcj-zhao', name: '督查局 赵', roles: ['supervisor'] });
    fgwHead = await createUserViaApi(running, admin, { username: 'fgw-head', name: '发改委 主任', roles: ['head'], unitId: 'fgw' });
  });
  afterAll(async () => {
    await running.close();
  });

  async function api(method: string, path: string, session: TestSession, body?: unknown) {
    const res = await fetch(`${running.url}/api/v1${path}`, {
      method,
      headers: { ...session.headers, 'accept-language': 'zh-CN', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as any) : undefined };
  }

  it('the bureau opens a case on 工作滞后 for a yellow indicator; the ground is in the event, the case page and the board; others may not open one', async () => {
    // No. 30 (GDP growth, 发改委) is yellow for 2023-Q3: no automatic case, yet the bureau finds the work lagging.
    const figures = COUNTIES.map((countyId, i) => ({ countyId, value: [6.1, 7, 6.8, 5.9, 5.5, 5][i]! }));
    await api('POST', `/plans/${planId}/ranking/figures`, office, { indicatorNo: 30, period: '2023-Q3', figures });
    const body = { unitId: 'fgw', indicatorNo: 30, ground: 'lagging-work', period: '2023-Q3', note: '重点项目开工滞后，三季度未按计划推进' };

    for (const who of [office, fgwHead]) {
      const denied = await api('POST', `/plans/${planId}/supervision/cases/on-ground`, who, body);
      expect([denied.status, denied.headers.get('content-type')]).toEqual([403, expect.stringContaining('application/problem+json')]);
    }
    const badGround = await api('POST', `/plans/${planId}/supervision/cases/on-ground`, supervisor, { ...body, ground: 'bad-luck' });
    expect(badGround.status).toBe(400);
    const badPeriod = await api('POST', `/plans/${planId}/supervision/cases/on-ground`, supervisor, { ...body, period: '2022-Q3' });
    expect([badPeriod.status, badPeriod.body.code]).toEqual([422, 'period-outside-plan']);
    const notResponsible = await api('POST', `/plans/${planId}/supervision/cases/on-ground`, supervisor, { ...body, unitId: 'czj' });
    expect([notResponsible.status, notResponsible.body.code]).toEqual([422, 'unit-not-responsible']);

    const opened = await api('POST', `/plans/${planId}/supervision/cases/on-ground`, supervisor, body);
    // Issue 14: a case opened answers 201 with where it is read.
    expect(opened.status).toBe(201);
    expect(opened.headers.get('location')).toBe(`/api/v1/plans/${planId}/supervision/cases/fgw/30/1`);
    expect(await followLocation(running, opened, supervisor)).toMatchObject({ status: 200, body: { unitId: 'fgw', indicatorNo: 30, caseNo: 1 } });
    expect(opened.body.events[0]).toMatchObject({
      type: 'CaseOpened',
      data: {
        unitId: 'fgw',
        indicatorNo: 30,
        caseNo: 1,
        warning: null,
        ground: { ground: 'lagging-work', period: '2023-Q3', note: body.note, standing: { rank: 3, warning: 'yellow' } },
      },
    });
    const again = await api('POST', `/plans/${planId}/supervision/cases/on-ground`, supervisor, { ...body, ground: 'little-effect' });
    expect([again.status, again.body.code]).toEqual([409, 'case-already-open']);

    const position = opened.headers.get('x-position');
    const page = await api('GET', `/plans/${planId}/supervision/cases/fgw/30/1?minPosition=${position}`, fgwHead);
    expect(page.body).toMatchObject({ status: 'open', step: 'acknowledge', warnings: [], ground: { ground: 'lagging-work', period: '2023-Q3' } });
    expect(page.body.history[0]).toMatchObject({ type: 'CaseOpened', by: { userId: supervisor.userId, role: 'supervisor' }, reason: body.note });
    const board = await api('GET', `/plans/${planId}/supervision/board?minPosition=${position}`, supervisor);
    expect(board.body.items.map((c: any) => [c.unitId, c.indicatorNo, c.ground, c.warnings])).toEqual([['fgw', 30, 'lagging-work', []]]);
    // The unit answers it like any case.
    expect((await api('POST', `/plans/${planId}/supervision/cases/fgw/30/1/acknowledge`, fgwHead, { note: '主任牵头' })).status).toBe(200);
  });
});
