import { chmodSync, writeFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import pg from 'pg';
import { verifyReferencedBlobs } from '../apps/api/src/cli/verify-blobs.js';
import { ManualClock } from '../libs/engine/clock.js';
import type { Principal } from '../libs/engine/commands/command.js';
import { DirectoryBlobStore, sha256Of } from '../libs/engine/blobs/blob-store.js';
import { S3BlobStore } from '../libs/engine/blobs/s3-blob-store.js';
import { openEventStore } from '../libs/engine/event-store/open-event-store.js';
import { createSqliteDirectory } from '../libs/engine/testing/databases.js';
import { TestS3Server } from '../libs/engine/testing/s3-server.js';
import { Engine } from '../libs/engine/nest/engine.js';
import { readEverything } from '../libs/engine/testing/fixtures.js';
import { verifyEvidenceArchive } from '../libs/workflows/audit/evidence-archive.js';
import { ATTACHMENTS_SETTINGS, AttachmentsService, type AttachmentsSettings } from '../libs/workflows/attachments/attachments.service.js';
import {
  bootstrapAdmin,
  createUserViaApi,
  followLocation,
  relaxLoginLimits,
  STORE_TARGETS,
  startAppOn,
  type RunningApp,
  type StoreTarget,
  type TestSession,
} from './support/app.js';

const planId = 'ye-county-2023';
const period = '2023-06';
const reportFiles = `/plans/${planId}/attachments/reports/sthjj/${period}`;
const caseFiles = `/plans/${planId}/attachments/cases/sthjj/28/1`;

/** A small PDF (what a scanner writes begins %PDF-), a PNG, and a Windows program (MZ…) named like a PDF. */
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4c40000000049454e44ae426082', 'hex');
const EXE = Buffer.concat([
  Buffer.from(
    '4d5a90000300000004000000ffff0000b800000000000000400000000000000000000000000000000000000000000000000000000000000000000000800000000e1fba0e00b409cd21b8014ccd21546869732070726f6772616d2063616e6e6f742062652072756e20696e20444f53206d6f64652e0d0d0a2400000000000000504500004c010300',
    'hex',
  ),
  Buffer.alloc(200),
]);

/**
 * Attachments as evidence over HTTP, on both stores: the unit's scanned signed report and a case's
 * feedback evidence go up, are listed and come down byte for byte; a program named .pdf and a file
 * over the limit are refused with problem details and store nothing; another unit may neither
 * attach nor read; `audit verify` covers the blobs and names one altered underneath. The third run
 * keeps the bytes in an S3-compatible bucket (BLOB_STORE_URL=s3://…, a real s3rver of the test's own).
 */
let s3: TestS3Server | undefined;
const S3_TARGET: StoreTarget = {
  name: 'SQLite with the blobs in an S3 bucket',
  async create() {
    s3 = await TestS3Server.start(['jixiao-evidence']);
    process.env.BLOB_STORE_URL = s3.url('jixiao-evidence', 'ye-county');
    const dir = createSqliteDirectory('e2e-s3');
    return {
      storeUrl: dir.url(),
      async drop() {
        delete process.env.BLOB_STORE_URL;
        dir.drop();
        await s3?.stop();
        s3 = undefined;
      },
    };
  },
};

describe.each([...STORE_TARGETS, S3_TARGET])('attachments over HTTP on $name', (target) => {
  let running: RunningApp;
  let reporter: TestSession;
  let office: TestSession;
  let supervisor: TestSession;
  let other: TestSession;
  let admin: TestSession;

  beforeAll(async () => {
    running = await startAppOn(target, { clock: new ManualClock('2023-10-09T02:00:00.000Z') });
    relaxLoginLimits(running);
    admin = await bootstrapAdmin(running);
    reporter = await createUserViaApi(running, admin, { username: 'sthjj-reporter', name: '生态环境局 李', roles: ['reporter'], unitId: 'sthjj' });
    office = await createUserViaApi(running, admin, { username: 'office-zhang', name: '推进办 张', roles: ['office'] });
    supervisor = await createUserViaApi(running, admin, { username: 'dcj-zhao', name: '督查局 赵', roles: ['supervisor'] });
    other = await createUserViaApi(running, admin, { username: 'fgw-reporter', name: '发改委 赵', roles: ['reporter'], unitId: 'fgw' });
  });
  afterAll(async () => {
    await running.close();
  });

  async function api(method: string, path: string, who: TestSession, body?: unknown) {
    const res = await fetch(`${running.url}/api/v1${path}`, {
      method,
      headers: { ...who.headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as any) : undefined };
  }
  async function upload(path: string, who: TestSession, bytes: Buffer, name: string, fields: Record<string, string> = {}) {
    const form = new FormData();
    form.set('file', new Blob([bytes]), name);
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    const res = await fetch(`${running.url}/api/v1${path}`, { method: 'POST', headers: { ...who.headers, 'accept-language': 'zh-CN' }, body: form });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as any) : undefined };
  }
  const download = async (path: string, who: TestSession) => {
    const res = await fetch(`${running.url}/api/v1${path}`, { headers: who.headers });
    return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
  };
  const engine = () => running.app.get(Engine);
  const run = (actor: Principal, type: string, data: object) =>
    engine().execute({ type, data, meta: { commandId: crypto.randomUUID(), actor, now: engine().clock.now().toISOString() } });

  it('takes a scanned report and case evidence from upload to list, download and audit verify; refuses by content, size and person', async () => {
    const opened = await api('POST', `/plans/${planId}/reporting/periods/${period}/open`, office);
    expect(opened.status).toBe(200);

    // The unit's reporter attaches the scanned signed paper copy.
    const added = await upload(reportFiles, reporter, PDF, '2023年6月 月报 签字盖章.pdf', { note: '纸质件扫描', reason: '报送纸质件' });
    // Issue 14: a file attached answers 201 with where it is downloaded.
    expect(added.status).toBe(201);
    expect(added.headers.get('location')).toBe(`/api/v1${reportFiles}/${sha256Of(PDF)}`);
    const followed = await followLocation(running, added, reporter);
    expect(followed.status).toBe(200);
    expect(Buffer.from(followed.body as ArrayBuffer).equals(PDF)).toBe(true);
    expect(added.body.events).toEqual([
      {
        type: 'AttachmentAdded',
        data: {
          target: { kind: 'report', planId, unitId: 'sthjj', period },
          name: '2023年6月 月报 签字盖章.pdf',
          mediaType: 'application/pdf',
          blob: { sha256: sha256Of(PDF), size: PDF.length },
          note: '纸质件扫描',
        },
      },
    ]);
    // The same bytes again: answered, nothing recorded twice.
    const again = await upload(reportFiles, reporter, PDF, 'copy.pdf');
    expect([again.status, again.headers.get('location')]).toEqual([200, null]);
    expect(again.body.events).toEqual([]);
    // Typed by content: a PNG named .pdf is a PNG; an XLSX made by exceljs is an XLSX.
    const png = await upload(reportFiles, reporter, PNG, 'photo.pdf');
    expect(png.body.events[0].data.mediaType).toBe('image/png');
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('核对').addRow(['指标', '数值']);
    const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
    const sheet = await upload(reportFiles, office, xlsx, '核对表.xlsx');
    expect(sheet.body.events[0].data.mediaType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');

    // Refusals write nothing and store nothing.
    // (The June reports' deadline timers fire meanwhile: the clock is in October. Count ours.)
    const attachmentEvents = async () => (await readEverything(engine().store)).filter((e) => e.streamId.startsWith('attachments-')).length;
    const before = await attachmentEvents();
    const exe = await upload(reportFiles, reporter, EXE, 'scan.pdf');
    expect(exe.status).toBe(422);
    expect(exe.headers.get('content-type')).toContain('application/problem+json');
    expect(exe.body).toMatchObject({ code: 'attachment-type-not-allowed', detected: 'application/x-msdownload' });
    expect(await running.app.get(AttachmentsService).blobs.get(sha256Of(EXE))).toBeUndefined();
    const settings = running.app.get<symbol, AttachmentsSettings>(ATTACHMENTS_SETTINGS);
    const limit = settings.maxBytes;
    settings.maxBytes = 1024;
    try {
      const big = Buffer.concat([PDF, Buffer.alloc(2048, 0x20)]);
      const tooLarge = await upload(reportFiles, reporter, big, 'big.pdf');
      expect(tooLarge.status).toBe(413);
      expect(tooLarge.body).toMatchObject({ code: 'attachment-too-large', maxBytes: 1024 });
      expect(await running.app.get(AttachmentsService).blobs.get(sha256Of(big))).toBeUndefined();
    } finally {
      settings.maxBytes = limit;
    }
    // Another unit's reporter may not attach (told so, not about the file), a supervisor may not attach to a report.
    expect((await upload(reportFiles, other, PDF, 'x.pdf')).body.code).toBe('forbidden');
    expect((await upload(reportFiles, supervisor, PDF, 'x.pdf')).status).toBe(403);
    // A month not opened has no report to attach to.
    expect((await upload(`/plans/${planId}/attachments/reports/sthjj/2023-11`, reporter, PDF, 'x.pdf')).body).toMatchObject({ status: 404, code: 'attachment-target-unknown' });
    // An empty file is recognised as nothing: refused by its (missing) type first.
    expect((await upload(reportFiles, reporter, Buffer.alloc(0), 'empty.pdf')).body).toMatchObject({ status: 422, code: 'attachment-type-not-allowed' });
    const noFile = await api('POST', reportFiles, reporter, {});
    expect(noFile.body).toMatchObject({ status: 400, errors: [{ field: 'file' }] }); // a JSON body carries no file
    expect(await attachmentEvents()).toBe(before);

    // Listed for the unit and the county, not for another unit.
    const list = await api('GET', `${reportFiles}?minPosition=${encodeURIComponent(sheet.body.position)}`, reporter);
    expect(list.status).toBe(200);
    expect(
      list.body.items.map((a: { name: string; mediaType: string; size: number; addedBy: { userId: string; role: string } }) => [a.name, a.mediaType, a.size, a.addedBy.role]),
    ).toEqual([
      ['2023年6月 月报 签字盖章.pdf', 'application/pdf', PDF.length, 'reporter'],
      ['photo.pdf', 'image/png', PNG.length, 'reporter'],
      ['核对表.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', xlsx.length, 'office'],
    ]);
    expect(list.body.items[0]).toMatchObject({ note: '纸质件扫描', reason: '报送纸质件', sha256: sha256Of(PDF) });
    expect((await api('GET', reportFiles, other)).status).toBe(403);

    // Downloaded byte for byte, under its recorded type and name.
    const got = await download(`${reportFiles}/${sha256Of(PDF)}`, office);
    expect(got.status).toBe(200);
    expect(got.bytes.equals(PDF)).toBe(true);
    expect(got.headers.get('content-type')).toBe('application/pdf');
    expect(got.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent('2023年6月 月报 签字盖章.pdf')}`);
    expect((await download(`${reportFiles}/${sha256Of(PDF)}`, other)).status).toBe(403);
    expect((await download(`${reportFiles}/${'0'.repeat(64)}`, reporter)).status).toBe(404);

    // A case: red PM2.5 for 2023-Q3, opened by the bureau; the unit attaches its feedback photo to the step.
    const officeP: Principal = { userId: 'office-1', name: '推进办', roles: ['office'] };
    await run(officeP, 'ranking.PublishScoringRule', {
      planId,
      coefficients: [1, 0.9, 0.8, 0.7, 0.6, 0.5].map((coefficient, i) => ({ rank: i + 1, coefficient })),
      missingRankCoefficient: 0,
      note: '试行',
    });
    const counties = ['ye', 'baofeng', 'jia', 'lushan', 'wugang', 'ruzhou'];
    const recorded = await run(officeP, 'ranking.RecordFigures', {
      planId,
      indicatorNo: 28,
      period: '2023-Q3',
      figures: counties.map((countyId, i) => ({ countyId, value: i === 0 ? 60 : 10 + i, rank: null })),
      source: { kind: 'manual' },
    });
    await engine().waitFor(recorded.position);
    expect((await upload(caseFiles, reporter, PNG, 'before.png')).body.code).toBe('attachment-target-unknown');
    const caseOpened = await api('POST', `/plans/${planId}/supervision/cases`, supervisor, { unitId: 'sthjj', indicatorNo: 28, period: '2023-Q3', note: '红色预警，人工立案' });
    expect(caseOpened.status).toBe(201);
    expect(caseOpened.headers.get('location')).toBe(`/api/v1/plans/${planId}/supervision/cases/sthjj/28/1`);
    expect(await followLocation(running, caseOpened, supervisor)).toMatchObject({ status: 200, body: { unitId: 'sthjj', indicatorNo: 28, caseNo: 1, status: 'open' } });
    // The same red warning again: the open case has it already, nothing is created (200, no Location).
    const openedAgain = await api('POST', `/plans/${planId}/supervision/cases`, supervisor, { unitId: 'sthjj', indicatorNo: 28, period: '2023-Q3', note: '重复立案' });
    expect([openedAgain.status, openedAgain.headers.get('location'), openedAgain.body.events]).toEqual([200, null, []]);
    const photo = await upload(caseFiles, reporter, PNG, '整改现场.png', { step: 'feedback' });
    expect(photo.status).toBe(201);
    expect(photo.body.events[0].data).toMatchObject({ target: { kind: 'case', indicatorNo: 28, caseNo: 1 }, step: 'feedback' });
    const record = await upload(caseFiles, supervisor, PDF, '督查记录.pdf', { step: 'review' });
    expect(record.status).toBe(201);
    expect((await upload(caseFiles, office, PDF, 'x.pdf')).status).toBe(403);
    const caseList = await api('GET', `${caseFiles}?minPosition=${encodeURIComponent(record.body.position)}`, supervisor);
    expect(caseList.body.items.map((a: { step: string }) => a.step).sort()).toEqual(['feedback', 'review']);
    // The year-end decision is not approved yet: nothing to attach to.
    expect((await upload(`/plans/${planId}/attachments/decisions/2023`, office, PDF, '决定.pdf')).body.code).toBe('attachment-target-unknown');

    // The unit's evidence export carries every attachment's event: name, type, size and SHA-256.
    await engine().runner.catchUp();
    const exported = await fetch(`${running.url}/api/v1/plans/${planId}/audit/units/sthjj/export?format=jsonl`, { headers: admin.headers });
    expect(exported.status).toBe(200);
    const attachmentLines = (await exported.text()).split('\n').filter((l) => l.includes('AttachmentAdded'));
    expect(attachmentLines).toHaveLength(5);
    expect(attachmentLines.filter((l) => l.includes(sha256Of(PDF)))).toHaveLength(2);
    // With attachments=bytes: a zip holding the export and each attachment's bytes under its hash, checked offline.
    const evidence = await fetch(`${running.url}/api/v1/plans/${planId}/audit/units/sthjj/export?format=jsonl&attachments=bytes`, { headers: admin.headers });
    expect(evidence.status).toBe(200);
    expect(evidence.headers.get('content-type')).toContain('application/zip');
    const zip = Buffer.from(await evidence.arrayBuffer());
    const offline = await verifyEvidenceArchive(zip);
    expect(offline).toMatchObject({ ok: true, checked: 4, problems: [] }); // the export and 3 distinct blobs
    expect(offline.manifest.attachments).toHaveLength(5);
    expect(offline.manifest.attachments[0]).toMatchObject({
      path: `attachments/${sha256Of(PDF)}`,
      name: '2023年6月 月报 签字盖章.pdf',
      mediaType: 'application/pdf',
      size: PDF.length,
      sha256: sha256Of(PDF),
    });
    const unzipped = await JSZip.loadAsync(zip);
    expect((await unzipped.file(`attachments/${sha256Of(PNG)}`)!.async('nodebuffer')).equals(PNG)).toBe(true);
    expect(await unzipped.file('SHA256SUMS')!.async('string')).toContain(`${sha256Of(PDF)}  attachments/${sha256Of(PDF)}`);
    // A byte changed inside the archive is named.
    unzipped.file(`attachments/${sha256Of(PNG)}`, Buffer.concat([PNG, Buffer.from([0])]));
    const changed = await verifyEvidenceArchive(await unzipped.generateAsync({ type: 'nodebuffer' }));
    expect(changed.ok).toBe(false);
    expect(changed.problems).toEqual([expect.stringContaining(`attachments/${sha256Of(PNG)} hashes to`)]);

    // audit verify covers every referenced blob…
    const verified = await api('POST', '/audit/verify', admin, {});
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ ok: true, blobs: { references: 5, blobs: 3, problems: [] } });
    console.log(`attachments on ${target.name}: verify hashed ${verified.body.blobs.bytes} bytes of blobs in ${verified.body.seconds} s`);
    const blobs = running.app.get(AttachmentsService).blobs;
    if (target === S3_TARGET) {
      expect(blobs).toBeInstanceOf(S3BlobStore);
      // The CLI's `audit verify` reads the same bucket from BLOB_STORE_URL.
      const store = await openEventStore(running.storeUrl);
      try {
        const cli = await verifyReferencedBlobs(store, running.storeUrl);
        expect(cli.ok).toBe(true);
        expect(cli.summary).toContain('5 reference(s) to 3 blob(s)');
        expect(cli.summary).toContain('s3://jixiao-evidence/ye-county');
      } finally {
        await store.close();
      }
    }

    // …and names the one altered underneath it; the download refuses to hand it out as evidence.
    const altered = Buffer.from(PDF.toString('latin1').replace('Catalog', 'Catalos'), 'latin1');
    if (blobs instanceof DirectoryBlobStore) {
      chmodSync(blobs.pathOf(sha256Of(PDF)), 0o644);
      writeFileSync(blobs.pathOf(sha256Of(PDF)), altered);
    } else if (blobs instanceof S3BlobStore) {
      // Someone with write access to the bucket overwrites the object.
      const client = s3!.client();
      await client.send(new PutObjectCommand({ Bucket: 'jixiao-evidence', Key: blobs.keyOf(sha256Of(PDF)), Body: altered }));
      client.destroy();
    } else {
      const c = new pg.Client({ connectionString: running.storeUrl });
      await c.connect();
      try {
        await c.query('ALTER TABLE jixiao_blobs DISABLE TRIGGER jixiao_blobs_immutable');
        await c.query('UPDATE jixiao_blobs SET bytes = $2 WHERE sha256 = $1', [sha256Of(PDF), altered]);
        await c.query('ALTER TABLE jixiao_blobs ENABLE TRIGGER jixiao_blobs_immutable');
      } finally {
        await c.end();
      }
    }
    const tampered = await api('POST', '/audit/verify', admin, {});
    expect(tampered.body.ok).toBe(false);
    expect(tampered.body.blobs.problems).toEqual([
      expect.objectContaining({ kind: 'altered', sha256: sha256Of(PDF), streamId: `attachments-report-${planId}-sthjj-${period}`, revision: 0 }),
      expect.objectContaining({ kind: 'altered', sha256: sha256Of(PDF), streamId: `attachments-case-${planId}-sthjj-28-1` }),
    ]);
    const refused = await api('GET', `${reportFiles}/${sha256Of(PDF)}`, office);
    expect(refused).toMatchObject({ status: 409, body: { code: 'attachment-blob-altered' } });
  });
});
