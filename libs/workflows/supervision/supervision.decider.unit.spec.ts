import { ForbiddenError, type CommandMeta } from '../../engine/commands/command.js';
import { given, meta } from '../../engine/testing/given-when-then.js';
import { supervisionDecider, type ClosingStanding, type SupervisionCommand } from './supervision.decider.js';
import type { CaseLineEvent, RedWarning } from './supervision.events.js';
import { schedule2023 as schedule } from './supervision.fixtures.js';

const line = { planId: 'ye-county-2023', unitId: 'sthjj', indicatorNo: 28 };
const case1 = { ...line, caseNo: 1 };
const context = { unitName: '县生态环境局', indicatorName: 'PM2.5年均浓度' };
const red = (quarter = '2023-Q3', over: Partial<RedWarning> = {}): RedWarning => ({
  quarter,
  figuresPeriod: quarter,
  value: 47,
  rank: 6,
  warning: 'red',
  source: { kind: 'quarter-published', eventId: `published-${quarter}`, position: '000100' },
  ...over,
});

const at = (now: string) => ({ now });
const system = (o: Partial<CommandMeta> = {}) => meta(['system'], { userId: 'system', now: '2023-10-09T02:00:00.000Z', ...o });
const supervisor = (o: Partial<CommandMeta> = {}) => meta(['supervisor'], { userId: 'dcj-1', name: '督查局 赵', ...o });
const head = (o: Partial<CommandMeta> = {}) => meta(['head'], { unitId: 'sthjj', userId: 'sthjj-head', ...o });
const reporter = (o: Partial<CommandMeta> = {}) => meta(['reporter'], { unitId: 'sthjj', userId: 'sthjj-reporter', ...o });

const cmd = {
  open: (warning = red(), m = system()) => ({ type: 'supervision.Open', data: { ...line, warning, context, schedule }, meta: m }) as SupervisionCommand,
  ack: (m = head(at('2023-10-10T02:00:00.000Z')), caseNo = 1) =>
    ({ type: 'supervision.Acknowledge', data: { ...line, caseNo, note: '分管副局长牵头', schedule }, meta: m }) as SupervisionCommand,
  plan: (rectifyBy = '2023-11-30', m = reporter(at('2023-10-16T02:00:00.000Z'))) =>
    ({ type: 'supervision.SubmitRectificationPlan', data: { ...case1, plan: '开展扬尘专项整治', rectifyBy, schedule }, meta: m }) as SupervisionCommand,
  feedback: (m = head(at('2023-11-20T02:00:00.000Z'))) =>
    ({ type: 'supervision.SubmitFeedback', data: { ...case1, feedback: '整治完成，10月浓度下降', schedule }, meta: m }) as SupervisionCommand,
  review: (decision: 'accept' | 'request-more', comment?: string, m = supervisor(at('2023-11-22T02:00:00.000Z'))) =>
    ({ type: 'supervision.Review', data: { ...case1, decision, ...(comment ? { comment } : {}), schedule }, meta: m }) as SupervisionCommand,
  escalate: (kind: string, reason?: string, m = supervisor(reason ? { reason } : {})) =>
    ({ type: 'supervision.Escalate', data: { ...case1, kind }, meta: m }) as SupervisionCommand,
  report: (summary: string, m = supervisor()) => ({ type: 'supervision.ReportToLeaders', data: { ...case1, summary }, meta: m }) as SupervisionCommand,
  close: (reason: string, standing: ClosingStanding = { latest: null, byPeriod: [] }, text = '结案', m = supervisor()) =>
    ({ type: 'supervision.Close', data: { ...case1, reason, text, standing }, meta: m }) as SupervisionCommand,
  overdue: (step: string, seq: number, caseNo = 1) => ({ type: 'supervision.MarkStepOverdue', data: { ...line, caseNo, step, seq }, meta: system() }) as SupervisionCommand,
  remind: (step: string, seq: number) => ({ type: 'supervision.RemindStep', data: { ...case1, step, seq }, meta: system() }) as SupervisionCommand,
};

/** Runs commands in order through the decider, as the executor would, and returns the history. */
function history(...commands: SupervisionCommand[]): CaseLineEvent[] {
  const events: CaseLineEvent[] = [];
  for (const c of commands) events.push(...given(supervisionDecider, events).when(c));
  return events;
}
const types = (events: CaseLineEvent[]) => events.map((e) => e.type);
const timerIds = (events: CaseLineEvent[], type: string) => events.filter((e) => e.type === type).map((e) => (e.data as { timerId: string }).timerId);

const T = 'cases-ye-county-2023-sthjj-28-1';
const h = {
  opened: () => history(cmd.open()),
  acknowledged: () => history(cmd.open(), cmd.ack()),
  planned: () => history(cmd.open(), cmd.ack(), cmd.plan()),
  fedBack: () => history(cmd.open(), cmd.ack(), cmd.plan(), cmd.feedback()),
  accepted: () => history(cmd.open(), cmd.ack(), cmd.plan(), cmd.feedback(), cmd.review('accept', '整改到位')),
};

describe('supervision case decider', () => {
  describe('opening on a red warning', () => {
    it('given no case, when a red warning arrives, then case 1 opens waiting for acknowledgement within 3 working days, with a reminder and a deadline timer', () => {
      expect(given(supervisionDecider).when(cmd.open())).toEqual([
        {
          type: 'CaseOpened',
          data: {
            ...case1,
            ...context,
            warning: red(),
            next: { step: 'acknowledge', seq: 1, lastDay: '2023-10-12', dueAt: '2023-10-12T16:00:00.000Z', reminderAt: '2023-10-11T01:00:00.000Z' },
          },
        },
        {
          type: 'TimerScheduled',
          data: {
            timerId: `${T}-1-acknowledge-reminder`,
            dueAt: '2023-10-11T01:00:00.000Z',
            command: { type: 'supervision.RemindStep', data: { ...case1, step: 'acknowledge', seq: 1 } },
            purpose: 'reminder before the acknowledge deadline (2023-10-12)',
          },
        },
        {
          type: 'TimerScheduled',
          data: {
            timerId: `${T}-1-acknowledge-due`,
            dueAt: '2023-10-12T16:00:00.000Z',
            command: { type: 'supervision.MarkStepOverdue', data: { ...case1, step: 'acknowledge', seq: 1 } },
            purpose: 'the acknowledge deadline: after 2023-10-12 the step is overdue',
          },
        },
      ]);
    });
    it('a repeated red while the case is open links to it instead of opening a second case', () => {
      expect(given(supervisionDecider, h.acknowledged()).when(cmd.open(red('2023-Q4')))).toEqual([{ type: 'CaseWarningLinked', data: { ...case1, warning: red('2023-Q4') } }]);
      expect(given(supervisionDecider, [...h.acknowledged(), { type: 'CaseWarningLinked', data: { ...case1, warning: red('2023-Q4') } }]).state.current).toMatchObject({
        caseNo: 1,
        step: 'plan',
        warnings: [{ quarter: '2023-Q3' }, { quarter: '2023-Q4' }],
      });
    });
    it('the same period’s red again (a manual open after the automatic one) changes nothing', () => {
      expect(given(supervisionDecider, h.opened()).when(cmd.open(red('2023-Q3', { source: { kind: 'manual', note: '复查' } }), supervisor()))).toEqual([]);
    });
    it('after the case is closed, a red warning opens case 2 in the same line', () => {
      const closed = [...h.accepted(), ...given(supervisionDecider, h.accepted()).when(cmd.close('rectification-accepted'))];
      const events = given(supervisionDecider, closed).when(cmd.open(red('2023-Q4'), system({ now: '2024-01-15T02:00:00.000Z' })));
      expect(events[0]).toMatchObject({ type: 'CaseOpened', data: { caseNo: 2, warning: { quarter: '2023-Q4' }, next: { step: 'acknowledge', seq: 1, lastDay: '2024-01-18' } } });
      expect(timerIds(events, 'TimerScheduled')).toEqual(['cases-ye-county-2023-sthjj-28-2-1-acknowledge-reminder', 'cases-ye-county-2023-sthjj-28-2-1-acknowledge-due']);
    });
    it('is only for red warnings', () => {
      expect(() => given(supervisionDecider).when(cmd.open(red('2023-Q3', { warning: 'yellow' })))).toThrow(expect.objectContaining({ code: 'warning-not-red' }));
    });
    it('the system (automatically) and the bureau (by hand) open cases; the office and the units do not', () => {
      expect(given(supervisionDecider).role(cmd.open())).toBe('system');
      expect(given(supervisionDecider).role(cmd.open(red(), supervisor()))).toBe('supervisor');
      expect(() => given(supervisionDecider).when(cmd.open(red(), meta(['office'])))).toThrow(ForbiddenError);
      expect(() => given(supervisionDecider).when(cmd.open(red(), head()))).toThrow(ForbiddenError);
    });
  });

  describe('the steps, in order, each with its deadline', () => {
    it('acknowledge: the unit confirms; the plan is due 10 working days later; the acknowledgement timers are cancelled', () => {
      const events = given(supervisionDecider, h.opened()).when(cmd.ack());
      expect(events[0]).toEqual({
        type: 'CaseAcknowledged',
        data: {
          ...case1,
          note: '分管副局长牵头',
          next: { step: 'plan', seq: 2, lastDay: '2023-10-24', dueAt: '2023-10-24T16:00:00.000Z', reminderAt: '2023-10-23T01:00:00.000Z' },
        },
      });
      expect(timerIds(events, 'TimerCancelled')).toEqual([`${T}-1-acknowledge-reminder`, `${T}-1-acknowledge-due`]);
      expect(timerIds(events, 'TimerScheduled')).toEqual([`${T}-2-plan-reminder`, `${T}-2-plan-due`]);
    });
    it('the rectification plan carries the unit’s own completion date, by which the feedback is due', () => {
      const events = given(supervisionDecider, h.acknowledged()).when(cmd.plan());
      expect(events[0]).toEqual({
        type: 'RectificationPlanSubmitted',
        data: {
          ...case1,
          plan: '开展扬尘专项整治',
          rectifyBy: '2023-11-30',
          next: { step: 'feedback', seq: 3, lastDay: '2023-11-30', dueAt: '2023-11-30T16:00:00.000Z', reminderAt: '2023-11-29T01:00:00.000Z' },
        },
      });
    });
    it('a completion date that is not after today is refused', () => {
      expect(() => given(supervisionDecider, h.acknowledged()).when(cmd.plan('2023-10-16'))).toThrow(expect.objectContaining({ code: 'invalid-rectify-by' }));
      expect(() => given(supervisionDecider, h.acknowledged()).when(cmd.plan('2023-13-01'))).toThrow(expect.objectContaining({ code: 'invalid-rectify-by' }));
      // Past the working calendars: refused as bad input (it was the calendar's RangeError, a 500).
      expect(() => given(supervisionDecider, h.acknowledged()).when(cmd.plan('2099-12-31'))).toThrow(
        expect.objectContaining({ code: 'invalid-rectify-by', message: expect.stringContaining('working calendars') }),
      );
    });
    it('feedback: the bureau’s review is due 5 working days later', () => {
      expect(given(supervisionDecider, h.planned()).when(cmd.feedback())[0]).toMatchObject({
        type: 'RectificationFeedbackSubmitted',
        data: { next: { step: 'review', seq: 4, lastDay: '2023-11-27', dueAt: '2023-11-27T16:00:00.000Z' } },
      });
    });
    it('review accept: the unit’s part ends and its timers are cancelled; the case waits to be closed', () => {
      const events = given(supervisionDecider, h.fedBack()).when(cmd.review('accept', '整改到位'));
      expect(events[0]).toEqual({ type: 'CaseReviewed', data: { ...case1, subject: 'feedback', decision: 'accepted', comment: '整改到位', next: null } });
      expect(timerIds(events, 'TimerCancelled')).toEqual([`${T}-4-review-reminder`, `${T}-4-review-due`]);
      expect(given(supervisionDecider, [...h.fedBack(), ...events]).state.current).toMatchObject({ step: 'close', due: null, feedback: { accepted: true } });
    });
    it('review request-more: the feedback goes back with 5 working days to resubmit, and needs a comment', () => {
      expect(() => given(supervisionDecider, h.fedBack()).when(cmd.review('request-more'))).toThrow(expect.objectContaining({ code: 'reason-required' }));
      const events = given(supervisionDecider, h.fedBack()).when(cmd.review('request-more', '缺少监测数据佐证'));
      expect(events[0]).toMatchObject({ data: { subject: 'feedback', decision: 'more-requested', next: { step: 'feedback', seq: 5, lastDay: '2023-11-29' } } });
      const after = given(supervisionDecider, [...h.fedBack(), ...events]);
      expect(after.state.current).toMatchObject({ step: 'feedback', feedback: null });
      expect(after.when(cmd.feedback(head(at('2023-11-28T02:00:00.000Z'))))[0]).toMatchObject({ type: 'RectificationFeedbackSubmitted', data: { next: { seq: 6 } } });
    });
    it('the bureau may review the plan before the feedback: sent back, the unit submits a plan again', () => {
      const events = given(supervisionDecider, h.planned()).when(cmd.review('request-more', '措施不具体', supervisor(at('2023-10-17T02:00:00.000Z'))));
      expect(events[0]).toMatchObject({ data: { subject: 'plan', decision: 'more-requested', next: { step: 'plan', seq: 4 } } });
      expect(timerIds(events, 'TimerCancelled')).toEqual([`${T}-3-feedback-reminder`, `${T}-3-feedback-due`]);
      expect(() => given(supervisionDecider, [...h.planned(), ...events]).when(cmd.feedback())).toThrow(expect.objectContaining({ code: 'step-out-of-order' }));
    });
    it('an accepted plan keeps the feedback deadline running and cannot be reviewed twice', () => {
      const events = given(supervisionDecider, h.planned()).when(cmd.review('accept', undefined, supervisor(at('2023-10-17T02:00:00.000Z'))));
      expect(events).toEqual([{ type: 'CaseReviewed', data: { ...case1, subject: 'plan', decision: 'accepted', comment: '', next: null } }]);
      const after = given(supervisionDecider, [...h.planned(), ...events]);
      expect(after.state.current).toMatchObject({ step: 'feedback', due: { seq: 3 } });
      expect(() => after.when(cmd.review('accept'))).toThrow(expect.objectContaining({ code: 'nothing-to-review' }));
    });
    it.each([
      ['a plan before acknowledging', h.opened, () => cmd.plan()],
      ['feedback before the plan', h.acknowledged, () => cmd.feedback()],
      ['acknowledging twice', h.acknowledged, () => cmd.ack()],
      ['a second plan while the feedback is awaited', h.planned, () => cmd.plan()],
    ])('out of order: %s is refused', (_, past, command) => {
      expect(() => given(supervisionDecider, past()).when(command())).toThrow(expect.objectContaining({ code: 'step-out-of-order' }));
    });
    it('nothing to review before the unit has submitted anything', () => {
      expect(() => given(supervisionDecider, h.acknowledged()).when(cmd.review('accept'))).toThrow(expect.objectContaining({ code: 'nothing-to-review' }));
    });
    it('a case number that is not the line’s current case is refused', () => {
      expect(() => given(supervisionDecider, h.opened()).when(cmd.ack(head(), 2))).toThrow(expect.objectContaining({ code: 'case-not-found' }));
      expect(() => given(supervisionDecider).when(cmd.ack())).toThrow(expect.objectContaining({ code: 'case-not-found' }));
    });
  });

  describe('unit scoping', () => {
    it('the unit’s head or reporter responds; another unit’s people, the bureau and the office may not', () => {
      expect(given(supervisionDecider, h.opened()).role(cmd.ack())).toBe('head');
      expect(given(supervisionDecider, h.opened()).role(cmd.ack(reporter()))).toBe('reporter');
      expect(() => given(supervisionDecider, h.opened()).when(cmd.ack(meta(['head'], { unitId: 'fgw' })))).toThrow(ForbiddenError);
      expect(() => given(supervisionDecider, h.opened()).when(cmd.ack(supervisor()))).toThrow(ForbiddenError);
      expect(() => given(supervisionDecider, h.acknowledged()).when(cmd.plan('2023-11-30', meta(['office'])))).toThrow(ForbiddenError);
    });
    it('the unit may not review, escalate or close its own case', () => {
      expect(() => given(supervisionDecider, h.fedBack()).when(cmd.review('accept', '好', head()))).toThrow(ForbiddenError);
      expect(() => given(supervisionDecider, h.opened()).when(cmd.escalate('public-notice', '滞后', head({ reason: '滞后' })))).toThrow(ForbiddenError);
      expect(() => given(supervisionDecider, h.accepted()).when(cmd.close('rectification-accepted', undefined, '结案', head()))).toThrow(ForbiddenError);
    });
  });

  describe('deadline timers', () => {
    it('when the acknowledgement deadline passes, the step becomes overdue, once', () => {
      const events = given(supervisionDecider, h.opened()).when(cmd.overdue('acknowledge', 1));
      expect(events).toEqual([{ type: 'CaseStepOverdue', data: { ...case1, step: 'acknowledge', seq: 1, dueAt: '2023-10-12T16:00:00.000Z' } }]);
      expect(given(supervisionDecider, [...h.opened(), ...events]).when(cmd.overdue('acknowledge', 1))).toEqual([]);
    });
    it('an overdue step can still be done, late: the case moves on', () => {
      const overdue = [...h.opened(), ...given(supervisionDecider, h.opened()).when(cmd.overdue('acknowledge', 1))];
      expect(given(supervisionDecider, overdue).when(cmd.ack(head(at('2023-10-16T02:00:00.000Z'))))[0]).toMatchObject({ type: 'CaseAcknowledged' });
    });
    it('the reminder is sent for the step still waiting', () => {
      expect(given(supervisionDecider, h.opened()).when(cmd.remind('acknowledge', 1))).toEqual([
        { type: 'CaseStepReminderSent', data: { ...case1, step: 'acknowledge', seq: 1, dueAt: '2023-10-12T16:00:00.000Z' } },
      ]);
    });
    it('a timer of a step already done, or of a closed case, does nothing', () => {
      expect(given(supervisionDecider, h.acknowledged()).when(cmd.overdue('acknowledge', 1))).toEqual([]);
      expect(given(supervisionDecider, h.acknowledged()).when(cmd.remind('acknowledge', 1))).toEqual([]);
    });
    it('only the system fires deadlines', () => {
      expect(() => given(supervisionDecider, h.opened()).when({ ...cmd.overdue('acknowledge', 1), meta: supervisor() })).toThrow(ForbiddenError);
    });
  });

  describe('escalations and reports to leaders', () => {
    it.each(['public-notice', 'admonitory-talk'])('a %s is recorded with its reason', (kind) => {
      expect(given(supervisionDecider, h.opened()).when(cmd.escalate(kind, '逾期未确认'))).toEqual([{ type: 'CaseEscalated', data: { ...case1, kind, reason: '逾期未确认' } }]);
    });
    it('an escalation without a reason is refused', () => {
      expect(() => given(supervisionDecider, h.opened()).when(cmd.escalate('admonitory-talk'))).toThrow(expect.objectContaining({ code: 'reason-required' }));
      expect(() => given(supervisionDecider, h.opened()).when(cmd.escalate('admonitory-talk', '  '))).toThrow(expect.objectContaining({ code: 'reason-required' }));
    });
    it('only public notice and admonitory talk exist', () => {
      expect(() => given(supervisionDecider, h.opened()).when(cmd.escalate('dismissal', '严重'))).toThrow(expect.objectContaining({ code: 'invalid-escalation' }));
    });
    it('results are reported to the leaders, also after closing; a report needs a summary', () => {
      const closed = [...h.accepted(), ...given(supervisionDecider, h.accepted()).when(cmd.close('rectification-accepted'))];
      expect(given(supervisionDecider, closed).when(cmd.report('整改到位，已结案'))).toEqual([{ type: 'CaseReportedToLeaders', data: { ...case1, summary: '整改到位，已结案' } }]);
      expect(() => given(supervisionDecider, closed).when(cmd.report(' '))).toThrow(expect.objectContaining({ code: 'summary-required' }));
    });
    it('a closed case cannot be escalated', () => {
      const closed = [...h.accepted(), ...given(supervisionDecider, h.accepted()).when(cmd.close('rectification-accepted'))];
      expect(() => given(supervisionDecider, closed).when(cmd.escalate('public-notice', '再次'))).toThrow(expect.objectContaining({ code: 'case-closed' }));
    });
  });

  describe('closing, only with a reason', () => {
    const standing = (latest: ClosingStanding['latest'], byPeriod: ClosingStanding['byPeriod'] = []): ClosingStanding => ({ latest, byPeriod });
    it('warning-improved: when the latest known warning is no longer red, the case closes on that evidence and its timers are cancelled', () => {
      const latest = { period: '2023-11', rank: 3, warning: 'yellow' as const };
      const events = given(supervisionDecider, h.planned()).when(cmd.close('warning-improved', standing(latest), '11月已升至第3名'));
      expect(events[0]).toEqual({ type: 'CaseClosed', data: { ...case1, reason: 'warning-improved', text: '11月已升至第3名', evidence: { latest } } });
      expect(timerIds(events, 'TimerCancelled')).toEqual([`${T}-3-feedback-reminder`, `${T}-3-feedback-due`]);
    });
    it('warning-improved is refused while the latest warning is red, or nothing is known', () => {
      expect(() => given(supervisionDecider, h.planned()).when(cmd.close('warning-improved', standing({ period: '2023-11', rank: 5, warning: 'red' })))).toThrow(
        expect.objectContaining({ code: 'warning-still-red' }),
      );
      expect(() => given(supervisionDecider, h.planned()).when(cmd.close('warning-improved', standing(null)))).toThrow(expect.objectContaining({ code: 'warning-still-red' }));
    });
    it('rectification-accepted: only after the feedback was reviewed and accepted', () => {
      expect(given(supervisionDecider, h.accepted()).when(cmd.close('rectification-accepted'))[0]).toMatchObject({
        data: { reason: 'rectification-accepted', evidence: { acceptedFeedback: '整治完成，10月浓度下降' } },
      });
      expect(() => given(supervisionDecider, h.fedBack()).when(cmd.close('rectification-accepted'))).toThrow(expect.objectContaining({ code: 'rectification-not-accepted' }));
      const sentBack = history(cmd.open(), cmd.ack(), cmd.plan(), cmd.feedback(), cmd.review('request-more', '不充分'));
      expect(() => given(supervisionDecider, sentBack).when(cmd.close('rectification-accepted'))).toThrow(expect.objectContaining({ code: 'rectification-not-accepted' }));
    });
    it('cleared-by-correction: when every linked red is, as known now, no longer red; recorded as such', () => {
      const byPeriod = [{ period: '2023-Q3', rank: 4, warning: 'yellow' as const }];
      expect(given(supervisionDecider, h.opened()).when(cmd.close('cleared-by-correction', standing(null, byPeriod), '市局更正数据后为黄色'))[0]).toEqual({
        type: 'CaseClosed',
        data: { ...case1, reason: 'cleared-by-correction', text: '市局更正数据后为黄色', evidence: { linked: byPeriod } },
      });
    });
    it('cleared-by-correction is refused while a linked red stands', () => {
      expect(() => given(supervisionDecider, h.opened()).when(cmd.close('cleared-by-correction', standing(null, [{ period: '2023-Q3', rank: 6, warning: 'red' }])))).toThrow(
        expect.objectContaining({ code: 'warning-not-cleared' }),
      );
      const twoReds = [...h.opened(), { type: 'CaseWarningLinked', data: { ...case1, warning: red('2023-Q4') } } as CaseLineEvent];
      expect(() => given(supervisionDecider, twoReds).when(cmd.close('cleared-by-correction', standing(null, [{ period: '2023-Q3', rank: 4, warning: 'yellow' }])))).toThrow(
        /2023-Q4/,
      );
    });
    it('a closing needs its explanation and one of the three reasons', () => {
      expect(() => given(supervisionDecider, h.accepted()).when(cmd.close('rectification-accepted', undefined, ' '))).toThrow(expect.objectContaining({ code: 'reason-required' }));
      expect(() => given(supervisionDecider, h.accepted()).when(cmd.close('tired-of-it'))).toThrow(expect.objectContaining({ code: 'invalid-close-reason' }));
    });
    it('a closed case cannot be closed again, and no step follows', () => {
      const closed = [...h.accepted(), ...given(supervisionDecider, h.accepted()).when(cmd.close('rectification-accepted'))];
      expect(() => given(supervisionDecider, closed).when(cmd.close('rectification-accepted'))).toThrow(expect.objectContaining({ code: 'case-closed' }));
      expect(() => given(supervisionDecider, closed).when(cmd.feedback())).toThrow(expect.objectContaining({ code: 'case-closed' }));
      expect(types(closed).at(-1)).toBe('CaseClosed');
    });
  });
});

/**
 * 四（四）建立督查机制: "县委县政府督查局要及时对各责任单位指标完成情况开展督查，特别要紧盯红色预警单位工作开展情况……
 * 对行动不力、工作滞后、成效不明显的，视情形予以通报、约谈。" The bureau supervises every unit, red or not:
 * it opens a case on one of the three grounds, the ground recorded in the event (issue 12).
 */
describe('opening on a ground the document names (行动不力、工作滞后、成效不明显)', () => {
  const yellowJune = { period: '2023-06', rank: 4, warning: 'yellow' as const };
  const onGround = (ground: string, o: { note?: string; m?: CommandMeta; standing?: typeof yellowJune | null } = {}) =>
    ({
      type: 'supervision.OpenOnGround',
      data: { ...line, ground, period: '2023-06', note: o.note ?? '整治方案迟迟未落实', context, schedule, standing: o.standing === undefined ? yellowJune : o.standing },
      meta: o.m ?? supervisor({ now: '2023-10-09T02:00:00.000Z' }),
    }) as SupervisionCommand;

  it.each([
    ['ineffective-action', '行动不力'],
    ['lagging-work', '工作滞后'],
    ['little-effect', '成效不明显'],
  ])(
    'given no case, when the bureau opens one for %s (%s) on a yellow indicator, then case 1 opens with the ground, the period and its standing, and the acknowledgement deadline',
    (ground) => {
      const events = given(supervisionDecider).when(onGround(ground));
      expect(events[0]).toEqual({
        type: 'CaseOpened',
        data: {
          ...case1,
          ...context,
          warning: null,
          ground: { ground, period: '2023-06', note: '整治方案迟迟未落实', standing: yellowJune },
          next: { step: 'acknowledge', seq: 1, lastDay: '2023-10-12', dueAt: '2023-10-12T16:00:00.000Z', reminderAt: '2023-10-11T01:00:00.000Z' },
        },
      });
      expect(types(events)).toEqual(['CaseOpened', 'TimerScheduled', 'TimerScheduled']);
      expect(given(supervisionDecider, events).state.current).toMatchObject({ caseNo: 1, status: 'open', step: 'acknowledge', warnings: [] });
    },
  );

  it('a period with no standing known yet is recorded as such', () => {
    expect(given(supervisionDecider).when(onGround('lagging-work', { standing: null }))[0]).toMatchObject({ data: { ground: { standing: null } } });
  });

  it('only the bureau opens a case on a ground: not the system, the office, a leader or the unit', () => {
    expect(given(supervisionDecider).role(onGround('lagging-work'))).toBe('supervisor');
    for (const m of [system(), meta(['office']), meta(['leader']), head()]) {
      expect(() => given(supervisionDecider).when(onGround('lagging-work', { m }))).toThrow(ForbiddenError);
    }
  });

  it('another ground, or no note, is refused', () => {
    expect(() => given(supervisionDecider).when(onGround('bad-luck'))).toThrow(expect.objectContaining({ code: 'invalid-ground' }));
    expect(() => given(supervisionDecider).when(onGround('little-effect', { note: '  ' }))).toThrow(expect.objectContaining({ code: 'reason-required' }));
  });

  it('while a case of the line is open it is refused (the open case is followed up or escalated); after it closes, case 2 opens on the ground', () => {
    expect(() => given(supervisionDecider, h.opened()).when(onGround('lagging-work'))).toThrow(
      expect.objectContaining({ code: 'case-already-open', details: expect.objectContaining({ caseNo: 1 }) }),
    );
    const closed = [...h.accepted(), ...given(supervisionDecider, h.accepted()).when(cmd.close('rectification-accepted'))];
    expect(given(supervisionDecider, closed).when(onGround('ineffective-action'))[0]).toMatchObject({
      type: 'CaseOpened',
      data: { caseNo: 2, ground: { ground: 'ineffective-action' } },
    });
  });

  it('a red warning while a ground case is open links to it; a ground case with no red cannot close as cleared by a correction', () => {
    const opened = given(supervisionDecider).when(onGround('lagging-work'));
    expect(given(supervisionDecider, opened).when(cmd.open(red('2023-Q3')))).toEqual([{ type: 'CaseWarningLinked', data: { ...case1, warning: red('2023-Q3') } }]);
    expect(() => given(supervisionDecider, opened).when(cmd.close('cleared-by-correction'))).toThrow(expect.objectContaining({ code: 'no-red-warning' }));
  });
});
