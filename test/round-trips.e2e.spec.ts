import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage } from 'node:http';
import pg from 'pg';
import { loadBuiltinPlan } from '../libs/workflows/plan/plans.js';
import { bootstrapAdmin, createUserViaApi, relaxLoginLimits, STORE_TARGETS, startAppOn, type RunningApp, type TestSession } from './support/app.js';

const PLAN = 'ye-county-2023';
const postgres = STORE_TARGETS.find((t) => t.name === 'PostgreSQL')!;

/**
 * How many times a command waits on PostgreSQL (issue 17): each query is a round trip the request
 * cannot answer before, so their number bounds a command's latency from below. Queries are
 * attributed to the HTTP request whose handling issued them (an AsyncLocalStorage entered when the
 * request arrives), so the projections and reactors working meanwhile in their own contexts are
 * not counted. The bounds are today's figures: one more is a regression to look at.
 *
 * A draft save waited on five (the session, the plan's revision, the standings streams' revisions,
 * the report stream's tail, the append); now on the session and the append, whose facts check
 * (the plan's and standings' revisions this process knows) and expected revision (the report's
 * events it keeps) refuse it if another process wrote meanwhile. Recording figures: the session,
 * the append and the warning tiers' re-check.
 */
describe('round trips to PostgreSQL per command', () => {
  const requests = new AsyncLocalStorage<string[]>();
  const originalQuery = pg.Pool.prototype.query;
  let running: RunningApp;
  let office: TestSession;
  let auditor: TestSession;

  beforeAll(async () => {
    pg.Pool.prototype.query = function (this: pg.Pool, ...args: unknown[]) {
      const q = args[0] as string | { name?: string; text: string };
      requests.getStore()?.push(typeof q === 'string' ? q.slice(0, 60) : (q.name ?? q.text.slice(0, 60)));
      return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof pg.Pool.prototype.query;
    running = await startAppOn(postgres, { env: { JIXIAO_DEMO: 'off' } });
    relaxLoginLimits(running);
    const admin = await bootstrapAdmin(running);
    office = await createUserViaApi(running, admin, { username: 'office-rt', roles: ['office'] });
    auditor = await createUserViaApi(running, admin, { username: 'auditor-rt', roles: ['auditor'] });
    for (const m of ['2023-05', '2023-06']) expect((await send('POST', `/plans/${PLAN}/reporting/periods/${m}/open`)).status).toBe(200);
  });
  afterAll(async () => {
    pg.Pool.prototype.query = originalQuery;
    await running?.close();
  });

  /** Sends one request; answers its status and the queries its handling sent to PostgreSQL. */
  async function send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, as = office): Promise<{ status: number; queries: string[] }> {
    const queries: string[] = [];
    const server = running.app.getHttpServer() as import('node:http').Server;
    const enter = (req: IncomingMessage) => {
      if (req.url?.startsWith(`/api/v1${path}`)) requests.enterWith(queries);
    };
    // Before Express's own listener: the context entered here is the one the request is handled in.
    server.prependListener('request', enter);
    try {
      const res = await fetch(`${running.url}/api/v1${path}`, {
        method,
        headers: { ...as.headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      await res.text();
      return { status: res.status, queries };
    } finally {
      server.off('request', enter);
    }
  }

  const plan = loadBuiltinPlan(PLAN);
  const unit = plan.units.find((u) => plan.indicators.some((i) => i.units.includes(u.id)))!;
  const draft = (period: string, value: number) =>
    send(
      'PUT',
      `/plans/${PLAN}/reporting/reports/${unit.id}/${period}/draft`,
      {
        lines: plan.indicators.filter((i) => i.units.includes(unit.id)).map((i) => ({ indicatorNo: i.no, value, rank: 2, problems: '无', nextSteps: '保持' })),
      },
      { 'x-on-behalf-of': unit.id },
    );
  const ranked = plan.indicators.find((i) => i.kind === 'ranked')!;
  const figures = (period: string, value: number) =>
    send('POST', `/plans/${PLAN}/ranking/figures`, {
      indicatorNo: ranked.no,
      period,
      figures: plan.peerGroup.counties.map((c, k) => ({ countyId: c.id, value: value + k })),
    });

  it('a draft save, again on the same report, and after figures of another month', async () => {
    const first = await draft('2023-06', 50);
    expect(first.status).toBe(200);
    // The first on a report this process has not seen asks for the standings streams' revisions.
    expect(first.queries.length).toBeLessThanOrEqual(3);
    const again = await draft('2023-06', 51);
    expect(again.status).toBe(200);
    expect(again.queries).toEqual(['jx_session_find', 'jx_append_one_facts']);
    const other = await draft('2023-05', 52);
    expect(other.status).toBe(200);
    expect(other.queries.length).toBeLessThanOrEqual(3);
    process.stderr.write(`draft save round trips: first ${JSON.stringify(first.queries)}; again ${JSON.stringify(again.queries)}; other ${JSON.stringify(other.queries)}\n`);
  });

  it('recording figures, again on the same stream', async () => {
    const first = await figures('2023-06', 40);
    expect(first.status).toBe(201);
    const again = await figures('2023-06', 60);
    expect(again.status).toBe(201);
    expect(again.queries.length).toBeLessThanOrEqual(3);
    // A draft after the figures it depends on changed (in this process): their new standing is
    // read (known changed, no revisions asked), then the append.
    const afterFigures = await draft('2023-06', 53);
    expect(afterFigures.status).toBe(200);
    expect(afterFigures.queries.length).toBeLessThanOrEqual(3);
    process.stderr.write(
      `figures round trips: first ${JSON.stringify(first.queries)}; again ${JSON.stringify(again.queries)}; draft after ${JSON.stringify(afterFigures.queries)}\n`,
    );
  });

  it('an auditor’s two-moment comparison reads the streams behind it once', async () => {
    // Figures recorded between the two moments change a row of June's Annex 2.
    const from = new Date(Date.now() - 1000).toISOString();
    expect((await figures('2023-06', 70)).status).toBe(201);
    const to = new Date(Date.now() + 1000).toISOString();
    const res = await send('GET', `/plans/${PLAN}/audit/diff/annex2?period=2023-06&from=${from}&to=${to}`, undefined, {}, auditor);
    expect(res.status).toBe(200);
    // Both moments' tables and the changed rows' causes come from one read of their streams (it
    // was one per moment, then one per stream behind each changed row).
    expect(res.queries.filter((q) => q.startsWith('jx_read_stream'))).toEqual(['jx_read_streams']);
    process.stderr.write(`two-moment diff round trips: ${JSON.stringify(res.queries)}\n`);
  });
});
