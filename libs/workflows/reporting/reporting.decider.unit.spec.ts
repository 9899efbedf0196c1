import { DomainError, ForbiddenError } from '../../engine/commands/command.js';
import { given, meta } from '../../engine/testing/given-when-then.js';
import { contentHash, type ReportLine } from './report-content.js';
import { reportingDecider, type ReportContext, type ReportingCommand } from './reporting.decider.js';
import type { ReportingEvent } from './reporting.events.js';

const ref = { planId: 'ye-county-2023', unitId: 'sthjj', period: '2023-06' };
const context: ReportContext = {
  ...ref,
  unitName: '县生态环境局',
  indicators: [
    { no: 27, name: '空气质量优良天数比例', kind: 'ranked', direction: 'higher-is-better', unitOfMeasure: 'percent', target: 70 },
    { no: 28, name: 'PM2.5年均浓度', kind: 'ranked', direction: 'lower-is-better', unitOfMeasure: 'ug/m3', target: 45 },
    { no: 29, name: '地表水环境质量', kind: 'task', direction: 'higher-is-better', unitOfMeasure: 'score', target: null },
  ],
  warningTiers: [
    { tier: 'green', fromRank: 1, toRank: 2 },
    { tier: 'yellow', fromRank: 3, toRank: 4 },
    { tier: 'red', fromRank: 5, toRank: 6 },
  ],
  dueAt: '2023-07-05T16:00:00.000Z',
  reminderAt: '2023-07-03T01:00:00.000Z',
};
const reporter = (o = {}) => meta(['reporter'], { unitId: 'sthjj', userId: 'li-reporter', ...o });
const head = (o = {}) => meta(['head'], { unitId: 'sthjj', userId: 'wang-head', name: '王局长', ...o });
const office = (o = {}) => meta(['office'], { userId: 'office-1', ...o });
const system = (o = {}) => meta(['system'], { userId: 'system', ...o });

const line = (no: number, over: Partial<ReportLine> = {}): ReportLine => ({ indicatorNo: no, value: 80, rank: 1, problems: '无', nextSteps: '继续', ...over });
const good: ReportLine[] = [line(27, { value: 75, rank: 2 }), line(28, { value: 40, rank: 1 }), line(29, { value: 95, rank: 2 })];

const ev = {
  opened: (): ReportingEvent[] => [
    { type: 'ReportOpened', data: { ...ref, unitName: context.unitName, indicators: context.indicators, dueAt: context.dueAt, reminderAt: context.reminderAt } },
    {
      type: 'TimerScheduled',
      data: {
        timerId: 'report-ye-county-2023-sthjj-2023-06-reminder',
        dueAt: context.reminderAt,
        command: { type: 'reporting.SendReminder', data: ref },
        purpose: 'reminder before the monthly deadline',
      },
    },
    {
      type: 'TimerScheduled',
      data: {
        timerId: 'report-ye-county-2023-sthjj-2023-06-deadline',
        dueAt: context.dueAt,
        command: { type: 'reporting.MarkOverdue', data: ref },
        purpose: 'the monthly deadline: unsubmitted reports become overdue',
      },
    },
  ],
  drafted: (lines = good): ReportingEvent => ({ type: 'ReportDraftSaved', data: { ...ref, lines } }),
  submitted: (lines = good, by = 'li-reporter'): ReportingEvent => ({
    type: 'ReportSubmitted',
    data: { ...ref, lines, contentHash: contentHash(lines), submittedBy: by, lagging: [] },
  }),
  signed: (lines = good, late: { dueAt: string; byMinutes: number } | null = null): ReportingEvent => ({
    type: 'ReportSigned',
    data: { ...ref, contentHash: contentHash(lines), signedBy: { userId: 'wang-head', name: '王局长' }, seal: { unitId: 'sthjj', unitName: '县生态环境局' }, late },
  }),
  received: (lines = good): ReportingEvent => ({ type: 'ReportReceived', data: { ...ref, contentHash: contentHash(lines) } }),
};
const history = {
  drafted: () => [...ev.opened(), ev.drafted()],
  submitted: () => [...ev.opened(), ev.drafted(), ev.submitted()],
  signed: () => [...ev.opened(), ev.drafted(), ev.submitted(), ev.signed()],
  received: () => [...ev.opened(), ev.drafted(), ev.submitted(), ev.signed(), ev.received()],
};
const cmd = (type: ReportingCommand['type'], data: object, m = reporter()) => ({ type, data, meta: m }) as ReportingCommand;

describe('monthly report decider', () => {
  describe('draft', () => {
    it('given nothing, when the reporter saves a draft, then the report opens with its reminder and deadline timers, and the draft is saved', () => {
      expect(given(reportingDecider).when(cmd('reporting.SaveDraft', { context, lines: good }))).toEqual([...ev.opened(), ev.drafted()]);
    });
    it('a draft can be saved again and again', () => {
      expect(given(reportingDecider, history.drafted()).when(cmd('reporting.SaveDraft', { context, lines: [line(27)] }))).toEqual([ev.drafted([line(27)])]);
    });
    it('a line for another unit’s indicator is refused, naming it', () => {
      expect(() => given(reportingDecider).when(cmd('reporting.SaveDraft', { context, lines: [line(1)] }))).toThrow(/indicator 1 is not one of 县生态环境局’s indicators/);
    });
    it('a reporter of another unit may not draft this unit’s report', () => {
      expect(() => given(reportingDecider).when(cmd('reporting.SaveDraft', { context, lines: good }, meta(['reporter'], { unitId: 'fgw' })))).toThrow(ForbiddenError);
    });
    it('a submitted report cannot be changed until it is returned', () => {
      expect(() => given(reportingDecider, history.submitted()).when(cmd('reporting.SaveDraft', { context, lines: good }))).toThrow(
        /can be changed only after the office returns it/,
      );
    });
  });

  describe('submit', () => {
    // Changed by issue 12: submission no longer decides timeliness nor cancels the deadline timers —
    // 经主要负责人签字并加盖单位印章后，于次月6日前报送: the signed report is what is due.
    it('given a complete draft, when submitted, then it is hashed; its timers stay until the head signs', () => {
      const events = given(reportingDecider, history.drafted()).when(cmd('reporting.Submit', { context }, reporter({ now: '2023-07-04T02:00:00.000Z' })));
      expect(events).toEqual([ev.submitted()]);
    });

    it('a lagging indicator (red or yellow rank) without analysis and countermeasures is refused, listing the indicators', () => {
      const lines = [line(27, { rank: 5 }), line(28, { value: 40, rank: 3 }), line(29)];
      try {
        given(reportingDecider, [...ev.opened(), ev.drafted(lines)]).when(cmd('reporting.Submit', { context }));
        throw new Error('should have been refused');
      } catch (err) {
        expect(err).toBeInstanceOf(DomainError);
        expect((err as DomainError).code).toBe('lagging-without-analysis');
        expect((err as DomainError).message).toContain('27 空气质量优良天数比例; 28 PM2.5年均浓度');
        expect((err as DomainError).details.indicators).toEqual([27, 28]);
      }
    });

    it('behind target is lagging too, with the indicator’s direction: PM2.5 above its target is behind', () => {
      const lines = [line(27, { value: 75, rank: 1 }), line(28, { value: 48, rank: 2 }), line(29)];
      expect(() => given(reportingDecider, [...ev.opened(), ev.drafted(lines)]).when(cmd('reporting.Submit', { context }))).toThrow(/28 PM2.5年均浓度/);
      const explained = [lines[0]!, { ...lines[1]!, analysis: '冬季燃煤', countermeasures: '加强管控' }, lines[2]!];
      const [submitted] = given(reportingDecider, [...ev.opened(), ev.drafted(explained)]).when(cmd('reporting.Submit', { context }));
      expect(submitted).toMatchObject({ type: 'ReportSubmitted', data: { lagging: [28] } });
    });

    it('a report missing a line for one of the unit’s indicators is refused', () => {
      expect(() => given(reportingDecider, [...ev.opened(), ev.drafted([line(27)])]).when(cmd('reporting.Submit', { context }))).toThrow(/missing: 28 PM2.5年均浓度; 29/);
    });

    // Changed by issue 12: lateness moved from the submission to the signature (see 'the deadline is met by the signed report').
    it('submitted after the deadline, the submission itself records no timeliness', () => {
      const [submitted] = given(reportingDecider, history.drafted()).when(cmd('reporting.Submit', { context }, reporter({ now: '2023-07-07T04:30:00.000Z' })));
      expect(submitted).toEqual(ev.submitted());
    });
  });

  describe('the deadline is met by the signed report, not the draft (经主要负责人签字并加盖单位印章后，于次月6日前报送)', () => {
    const sign = (now: string) => cmd('reporting.Sign', { ...ref, contentHash: contentHash(good) }, head({ now }));
    const cancelled = [
      { type: 'TimerCancelled', data: { timerId: 'report-ye-county-2023-sthjj-2023-06-reminder', reason: 'the report was signed and sealed' } },
      { type: 'TimerCancelled', data: { timerId: 'report-ye-county-2023-sthjj-2023-06-deadline', reason: 'the report was signed and sealed' } },
    ];
    it('given a report submitted on the 5th, when the head signs on the 7th, then it is late by the time after the deadline', () => {
      // Submitted 2023-07-05 10:00 (local), before the deadline (2023-07-06 00:00 local = 07-05T16:00Z); signed 07-07 12:30 local.
      const submittedOn5th = [...history.drafted(), ev.submitted()];
      expect(given(reportingDecider, submittedOn5th).when(sign('2023-07-07T04:30:00.000Z'))).toEqual([
        ev.signed(good, { dueAt: context.dueAt, byMinutes: 36 * 60 + 30 }),
        ...cancelled,
      ]);
    });
    it('signed before the deadline, it is on time, and its reminder and deadline timers are cancelled', () => {
      expect(given(reportingDecider, history.submitted()).when(sign('2023-07-05T08:00:00.000Z'))).toEqual([ev.signed(good, null), ...cancelled]);
    });
    it('signed again after a return, an on-time report does not become late', () => {
      const returned: ReportingEvent = { type: 'ReportReturned', data: { ...ref, reason: '数据有误' } };
      const after = [...history.signed(), returned, ev.drafted(), ev.submitted()];
      expect(given(reportingDecider, after).when(sign('2023-07-09T00:00:00.000Z'))[0]).toMatchObject({ type: 'ReportSigned', data: { late: null } });
    });
    it('at the deadline, a submitted but unsigned report becomes overdue; a signed one does not', () => {
      expect(given(reportingDecider, history.submitted()).when(cmd('reporting.MarkOverdue', ref, system()))).toEqual([
        { type: 'ReportOverdue', data: { ...ref, dueAt: context.dueAt } },
      ]);
      expect(given(reportingDecider, history.signed()).when(cmd('reporting.MarkOverdue', ref, system()))).toEqual([]);
    });
    it('while it waits for the signature, the reminder goes to the head', () => {
      expect(given(reportingDecider, history.submitted()).when(cmd('reporting.SendReminder', ref, system()))).toEqual([
        { type: 'ReportReminderSent', data: { ...ref, dueAt: context.dueAt, to: 'head' } },
      ]);
    });
  });

  describe('sign (four eyes)', () => {
    const sign = (m = head(), hash = contentHash(good)) => cmd('reporting.Sign', { ...ref, contentHash: hash }, m);
    it('given a submitted report, when the head signs its exact content, then the signature and the unit’s seal are recorded', () => {
      expect(given(reportingDecider, history.submitted()).when(sign())[0]).toEqual(ev.signed());
    });
    it('the submitter may not sign their own report, even holding the head role', () => {
      const both = meta(['reporter', 'head'], { unitId: 'sthjj', userId: 'li-reporter' });
      expect(() => given(reportingDecider, history.submitted()).when(sign(both))).toThrow(/who submitted a report may not sign it/);
    });
    it('a reporter, or the head of another unit, may not sign', () => {
      expect(() => given(reportingDecider, history.submitted()).when(sign(meta(['reporter'], { unitId: 'sthjj', userId: 'x' })))).toThrow(ForbiddenError);
      expect(() => given(reportingDecider, history.submitted()).when(sign(meta(['head'], { unitId: 'fgw', userId: 'y' })))).toThrow(ForbiddenError);
    });
    it('a signature over other content than was submitted is refused', () => {
      expect(() => given(reportingDecider, history.submitted()).when(sign(head(), 'f'.repeat(64)))).toThrow(expect.objectContaining({ code: 'content-changed' }));
    });
    it('a return voids the signature: the resubmitted report must be signed again', () => {
      const returned: ReportingEvent = { type: 'ReportReturned', data: { ...ref, reason: '数据有误' } };
      const changed = [line(27, { value: 76, rank: 2 }), good[1]!, good[2]!];
      const after = [...history.signed(), returned, ev.drafted(changed), ev.submitted(changed)];
      expect(() => given(reportingDecider, after).when(cmd('reporting.Receive', ref, office()))).toThrow(/awaits the unit head’s signature/);
      expect(given(reportingDecider, after).when(sign(head(), contentHash(changed)))[0]).toEqual(ev.signed(changed));
    });
  });

  describe('receive and return', () => {
    it('the office receives a signed report', () => {
      expect(given(reportingDecider, history.signed()).when(cmd('reporting.Receive', ref, office()))).toEqual([ev.received()]);
    });
    it('an unsigned report cannot be received', () => {
      expect(() => given(reportingDecider, history.submitted()).when(cmd('reporting.Receive', ref, office()))).toThrow(DomainError);
    });
    it('a return needs a reason, and is recorded with it', () => {
      expect(() => given(reportingDecider, history.signed()).when(cmd('reporting.Return', ref, office()))).toThrow(/reason is required/);
      expect(given(reportingDecider, history.signed()).when(cmd('reporting.Return', ref, office({ reason: '第28项数据口径不符' })))).toEqual([
        { type: 'ReportReturned', data: { ...ref, reason: '第28项数据口径不符' } },
      ]);
    });
    it('a received report cannot be returned; the office corrects it instead', () => {
      expect(() => given(reportingDecider, history.received()).when(cmd('reporting.Return', ref, office({ reason: 'x' })))).toThrow(/not yet received/);
    });
  });

  describe('correct', () => {
    const correct = (corrected: number | null, reason?: string, field = 'value') =>
      cmd('reporting.Correct', { ...ref, indicatorNo: 27, field, corrected }, office(reason ? { reason } : {}));
    it('after receipt, the office corrects a figure with a reason; the previous value is recorded', () => {
      expect(given(reportingDecider, history.received()).when(correct(74.2, '市统计局修正'))).toEqual([
        { type: 'FigureCorrected', data: { ...ref, indicatorNo: 27, field: 'value', previous: 75, corrected: 74.2, reason: '市统计局修正' } },
      ]);
    });
    it('a second correction supersedes the first', () => {
      const first: ReportingEvent = { type: 'FigureCorrected', data: { ...ref, indicatorNo: 27, field: 'value', previous: 75, corrected: 74.2, reason: 'a' } };
      expect(given(reportingDecider, [...history.received(), first]).when(correct(74.5, 'b'))[0]).toMatchObject({ data: { previous: 74.2, corrected: 74.5 } });
    });
    it('without a reason, or before receipt, or by anyone but the office, a correction is refused', () => {
      expect(() => given(reportingDecider, history.received()).when(correct(1))).toThrow(/reason is required/);
      expect(() => given(reportingDecider, history.signed()).when(correct(1, 'x'))).toThrow(/after the office has received/);
      expect(() => given(reportingDecider, history.received()).when({ ...correct(1, 'x'), meta: meta(['auditor'], { reason: 'x' }) } as ReportingCommand)).toThrow(ForbiddenError);
      expect(() => given(reportingDecider, history.received()).when(correct(9, 'x', 'rank'))).toThrow(/1 to 6/);
    });
  });

  describe('deadlines', () => {
    // Changed by issue 12: a submitted but unsigned report is overdue too (the signed report is due).
    it('at the deadline, a report not yet submitted becomes overdue; a signed one does not', () => {
      expect(given(reportingDecider, history.drafted()).when(cmd('reporting.MarkOverdue', ref, system()))).toEqual([
        { type: 'ReportOverdue', data: { ...ref, dueAt: context.dueAt } },
      ]);
      expect(given(reportingDecider, history.signed()).when(cmd('reporting.MarkOverdue', ref, system()))).toEqual([]);
    });
    it('the reminder goes only to a unit that has not submitted', () => {
      expect(given(reportingDecider, history.drafted()).when(cmd('reporting.SendReminder', ref, system()))).toEqual([
        { type: 'ReportReminderSent', data: { ...ref, dueAt: context.dueAt, to: 'unit' } },
      ]);
      expect(given(reportingDecider, history.signed()).when(cmd('reporting.SendReminder', ref, system()))).toEqual([]);
    });
    it('only the system’s timers mark a report overdue', () => {
      expect(() => given(reportingDecider, history.drafted()).when(cmd('reporting.MarkOverdue', ref, office()))).toThrow(ForbiddenError);
    });
  });
  describe('periods: a month’s figures are “as of month end” (截至本月底完成情况)', () => {
    const june: ReportContext = { ...context, periodEndsAt: '2023-06-30T16:00:00.000Z' };
    it('a month’s report cannot be submitted before the month has ended', () => {
      expect(() => given(reportingDecider, history.drafted()).when(cmd('reporting.Submit', { context: june }, reporter({ now: '2023-06-28T02:00:00.000Z' })))).toThrow(
        expect.objectContaining({ code: 'period-not-ended' }),
      );
      expect(given(reportingDecider, history.drafted()).when(cmd('reporting.Submit', { context: june }, reporter({ now: '2023-07-01T01:00:00.000Z' })))[0]).toMatchObject({
        type: 'ReportSubmitted',
      });
    });
    it('a reminder never fires before the period has ended: its timer is set for the month’s end at the earliest', () => {
      const early = { ...june, reminderAt: '2023-06-29T01:00:00.000Z' };
      const events = given(reportingDecider).when(cmd('reporting.Open', { context: early }, office()));
      expect(events[1]).toMatchObject({ type: 'TimerScheduled', data: { timerId: 'report-ye-county-2023-sthjj-2023-06-reminder', dueAt: june.periodEndsAt } });
      const opened = events.slice(0, 1);
      expect(given(reportingDecider, opened).when(cmd('reporting.SendReminder', ref, system({ now: '2023-06-29T01:00:00.000Z' })))).toEqual([]);
    });
  });

  describe('lagging is decided from the official standing', () => {
    const nov = { ...ref, period: '2023-11' };
    const red27 = { indicatorNo: 27, period: '2023-11', rank: 5, warning: 'red' as const };
    const ctx = (standings: ReportContext['standings']): ReportContext => ({ ...context, ...nov, standings });
    const opened = (): ReportingEvent[] => [
      { type: 'ReportOpened', data: { ...nov, unitName: context.unitName, indicators: context.indicators, dueAt: context.dueAt, reminderAt: context.reminderAt } },
    ];
    const drafted = (lines: ReportLine[]): ReportingEvent => ({ type: 'ReportDraftSaved', data: { ...nov, lines } });
    it('no. 27 was officially red for 2023-11: a report with an empty rank and no analysis is refused', () => {
      const lines = [line(27, { value: 75, rank: null }), line(28, { value: 40, rank: 1 }), line(29)];
      expect(() => given(reportingDecider, [...opened(), drafted(lines)]).when(cmd('reporting.Submit', { context: ctx([red27]) }))).toThrow(
        expect.objectContaining({ code: 'lagging-without-analysis', details: expect.objectContaining({ indicators: [27] }) }),
      );
    });
    it('the draft’s rank is the official one (read-only), whatever was typed; an indicator without peer figures keeps its rank, marked self-reported', () => {
      const typed = [line(27, { value: 75, rank: 1 }), line(28, { value: 40, rank: 2 }), line(29, { rank: 2 })];
      const official28 = { indicatorNo: 28, period: '2023-Q3', rank: 2, warning: 'green' as const };
      const [saved] = given(reportingDecider, opened()).when(cmd('reporting.SaveDraft', { context: ctx([red27, official28]), lines: typed }));
      expect(saved).toMatchObject({
        data: {
          lines: [
            { indicatorNo: 27, rank: 5, rankSource: 'official', rankPeriod: '2023-11' },
            { indicatorNo: 28, rank: 2, rankSource: 'official', rankPeriod: '2023-Q3' },
            { indicatorNo: 29, rank: 2, rankSource: 'self-reported' },
          ],
        },
      });
    });
    it('an official green standing is not lagging even if a worse rank was typed; a self-reported red rank is', () => {
      const green27 = { ...red27, rank: 1, warning: 'green' as const };
      const lines = [line(27, { value: 75, rank: 6 }), line(28, { value: 40, rank: 1 }), line(29, { rank: 6 })];
      expect(() => given(reportingDecider, [...opened(), drafted(lines)]).when(cmd('reporting.Submit', { context: ctx([green27]) }))).toThrow(
        expect.objectContaining({ details: expect.objectContaining({ indicators: [29] }) }),
      );
    });
  });

  describe('administrators correct entries; the office enters on a unit’s behalf', () => {
    it('an administrator may correct a received figure with a reason, like the office', () => {
      const c = cmd('reporting.Correct', { ...ref, indicatorNo: 27, field: 'value', corrected: 74 }, meta(['admin'], { userId: 'admin-1', reason: '核对原始台账' }));
      expect(given(reportingDecider, history.received()).when(c)).toEqual([
        { type: 'FigureCorrected', data: { ...ref, indicatorNo: 27, field: 'value', previous: 75, corrected: 74, reason: '核对原始台账' } },
      ]);
    });
    it('the office may draft and submit a unit’s paper report only naming that unit (onBehalfOf)', () => {
      expect(() => given(reportingDecider).when(cmd('reporting.SaveDraft', { context, lines: good }, office()))).toThrow(ForbiddenError);
      expect(() => given(reportingDecider).when(cmd('reporting.SaveDraft', { context, lines: good }, office({ onBehalfOf: 'fgw' })))).toThrow(ForbiddenError);
      expect(given(reportingDecider).when(cmd('reporting.SaveDraft', { context, lines: good }, office({ onBehalfOf: 'sthjj' })))).toEqual([...ev.opened(), ev.drafted()]);
      expect(given(reportingDecider, history.drafted()).when(cmd('reporting.Submit', { context }, office({ onBehalfOf: 'sthjj' })))).toEqual([ev.submitted(good, 'office-1')]);
    });
    it('a reporter cannot act on behalf of a unit, not even naming their own', () => {
      expect(() => given(reportingDecider).when(cmd('reporting.SaveDraft', { context, lines: good }, reporter({ onBehalfOf: 'sthjj' })))).toThrow(ForbiddenError);
    });
  });
  describe('paper copies (纸质版一式两份报送至县推进办)', () => {
    const paper = (copies: number) => cmd('reporting.RecordPaperCopies', { ...ref, copies }, office());
    it('given a signed report, when the office records two paper copies, then that is a fact of its own, tied to the signed content', () => {
      expect(given(reportingDecider, history.signed()).when(paper(2))).toEqual([
        { type: 'ReportPaperCopiesReceived', data: { ...ref, copies: 2, contentHash: contentHash(good) } },
      ]);
      const recorded: ReportingEvent = { type: 'ReportPaperCopiesReceived', data: { ...ref, copies: 2, contentHash: contentHash(good) } };
      expect(given(reportingDecider, [...history.received(), recorded]).when(paper(2))).toEqual([]);
    });
    it('not before the report is signed, and only by the office', () => {
      expect(() => given(reportingDecider, history.submitted()).when(paper(2))).toThrow(expect.objectContaining({ code: 'report-not-signed' }));
      expect(() => given(reportingDecider, history.signed()).when({ ...paper(2), meta: reporter() } as ReportingCommand)).toThrow(ForbiddenError);
    });
  });
});
