import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { ManualClock } from '../libs/engine/clock.js';
import { readConfig } from '../libs/engine/config.js';
import { playDemoYear } from '../libs/workflows/demo/demo-year.js';
import { AppModule } from '../apps/api/src/app.module.js';
import { pdfText, pngOf } from '../libs/workflows/documents/documents.testing.js';
import { changePassword, loginAs, STORE_TARGETS, startApp, testPassword, type RunningApp, type TestSession } from './support/app.js';
import { startClosedDemoYear } from './support/closed-demo.js';

const CLI = join(process.cwd(), 'dist/apps/api/src/cli.js');
/** Run asynchronously: the server under test lives in this process and must go on answering meanwhile. */
const cli = (args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8' }, (err, stdout, stderr) =>
      resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
const PLAN = 'ye-county-2023';

/**
 * Issue 16, official documents over HTTP: the office issues the first quarter's notice from the
 * demo, the PDF served is the bytes whose SHA-256 the record holds, a retry is answered with the same
 * number, bad input is a problem that writes nothing, and `audit verify --document` (the built CLI)
 * accepts the served file and names an altered copy.
 */
describe.each(STORE_TARGETS)('official documents over HTTP on $name', (target) => {
  let running: RunningApp;
  let office: TestSession;
  let supervisor: TestSession;
  let storeUrl: string;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const db = await target.create();
    storeUrl = db.storeUrl;
    drop = db.drop;
    const setup = await NestFactory.createApplicationContext(
      AppModule.forRoot({ config: readConfig({ EVENT_STORE_URL: storeUrl }), background: false, clock: new ManualClock('2022-12-31T00:00:00.000Z') }),
      { logger: ['error'] },
    );
    await setup.init();
    const outcome = await playDemoYear(setup, { months: 3, seed: 7 });
    await setup.close();
    // After the first quarter's meeting: the 2023 series numbers the notice, whatever today's date.
    running = await startApp({ storeUrl, clock: new ManualClock('2023-04-20T02:00:00.000Z') });
    const signIn = async (username: string) => {
      const u = outcome.createdUsers.find((x) => x.username === username)!;
      const s = await loginAs(running, u.username, u.password);
      await changePassword(running, s, u.password, testPassword());
      return s;
    };
    office = await signIn('office');
    supervisor = await signIn('supervisor');
  }, 120_000);
  afterAll(async () => {
    await running?.close();
    await drop?.();
  });

  const post = (s: TestSession, path: string, body: object, headers: Record<string, string> = {}) =>
    fetch(`${running.url}/api/v1/plans/${PLAN}/documents/${path}`, {
      method: 'POST',
      headers: { ...s.headers, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('issues the quarterly notice, serves the recorded bytes, and verifies the file with the CLI', async () => {
    const before = Date.now();
    const res = await post(office, 'issue/quarterly-notice', { quarter: '2023-Q1' }, { 'idempotency-key': 'q1-notice' });
    // Issue 14: a document issued answers 201 with where its PDF is read.
    expect(res.status).toBe(201);
    const answer = (await res.json()) as { events: { data: { documentId: string; number: string; sha256: string; bytes: number; seal: { sealId: string } } }[] };
    const d = answer.events[0]!.data;
    console.log(`issued ${d.number} (${d.bytes} bytes) in ${Date.now() - before} ms`);
    expect(d.number).toBe('叶政办〔2023〕1号');

    // A retry with the same key is the same document, not a second number.
    const retry = await post(office, 'issue/quarterly-notice', { quarter: '2023-Q1' }, { 'idempotency-key': 'q1-notice' });
    expect(retry.status).toBe(201);
    expect(((await retry.json()) as typeof answer).events[0]!.data.number).toBe(d.number);
    expect(retry.headers.get('location')).toBe(res.headers.get('location'));

    expect(res.headers.get('location')).toBe(`/api/v1/plans/${PLAN}/documents/pdf/${encodeURIComponent(d.documentId)}`);
    const pdf = await fetch(`${running.url}${res.headers.get('location')}`, { headers: office.headers });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(d.sha256);
    expect(pdf.headers.get('x-content-sha256')).toBe(d.sha256);

    const list = await fetch(`${running.url}/api/v1/plans/${PLAN}/documents?subject=quarterly-notice/2023-Q1&minPosition=${res.headers.get('x-position')}`, {
      headers: office.headers,
    });
    expect(((await list.json()) as { items: { number: string }[] }).items.map((x) => x.number)).toEqual([d.number]);

    const dir = join(process.cwd(), 'test-output');
    mkdirSync(dir, { recursive: true });
    const good = join(dir, `e2e-${target.name}-good.pdf`);
    const bad = join(dir, `e2e-${target.name}-altered.pdf`);
    writeFileSync(good, bytes);
    const altered = Buffer.from(bytes);
    altered[altered.indexOf('/Title') + 8] ^= 1;
    writeFileSync(bad, altered);
    const ok = await cli(['audit', 'verify', '--document', good, '--store', storeUrl]);
    expect({ status: ok.status, out: ok.stdout }).toEqual({ status: 0, out: expect.stringContaining(`matches the record: ${d.number}`) });
    expect(ok.stdout).toContain(`cites seal ${d.seal.sealId}`);
    const no = await cli(['audit', 'verify', '--document', bad, '--store', storeUrl]);
    expect({ status: no.status, err: no.stderr }).toEqual({ status: 3, err: expect.stringContaining(`ALTERED: the file says it is ${d.number}`) });
  });

  it('answers bad input and the wrong role with a problem, writing nothing', async () => {
    const unknown = await post(office, 'issue/circular', { quarter: '2023-Q1' });
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
    const missing = await post(office, 'issue/quarterly-notice', {});
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ errors: [{ field: 'quarter' }] });
    const unpublished = await post(office, 'issue/quarterly-notice', { quarter: '2023-Q3' });
    expect(unpublished.status).toBe(404); // three months played: nothing recorded for the third quarter
    expect(await unpublished.json()).toMatchObject({ code: 'quarter-not-found' });
    const again = await post(office, 'issue/quarterly-notice', { quarter: '2023-Q1' });
    expect(again.status).toBe(422);
    expect(await again.json()).toMatchObject({ code: 'reason-required' });
    const bureau = await post(supervisor, 'issue/quarterly-notice', { quarter: '2023-Q1' });
    expect(bureau.status).toBe(403);
    const list = await fetch(`${running.url}/api/v1/plans/${PLAN}/documents`, { headers: office.headers });
    expect(await list.json()).toEqual({ items: [expect.objectContaining({ kind: 'quarterly-notice' })], next: null });
  });
});

/**
 * The two year-end documents from the running app, on the demo year closed through its review
 * (demo --close-year): 拟奖惩名单 and 奖惩决定 issued over HTTP, served as the bytes whose SHA-256 the
 * record holds, checked by `audit verify --document` (the built CLI), one page of each as PNG.
 */
describe('the year-end documents over HTTP from the closed demo year', () => {
  let demo: Awaited<ReturnType<typeof startClosedDemoYear>>;
  let office: TestSession;
  beforeAll(async () => {
    demo = await startClosedDemoYear();
    office = await demo.signIn('office');
  }, 240_000);
  afterAll(() => demo?.close());

  it('issues the proposed list and the decision, serves the recorded bytes, and verifies them', async () => {
    const { running } = demo;
    const issued: { kind: string; number: string; sha256: string; documentId: string }[] = [];
    for (const kind of ['reward-proposal', 'reward-decision']) {
      const res = await fetch(`${running.url}/api/v1/plans/${PLAN}/documents/issue/${kind}`, {
        method: 'POST',
        headers: { ...office.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ year: 2023 }),
      });
      expect(res.status).toBe(201);
      const d = ((await res.json()) as { events: { data: { documentId: string; number: string; sha256: string } }[] }).events[0]!.data;
      issued.push({ kind, ...d });
    }
    const year = issued[0]!.number.match(/〔(\d{4})〕/)![1];
    expect(issued.map((d) => d.number)).toEqual([`叶政办〔${year}〕1号`, `叶政〔${year}〕1号`]);
    for (const d of issued) {
      const pdf = await fetch(`${running.url}/api/v1/plans/${PLAN}/documents/pdf/${encodeURIComponent(d.documentId)}`, { headers: office.headers });
      expect(pdf.status).toBe(200);
      const bytes = Buffer.from(await pdf.arrayBuffer());
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(d.sha256);
      expect(pdf.headers.get('x-content-sha256')).toBe(d.sha256);
      const text = pdfText(bytes, `e2e-${d.kind}`).replace(/\s+/g, '');
      expect(text).toContain(d.number);
      expect(text).toContain(d.kind === 'reward-proposal' ? '拟奖惩名单' : '奖惩的决定');
      console.log(`${d.kind} ${d.number}: ${pngOf(bytes, `e2e-${d.kind}`)}`);
      const ok = await cli(['audit', 'verify', '--document', join(process.cwd(), 'test-output', `e2e-${d.kind}.pdf`), '--store', running.storeUrl]);
      expect({ status: ok.status, out: ok.stdout }).toEqual({ status: 0, out: expect.stringContaining(`matches the record: ${d.number}`) });
    }
  });
});
