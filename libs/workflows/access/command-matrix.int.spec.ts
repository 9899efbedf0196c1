import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { ForbiddenError, type Principal } from '../../engine/commands/command.js';
import { readConfig } from '../../engine/config.js';
import { Engine } from '../../engine/nest/engine.js';
import { createSqliteDirectory } from '../../engine/testing/databases.js';
import { AppModule } from '../../../apps/api/src/app.module.js';
import { ReportingService } from '../reporting/reporting.service.js';
import { RewardsService } from '../rewards/rewards.service.js';
import { PlanService } from '../plan/plan.service.js';

/**
 * The authorisation matrix, end to end: every command the application routes × every role ×
 * the actor's own unit / another unit, sent through engine.execute (the path HTTP, the CLI and
 * jobs all take). The expectation is written out below, literally. A denial must be a
 * ForbiddenError and must write nothing; an allowed command must get past authorisation (it may
 * still be refused by a rule of the domain, which is another test's business).
 */
type Token = 'reporter@own' | 'head@own' | 'office' | 'supervisor' | 'leader' | 'auditor' | 'admin' | 'system' | /* any unit (issue 16: one's own inbox) */ 'reporter' | 'head';

const ALLOWED: Record<string, Token[]> = {
  'plan.Publish': ['office', 'admin', 'system'],
  'plan.SetTarget': ['office'],
  'plan.SetBaseline': ['office'],
  'plan.ReviseWarningTiers': ['office'],
  'plan.ReviseRewardTiers': ['office'],
  'plan.ReviseMonthlyReportRule': ['office'],
  // Issue 15: next year's plan is drafted by whoever revises the plan, published by whoever publishes one.
  'plan.DraftNextYear': ['office'],
  'plan.PublishDraft': ['office', 'admin', 'system'],
  'reporting.Open': ['office'],
  'reporting.SaveDraft': ['reporter@own'],
  'reporting.Submit': ['reporter@own'],
  'reporting.Sign': ['head@own'],
  'reporting.Receive': ['office'],
  'reporting.RecordPaperCopies': ['office'],
  'reporting.Return': ['office'],
  // Issue 12: administrators correct entries with full history, like the office (the design brief).
  'reporting.Correct': ['office', 'admin'],
  'reporting.SendReminder': ['system'],
  'reporting.MarkOverdue': ['system'],
  'ranking.RecordFigures': ['office'],
  'ranking.CorrectFigure': ['office'],
  'ranking.ApplyRuleChange': ['office', 'system'],
  'ranking.ApplyReportedFigure': ['office', 'system'],
  'ranking.PublishScoringRule': ['office'],
  'assessment.Prepare': ['office'],
  'assessment.RecordMeeting': ['office'],
  'assessment.Publish': ['office'],
  'supervision.Open': ['supervisor', 'system'],
  // Issue 12: only the bureau opens a case on a ground (行动不力、工作滞后、成效不明显).
  'supervision.OpenOnGround': ['supervisor'],
  'supervision.Acknowledge': ['reporter@own', 'head@own'],
  'supervision.SubmitRectificationPlan': ['reporter@own', 'head@own'],
  'supervision.SubmitFeedback': ['reporter@own', 'head@own'],
  'supervision.Review': ['supervisor'],
  'supervision.Escalate': ['supervisor'],
  'supervision.ReportToLeaders': ['supervisor'],
  'supervision.Close': ['supervisor'],
  'supervision.RemindStep': ['system'],
  'supervision.MarkStepOverdue': ['system'],
  'rewards.GenerateProposal': ['office'],
  'rewards.AmendLine': ['office'],
  'rewards.DecideConflict': ['office'],
  'rewards.SubmitForApproval': ['office'],
  'rewards.Approve': ['leader'],
  'rewards.SendBack': ['leader'],
  'rewards.Publish': ['office'],
  'accounts.GrantRole': ['admin'],
  'accounts.RevokeRole': ['admin'],
  'accounts.DisableUser': ['admin'],
  'accounts.EnableUser': ['admin'],
  'demo.Start': ['admin', 'system'],
  'demo.Complete': ['admin', 'system'],
  'audit.ScheduledSeal': ['office', 'admin', 'system'],
  'audit.SealNow': ['office', 'admin', 'system'],
  'documents.IssueQuarterlyNotice': ['office'],
  'documents.IssueSupervisionNotice': ['supervisor'],
  'documents.IssueTalkNotice': ['supervisor'],
  'documents.IssueRewardProposal': ['office'],
  'documents.IssueRewardDecision': ['office'],
  'documents.IssueMonthlyReport': ['office'],
  // Issue 16: attachments on a report (the target decides who: a case's and a decision's are in the unit test).
  'attachments.Add': ['reporter@own', 'head@own', 'office'],
  // Issue 16: notices are issued and their deliveries recorded by the system; anyone marks their
  // own inbox read (a notice not theirs is a 404, past authorisation); channels are chosen by each
  // person for themselves only (the matrix asks for someone else's: refused for all).
  'notices.Issue': ['system'],
  'notices.RecordAttempt': ['system'],
  'notices.MarkRead': ['reporter', 'head', 'office', 'supervisor', 'leader', 'auditor', 'admin', 'system'],
  'notices.ChooseChannels': [],
};

const ROLES = ['reporter', 'head', 'office', 'supervisor', 'leader', 'auditor', 'admin', 'system'] as const;
const PLAN = 'ye-county-2023';
/** Each unit's own indicator, so a command is well formed for either unit. */
const UNITS = { own: { unitId: 'sthjj', indicatorNo: 27 }, other: { unitId: 'fgw', indicatorNo: 1 } };

describe('the authorisation matrix: every command × every role × own unit / other unit', () => {
  let app: INestApplicationContext;
  let engine: Engine;
  let dir: ReturnType<typeof createSqliteDirectory>;
  const data = new Map<string, (which: 'own' | 'other') => Promise<object>>();

  beforeAll(async () => {
    dir = createSqliteDirectory('matrix');
    app = await NestFactory.createApplicationContext(AppModule.forRoot({ config: readConfig({ EVENT_STORE_URL: dir.url() }), background: false }), { logger: ['error'] });
    await app.init();
    engine = app.get(Engine);
    const reporting = app.get(ReportingService);
    const rewards = app.get(RewardsService);
    const plan = await app.get(PlanService).get(PLAN);
    const ref = (w: 'own' | 'other') => ({ planId: PLAN, ...UNITS[w] });
    const report = (w: 'own' | 'other') => ({ planId: PLAN, unitId: UNITS[w].unitId, period: '2023-06' });
    const caseRef = (w: 'own' | 'other') => ({ ...ref(w), caseNo: 1 });
    const red = { quarter: '2023-Q2', figuresPeriod: '2023-Q2', value: 1, rank: 6, warning: 'red', source: { kind: 'manual', note: 'matrix' } };
    const review = { planId: PLAN, year: 2023 };
    const on = (type: string, f: (w: 'own' | 'other') => object | Promise<object>) => data.set(type, async (w) => f(w));
    on('plan.Publish', () => ({ plan: { ...plan, id: 'matrix-plan' }, source: { file: 'matrix.yaml', sha256: 'x' } }));
    on('plan.SetTarget', () => ({ planId: PLAN, indicatorNo: 1, target: 7 }));
    on('plan.SetBaseline', () => ({ planId: PLAN, indicatorNo: 1, value: 7, rank: 2 }));
    on('plan.ReviseWarningTiers', () => ({ planId: PLAN, tiers: plan.warningTiers }));
    on('plan.ReviseRewardTiers', () => ({ planId: PLAN, tiers: plan.rewards.tiers }));
    on('plan.ReviseMonthlyReportRule', () => ({ planId: PLAN, rule: plan.monthlyReport }));
    on('plan.DraftNextYear', () => ({ plan: { ...plan, id: 'matrix-next', year: plan.year + 1 }, from: { planId: PLAN, revision: 0 } }));
    on('plan.PublishDraft', () => ({ planId: 'matrix-next', sha256: 'x' }));
    on('reporting.Open', async (w) => ({ context: await reporting.context(report(w)) }));
    on('reporting.SaveDraft', async (w) => ({ context: await reporting.context(report(w)), lines: [] }));
    on('reporting.Submit', async (w) => ({ context: await reporting.context(report(w)) }));
    on('reporting.Sign', (w) => ({ ...report(w), contentHash: 'f'.repeat(64) }));
    for (const t of ['reporting.Receive', 'reporting.Return', 'reporting.SendReminder', 'reporting.MarkOverdue']) on(t, report);
    on('reporting.RecordPaperCopies', (w) => ({ ...report(w), copies: 2 }));
    on('reporting.Correct', (w) => ({ ...report(w), indicatorNo: UNITS[w].indicatorNo, field: 'value', corrected: 1 }));
    on('ranking.RecordFigures', (w) => ({
      planId: PLAN,
      indicatorNo: UNITS[w].indicatorNo,
      period: '2023-06',
      figures: [{ countyId: 'ye', value: 1, rank: null }],
      source: { kind: 'manual' },
    }));
    on('ranking.CorrectFigure', (w) => ({ planId: PLAN, indicatorNo: UNITS[w].indicatorNo, period: '2023-05', countyId: 'ye', corrected: { value: 2, rank: null } }));
    on('ranking.ApplyReportedFigure', (w) => ({ planId: PLAN, indicatorNo: UNITS[w].indicatorNo, period: '2023-05', unitId: UNITS[w].unitId, value: 3, trigger: 'received' }));
    on('ranking.ApplyRuleChange', (w) => ({ planId: PLAN, indicatorNo: UNITS[w].indicatorNo, period: '2023-04' }));
    on('ranking.PublishScoringRule', () => ({
      planId: PLAN,
      coefficients: [1, 2, 3, 4, 5, 6].map((rank) => ({ rank, coefficient: 1 - (rank - 1) * 0.1 })),
      missingRankCoefficient: 0,
      note: 'matrix',
    }));
    on('assessment.Prepare', () => ({ planId: PLAN, quarter: '2023-Q2' }));
    on('assessment.RecordMeeting', () => ({ planId: PLAN, quarter: '2023-Q2', date: '2023-07-10', attendees: ['文晓凡'], conclusions: 'c', nextSteps: 'n', suggestions: 's' }));
    on('assessment.Publish', () => ({ planId: PLAN, quarter: '2023-Q2' }));
    on('supervision.Open', (w) => ({ ...ref(w), warning: red }));
    on('supervision.OpenOnGround', (w) => ({ ...ref(w), ground: 'lagging-work', period: '2023-06', note: 'matrix' }));
    on('supervision.Acknowledge', (w) => ({ ...caseRef(w), note: 'n' }));
    on('supervision.SubmitRectificationPlan', (w) => ({ ...caseRef(w), plan: 'p', rectifyBy: '2023-09-30' }));
    on('supervision.SubmitFeedback', (w) => ({ ...caseRef(w), feedback: 'f' }));
    on('supervision.Review', (w) => ({ ...caseRef(w), subject: 'plan', decision: 'accepted', comment: 'c' }));
    on('supervision.Escalate', (w) => ({ ...caseRef(w), kind: 'public-notice' }));
    on('supervision.ReportToLeaders', (w) => ({ ...caseRef(w), summary: 's' }));
    on('supervision.Close', (w) => ({ ...caseRef(w), reason: 'rectification-accepted', text: 't' }));
    on('supervision.RemindStep', (w) => ({ ...caseRef(w), step: 'acknowledge', seq: 1 }));
    on('supervision.MarkStepOverdue', (w) => ({ ...caseRef(w), step: 'acknowledge', seq: 1 }));
    on('rewards.GenerateProposal', async () => ({ context: await rewards.context(review) }));
    // One line per unit: its id is the unit's.
    on('rewards.AmendLine', (w) => ({ ...review, lineId: UNITS[w].unitId, excluded: true }));
    on('rewards.DecideConflict', (w) => ({ ...review, lineId: UNITS[w].unitId, decision: 'neither' }));
    on('rewards.SubmitForApproval', () => review);
    on('rewards.Approve', () => ({ ...review, listHash: 'x' }));
    on('rewards.SendBack', () => review);
    on('rewards.Publish', () => review);
    on('audit.ScheduledSeal', () => ({ everyMs: 300_000 }));
    on('audit.SealNow', () => ({ occasion: 'the authorisation matrix' }));
    on('documents.IssueQuarterlyNotice', () => ({ planId: PLAN, subject: { kind: 'quarterly-notice', quarter: '2023-Q2' } }));
    on('documents.IssueSupervisionNotice', (w) => ({ planId: PLAN, subject: { kind: 'supervision-notice', ...UNITS[w], caseNo: 1 } }));
    on('documents.IssueTalkNotice', (w) => ({ planId: PLAN, subject: { kind: 'talk-notice', ...UNITS[w], caseNo: 1 } }));
    on('documents.IssueRewardProposal', () => ({ planId: PLAN, subject: { kind: 'reward-proposal', year: 2023 } }));
    on('documents.IssueRewardDecision', () => ({ planId: PLAN, subject: { kind: 'reward-decision', year: 2023 } }));
    on('documents.IssueMonthlyReport', (w) => ({ planId: PLAN, subject: { kind: 'monthly-report', unitId: UNITS[w].unitId, period: '2023-06' } }));
    on('demo.Start', () => ({ planId: PLAN, year: 2023, seed: 1, months: 1 }));
    on('attachments.Add', (w) => ({ target: { kind: 'report', ...report(w) }, name: 'scan.pdf', bytes: Buffer.from('%PDF-1.4\n%%EOF\n') }));
    const source = { eventId: 'matrix-event', type: 'ReportOverdue', streamId: 'report-x', position: '1', recordedAt: '2023-07-20T00:00:00.000Z' };
    on('notices.Issue', (w) => ({ source, event: { ...report(w), dueAt: '2023-07-05T16:00:00.000Z' }, recipients: [] }));
    on('notices.RecordAttempt', () => ({ noticeId: 'n-matrix', deliveryId: 'n-matrix.email.x', outcome: 'failed', detail: 'matrix', maxAttempts: 5 }));
    on('notices.MarkRead', () => ({ noticeId: 'n-matrix' }));
    on('notices.ChooseChannels', () => ({ userId: 'someone-else', channels: [], email: null }));
    on('demo.Complete', () => ({ simulated: { from: '2023-01-01T00:00:00.000Z', to: '2023-02-01T00:00:00.000Z' }, counts: {}, commands: 0, durationMs: 0 }));
    for (const t of ['accounts.GrantRole', 'accounts.RevokeRole', 'accounts.DisableUser', 'accounts.EnableUser']) {
      on(t, (w) => ({ userId: 'nobody', role: 'reporter', unitId: UNITS[w].unitId }));
    }
  });
  afterAll(async () => {
    await app.close();
    dir.drop();
  });

  it('the table covers exactly the commands the application routes', () => {
    expect(Object.keys(ALLOWED).sort()).toEqual(engine.router.types());
    expect([...data.keys()].sort()).toEqual(engine.router.types());
  });

  it.each(Object.keys(ALLOWED))('%s', async (type) => {
    const outcomes: string[] = [];
    let n = 0;
    for (const role of ROLES) {
      for (const which of ['own', 'other'] as const) {
        const actor: Principal = { userId: `matrix-${role}`, name: role, roles: [role], ...(role === 'reporter' || role === 'head' ? { unitId: UNITS.own.unitId } : {}) };
        const allowed = ALLOWED[type]!.includes(role as Token) || (which === 'own' && ALLOWED[type]!.includes(`${role}@own` as Token));
        const before = await engine.store.headPosition();
        const result = await engine
          .execute({
            type,
            data: await data.get(type)!(which),
            meta: { commandId: `matrix-${type}-${role}-${which}-${++n}`, actor, now: '2023-07-20T00:00:00.000Z', reason: 'matrix' },
          })
          .then(
            () => 'allowed',
            (err: Error) => (err instanceof ForbiddenError ? 'denied' : err instanceof TypeError ? `TypeError: ${err.message}` : 'allowed'),
          );
        if (result === 'denied') expect(await engine.store.headPosition()).toBe(before); // a denial writes nothing
        outcomes.push(`${role}@${which}:${result === (allowed ? 'allowed' : 'denied') ? 'ok' : `expected ${allowed ? 'allowed' : 'denied'}, got ${result}`}`);
      }
    }
    expect(outcomes.filter((o) => !o.endsWith(':ok'))).toEqual([]);
  });
});
