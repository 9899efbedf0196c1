import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { QueryBus } from '@nestjs/cqrs';
import type { INestApplicationContext } from '@nestjs/common';
import { ManualClock } from '../../engine/clock.js';
import type { Principal } from '../../engine/commands/command.js';
import { readConfig } from '../../engine/config.js';
import { Engine } from '../../engine/nest/engine.js';
import { AppModule } from '../../../apps/api/src/app.module.js';
import { SUPERVISION_BOARD_PROJECTION, type CaseView } from '../supervision/supervision-board.projection.js';
import { REPORTS_PROJECTION, type ReportView } from '../reporting/reports.projection.js';
import { demoStore } from '../../../test/support/demo-store.js';
import type { DocumentIssued, DocumentSubject } from './documents.events.js';
import { commandOfKind } from './documents.decider.js';
import { GetDocumentPdf, ListDocuments } from './documents.queries.js';
import { sha256Hex } from './pdf-render.js';
import { pdfText, pngOf } from './documents.testing.js';
import { verifyDocument } from './verify-document.js';

const planId = 'ye-county-2023';
const office: Principal = { userId: 'office-1', name: '县推进办 王', roles: ['office'] };
const bureau: Principal = { userId: 'bureau-1', name: '督查局 李', roles: ['supervisor'] };
const reporter = (unitId: string): Principal => ({ userId: `rep-${unitId}`, roles: ['reporter'], unitId });

/**
 * Every document issued from the demo year: the number from the plan's series, the text layer
 * (pdftotext) holding number, title and issuing body, the SHA-256 recorded equal to the bytes
 * served, the same bytes on every rendering, and `audit verify --document` on a good and an
 * altered copy. One page of each is left in test-output/ as PNG, to be looked at.
 */
describe('official documents from the demo year', () => {
  let app: INestApplicationContext;
  let engine: Engine;
  let dir: { drop(): void };
  let now: string;
  let n = 0;
  const issued = new Map<string, DocumentIssued['data']>();

  const issue = async (actor: Principal, subject: DocumentSubject, reason?: string) => {
    const result = await engine.execute({
      type: commandOfKind(subject.kind),
      data: { planId, subject },
      meta: { commandId: `doc-${++n}`, actor, now, ...(reason ? { reason } : {}) },
    });
    return result.events[0] as DocumentIssued;
  };

  beforeAll(async () => {
    // The closed demo year (played once per test run, test/support/demo-store.ts), a copy of our own.
    const demo = await demoStore('closed');
    dir = demo;
    const clock = new ManualClock(demo.outcome.simulated.to);
    app = await NestFactory.createApplicationContext(AppModule.forRoot({ config: readConfig({ EVENT_STORE_URL: demo.url }), background: false, clock }), { logger: ['error'] });
    await app.init();
    engine = app.get(Engine);
    now = new Date(Date.parse(demo.outcome.simulated.to) + 3 * 86_400_000).toISOString();
  }, 300_000);
  afterAll(async () => {
    await app?.close();
    dir?.drop();
  });

  it('issues each document with the series’ next number, its hash and the seal of the moment', async () => {
    const cases = await engine.query(SUPERVISION_BOARD_PROJECTION).list<CaseView>('cases', `${planId}/`);
    const c = cases.map((x) => x.doc).find((x) => x.plans.length > 0) ?? cases[0]!.doc;
    const caseRef = { unitId: c.unitId, indicatorNo: c.indicatorNo, caseNo: c.caseNo };
    const reports = await engine.query(REPORTS_PROJECTION).list<ReportView>('reports', `${planId}/`);
    const report = reports.map((x) => x.doc).find((r) => r.period === '2023-06' && r.signature)!;
    const subjects: [Principal, DocumentSubject][] = [
      [office, { kind: 'quarterly-notice', quarter: '2023-Q2' }],
      [bureau, { kind: 'supervision-notice', ...caseRef }],
      [bureau, { kind: 'talk-notice', ...caseRef }],
      [office, { kind: 'reward-proposal', year: 2023 }],
      [office, { kind: 'reward-decision', year: 2023 }],
      [office, { kind: 'monthly-report', unitId: report.unitId, period: '2023-06' }],
    ];
    const year = Number(now.slice(0, 4));
    for (const [actor, subject] of subjects) {
      const t0 = Date.now();
      const e = await issue(actor, subject);
      console.log(`${subject.kind}: ${e.data.number}, ${e.data.bytes} bytes, issued in ${Date.now() - t0} ms`);
      issued.set(subject.kind, e.data);
      expect(e.data.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(e.data.seal.root).toMatch(/^[0-9a-f]{64}$/);
    }
    // Numbers: the office's series counts 1, 2, 3 in the year; the bureau's its own; the county government's its own.
    expect(['quarterly-notice', 'reward-proposal', 'monthly-report'].map((k) => issued.get(k)!.number)).toEqual([1, 2, 3].map((i) => `叶政办〔${year}〕${i}号`));
    expect(['supervision-notice', 'talk-notice'].map((k) => issued.get(k)!.number)).toEqual([1, 2].map((i) => `叶督〔${year}〕${i}号`));
    expect(issued.get('reward-decision')!.number).toBe(`叶政〔${year}〕1号`);
    // The talk notice was made after the supervision notice was recorded: its seal covers that.
    expect(engine.store.comparePositions(issued.get('talk-notice')!.seal.position, issued.get('supervision-notice')!.seal.position)).toBeGreaterThan(0);
  });

  it('serves each PDF rendered again from its event: the recorded SHA-256, the number, title and issuing body in its text', async () => {
    const queries = app.get(QueryBus);
    for (const [kind, d] of issued) {
      const { pdf } = await queries.execute(new GetDocumentPdf(office, planId, d.documentId));
      expect(sha256Hex(pdf)).toBe(d.sha256);
      const again = await queries.execute(new GetDocumentPdf(office, planId, d.documentId));
      expect(Buffer.compare(again.pdf, pdf)).toBe(0);
      const text = pdfText(pdf, kind).replace(/\s+/g, '');
      for (const s of [d.number, d.content.title.replace(/\s+/g, ''), d.content.issuer, d.seal.root])
        expect({ kind, has: text.includes(s) ? s : `missing ${s}` }).toEqual({ kind, has: s });
      console.log(`${kind}: ${pngOf(pdf, kind)} (${pdf.length} bytes)`);
    }
    expect(issued.get('quarterly-notice')!.content.body.some((b) => b.type === 'table' && b.rows.length === 49)).toBe(true);
  });

  it('lists what each reader may read', async () => {
    await engine.runner.catchUp();
    const queries = app.get(QueryBus);
    const all = await queries.execute(new ListDocuments(office, planId, undefined));
    expect(all.documents.map((d) => d.kind).sort()).toEqual([...issued.keys()].sort());
    const q2 = await queries.execute(new ListDocuments(office, planId, 'quarterly-notice/2023-Q2'));
    expect(q2.documents.map((d) => d.number)).toEqual([issued.get('quarterly-notice')!.number]);
    const unitView = await queries.execute(new ListDocuments(reporter('zzz'), planId, undefined));
    expect(unitView.documents.map((d) => d.kind).sort()).toEqual(['quarterly-notice', 'reward-decision']);
  });

  it('asks a reason to issue a second notice on the same quarter, which takes the next number and supersedes the first', async () => {
    await expect(issue(office, { kind: 'quarterly-notice', quarter: '2023-Q2' })).rejects.toMatchObject({ code: 'reason-required' });
    const again = await issue(office, { kind: 'quarterly-notice', quarter: '2023-Q2' }, '补充会议意见');
    expect(again.data.number).toBe(`叶政办〔${now.slice(0, 4)}〕4号`);
    expect(again.data.supersedes).toBe(issued.get('quarterly-notice')!.documentId);
  });

  it('gives two documents issued at once two numbers, one after the other', async () => {
    const reports = await engine.query(REPORTS_PROJECTION).list<ReportView>('reports', `${planId}/`);
    const units = [
      ...new Set(
        reports
          .map((x) => x.doc)
          .filter((r) => r.period === '2023-07' && r.submitted)
          .map((r) => r.unitId),
      ),
    ].slice(0, 3);
    expect(units).toHaveLength(3);
    const events = await Promise.all(units.map((unitId) => issue(office, { kind: 'monthly-report', unitId, period: '2023-07' })));
    const serials = events.map((e) => e.data.serial).sort((a, b) => a - b);
    expect(serials).toEqual([5, 6, 7]); // after the notice, the proposal, the June report and the reissued notice
    expect(new Set(events.map((e) => e.data.number)).size).toBe(3);
  });

  it('refuses the office a supervision notice, and a unit any document, writing nothing', async () => {
    const before = await engine.store.headPosition();
    const c = issued.get('supervision-notice')!.subject;
    await expect(issue(office, c)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(issue(reporter('fgw'), { kind: 'monthly-report', unitId: 'fgw', period: '2023-06' })).rejects.toMatchObject({ code: 'forbidden' });
    expect(await engine.store.headPosition()).toBe(before);
  });

  it('audit verify --document: a good copy matches and names its seal; an altered copy is named ALTERED', async () => {
    const d = issued.get('reward-decision')!;
    const { pdf } = await app.get(QueryBus).execute(new GetDocumentPdf(office, planId, d.documentId));
    const good = await verifyDocument(engine.store, pdf);
    expect(good).toMatchObject({ ok: true, number: d.number, seal: d.seal, sealInRecord: true, rerenders: true });
    const altered = Buffer.from(pdf);
    const at = altered.indexOf('/Title');
    altered[at + 8] = altered[at + 8]! ^ 1;
    const bad = await verifyDocument(engine.store, altered);
    expect(bad).toMatchObject({ ok: false, claims: { documentId: d.documentId, number: d.number, recordedSha256: d.sha256 } });
    expect((await verifyDocument(engine.store, Buffer.from('%PDF-1.3 not ours'))).ok).toBe(false);
  });
});
