import { DomainError, ForbiddenError } from '../../engine/commands/command.js';
import { given, meta } from '../../engine/testing/given-when-then.js';
import { channelsConfigFrom, availableChannels, dingtalkSign, signedDingtalkUrl } from './notices.channels.js';
import { noticesDecider, type NoticesCommand } from './notices.decider.js';
import type { NoticeIssued, NoticesEvent } from './notices.events.js';
import { deliveriesFor } from './notices.handlers.js';
import { beijing, messageOf, type Names } from './notices.messages.js';
import { recipientsOf, type Person } from './notices.reactor.js';

const names: Names = { unit: (id) => ({ sthjj: '市生态环境局叶县分局' })[id] ?? id, indicator: (no) => ({ 28: 'PM2.5年均浓度' })[no] ?? String(no) };
const codeOf = (f: () => unknown) => {
  try {
    f();
    return 'none';
  } catch (err) {
    return err instanceof DomainError ? err.code : err instanceof ForbiddenError ? 'forbidden' : String(err);
  }
};

describe('what a notice says and to whom', () => {
  it('reminds the reporter, or the head when a signature is due, with the deadline in Beijing time', () => {
    const ref = { planId: 'ye-county-2023', unitId: 'sthjj', period: '2023-06', dueAt: '2023-07-05T16:00:00.000Z' };
    const unit = messageOf('ReportReminderSent', { ...ref, to: 'unit' }, names)!;
    expect(unit.audience).toEqual([{ role: 'reporter', unitId: 'sthjj' }]);
    expect(unit.body.zh).toBe('市生态环境局叶县分局2023年6月高质量发展绩效指标进展情况报告须于 2023-07-06 00:00（北京时间）前报送。');
    expect(messageOf('ReportReminderSent', { ...ref, to: 'head' }, names)!.audience).toEqual([{ role: 'head', unitId: 'sthjj' }]);
    expect(messageOf('ReportReturned', { ...ref, reason: '口径不一致' }, names)!.body.zh).toContain('退回原因：口径不一致');
    expect(beijing('2023-12-31T16:30:00.000Z')).toBe('2024-01-01 00:30');
  });

  it('tells the unit and the bureau of case steps, the leaders of published quarters and escalations', () => {
    const c = { planId: 'p', unitId: 'sthjj', indicatorNo: 28, caseNo: 2 };
    const opened = messageOf('CaseOpened', { ...c, next: { step: 'acknowledge', dueAt: '2023-10-12T09:00:00.000Z' } }, names)!;
    expect(opened.audience).toEqual([{ role: 'reporter', unitId: 'sthjj' }, { role: 'head', unitId: 'sthjj' }, { role: 'supervisor' }]);
    expect(opened.title.zh).toBe('督查立案：市生态环境局叶县分局第28项“PM2.5年均浓度”督查案件（第2件）');
    expect(opened.body.zh).toContain('下一环节：签收，时限 2023-10-12 17:00');
    expect(messageOf('CaseEscalated', { ...c, kind: 'admonitory-talk', reason: '连续两季度红色' }, names)!.audience).toContainEqual({ role: 'leader' });
    expect(messageOf('QuarterPublished', { planId: 'p', quarter: '2023-Q3', snapshot: { counts: { green: 1, yellow: 2, red: 3, missing: 4 } } }, names)!).toMatchObject({
      audience: [{ role: 'leader' }, { role: 'office' }, { role: 'supervisor' }],
      body: { zh: '2023年第3季度绩效评估结果已公布：绿色 1、黄色 2、红色 3。', en: 'The Q3 2023 quarterly assessment is published: green 1, yellow 2, red 3.' },
    });
    expect(messageOf('ProposalApproved', { planId: 'p', year: 2023 }, names)!.kind).toBe('decision-approved');
    expect(messageOf('ReportDraftSaved', {}, names)).toBeNull();
  });

  it('finds the active people holding the role, of the unit when one is named', () => {
    const p = (userId: string, roles: Person['roles'], active = true): Person => ({ userId, name: userId, active, roles, channels: [], email: null });
    const people = [
      p('a', [{ role: 'reporter', unitId: 'sthjj' }]),
      p('b', [{ role: 'reporter', unitId: 'fgw' }]),
      p('c', [{ role: 'reporter', unitId: 'sthjj' }], false),
      p('d', [{ role: 'supervisor' }]),
    ];
    expect(recipientsOf([{ role: 'reporter', unitId: 'sthjj' }], people).map((r) => r.userId)).toEqual(['a']);
    expect(recipientsOf([{ role: 'reporter' }, { role: 'supervisor' }], people).map((r) => r.userId)).toEqual(['a', 'b', 'd']);
  });

  it('plans one e-mail per person who chose it and one post per group robot, on the channels the deployment has', () => {
    const r = (userId: string, channels: ('email' | 'dingtalk' | 'wecom')[], email: string | null = null) => ({ userId, name: userId, channels, email });
    const recipients = [r('a', ['email', 'wecom'], 'a@x.cn'), r('b', ['email']), r('c', ['wecom', 'dingtalk'])];
    expect(deliveriesFor('n-1', recipients, ['email', 'wecom'])).toEqual([
      { deliveryId: 'n-1.email.a', channel: 'email', to: 'a@x.cn', recipients: ['a'] },
      { deliveryId: 'n-1.wecom', channel: 'wecom', to: 'WeCom group robot', recipients: ['a', 'c'] },
    ]);
  });
});

describe('the channels', () => {
  it('signs DingTalk requests as DingTalk checks them (HMAC-SHA256 of timestamp\\nsecret, Base64, in the query)', () => {
    // Computed independently (Python's hmac) for this secret and timestamp.
    expect(dingtalkSign('SEC000test', 1700000000000)).toBe('1hLl2KkRX3rps9FaitIUwaac+CtAFEaP345jvdrTL7c=');
    const url = new URL(signedDingtalkUrl('https://oapi.dingtalk.com/robot/send?access_token=t', 'SEC000test', 1700000000000));
    expect(Object.fromEntries(url.searchParams)).toEqual({ access_token: 't', timestamp: '1700000000000', sign: '1hLl2KkRX3rps9FaitIUwaac+CtAFEaP345jvdrTL7c=' });
    expect(url.search).toContain('sign=1hLl2KkRX3rps9FaitIUwaac%2BCtAFEaP345jvdrTL7c%3D');
  });

  it('reads the deployment from the environment', () => {
    const c = channelsConfigFrom({ JIXIAO_SMTP_URL: 'smtp://h:25', JIXIAO_WECOM_WEBHOOK: 'https://qyapi.weixin.qq.com/x' });
    expect(availableChannels(c)).toEqual(['email', 'wecom']);
    expect(c).toMatchObject({ attempts: 5, backoffMs: 2000 });
    expect(() => channelsConfigFrom({ JIXIAO_NOTICE_ATTEMPTS: '0' })).toThrow(/JIXIAO_NOTICE_ATTEMPTS/);
  });
});

describe('the notices decider', () => {
  const issued: NoticeIssued = {
    type: 'NoticeIssued',
    data: {
      noticeId: 'n-e1',
      kind: 'report-overdue',
      source: { eventId: 'e1', type: 'ReportOverdue', streamId: 's', position: '1', recordedAt: '2023-07-06T00:00:00.000Z' },
      title: { zh: 't', en: 't' },
      body: { zh: 'b', en: 'b' },
      recipients: [{ userId: 'li', name: '李' }],
      deliveries: [{ deliveryId: 'n-e1.wecom', channel: 'wecom', to: 'WeCom group robot', recipients: ['li'] }],
    },
  };
  const system = meta(['system'], { userId: 'system' });
  const attempt = (outcome: 'delivered' | 'failed'): NoticesCommand => ({
    type: 'notices.RecordAttempt',
    data: { noticeId: 'n-e1', deliveryId: 'n-e1.wecom', outcome, detail: 'HTTP 500', maxAttempts: 3 },
    meta: system,
  });
  const fold = (events: NoticesEvent[], c: NoticesCommand) => given(noticesDecider, events).when(c);

  it('numbers attempts, marks the last one final, and records nothing once settled', () => {
    const a1 = fold([issued], attempt('failed'))[0]!;
    expect(a1.data).toMatchObject({ attempt: 1, outcome: 'failed', final: false, channel: 'wecom' });
    const a2 = fold([issued, a1], attempt('failed'))[0]!;
    const a3 = fold([issued, a1, a2], attempt('failed'))[0]!;
    expect(a3.data).toMatchObject({ attempt: 3, final: true });
    expect(fold([issued, a1, a2, a3], attempt('delivered'))).toEqual([]);
    const ok = fold([issued, a1], attempt('delivered'))[0]!;
    expect(ok.data).toMatchObject({ attempt: 2, outcome: 'delivered', final: true });
    expect(fold([issued, a1, ok], attempt('failed'))).toEqual([]);
    expect(codeOf(() => fold([issued], { ...attempt('failed'), data: { ...attempt('failed').data, deliveryId: 'nope' } } as NoticesCommand))).toBe('delivery-unknown');
  });

  it('lets only the system issue and record, each person read their own and choose their own channels', () => {
    expect(codeOf(() => fold([], { type: 'notices.Issue', data: issued.data, meta: meta(['office']) }))).toBe('forbidden');
    expect(fold([issued], { type: 'notices.Issue', data: issued.data, meta: system })).toEqual([]);
    expect(codeOf(() => fold([issued], { ...attempt('failed'), meta: meta(['admin']) }))).toBe('forbidden');
    expect(fold([issued], { type: 'notices.MarkRead', data: { noticeId: 'n-e1' }, meta: meta(['reporter'], { userId: 'li', unitId: 'sthjj' }) })).toHaveLength(1);
    expect(codeOf(() => fold([issued], { type: 'notices.MarkRead', data: { noticeId: 'n-e1' }, meta: meta(['reporter'], { userId: 'zhao', unitId: 'fgw' }) }))).toBe(
      'notice-unknown',
    );
    const choose = (userId: string, channels: string[], email: string | null) =>
      ({ type: 'notices.ChooseChannels', data: { userId, channels, email }, meta: meta(['head'], { userId: 'wang', unitId: 'sthjj' }) }) as NoticesCommand;
    expect(codeOf(() => fold([], choose('li', [], null)))).toBe('forbidden');
    expect(codeOf(() => fold([], choose('wang', ['fax'], null)))).toBe('channel-unknown');
    expect(codeOf(() => fold([], choose('wang', ['email'], null)))).toBe('email-required');
    const chosen = fold([], choose('wang', ['email', 'email', 'wecom'], 'wang@x.cn'));
    expect(chosen).toEqual([{ type: 'NoticeChannelsChosen', data: { userId: 'wang', channels: ['email', 'wecom'], email: 'wang@x.cn' } }]);
    expect(fold(chosen, choose('wang', ['email', 'wecom'], 'wang@x.cn'))).toEqual([]);
  });
});
