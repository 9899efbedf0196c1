import 'reflect-metadata';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { Ajv2020 } from 'ajv/dist/2020.js';
import createClient from 'openapi-fetch';
import type { paths } from '../apps/web/src/api/schema.js';
import { ManualClock } from '../libs/engine/clock.js';
import { readConfig } from '../libs/engine/config.js';
import { playDemoYear } from '../libs/workflows/demo/demo-year.js';
import { AppModule } from '../apps/api/src/app.module.js';
import { API_PREFIX } from '../apps/api/src/setup.js';
import { API_BASE } from '../libs/engine/nest/http/location.js';
import { changePassword, loginAs, startApp, STORE_TARGETS, type RunningApp, type TestSession } from './support/app.js';

/**
 * The API as a contract (issue 14): the document at /api/docs-json is valid OpenAPI 3.1 with no
 * warning from Redocly's recommended rules, complete (parameters, security, errors), and real
 * answers of the running app fit the schemas it declares for them.
 */

type Schema = Record<string, unknown>;
type Operation = {
  operationId: string;
  parameters?: { name: string; in: string }[];
  security?: unknown[];
  responses: Record<string, { content?: Record<string, { schema: Schema }>; headers?: Record<string, unknown> }>;
};
type Document = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

const PLAN = 'ye-county-2023';
const BASE = 'https://jixiao.invalid/openapi.json';

describe('the OpenAPI document and real answers against it (demo year, SQLite)', () => {
  let running: RunningApp;
  let doc: Document;
  const sessions: Record<string, TestSession> = {};
  const drops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    const db = await STORE_TARGETS[0]!.create();
    drops.push(db.drop);
    // The demo played as main.ts plays it, in an application context without background work.
    const setup = await NestFactory.createApplicationContext(
      AppModule.forRoot({ config: readConfig({ EVENT_STORE_URL: db.storeUrl }), background: false, clock: new ManualClock('2022-12-31T00:00:00.000Z') }),
      { logger: ['error'] },
    );
    await setup.init();
    const outcome = await playDemoYear(setup, { months: 4, seed: 7 });
    await setup.close();
    running = await startApp({ storeUrl: db.storeUrl });
    for (const username of ['office', 'auditor']) {
      const user = outcome.createdUsers.find((u) => u.username === username)!;
      const session = await loginAs(running, username, user.password);
      await changePassword(running, session, user.password, 'Ye-County-2023!');
      sessions[username] = session;
    }
    doc = (await (await fetch(`${running.url}/api/docs-json`)).json()) as Document;
  }, 120_000);
  afterAll(async () => {
    await running?.close();
    for (const drop of drops) await drop();
  });

  const operations = () => Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));

  it('is OpenAPI 3.1 with no error and no warning from Redocly’s recommended rules', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: '/openapi.json', config: await createConfig({ extends: ['recommended'] }) });
    const shown = problems.map((p) => `${p.severity} ${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`);
    console.log(`OpenAPI document: ${operations().length} operations, ${Object.keys(doc.components.schemas).length} schemas, ${shown.length} validator problems`);
    expect(shown).toEqual([]);
  });

  it('declares every path placeholder, a success schema, problem-details errors and security (none only on public operations)', () => {
    const incomplete: string[] = [];
    for (const { path, method, op } of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) if (!op.parameters?.some((p) => p.in === 'path' && p.name === name)) incomplete.push(`${where}: {${name}}`);
      const success = Object.entries(op.responses).find(([code]) => /^2/.test(code));
      if (!success || (success[0] !== '204' && !Object.values(success[1].content ?? {}).some((c) => c.schema))) incomplete.push(`${where}: no success schema`);
      const errors = Object.entries(op.responses).filter(([code]) => /^[45]/.test(code));
      if (errors.length === 0) incomplete.push(`${where}: no error response`);
      for (const [code, r] of errors)
        if (r.content?.['application/problem+json']?.schema?.$ref !== '#/components/schemas/Problem') incomplete.push(`${where}: ${code} not Problem`);
      if (!op.parameters?.some((p) => p.in === 'header' && p.name === 'Accept-Language')) incomplete.push(`${where}: no Accept-Language`);
      if (op.security === undefined) incomplete.push(`${where}: no security requirement (not even none)`);
    }
    expect(incomplete).toEqual([]);
    const secured = operations().filter(({ op }) => (op.security ?? []).length > 0);
    const open = operations().filter(({ op }) => (op.security ?? []).length === 0);
    expect(open.map(({ op }) => op.operationId).sort()).toEqual(['AuthController_login', 'ClockController_now', 'DemoController_status', 'HealthController_check']);
    const bySession = secured.filter(({ op }) => JSON.stringify(op.security).includes('cookie'));
    expect(bySession.length).toBe(secured.length - 1); // the metrics endpoint wants its own token
    expect(bySession.filter(({ op }) => !op.responses['401'] || !op.responses['403']).map(({ op }) => op.operationId)).toEqual([]);
  });

  it('declares the headers and query parameters the server honours', () => {
    const op = (method: string, path: string) => doc.paths[`/api/v1${path}`]![method]!;
    const names = (o: Operation, where: string) => (o.parameters ?? []).filter((p) => p.in === where).map((p) => p.name);
    expect(names(op('put', '/plans/{planId}/reporting/reports/{unitId}/{period}/draft'), 'header')).toEqual(
      expect.arrayContaining(['Idempotency-Key', 'If-Match', 'X-On-Behalf-Of']),
    );
    expect(op('put', '/plans/{planId}/reporting/reports/{unitId}/{period}/draft').responses['200']!.headers).toHaveProperty('ETag');
    expect(op('get', '/plans/{planId}/reporting/reports/{unitId}/{period}').responses['200']!.headers).toHaveProperty('ETag');
    expect(names(op('get', '/plans/{planId}/ranking/standings'), 'query')).toEqual(expect.arrayContaining(['period', 'asOf', 'minPosition']));
    expect(names(op('get', '/plans/{planId}/ranking/warnings'), 'query')).toEqual(expect.arrayContaining(['quarter', 'asOf']));
    expect(names(op('get', '/plans/{planId}/audit/indicators/{indicatorNo}/timeline'), 'query')).toEqual(expect.arrayContaining(['after', 'limit', 'from', 'to', 'period']));
    expect(names(op('get', '/plans/{planId}/audit/views/{view}'), 'query')).toEqual(expect.arrayContaining(['asOf', 'period', 'quarter', 'year']));
    expect(Object.keys(op('post', '/plans/{planId}/reporting/reports/{unitId}/{period}/submit').responses)).toEqual(
      expect.arrayContaining(['200', '400', '401', '403', '404', '409', '412', '415', '422']),
    );
  });

  it('answers 201 with Location for the creations, and 200 for every other command (issue 14)', () => {
    const created = operations().filter(({ op }) => op.responses['201']);
    expect(created.map(({ method, path }) => `${method.toUpperCase()} ${path.replace('/api/v1', '')}`).sort()).toEqual([
      'POST /audit/seals',
      'POST /plans',
      'POST /plans/{planId}/attachments/cases/{unitId}/{indicatorNo}/{caseNo}',
      'POST /plans/{planId}/attachments/decisions/{year}',
      'POST /plans/{planId}/attachments/reports/{unitId}/{period}',
      'POST /plans/{planId}/documents/issue/{kind}',
      'POST /plans/{planId}/next-year',
      'POST /plans/{planId}/ranking/figures',
      'POST /plans/{planId}/ranking/imports',
      'POST /plans/{planId}/ranking/scoring-rules',
      'POST /plans/{planId}/rewards/{year}/proposal',
      'POST /plans/{planId}/supervision/cases',
      'POST /plans/{planId}/supervision/cases/on-ground',
      'POST /users',
    ]);
    expect(created.filter(({ op }) => !op.responses['201']!.headers?.['Location']).map(({ op }) => op.operationId)).toEqual([]);
    // The libraries write Location with their own copy of the prefix (they do not import the app's).
    expect(API_BASE).toBe(`/${API_PREFIX}`);
    // Where nothing may be created (the same again), the 200 answer is declared too, without a Location.
    expect(op200('post', '/plans/{planId}/supervision/cases')?.headers).not.toHaveProperty('Location');
    const commands = operations().filter(({ method, op }) => ['post', 'put', 'delete'].includes(method) && !op.responses['201']);
    expect(commands.filter(({ op }) => !op.responses['200'] && !op.responses['204']).map(({ op }) => op.operationId)).toEqual([]);
  });

  const op200 = (method: string, path: string) => doc.paths[`/api/v1${path}`]?.[method]?.responses['200'];

  it('answers 401 to every secured operation without a session, and does not ask the public ones for one', async () => {
    const wrong: string[] = [];
    for (const { path, method, op } of operations()) {
      if (method !== 'get') continue;
      const url = running.url + path.replace(/\{[^}]+\}/g, '1');
      // Once more on a reset: a kept-alive socket the server closed while idle (not what is tested here).
      const res = await fetch(url).catch(() => fetch(url));
      const secured = (op.security ?? []).length > 0;
      if (secured !== (res.status === 401)) wrong.push(`GET ${path}: ${res.status} (${secured ? 'secured' : 'public'})`);
    }
    expect(wrong).toEqual([]);
  });

  it('the committed operations module is what bin/openapi-operations.mjs generates from the controllers now', async () => {
    const started = Date.now();
    const { render, OUTPUT } = (await import('../bin/openapi-operations.mjs' as string)) as { render(): Promise<string>; OUTPUT: string };
    const fresh = await render();
    console.log(`generated the operations module in ${Date.now() - started} ms`);
    expect(fresh === readFileSync(OUTPUT, 'utf8') ? 'up to date' : 'stale: run node bin/openapi-operations.mjs').toBe('up to date');
  }, 120_000);

  it('the web’s client types (apps/web/src/api/schema.d.ts) are what openapi-typescript generates from this document', async () => {
    const { default: openapiTS, astToString } = await import('openapi-typescript');
    const prettier = await import('prettier');
    const file = join(process.cwd(), 'apps/web/src/api/schema.d.ts');
    const header = `/**
 * Generated by openapi-typescript from the API's OpenAPI document (/api/docs-json): do not edit.
 * test/openapi.e2e.spec.ts fails when it differs from the document; JIXIAO_WRITE_CLIENT=1 rewrites it.
 */
`;
    const fresh = await prettier.format(header + astToString(await openapiTS(doc as never)), { ...((await prettier.resolveConfig(file)) ?? {}), filepath: file });
    if (process.env.JIXIAO_WRITE_CLIENT) writeFileSync(file, fresh);
    const committed = existsSync(file) ? readFileSync(file, 'utf8') : '';
    expect(fresh === committed ? 'up to date' : 'differs: run JIXIAO_WRITE_CLIENT=1 on this test').toBe('up to date');
  }, 120_000);

  it('a client generated from the document (openapi-fetch over schema.d.ts) reads the report, the case and the auditor’s timeline, typed', async () => {
    const client = createClient<paths>({ baseUrl: running.url });
    const office = { headers: sessions.office!.headers };
    const board = await client.GET('/api/v1/plans/{planId}/reporting/compliance', { params: { path: { planId: PLAN }, query: { from: '2023-01', to: '2023-03' } }, ...office });
    expect(board.response.status).toBe(200);
    const unitId = board.data!.units[0]!.unitId;
    const report = await client.GET('/api/v1/plans/{planId}/reporting/reports/{unitId}/{period}', { params: { path: { planId: PLAN, unitId, period: '2023-02' } }, ...office });
    expect(report.data!.steps.length).toBeGreaterThan(0);
    expect(report.response.headers.get('etag')).toBe(`"${report.data!.revision}"`);
    const cases = await client.GET('/api/v1/plans/{planId}/supervision/board', { params: { path: { planId: PLAN }, query: { status: 'all' } }, ...office });
    const c = cases.data!.items[0]!;
    const one = await client.GET('/api/v1/plans/{planId}/supervision/cases/{unitId}/{indicatorNo}/{caseNo}', {
      params: { path: { planId: PLAN, unitId: c.unitId, indicatorNo: String(c.indicatorNo), caseNo: String(c.caseNo) } },
      ...office,
    });
    expect(one.data!.caseNo).toBe(c.caseNo);
    const auditor = { headers: sessions.auditor!.headers };
    const first = await client.GET('/api/v1/plans/{planId}/audit/units/{unitId}/timeline', { params: { path: { planId: PLAN, unitId }, query: { limit: 2 } }, ...auditor });
    const second = await client.GET('/api/v1/plans/{planId}/audit/units/{unitId}/timeline', {
      params: { path: { planId: PLAN, unitId }, query: { limit: 2, after: first.data!.next! } },
      ...auditor,
    });
    expect(second.data!.items[0]!.seq).toBeGreaterThan(first.data!.items[1]!.seq);
    const refused = await client.GET('/api/v1/plans/{planId}/reporting/units/{unitId}/reports', { params: { path: { planId: PLAN, unitId: 'no-such-unit' } }, ...office });
    expect(refused.error).toMatchObject({ status: 404, code: 'unit-not-found' });
  });

  describe('real answers fit their declared schemas', () => {
    let ajv: Ajv2020;
    beforeAll(() => {
      ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
      ajv.addSchema(JSON.parse(JSON.stringify({ $id: BASE, components: doc.components }).replaceAll('"#/components/', `"${BASE}#/components/`)));
    });

    /** The operation whose path template matches `path`, and the schema it declares for `status`. */
    function schemaFor(method: string, path: string, status: number): Schema {
      for (const [template, item] of Object.entries(doc.paths)) {
        const re = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
        if (!re.test(path) || !item[method]) continue;
        const response = item[method].responses[String(status)];
        if (!response) throw new Error(`${method.toUpperCase()} ${template} declares no ${status} answer`);
        const content = response.content?.['application/json'] ?? response.content?.['application/problem+json'];
        if (!content) throw new Error(`${method.toUpperCase()} ${template} declares no JSON schema for ${status}`);
        return content.schema;
      }
      throw new Error(`no operation for ${method.toUpperCase()} ${path}`);
    }

    function fits(path: string, status: number, body: unknown): boolean {
      const schema = schemaFor('get', `/api/v1${path.replace(/\?.*$/, '')}`, status);
      return ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', `"${BASE}#/components/`)))(body);
    }

    async function check(as: string | undefined, path: string, expected = 200): Promise<any> {
      const res = await fetch(`${running.url}/api/v1${path}`, { headers: as ? sessions[as]!.headers : {} });
      expect(`${path} → ${res.status}`).toBe(`${path} → ${expected}`);
      const body = await res.json();
      const schema = schemaFor('get', `/api/v1${path.replace(/\?.*$/, '')}`, res.status);
      const validate = ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', `"${BASE}#/components/`)));
      const ok = validate(body);
      expect(ok ? 'fits' : `${path}: ${ajv.errorsText(validate.errors, { separator: '\n' })}`).toBe('fits');
      return body;
    }

    it('Annex 2, the standings, warnings and score, and the plan', async () => {
      const annex2 = await check('office', `/plans/${PLAN}/annex2/2023-03`);
      expect(annex2.sections.length).toBeGreaterThan(0);
      // The schemas can fail: a row without its indicator number, or a table without sections, does not fit.
      expect(fits(`/plans/${PLAN}/annex2/2023-03`, 200, { ...annex2, sections: undefined })).toBe(false);
      const { no: _dropped, ...row } = annex2.sections[0].rows[0];
      expect(fits(`/plans/${PLAN}/annex2/2023-03`, 200, { ...annex2, sections: [{ ...annex2.sections[0], rows: [row] }] })).toBe(false);
      await check('office', `/plans/${PLAN}/annex2/2023-02?asOf=2023-03-01T00:00:00.000Z`);
      await check('office', `/plans/${PLAN}/ranking/standings?period=2023-03`);
      await check('office', `/plans/${PLAN}/ranking/warnings?quarter=2023-Q1`);
      await check('office', `/plans/${PLAN}/ranking/score?period=2023-03`);
      await check('office', `/plans/${PLAN}/ranking/scoring-rules`);
      await check('office', `/plans`);
      await check('office', `/plans/${PLAN}`);
      await check(undefined, `/demo`);
      await check('office', `/auth/me`);
    });

    it('reports: the compliance board, a unit’s reports, one report and its template', async () => {
      const board = await check('office', `/plans/${PLAN}/reporting/compliance?from=2023-01&to=2023-03`);
      const unitId = board.units[0].unitId as string;
      await check('office', `/plans/${PLAN}/reporting/units/${unitId}/reports`);
      await check('office', `/plans/${PLAN}/reporting/reports/${unitId}/2023-02`);
      await check('office', `/plans/${PLAN}/reporting/reports/${unitId}/2023-02/template`);
    });

    it('the quarter’s assessment, the supervision board and a case', async () => {
      await check('office', `/plans/${PLAN}/assessment/quarters/2023-Q1`);
      await check('office', `/plans/${PLAN}/assessment/quarters/2023-Q1/published`);
      const board = await check('office', `/plans/${PLAN}/supervision/board?status=all`);
      expect(board.items.length).toBeGreaterThan(0);
      const c = board.items[0];
      await check('office', `/plans/${PLAN}/supervision/cases/${c.unitId}/${c.indicatorNo}/${c.caseNo}`);
      await check('auditor', `/plans/${PLAN}/audit/cases/${c.unitId}/${c.indicatorNo}/${c.caseNo}/timeline`);
    });

    it('the auditor’s reads: a unit’s and an indicator’s timeline, a view as of a moment, a diff, provenance, the seals', async () => {
      const page = await check('auditor', `/plans/${PLAN}/audit/units/czj/timeline?limit=5`);
      expect(page.items.length).toBe(5);
      await check('auditor', `/plans/${PLAN}/audit/indicators/15/timeline?limit=5`);
      await check('auditor', `/plans/${PLAN}/audit/views/annex2?period=2023-02&asOf=2023-03-15T00:00:00.000Z`);
      // One name per parameter (issue 14): the diff's moments are `from` and `to`, asked and answered.
      const diff = await check('auditor', `/plans/${PLAN}/audit/diff/annex2?period=2023-02&from=2023-03-01T00:00:00.000Z&to=2023-04-01T00:00:00.000Z`);
      expect([diff.from, diff.to, 't1' in diff, 't2' in diff]).toEqual(['2023-03-01T00:00:00.000Z', '2023-04-01T00:00:00.000Z', false, false]);
      const named = doc.paths['/api/v1/plans/{planId}/audit/diff/{view}']!.get!.parameters!.filter((p) => p.in === 'query').map((p) => p.name);
      expect([named.includes('from'), named.includes('to'), named.includes('t1'), named.includes('t2')]).toEqual([true, true, false, false]);
      // The old names are gone, not aliased: without `from` the diff is refused, naming `from`.
      const oldNames = await check('auditor', `/plans/${PLAN}/audit/diff/annex2?period=2023-02&t1=2023-03-01T00:00:00.000Z`, 400);
      expect(oldNames.errors.map((e: { field: string }) => e.field)).toEqual(['from']);
      await check('auditor', `/plans/${PLAN}/audit/provenance/annex2/2023-02/15/rank`);
      await check('auditor', `/audit/seals`);
      // Issue 14: a seal made on request answers 201 with where it is read; what is read there fits its schema.
      const sealed = await fetch(`${running.url}/api/v1/audit/seals`, {
        method: 'POST',
        headers: { ...sessions.office!.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ occasion: 'issue 14 check' }),
      });
      expect(sealed.status).toBe(201);
      const { sealId } = (await sealed.json()) as { sealId: string };
      expect(sealed.headers.get('location')).toBe(`/api/v1/audit/seals/${encodeURIComponent(sealId)}`);
      expect(await check('auditor', sealed.headers.get('location')!.replace('/api/v1', ''))).toMatchObject({ sealId, occasion: 'issue 14 check' });
      await check('auditor', '/audit/seals/no-such-seal', 404);
    });

    it('every collection is one page of `{ items, next }` with ?after= and ?limit=; a bad cursor or limit is a 400 naming it', async () => {
      // No GET answers a bare array any more (issue 14: one list shape on every collection).
      const bare = operations().filter(({ method, op }) => method === 'get' && op.responses['200']?.content?.['application/json']?.schema?.type === 'array');
      expect(bare.map(({ path }) => path)).toEqual([]);
      const paged = [
        '/api/v1/plans',
        '/api/v1/plans/{planId}/changes',
        '/api/v1/users',
        '/api/v1/notices',
        '/api/v1/audit/seals',
        '/api/v1/plans/{planId}/reporting/units/{unitId}/reports',
        '/api/v1/plans/{planId}/supervision/board',
        '/api/v1/plans/{planId}/documents',
        '/api/v1/plans/{planId}/attachments/reports/{unitId}/{period}',
        '/api/v1/plans/{planId}/assessment/units/{unitId}/notifications',
        '/api/v1/plans/{planId}/assessment/leaders/notifications',
        '/api/v1/me/inbox',
        '/api/v1/plans/{planId}/rewards/{year}/decisions',
        '/api/v1/plans/{planId}/rewards/{year}/lines/{lineId}/evidence',
      ];
      // The properties an answer's schema declares, through its $ref and allOf (a page with its context beside it).
      const propertiesOf = (schema: any): string[] => {
        if (schema.$ref) return propertiesOf(doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')]);
        return [...Object.keys(schema.properties ?? {}), ...(schema.allOf ?? []).flatMap(propertiesOf)];
      };
      for (const path of paged) {
        const op = doc.paths[path]!.get!;
        const props = propertiesOf(op.responses['200']!.content!['application/json']!.schema);
        expect([path, ['items', 'next'].filter((p) => props.includes(p)), props.filter((p) => ['notifications', 'decisions'].includes(p))]).toEqual([path, ['items', 'next'], []]);
        expect([
          path,
          op
            .parameters!.filter((p) => p.in === 'query' && ['after', 'limit'].includes(p.name))
            .map((p) => p.name)
            .sort(),
        ]).toEqual([path, ['after', 'limit']]);
      }
      // Pages follow one another without overlap, to the end.
      const first = await check('office', `/plans/${PLAN}/reporting/units/czj/reports?limit=2`);
      expect(first.items.map((r: { period: string }) => r.period)).toEqual(['2023-01', '2023-02']);
      expect(typeof first.next).toBe('string');
      const second = await check('office', `/plans/${PLAN}/reporting/units/czj/reports?limit=2&after=${encodeURIComponent(first.next)}`);
      expect(second.items.map((r: { period: string }) => r.period)).toEqual(['2023-03', '2023-04']);
      const whole = await check('office', `/plans/${PLAN}/reporting/units/czj/reports?limit=200`);
      expect(whole.next).toBeNull();
      expect(whole.items.slice(0, 4)).toEqual([...first.items, ...second.items]);
      const board = await check('office', `/plans/${PLAN}/supervision/board?status=all&limit=1`);
      expect(board.items).toHaveLength(1);
      expect(typeof board.asOf).toBe('string');
      // A cursor the list did not give, a made-up one, and a limit out of range: 400s naming the parameter.
      for (const [query, field] of [
        ['after=not-a-cursor!', 'after'],
        [`after=${Buffer.from('9999-99').toString('base64url')}`, 'after'],
        ['limit=0', 'limit'],
        ['limit=201', 'limit'],
        ['limit=ten', 'limit'],
      ]) {
        const bad = await check('office', `/plans/${PLAN}/reporting/units/czj/reports?${query}`, 400);
        expect([query, bad.errors.map((e: { field: string }) => e.field)]).toEqual([query, [field]]);
      }
      await check('auditor', `/users?after=not-a-cursor`, 400);
      // The lists that had their own shapes (issue 14): the inbox keeps its counts beside the page (its
      // pages are followed in test/notices.e2e.spec.ts), the notifications their plan and unit; the
      // leaders' (11 in the demo's first quarter) follow their cursor without overlap.
      const inbox = await check('office', '/me/inbox?limit=1');
      expect([Array.isArray(inbox.items), 'next' in inbox, typeof inbox.unread, typeof inbox.total]).toEqual([true, true, 'number', 'number']);
      expect((await check('office', '/me/inbox?after=not-a-cursor!', 400)).errors.map((e: { field: string }) => e.field)).toEqual(['after']);
      const unit = await check('office', `/plans/${PLAN}/assessment/units/czj/notifications`);
      expect([unit.planId, unit.unitId, unit.items.length, unit.next]).toEqual([PLAN, 'czj', 1, null]);
      const leaders = `/plans/${PLAN}/assessment/leaders/notifications`;
      const all = await check('office', `${leaders}?limit=200`);
      expect([all.planId, all.items.length > 1, all.next]).toEqual([PLAN, true, null]);
      const firstOne = await check('office', `${leaders}?limit=1`);
      expect([firstOne.planId, firstOne.items, typeof firstOne.next]).toEqual([PLAN, all.items.slice(0, 1), 'string']);
      const theRest = await check('office', `${leaders}?limit=200&after=${encodeURIComponent(firstOne.next)}`);
      expect([theRest.items, theRest.next]).toEqual([all.items.slice(1), null]);
      expect((await check('office', `${leaders}?after=not-a-cursor!`, 400)).errors.map((e: { field: string }) => e.field)).toEqual(['after']);
      expect((await check('office', '/me/inbox?limit=1000', 400)).errors.map((e: { field: string }) => e.field)).toEqual(['limit']);
    });

    it('a table has one shape live and as of a moment (the same schema), and the problem declares its `cells`', async () => {
      const live = doc.paths['/api/v1/plans/{planId}/annex2/{period}']!.get!.responses['200']!.content!['application/json']!.schema;
      expect(JSON.stringify(live)).toContain('"#/components/schemas/Annex2Table"');
      const asOf = JSON.stringify(doc.paths['/api/v1/plans/{planId}/audit/views/{view}']!.get!.responses['200']!.content!['application/json']!.schema);
      expect(asOf).toContain('"#/components/schemas/Annex2Table"');
      const then = await check('auditor', `/plans/${PLAN}/audit/views/annex2?period=2023-02&asOf=2023-03-15T00:00:00.000Z`);
      const now = await check('office', `/plans/${PLAN}/annex2/2023-02?asOf=2023-03-15T00:00:00.000Z`);
      const { asOf: _at, ...nowTable } = now;
      expect(then.table).toEqual(nowTable);
      const diff = await check('auditor', `/plans/${PLAN}/audit/diff/annex2?period=2023-02&from=2023-03-01T00:00:00.000Z&to=2023-04-01T00:00:00.000Z`);
      expect(diff.after.table.sections.flatMap((x: { rows: unknown[] }) => x.rows).length).toBe(nowTable.sections.flatMap((x: { rows: unknown[] }) => x.rows).length);
      const problem = doc.components.schemas.Problem as { properties: Record<string, Schema> };
      expect(problem.properties.cells).toMatchObject({ type: 'array', items: { $ref: '#/components/schemas/TargetCellProblem' } });
      expect(doc.components.schemas.TargetCellProblem).toMatchObject({ required: expect.arrayContaining(['sheet', 'row', 'column', 'cell', 'code', 'params', 'message']) });
    });

    it('problems: 401, 404 and 400 answers fit the one problem-details schema', async () => {
      await check(undefined, `/plans/${PLAN}/annex2/2023-03`, 401);
      await check('office', `/plans/${PLAN}/annex2/2023-13`, 400);
      await check('office', `/plans/${PLAN}/supervision/cases/czj/15/99`, 404);
    });
  });
});
