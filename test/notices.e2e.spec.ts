import { createServer, type IncomingMessage, type Server } from 'node:http';
import { SMTPServer } from 'smtp-server';
import { ManualClock } from '../libs/engine/clock.js';
import { Engine } from '../libs/engine/nest/engine.js';
import { readEverything } from '../libs/engine/testing/fixtures.js';
import { dingtalkSign } from '../libs/workflows/notices/notices.channels.js';
import { bootstrapAdmin, createUserViaApi, relaxLoginLimits, STORE_TARGETS, startAppOn, type RunningApp, type TestSession } from './support/app.js';

const planId = 'ye-county-2023';
const period = '2023-06';
const DINGTALK_SECRET = 'SEC-test-secret-0123456789';

interface Received {
  url: string;
  body: any;
  answered: number;
}

/** A local HTTP receiver standing in for a group robot; `answer(n)` gives the status of the n-th request (1-based). */
async function receiver(answer: (n: number, req: IncomingMessage) => number): Promise<{ server: Server; url: string; got: Received[] }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      const status = answer(got.length + 1, req);
      got.push({ url: req.url ?? '', body: JSON.parse(text), answered: status });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status === 200 ? { errcode: 0, errmsg: 'ok' } : { errcode: -1, errmsg: 'system busy' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, got };
}

/**
 * Notices that reach people, end to end on both stores: a monthly reminder fired by its timer
 * reaches a real SMTP server (started here) once, a DingTalk robot (signed: timestamp + sign) once,
 * and a WeCom robot that fails twice and then accepts — once, with three attempts recorded as
 * events. The inbox and the to-do counts answer from projections over HTTP.
 */
describe.each(STORE_TARGETS)('notices on $name', (target) => {
  let running: RunningApp;
  let clock: ManualClock;
  let smtp: SMTPServer;
  const mails: { from: string; to: string[]; text: string }[] = [];
  let dingtalk: Awaited<ReturnType<typeof receiver>>;
  let wecom: Awaited<ReturnType<typeof receiver>>;
  let admin: TestSession;
  let reporter: TestSession;
  let head: TestSession;
  let office: TestSession;
  let other: TestSession;
  const saved = { ...process.env };

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        let text = '';
        stream.on('data', (c: Buffer) => (text += c.toString('utf8')));
        stream.on('end', () => {
          mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), text });
          callback();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    const smtpPort = (smtp.server.address() as { port: number }).port;
    dingtalk = await receiver((_, req) => {
      // DingTalk checks the signature: a wrong one is refused.
      const u = new URL(req.url ?? '', 'http://x');
      const ts = Number(u.searchParams.get('timestamp'));
      return u.searchParams.get('sign') === dingtalkSign(DINGTALK_SECRET, ts) && Math.abs(Date.now() - ts) < 3600_000 ? 200 : 403;
    });
    wecom = await receiver((n) => (n <= 2 ? 500 : 200));
    Object.assign(process.env, {
      JIXIAO_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      JIXIAO_MAIL_FROM: 'Jixiao <jixiao@ye.example>',
      JIXIAO_DINGTALK_WEBHOOK: `${dingtalk.url}/robot/send?access_token=abc`,
      JIXIAO_DINGTALK_SECRET: DINGTALK_SECRET,
      JIXIAO_WECOM_WEBHOOK: `${wecom.url}/cgi-bin/webhook/send?key=k`,
      JIXIAO_NOTICE_ATTEMPTS: '5',
      JIXIAO_NOTICE_BACKOFF_MS: '100',
    });
    clock = new ManualClock('2023-07-01T01:00:00.000Z');
    running = await startAppOn(target, { clock });
    relaxLoginLimits(running);
    admin = await bootstrapAdmin(running);
    reporter = await createUserViaApi(running, admin, { username: 'sthjj-reporter', name: '生态环境局 李', roles: ['reporter'], unitId: 'sthjj' });
    head = await createUserViaApi(running, admin, { username: 'sthjj-head', name: '生态环境局 王局长', roles: ['head'], unitId: 'sthjj' });
    office = await createUserViaApi(running, admin, { username: 'office-zhang', name: '推进办 张', roles: ['office'] });
    other = await createUserViaApi(running, admin, { username: 'fgw-reporter', name: '发改委 赵', roles: ['reporter'], unitId: 'fgw' });
  });
  afterAll(async () => {
    await running?.close();
    await new Promise<void>((r) => smtp.close(() => r()));
    dingtalk.server.close();
    wecom.server.close();
    process.env = saved;
  });

  async function api(method: string, path: string, who: TestSession, body?: unknown) {
    const res = await fetch(`${running.url}/api/v1${path}`, {
      method,
      headers: { ...who.headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as any) : undefined };
  }
  const until = async <T>(what: string, f: () => Promise<T | undefined>, ms = 20_000): Promise<T> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await f();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('sends the reminder once on every channel the reporter chose, retrying the failing robot; records every attempt', async () => {
    const started = Date.now();
    // The reporter chooses e-mail and both group robots; the channels on offer are the deployment's.
    expect((await api('GET', '/me/notice-channels', reporter)).body).toEqual({ available: ['email', 'dingtalk', 'wecom'], channels: [], email: null });
    expect((await api('PUT', '/me/notice-channels', reporter, { channels: ['email'], email: 'not-an-address' })).body).toMatchObject({ status: 422, code: 'email-invalid' });
    expect((await api('PUT', '/me/notice-channels', reporter, { channels: ['email'] })).body).toMatchObject({ status: 422, code: 'email-required' });
    expect((await api('PUT', '/me/notice-channels', reporter, { channels: ['pigeon'] })).status).toBe(400);
    const chose = await api('PUT', '/me/notice-channels', reporter, { channels: ['email', 'dingtalk', 'wecom'], email: 'li@sthjj.ye.example' });
    expect(chose.status).toBe(200);

    // June opens; the reporter has a report to draft.
    const opened = await api('POST', `/plans/${planId}/reporting/periods/${period}/open`, office);
    expect(opened.status).toBe(200);
    const todo = await api('GET', `/me/todo?minPosition=${encodeURIComponent(opened.body.position)}`, reporter);
    expect(todo.body).toMatchObject({ toDraft: 1, overdueToDraft: 0, toSign: 0, toReceive: 0, unreadNotices: 0 });
    expect((await api('GET', '/me/todo', other)).body.toDraft).toBe(1);

    // The reminder timer fires: a notice to the unit's reporters (not the head, not another unit).
    const engine = running.app.get(Engine);
    const report = await engine.store.readStream(`report-${planId}-sthjj-${period}`);
    const reminderAt = (report[0]!.data as { reminderAt: string }).reminderAt;
    clock.set(new Date(Date.parse(reminderAt) + 60_000).toISOString());
    await engine.timers.deliverDue();

    // Wait until every delivery of the reporter's reminder is settled.
    const notice = await until('the deliveries to settle', async () => {
      const list = (await api('GET', '/notices?unitId=sthjj&kind=report-reminder&limit=200', office)).body.items as any[];
      const n = list.find((x) => x.recipients.some((r: { userId: string }) => r.userId === reporter.userId));
      return n && n.deliveries.length === 3 && n.deliveries.every((d: { status: string }) => d.status !== 'pending') ? n : undefined;
    });
    console.log(`notices on ${target.name}: reminder delivered on three channels (wecom on its third attempt) ${Date.now() - started} ms after the test began`);
    expect(notice.recipients.map((r: { userId: string }) => r.userId)).toEqual([reporter.userId]);
    expect(notice.title.zh).toContain('提醒');
    const byChannel = Object.fromEntries(notice.deliveries.map((d: { channel: string }) => [d.channel, d]));
    expect(byChannel.email).toMatchObject({ status: 'delivered', to: 'li@sthjj.ye.example', attempts: [{ attempt: 1, outcome: 'delivered' }] });
    expect(byChannel.dingtalk).toMatchObject({ status: 'delivered', attempts: [{ attempt: 1, outcome: 'delivered' }] });
    expect(byChannel.wecom.status).toBe('delivered');
    expect(byChannel.wecom.attempts.map((a: { attempt: number; outcome: string; final: boolean }) => [a.attempt, a.outcome, a.final])).toEqual([
      [1, 'failed', false],
      [2, 'failed', false],
      [3, 'delivered', true],
    ]);
    expect(byChannel.wecom.attempts[0].detail).toContain('HTTP 500');

    // Give a stray retry time to show itself: there is none. Each arrived exactly once.
    await new Promise((r) => setTimeout(r, 1500));
    const mine = mails.filter((m) => m.to.includes('li@sthjj.ye.example'));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.text).toContain('X-Jixiao-Notice: ' + notice.noticeId);
    expect(dingtalk.got.filter((g) => g.answered === 200)).toHaveLength(1);
    expect(dingtalk.got).toHaveLength(1);
    expect(dingtalk.got[0]!.body).toMatchObject({ msgtype: 'markdown', markdown: { title: notice.title.zh } });
    expect(dingtalk.got[0]!.body.markdown.text).toContain('生态环境局 李');
    expect(wecom.got.map((g) => g.answered)).toEqual([500, 500, 200]);
    expect(wecom.got[2]!.body).toMatchObject({ msgtype: 'markdown' });

    // "Was the unit told?" is in the record: three attempt events for the robot that failed twice.
    const events = (await readEverything(engine.store)).filter((e) => e.streamId === `notice-${notice.noticeId}`);
    expect(events.map((e) => e.type)).toEqual(['NoticeIssued', ...Array(5).fill('NoticeDeliveryAttempted')]);
    expect(events.filter((e) => (e.data as { channel?: string }).channel === 'wecom')).toHaveLength(3);
    expect(events[0]!.metadata).toMatchObject({ actor: { userId: 'system', role: 'system' }, causationId: notice.source.eventId });

    // The inbox: the reporter's notice, unread, then read (recorded); nobody else's.
    const inbox = await api('GET', '/me/inbox', reporter);
    expect(inbox.body).toMatchObject({ unread: 1, total: 1, items: [{ noticeId: notice.noticeId, kind: 'report-reminder', readAt: null }], next: null });
    // One list shape (issue 14): `?after=` takes only a cursor the inbox gave, `?limit=` 1–200.
    expect((await api('GET', '/me/inbox?after=bm8tc3VjaA', reporter)).body).toMatchObject({ status: 400, errors: [{ field: 'after' }] });
    expect((await api('GET', '/me/inbox?limit=0', reporter)).body).toMatchObject({ status: 400, errors: [{ field: 'limit' }] });
    expect((await api('GET', '/me/inbox', other)).body.items.some((i: { noticeId: string }) => i.noticeId === notice.noticeId)).toBe(false);
    expect((await api('POST', `/me/inbox/${notice.noticeId}/read`, other)).status).toBe(404);
    const read = await api('POST', `/me/inbox/${notice.noticeId}/read`, reporter);
    expect(read.status).toBe(200);
    expect((await api('GET', `/me/inbox?minPosition=${encodeURIComponent(read.body.position)}`, reporter)).body.unread).toBe(0);
    // Another unit's reporter may not read the unit's notices.
    expect((await api('GET', '/notices?unitId=sthjj', other)).status).toBe(403);
    expect((await api('GET', `/notices/${notice.noticeId}`, other)).status).toBe(404);

    // Submitted: the head has one to sign; returned with a reason: the unit hears the reason.
    const lines = [
      { indicatorNo: 27, value: 78.5, rank: 2, problems: '无', nextSteps: '保持' },
      { indicatorNo: 28, value: 41, rank: 2, problems: '无', nextSteps: '保持' },
      { indicatorNo: 29, value: 92, rank: 1, problems: '无', nextSteps: '保持' },
    ];
    const report2 = `/plans/${planId}/reporting/reports/sthjj/${period}`;
    expect((await api('PUT', `${report2}/draft`, reporter, { lines })).status).toBe(200);
    const submitted = await api('POST', `${report2}/submit`, reporter);
    expect(submitted.status).toBe(200);
    expect((await api('GET', `/me/todo?minPosition=${encodeURIComponent(submitted.body.position)}`, head)).body).toMatchObject({ toSign: 1, toDraft: 0 });
    const returned = await api('POST', `${report2}/return`, office, { reason: '第28项排名与市局通报不一致' });
    expect(returned.status).toBe(200);
    const headInbox = await until('the return notice', async () => {
      const b = (await api('GET', '/me/inbox', head)).body;
      return b.items.find((i: { kind: string }) => i.kind === 'report-returned') ? b : undefined;
    });
    expect(headInbox.items.find((i: { kind: string }) => i.kind === 'report-returned').body.zh).toContain('第28项排名与市局通报不一致');
    // The inbox a page at a time (issue 14), newest first: the pages follow one another without overlap, the counts are the whole inbox's.
    // The reporter's: the reminder (read) and the return (unread).
    const whole = await until('the return in the reporter’s inbox', async () => {
      const b = (await api('GET', '/me/inbox?limit=200', reporter)).body;
      return b.items.find((i: { kind: string }) => i.kind === 'report-returned') ? b : undefined;
    });
    expect([whole.items.length >= 2, whole.items.length, whole.next]).toEqual([true, whole.total, null]);
    const newest = (await api('GET', '/me/inbox?limit=1', reporter)).body;
    expect([newest.items, newest.total, newest.unread, typeof newest.next]).toEqual([whole.items.slice(0, 1), whole.total, whole.unread, 'string']);
    const older = (await api('GET', `/me/inbox?limit=200&after=${newest.next}`, reporter)).body;
    expect([older.items, older.next]).toEqual([whole.items.slice(1), null]);
    expect((await api('GET', '/me/todo', reporter)).body.toDraft).toBe(1);
  });
});
