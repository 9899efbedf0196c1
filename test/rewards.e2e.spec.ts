import { Engine } from '../libs/engine/nest/engine.js';
import { figuresStream, type RankingEvent } from '../libs/workflows/ranking/ranking.events.js';
import { bootstrapAdmin, createUserViaApi, followLocation, relaxLoginLimits, STORE_TARGETS, startAppOn, type RunningApp, type TestSession } from './support/app.js';

const planId = 'ye-county-2023';
const base = `/plans/${planId}/rewards/2023`;

describe.each(STORE_TARGETS)('year-end rewards and penalties over HTTP on $name', (target) => {
  let running: RunningApp;
  let office1: TestSession;
  let office2: TestSession;
  let officeLeader: TestSession;
  let leader: TestSession;
  let fgwHead: TestSession;

  beforeAll(async () => {
    running = await startAppOn(target);
    relaxLoginLimits(running);
    const admin = await bootstrapAdmin(running);
    office1 = await createUserViaApi(running, admin, { username: 'office-zhang', name: '推进办 张', roles: ['office'] });
    office2 = await createUserViaApi(running, admin, { username: 'office-li', name: '推进办 李', roles: ['office'] });
    officeLeader = await createUserViaApi(running, admin, { username: 'deputy-head', name: '常务副县长', roles: ['office', 'leader'] });
    leader = await createUserViaApi(running, admin, { username: 'county-head', name: '县长', roles: ['leader'] });
    fgwHead = await createUserViaApi(running, admin, { username: 'fgw-head', name: '发改委主任', roles: ['head'], unitId: 'fgw' });

    // TEST SETUP: the ranking workflow's published events, appended as that workflow would append them.
    const store = running.app.get(Engine).store;
    let n = 0;
    const standing = async (indicatorNo: number, period: string, rank: number) =>
      store.appendToStream(
        figuresStream(planId, indicatorNo, period),
        (
          [
            {
              type: 'PeerFiguresRecorded',
              data: { planId, indicatorNo, period, figures: [{ countyId: 'ye', value: 10 - rank, rank: null }], source: { kind: 'manual' }, revised: [] },
            },
            {
              type: 'StandingChanged',
              data: {
                planId,
                indicatorNo,
                period,
                ranks: [{ countyId: 'ye', value: 10 - rank, rank }],
                rank: { from: null, to: rank },
                warning: { from: null, to: rank <= 2 ? 'green' : rank <= 4 ? 'yellow' : 'red' },
                cause: { kind: 'first-figures' },
              },
            },
          ] satisfies RankingEvent[]
        ).map((e) => ({
          type: e.type,
          data: e.data,
          metadata: {
            actor: { userId: office1.userId, role: 'office' },
            commandId: `setup-${++n}`,
            correlationId: `setup-${n}`,
            causationId: `setup-${n}`,
            recordedAt: new Date().toISOString(),
          },
        })),
      );
    await standing(1, '2023', 1);
    await standing(15, '2023', 6);
    await standing(20, '2023', 4);
  });
  afterAll(async () => {
    await running.close();
  });

  async function api(method: string, path: string, session: TestSession, body?: unknown) {
    const res = await fetch(`${running.url}/api/v1${path}`, {
      method,
      headers: { ...session.headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  }

  it('takes the year-end list from proposal to publication, with four eyes, reasons, visibility and evidence', async () => {
    expect((await api('GET', `${base}/proposal`, office1)).body).toMatchObject({ status: 404, code: 'proposal-not-found' });
    expect((await api('POST', `/plans/${planId}/rewards/2024/proposal`, office1, {})).body).toMatchObject({ status: 422, code: 'year-outside-plan' });
    expect((await api('POST', `/plans/${planId}/rewards/23/proposal`, office1, {})).status).toBe(400);
    expect((await api('POST', `${base}/proposal`, leader, {})).status).toBe(403);

    // The office generates; the answer carries the revision and position.
    const gen = await api('POST', `${base}/proposal`, office1, {});
    // Issue 14: the first generation creates the year's proposal: 201 with where it is read.
    expect(gen.status).toBe(201);
    expect(gen.headers.get('etag')).toBe('"0"');
    expect(gen.headers.get('location')).toBe(`/api/v1${base}/proposal`);
    expect((await followLocation(running, gen, office1)).status).toBe(200);
    const proposal = await api('GET', `${base}/proposal?minPosition=${gen.headers.get('x-position')}`, office1);
    expect(proposal.status).toBe(200);
    // 四(五) "对年度排名全市第一方阵的指标单位…；对年度排名全市第三方阵的指标单位…": one line per unit (these were
    // three lines, one per indicator and unit). 发改委 has no. 1 first, no. 15 third and no. 20 in no tier:
    // a conflict. No. 15 has two units: 财政局 gets its own line.
    type Line = { lineId: string; tier: string | null; indicators: { indicatorNo: number; annualRank: number; tier: string | null }[] };
    expect(proposal.body.lines.map((l: Line) => [l.lineId, l.tier, l.indicators.map((i) => [i.indicatorNo, i.annualRank, i.tier])])).toEqual([
      [
        'fgw',
        null,
        [
          [1, 1, 'first'],
          [15, 6, 'third'],
          [20, 4, null],
        ],
      ],
      ['czj', 'third', [[15, 6, 'third']]],
    ]);
    expect(proposal.body.lines[0].conflict).toEqual({ tiers: ['first', 'third'], untiered: 1, decided: null });
    expect(proposal.body.untiered).toEqual([expect.objectContaining({ indicatorNo: 20, rank: 4 })]);
    expect((await api('GET', `${base}/proposal`, fgwHead)).status).toBe(403);

    // Regenerating or amending without a reason is refused, naming the field; bad input is a validation problem.
    expect((await api('POST', `${base}/proposal`, office1, {})).body).toMatchObject({ status: 422, code: 'reason-required', errors: [{ field: 'reason' }] });
    expect((await api('POST', `${base}/lines/czj/amend`, office2, { excluded: true })).body).toMatchObject({
      status: 422,
      code: 'reason-required',
      errors: [{ field: 'reason' }],
    });
    const bad = await api('POST', `${base}/lines/czj/amend`, office2, { reason: 'x', consequences: [{ kind: 'fine', zh: '罚款' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'consequences[0].kind' })]);
    const amended = await api('POST', `${base}/lines/czj/amend`, office2, {
      reason: '财政局为配合单位，仅通报批评',
      consequences: [{ kind: 'public-criticism', zh: '县政府予以通报批评' }],
    });
    expect(amended.status).toBe(200);
    expect(amended.body.events[0]).toMatchObject({ type: 'LineAmended', data: { lineId: 'czj', reason: '财政局为配合单位，仅通报批评', amendedBy: office2.userId } });

    // The conflict: not to approval, nor amended, until the office decides it with a reason.
    expect((await api('POST', `${base}/submit`, officeLeader)).body).toMatchObject({ status: 422, code: 'conflicts-undecided', errors: [{ field: 'lines.fgw' }] });
    expect((await api('POST', `${base}/lines/fgw/amend`, office2, { reason: 'x', excluded: true })).body).toMatchObject({ status: 409, code: 'conflict-undecided' });
    expect((await api('POST', `${base}/lines/fgw/decide`, office2, { decision: 'both', reason: 'x' })).status).toBe(400);
    expect((await api('POST', `${base}/lines/fgw/decide`, office2, { decision: 'reward' })).body).toMatchObject({ status: 422, code: 'reason-required' });
    expect((await api('POST', `${base}/lines/fgw/decide`, leader, { decision: 'reward', reason: 'x' })).status).toBe(403);
    const decided = await api('POST', `${base}/lines/fgw/decide`, office2, { decision: 'reward', reason: '固定资产投资为年度首要任务' });
    expect(decided.status).toBe(200);
    expect(decided.body.events[0]).toMatchObject({ type: 'ConflictDecided', data: { lineId: 'fgw', decision: 'reward', after: { tier: 'first' }, decidedBy: office2.userId } });

    // Submitted by someone who also holds the leader role: that person may not approve it.
    const submitted = await api('POST', `${base}/submit`, officeLeader);
    expect(submitted.status).toBe(200);
    const listHash = submitted.body.events[0].data.listHash as string;
    const beforeApproval = new Date().toISOString();
    const fourEyes = await api('POST', `${base}/approve`, officeLeader, { listHash });
    expect(fourEyes.status).toBe(403);
    expect(fourEyes.body).toMatchObject({ code: 'forbidden', detail: expect.stringContaining('您没有权限') });
    expect(fourEyes.body.params.rule).toMatch(/may not approve it/);
    expect((await api('POST', `${base}/approve`, office2, { listHash })).status).toBe(403);
    expect((await api('POST', `${base}/approve`, leader, { listHash: 'nope' })).status).toBe(400);
    expect((await api('POST', `${base}/publish`, office1)).body).toMatchObject({ status: 409, code: 'proposal-not-approved' });
    expect((await api('POST', `${base}/lines/fgw/amend`, office2, { reason: 'x', excluded: true })).body).toMatchObject({ status: 409, code: 'proposal-not-draft' });

    await new Promise((r) => setTimeout(r, 5)); // a distinct recorded time for the as-of query below
    const approved = await api('POST', `${base}/approve`, leader, { listHash, reason: '县政府常务会议审定' });
    expect(approved.status).toBe(200);
    expect(approved.body.events[0].data.decisions.map((d: { lineId: string }) => d.lineId)).toEqual(['fgw', 'czj']);

    // Approved but not yet published: county roles read the decisions, units do not.
    expect((await api('GET', `${base}/decisions?minPosition=${approved.headers.get('x-position')}`, office1)).body).toMatchObject({
      status: 'approved',
      counts: { first: 1, third: 1 },
    });
    expect((await api('GET', `${base}/decisions`, fgwHead)).body).toMatchObject({ status: 404, code: 'decisions-not-found' });
    const published = await api('POST', `${base}/publish`, office1);
    expect(published.status).toBe(200);
    const list = await api('GET', `${base}/decisions?minPosition=${published.headers.get('x-position')}`, fgwHead);
    expect(list.body).toMatchObject({ status: 'published', approved: { by: { userId: leader.userId, role: 'leader' }, reason: '县政府常务会议审定' } });
    expect(list.body.items.find((d: { lineId: string }) => d.lineId === 'czj')).toMatchObject({ amended: true, consequences: [{ kind: 'public-criticism' }] });
    // One list shape (issue 14): the decisions are the page's items, the excluded lines and counts beside them.
    expect([list.body.next, Array.isArray(list.body.excluded), 'decisions' in list.body]).toEqual([null, true, false]);
    const firstDecision = (await api('GET', `${base}/decisions?limit=1`, fgwHead)).body;
    expect([firstDecision.items.map((d: { lineId: string }) => d.lineId), typeof firstDecision.next]).toEqual([['fgw'], 'string']);
    const secondDecision = (await api('GET', `${base}/decisions?limit=1&after=${firstDecision.next}`, fgwHead)).body;
    expect([secondDecision.items.map((d: { lineId: string }) => d.lineId), secondDecision.next]).toEqual([['czj'], null]);
    expect((await api('GET', `${base}/decisions?limit=201`, fgwHead)).body).toMatchObject({ status: 400, errors: [{ field: 'limit' }] });

    // As known before the approval.
    const then = await api('GET', `${base}/proposal?asOf=${encodeURIComponent(beforeApproval)}`, leader);
    expect(then.body).toMatchObject({ status: 'submitted', listHash });
    expect((await api('GET', `${base}/decisions?asOf=${encodeURIComponent(beforeApproval)}`, leader)).status).toBe(404);

    // Evidence: the county reads any line's; a unit reads its own published lines only.
    const evidence = await api('GET', `${base}/lines/czj/evidence`, leader);
    expect(evidence.status).toBe(200);
    expect(evidence.body.items.map((i: { kind: string }) => i.kind)).toEqual(['rule', 'figures', 'standing', 'proposal', 'amendment', 'submission', 'approval', 'publication']);
    expect(evidence.body.items.find((i: { kind: string }) => i.kind === 'amendment')).toMatchObject({
      who: { userId: office2.userId, role: 'office' },
      why: '财政局为配合单位，仅通报批评',
      position: amended.headers.get('x-position'),
    });
    expect(evidence.body.items.find((i: { kind: string }) => i.kind === 'approval')).toMatchObject({
      who: { userId: leader.userId, role: 'leader' },
      position: approved.headers.get('x-position'),
    });
    expect(evidence.body).toMatchObject({ lineId: 'czj', status: 'published', next: null });
    // Paged like every list: three at a time, the pages following one another to the end.
    const three = (await api('GET', `${base}/lines/czj/evidence?limit=3`, leader)).body;
    const rest = (await api('GET', `${base}/lines/czj/evidence?limit=200&after=${three.next}`, leader)).body;
    expect([three.items.length, three.lineId, [...three.items, ...rest.items], rest.next]).toEqual([3, 'czj', evidence.body.items, null]);
    expect((await api('GET', `${base}/lines/czj/evidence?after=not-a-cursor`, leader)).body).toMatchObject({ status: 400, errors: [{ field: 'after' }] });
    const own = await api('GET', `${base}/lines/fgw/evidence`, fgwHead);
    expect(own.status).toBe(200);
    expect(own.body.items.find((i: { kind: string }) => i.kind === 'conflict-decision')).toMatchObject({ why: '固定资产投资为年度首要任务' });
    expect((await api('GET', `${base}/lines/czj/evidence`, fgwHead)).status).toBe(403);
    expect((await api('GET', `${base}/lines/gxj/evidence`, leader)).body).toMatchObject({ status: 404, code: 'line-not-found' });
  });

  it('documents the endpoints in OpenAPI', async () => {
    const doc = (await (await fetch(`${running.url}/api/docs-json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/plans/{planId}/rewards/{year}/proposal',
        '/api/v1/plans/{planId}/rewards/{year}/lines/{lineId}/amend',
        '/api/v1/plans/{planId}/rewards/{year}/lines/{lineId}/decide',
        '/api/v1/plans/{planId}/rewards/{year}/submit',
        '/api/v1/plans/{planId}/rewards/{year}/approve',
        '/api/v1/plans/{planId}/rewards/{year}/send-back',
        '/api/v1/plans/{planId}/rewards/{year}/publish',
        '/api/v1/plans/{planId}/rewards/{year}/decisions',
        '/api/v1/plans/{planId}/rewards/{year}/lines/{lineId}/evidence',
      ]),
    );
  });
});
