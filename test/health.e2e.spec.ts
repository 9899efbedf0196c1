import { STORE_TARGETS, startAppOn, type RunningApp } from './support/app.js';

const METRICS_TOKEN = 'metrics-token-for-tests';
const scrape = { headers: { authorization: `Bearer ${METRICS_TOKEN}` } };

describe.each(STORE_TARGETS)('the API on $name', (target) => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startAppOn(target, { env: { JIXIAO_METRICS_TOKEN: METRICS_TOKEN } });
  });
  afterAll(async () => {
    await running.close();
  });

  it('answers GET /api/v1/health with 200 when ready, naming its store and projections', async () => {
    const res = await fetch(`${running.url}/api/v1/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.status).toBe('ok');
    expect(body.info.eventStore).toMatchObject({ status: 'up', kind: target.name === 'SQLite' ? 'sqlite' : 'postgres' });
    expect(body.info.projections.status).toBe('up');
    expect(body.info.projections.plans).toMatchObject({ generation: 1, lag: expect.any(Number) });
    // Once the plan published at start is applied, no projection lags behind the store.
    await eventually(async () => ((await (await fetch(`${running.url}/api/v1/health`)).json()) as any).info.projections.plans.lag === 0);
  });

  it('serves Prometheus metrics: projection lag and failures, and the timer backlog', async () => {
    await eventually(async () => /^jixiao_projection_lag_events\{projection="plans"\} 0$/m.test(await (await fetch(`${running.url}/api/v1/metrics`, scrape)).text()));
    const res = await fetch(`${running.url}/api/v1/metrics`, scrape);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/^jixiao_projection_lag_events\{projection="plans"\} 0$/m);
    expect(text).toMatch(/^jixiao_projection_failing\{projection="annex2"\} 0$/m);
    expect(text).toMatch(/^jixiao_timers_pending\{state="due"\} \d+$/m);
    expect(text).toContain('jixiao_process_resident_memory_bytes');
  });

  it('serves its OpenAPI document at /api/docs-json', async () => {
    const res = await fetch(`${running.url}/api/docs-json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as any;
    expect(doc.info.title).toContain('Jixiao');
    expect(Object.keys(doc.paths)).toContain('/api/v1/health');
  });

  it('answers an unknown route with RFC 9457 problem details', async () => {
    const res = await fetch(`${running.url}/api/v1/no-such-thing`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 404, code: 'not-found', instance: '/api/v1/no-such-thing' });
  });
});

async function eventually(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
