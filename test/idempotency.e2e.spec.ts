import { ManualClock } from '../libs/engine/clock.js';
import { Engine } from '../libs/engine/nest/engine.js';
import { bootstrapAdmin, createUserViaApi, relaxLoginLimits, STORE_TARGETS, startAppOn, type RunningApp, type TestSession } from './support/app.js';

const planId = 'ye-county-2023';
const period = '2023-06';
const report = `/plans/${planId}/reporting/reports/sthjj/${period}`;

/**
 * Issue 13, Idempotency-Key: a key is bound to its actor, the command, the target and the content;
 * authorisation comes before any answer, a replay included; a reused key is a 422 that writes nothing.
 */
describe.each(STORE_TARGETS)('Idempotency-Key on $name', (target) => {
  let running: RunningApp;
  let reporter: TestSession;
  let head: TestSession;
  let office: TestSession;
  let office2: TestSession;
  let other: TestSession;
  let admin: TestSession;

  beforeAll(async () => {
    running = await startAppOn(target, { clock: new ManualClock('2023-07-01T01:00:00.000Z') /* June has ended: its report may be submitted (issue 12) */ });
    relaxLoginLimits(running);
    admin = await bootstrapAdmin(running);
    reporter = await createUserViaApi(running, admin, { username: 'sthjj-reporter', roles: ['reporter'], unitId: 'sthjj' });
    head = await createUserViaApi(running, admin, { username: 'sthjj-head', roles: ['head'], unitId: 'sthjj' });
    office = await createUserViaApi(running, admin, { username: 'office-zhang', roles: ['office'] });
    office2 = await createUserViaApi(running, admin, { username: 'office-li', roles: ['office'] });
    other = await createUserViaApi(running, admin, { username: 'fgw-reporter', roles: ['reporter'], unitId: 'fgw' });
  });
  afterAll(async () => {
    await running.close();
  });

  async function api(method: string, path: string, who: TestSession, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${running.url}/api/v1${path}`, {
      method,
      headers: { ...who.headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as any) : undefined };
  }
  /** The store's last committed position: exact on PostgreSQL too, where a reader may trail it. */
  const storeHead = async () => running.app.get(Engine).store.headPosition();
  /**
   * What these people's requests wrote since `from`. The system's timers and notices may record
   * events meanwhile (opened months have deadlines), so the head alone could move: a refused or
   * replayed request is checked by what *it* wrote.
   */
  const writtenBy = async (from: string | undefined, ...people: { userId: string }[]) =>
    (await running.app.get(Engine).store.readAll({ ...(from ? { fromPosition: from } : {}), maxCount: 1000 })).filter((e) =>
      people.some((p) => p.userId === e.metadata.actor.userId),
    );
  const reportEvents = async () => (await running.app.get(Engine).store.readStream(`report-${planId}-sthjj-${period}`)).length;
  const key = (k: string) => ({ 'idempotency-key': k });
  const lines = (problems = '扬尘') => [
    { indicatorNo: 27, value: 78.5, rank: 2, problems: '无', nextSteps: '保持' },
    { indicatorNo: 28, value: 41, rank: 5, problems, nextSteps: '治理', analysis: '施工扬尘管控不到位', countermeasures: '开展扬尘专项整治' },
    { indicatorNo: 29, value: 92, rank: 1, problems: '无', nextSteps: '保持' },
  ];

  it('is decided after authorisation: another actor reusing a key is a fresh command, refused when not allowed', async () => {
    const opened = await api('POST', `/plans/${planId}/reporting/periods/${period}/open`, office, undefined, key('office-open-2023-06'));
    expect(opened.status).toBe(200);
    const before = await storeHead();
    // The reporter may not open a month: the office's key does not change that (it answered 200 replayed).
    const borrowed = await api('POST', `/plans/${planId}/reporting/periods/${period}/open`, reporter, undefined, key('office-open-2023-06'));
    expect(borrowed.status).toBe(403);
    expect(borrowed.body.code).toBe('forbidden');
    expect(borrowed.body.replayed).toBeUndefined();
    expect(await writtenBy(before, reporter)).toEqual([]);
    const drafts = await reportEvents();
    // Another unit's reporter with the reporter's key is refused as well.
    expect((await api('PUT', `${report}/draft`, reporter, { lines: lines() }, key('sthjj-draft-key-1'))).status).toBe(200);
    const foreign = await api('PUT', `${report}/draft`, other, { lines: lines() }, key('sthjj-draft-key-1'));
    expect(foreign.status).toBe(403);
    expect(await reportEvents()).toBe(drafts + 1);
  });

  it('answers the same request with the first answer, and the same key with other content, command or target with 422', async () => {
    const first = await api('PUT', `${report}/draft`, reporter, { lines: lines('first') }, key('sthjj-draft-key-2'));
    expect(first.status).toBe(200);
    const retry = await api('PUT', `${report}/draft`, reporter, { lines: lines('first') }, key('sthjj-draft-key-2'));
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ replayed: true, position: first.body.position, revision: first.body.revision });

    const before = await storeHead();
    // Same key, different content: the new content is not dropped silently.
    const changed = await api('PUT', `${report}/draft`, reporter, { lines: lines('second') }, key('sthjj-draft-key-2'));
    expect(changed.status).toBe(422);
    expect(changed.headers.get('content-type')).toContain('application/problem+json');
    expect(changed.body).toMatchObject({ code: 'idempotency-key-reused', status: 422, idempotencyKey: 'sthjj-draft-key-2' });
    expect(changed.headers.get('content-language')).toBe('zh-CN');
    expect(changed.body.detail).toContain('幂等键');
    // Same key, another command on the same report.
    const otherCommand = await api('POST', `${report}/submit`, reporter, undefined, key('sthjj-draft-key-2'));
    expect(otherCommand.status).toBe(422);
    // In English when asked.
    const english = await api('PUT', `${report}/draft`, reporter, { lines: lines('third') }, { ...key('sthjj-draft-key-2'), 'accept-language': 'en-US,en;q=0.9' });
    expect(english.status).toBe(422);
    expect(english.body.detail).toMatch(/already used for another request/);
    expect(await writtenBy(before, reporter)).toEqual([]);

    // A fresh key saves the new content.
    const saved = await api('PUT', `${report}/draft`, reporter, { lines: lines('second') }, key('sthjj-draft-key-3'));
    expect(saved.status).toBe(200);
    expect(saved.body.replayed).toBeUndefined();
  });

  it('refuses the same key on another target (another month’s report) store-wide, and still answers the first request’s retry', async () => {
    const april = `/plans/${planId}/reporting/reports/sthjj/2023-04`;
    const may = `/plans/${planId}/reporting/reports/sthjj/2023-05`;
    // One key for a whole multi-command request (the office opens a month for every unit): one claim, every command passes.
    const opened = await api('POST', `/plans/${planId}/reporting/periods/2023-04/open`, office, undefined, key('office-open-2023-04'));
    expect(opened.status).toBe(200);
    const head = await storeHead();
    const again = await api('POST', `/plans/${planId}/reporting/periods/2023-04/open`, office, undefined, key('office-open-2023-04'));
    expect(again.status).toBe(200);
    expect(again.body).toEqual(opened.body);
    expect(await writtenBy(head, office)).toEqual([]);
    expect((await api('POST', `/plans/${planId}/reporting/periods/2023-05/open`, office)).status).toBe(200);
    const first = await api('PUT', `${april}/draft`, reporter, { lines: lines('april') }, key('sthjj-draft-key-apr'));
    expect(first.status).toBe(200);

    const before = await storeHead();
    const may0 = (await running.app.get(Engine).store.readStream(`report-${planId}-sthjj-2023-05`)).length;
    const reused = await api('PUT', `${may}/draft`, reporter, { lines: lines('april') }, key('sthjj-draft-key-apr'));
    expect(reused.status).toBe(422);
    expect(reused.body).toMatchObject({ code: 'idempotency-key-reused', idempotencyKey: 'sthjj-draft-key-apr' });
    expect(JSON.stringify(reused.body)).toContain('2023-04');
    // Nothing written by the refused request (the months opened above may still have timers and
    // notices recorded by the system in the background, so the head alone could move).
    const since = await running.app.get(Engine).store.readAll({ ...(before ? { fromPosition: before } : {}), maxCount: 1000 });
    expect(since.filter((e) => e.metadata.actor.userId === reporter.userId)).toEqual([]);
    expect((await running.app.get(Engine).store.readStream(`report-${planId}-sthjj-2023-05`)).length).toBe(may0);
    // The office's key for August's opening is the office's: used for September's opening it is refused too.
    expect((await api('POST', `/plans/${planId}/reporting/periods/2023-05/open`, office, undefined, key('office-open-2023-04'))).status).toBe(422);

    expect((await api('PUT', `${april}/draft`, reporter, { lines: lines('april') }, key('sthjj-draft-key-apr'))).body).toMatchObject({
      replayed: true,
      position: first.body.position,
    });
    // Another actor's key of the same name is theirs: no claim of the reporter's binds them.
    expect((await api('PUT', `${may}/draft`, admin, { lines: lines('admin') }, { ...key('sthjj-draft-key-apr'), 'x-on-behalf-of': 'sthjj' })).status).not.toBe(422);
  });

  it('does not answer the office’s return with the events of an earlier receive', async () => {
    const submitted = await api('POST', `${report}/submit`, reporter);
    expect(submitted.status).toBe(200);
    expect((await api('POST', `${report}/sign`, head, { contentHash: submitted.body.events[0].data.contentHash })).status).toBe(200);
    const received = await api('POST', `${report}/receive`, office, undefined, key('office-receive-sthjj-06'));
    expect(received.status).toBe(200);
    expect(received.body.events.map((e: { type: string }) => e.type)).toEqual(['ReportReceived']);

    const before = await storeHead();
    const returned = await api('POST', `${report}/return`, office, { reason: '数据口径不一致' }, key('office-receive-sthjj-06'));
    expect(returned.status).toBe(422);
    expect(returned.body.code).toBe('idempotency-key-reused');
    expect(JSON.stringify(returned.body)).not.toContain('"events"');
    // Another office user with the same key sends a receive of their own: fresh, not the first answer (there is nothing left to receive).
    const colleague = await api('POST', `${report}/receive`, office2, undefined, key('office-receive-sthjj-06'));
    expect(colleague.body.replayed).toBeUndefined();
    expect(colleague.body.events ?? []).toEqual([]);
    expect(await writtenBy(before, office, office2)).toEqual([]);
    // The first office user's retry is still answered.
    expect((await api('POST', `${report}/receive`, office, undefined, key('office-receive-sthjj-06'))).body).toMatchObject({ replayed: true, position: received.body.position });
  });

  it('refuses a replay to an actor who may no longer send the command', async () => {
    const july = `/plans/${planId}/reporting/reports/sthjj/2023-07`;
    expect((await api('POST', `/plans/${planId}/reporting/periods/2023-07/open`, office)).status).toBe(200);
    const saved = await api('PUT', `${july}/draft`, reporter, { lines: lines() }, key('sthjj-july-draft'));
    expect(saved.status).toBe(200);
    expect((await api('DELETE', `/users/${reporter.userId}/roles/reporter`, admin)).status).toBe(200);
    const replay = await api('PUT', `${july}/draft`, reporter, { lines: lines() }, key('sthjj-july-draft'));
    expect(replay.status).toBe(403);
    expect(replay.body.replayed).toBeUndefined();
  });
});
