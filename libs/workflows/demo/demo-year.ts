/**
 * The demo year (GitHub issue 4): a whole synthetic year of the plan played through the same
 * commands people send over HTTP, by the accounts whose role each step is, so that a newcomer sees
 * full tables and boards and every rule of the workflows has been exercised on the way.
 *
 * Time: each command carries `meta.now` from a clock of the demo's own that moves through the
 * plan year (the engine records it as the recorded time); the application's clock is not touched.
 * Deadlines fire through an InProcessTimerScheduler bound to that clock, delivered whenever the
 * script moves time past a timer, so a report nobody submits becomes overdue when its deadline
 * passes in the simulated year. The engine's own background scheduler must not run meanwhile
 * (on today's date it would fire every 2023 deadline at once), nor its projection runner (its
 * reactors would answer a published quarter on today's date): the demo catches projections up
 * itself, and sends the reactors' commands first, with their ids, so they find them answered.
 *
 * Labels: every command's reason ends with "演示数据 / synthetic demo data", every correlation id
 * starts with `demo-`, texts start with 【演示数据】, and the `demo` stream records the run.
 */
import type { INestApplicationContext } from '@nestjs/common';
import { isManualClock, type ManualClock } from '../../engine/clock.js';
import { DomainError, type Principal } from '../../engine/commands/command.js';
import type { CommandResult } from '../../engine/commands/command-executor.js';
import { readToHead } from '../../engine/event-store/event-store.js';
import { Engine } from '../../engine/nest/engine.js';
import { TIMER_CANCELLED, TIMER_SCHEDULED } from '../../engine/timers/timer-events.js';
import { InProcessTimerScheduler } from '../../engine/timers/timer-scheduler.js';
import { TIMERS_PROJECTION, type PendingTimer } from '../../engine/timers/timers.projection.js';
import { CLI_PRINCIPAL } from '../accounts/accounts.decider.js';
import type { DemoUser } from '../accounts/demo-users.js';
import type { QuarterPrepared, QuarterPublished } from '../assessment/assessment.events.js';
import { assessmentStream } from '../assessment/assessment.events.js';
import { makeSeal } from '../audit/sealing.js';
import type { PlanDefinition } from '../plan/plan-file.js';
import { PlanService } from '../plan/plan.service.js';
import { addCalendarDays, isWorkingDay, localMidnightToUtc, monthlyReportDates, type IsoDate } from '../plan/working-calendar.js';
import { isLagging, type ReportLine } from '../reporting/report-content.js';
import type { ReportContext } from '../reporting/reporting.decider.js';
import { reportStream } from '../reporting/reporting.events.js';
import { ReportingService } from '../reporting/reporting.service.js';
import { reviewStream, type ProposalGenerated, type ProposalSubmitted } from '../rewards/rewards.events.js';
import { RewardsService } from '../rewards/rewards.service.js';
import { localDate, workingDaysAfter } from '../supervision/supervision.deadlines.js';
import type { CaseRef } from '../supervision/supervision.events.js';
import { openingsFor, reactionOf, SUPERVISION_REACTOR } from '../supervision/supervision.reactor.js';
import { REACTOR_OUTCOMES } from '../../engine/reactors/reactor-projection.js';
import type { ReactorOutcome } from '../../engine/reactors/reactor.js';
import { ensureDemoAccounts, type DemoPeople } from './demo-accounts.js';
import { refusalOf, surveyStore } from './demo-store.js';
import { DEMO_CORRELATION_PREFIX, demoReason } from './demo.events.js';
import { Rng, syntheticYear, type SyntheticYear } from './synthetic-year.js';

export interface DemoOptions {
  /** Seeds the synthetic figures and every choice of the script (default 2023). */
  seed?: number;
  /** Months of reports and figures to play, from January (default 12: the whole year and its year-end review). */
  months?: number;
  /** Default: the first plan the deployment loads (JIXIAO_PLANS, else ye-county-2023). */
  planId?: string;
  /** Who plays it: the command line (default) or the system at first start. */
  operator?: Principal;
  /** A line per simulated month, and a few on the way. */
  progress?: (line: string) => void;
  /**
   * The whole year only: after the stand date (the evening the year's figures come in) the office
   * and the county government close the year-end review through the real commands — proposal
   * generated, amended, conflicts decided, submitted, sent back once, approved and published — on the
   * working days that follow (`demo --close-year`, JIXIAO_DEMO=closed). The rest of the open work stays open.
   */
  closeYear?: boolean;
}

export interface DemoOutcome {
  planId: string;
  seed: number;
  months: number;
  /** Accounts the demo created, with their one-time passwords (shown once). */
  createdUsers: DemoUser[];
  /** Events recorded by the demo, by type. */
  counts: Record<string, number>;
  commands: number;
  timersFired: number;
  durationMs: number;
  simulated: { from: string; to: string };
  /** True when the year-end review was closed (closeYear). */
  closedYear: boolean;
}

export const DEFAULT_DEMO_SEED = 2023;

/**
 * Plays the demo year on the application's engine. Refuses (DomainError, nothing written) in
 * production, on a store holding real data, on a store it has played on, and while the engine's
 * background work runs.
 */
export async function playDemoYear(app: INestApplicationContext, options: DemoOptions = {}): Promise<DemoOutcome> {
  const engine = app.get(Engine);
  const seed = options.seed ?? DEFAULT_DEMO_SEED;
  const months = options.months ?? 12;
  const closeYear = options.closeYear ?? false;
  if (closeYear && months !== 12)
    throw new DomainError('invalid-demo', 'closeYear: the year-end review closes a whole year (months 12)', { params: { field: 'closeYear' }, status: 422 });
  if (!Number.isInteger(seed) || seed < 0) throw new DomainError('invalid-demo', `seed: a whole number from 0, not ${seed}`, { params: { field: 'seed' }, status: 422 });
  if (!Number.isInteger(months) || months < 1 || months > 12) throw new DomainError('invalid-demo', `months: 1 to 12, not ${months}`, { params: { field: 'months' }, status: 422 });
  if (engine.options.config.production) throw new DomainError('demo-in-production', 'the demo year is not played in production (NODE_ENV=production)');
  if (engine.options.background) {
    throw new DomainError(
      'demo-needs-quiet-engine',
      'the demo moves its own clock through the plan year, so it runs before the engine’s background projections and timers start (on today’s date they would fire every deadline of the year at once): run it from the command line or at first start',
    );
  }
  if (!isManualClock(engine.clock)) {
    // The engine's reactors (automatic supervision cases, rule changes) stamp their commands with
    // the engine's clock, so the demo moves that clock, not one of its own.
    throw new DomainError('demo-needs-manual-clock', 'the demo moves the engine’s clock through the plan year: start the application with a ManualClock to play it');
  }
  const planId = options.planId ?? (process.env.JIXIAO_PLANS ?? 'ye-county-2023').split(',')[0]!.trim();
  const plan = await app.get(PlanService).get(planId);
  const refusal = refusalOf(await surveyStore(engine.store));
  if (refusal) throw refusal;

  const started = Date.now();
  const startPosition = await engine.store.headPosition();
  const operator = options.operator ?? CLI_PRINCIPAL;
  const say = options.progress ?? (() => undefined);
  const start = await engine.execute({
    type: 'demo.Start',
    data: { planId, year: plan.year, seed, months },
    meta: {
      commandId: `${DEMO_CORRELATION_PREFIX}${seed}-start`,
      correlationId: `${DEMO_CORRELATION_PREFIX}${seed}-year`,
      actor: operator,
      now: engine.clock.now().toISOString(),
      reason: demoReason('the demo year starts'),
    },
  });
  // Another run with the same seed got there first (its start is answered to us as a retry): it plays, not us.
  if (start.replayed) throw new DomainError('demo-already-played', `another demo run with seed ${seed} started on this store at the same moment`);
  say(
    `demo: playing a synthetic ${plan.year} of ${plan.county} (${plan.id}), seed ${seed}, ${months === 12 ? 'the whole year' : `${months} month(s)`}; every figure is 演示数据 / synthetic demo data`,
  );

  const { people, created } = await ensureDemoAccounts(app, engine, plan, seed);
  if (created.length) say(`demo: ${created.length} demo account(s) created`);

  const play = new DemoYear(app, engine, plan, syntheticYear(plan, seed), people, { seed, months, say, startPosition, closeYear });
  await play.run();
  await engine.runner.catchUp(120_000);
  const counts = await play.countRest();
  const durationMs = Date.now() - started;
  const simulated = { from: play.simulatedFrom, to: play.clock.now().toISOString() };
  await engine.execute({
    type: 'demo.Complete',
    data: { simulated, counts, commands: play.commands, durationMs },
    meta: {
      commandId: `${DEMO_CORRELATION_PREFIX}${seed}-complete`,
      correlationId: `${DEMO_CORRELATION_PREFIX}${seed}-year`,
      actor: operator,
      now: engine.clock.now().toISOString(),
      reason: demoReason('the demo year was played'),
    },
  });
  await engine.runner.catchUp();
  return { planId, seed, months, createdUsers: created, counts, commands: play.commands, timersFired: play.timersFired, durationMs, simulated, closedYear: closeYear };
}

interface Action {
  at: number;
  seq: number;
  label: string;
  run: () => Promise<void>;
}

type Variation = 'late' | 'missing' | 'returned' | 'corrected';
type CaseRole = 'generic' | 'cleared' | 'improved' | 'notice' | 'talk';

/** Which months show which departure from the routine (the rest report on time). */
const VARIATIONS: Record<Variation, number[]> = {
  late: [1, 3, 5, 7, 10, 12],
  missing: [2, 9],
  returned: [3, 8],
  corrected: [2, 7, 11],
};

const TEXT = {
  problems: ['项目前期手续办理进度偏慢', '部分企业生产经营承压', '要素保障仍有短板', '统计基础工作有待加强', '与先进县市相比仍有差距', '总体平稳，无明显问题'],
  nextSteps: ['加强调度，压实责任', '逐项对账销号，确保按期完成', '强化要素保障，加快项目建设', '加强与市直部门对接，争取政策支持', '持续巩固提升'],
  analysis: ['受市场需求偏弱影响，增长动力不足', '重点项目入统滞后，拉低指标', '上年基数较高，同比增幅收窄', '部分企业停产检修，产值下降'],
  countermeasures: ['建立周调度机制，挂图作战', '开展入企服务，帮助企业稳产增产', '加快在建项目入统，做好统计监测', '对标先进县市，查找差距补短板'],
};
const tag = (text: string) => `【演示数据】${text}`;
/** Units of measure whose monthly figure is the year to date (synthetic-year.ts's cumulative domains). */
const CUMULATIVE_UNITS = new Set(['count', 'persons', 'cases']);
const pad = (n: number) => String(n).padStart(2, '0');

class DemoYear {
  readonly clock: ManualClock;
  readonly simulatedFrom: string;
  commands = 0;
  timersFired = 0;
  readonly #scheduler: InProcessTimerScheduler;
  readonly #timerFailures: string[] = [];
  readonly #agenda: Action[] = [];
  #seq = 0;
  #timersDirty = true;
  #timersStale = false;
  #nextDue: number | undefined;
  readonly #reporting: ReportingService;
  readonly #contexts = new Map<string, Promise<ReportContext>>();
  readonly #rng: Rng;
  readonly #tz: string;
  readonly #Y: number;
  /** The unit whose report varies from the routine, per month and kind. */
  readonly #variations = new Map<number, Map<string, Variation>>();
  /** Progress: the month being played, where the log was last read, and the counts so far. */
  #progressMonth: string | undefined;
  #progressAt: string | undefined;
  #progressStarted = Date.now();
  readonly #counts: Record<string, number> = {};
  /**
   * The whole year leaves work open so every role can try its own (issue 15): the fourth quarter
   * neither prepared nor published, the year-end list not generated, some of December's reports
   * waiting to be signed or received, and some of the third quarter's cases at different steps.
   * Shorter runs (tests, `--months`) play everything to its end as before.
   */
  readonly #openWork: boolean;
  /** December's units whose report waits for the head's signature, and those whose signed report waits for the office. */
  readonly #unsigned = new Set<string>();
  readonly #unreceived = new Set<string>();
  /** The third quarter's cases left open so far, each at its own step (see #scheduleOpenCase). */
  #openCaseCount = 0;

  constructor(
    readonly app: INestApplicationContext,
    readonly engine: Engine,
    readonly plan: PlanDefinition,
    readonly year: SyntheticYear,
    readonly people: DemoPeople,
    readonly o: { seed: number; months: number; say: (line: string) => void; startPosition: string | undefined; closeYear?: boolean },
  ) {
    this.#Y = plan.year;
    this.#tz = plan.monthlyReport.timeZone;
    this.clock = engine.clock as ManualClock;
    this.clock.set(localMidnightToUtc(`${this.#Y}-01-01`, this.#tz));
    this.simulatedFrom = this.clock.now().toISOString();
    this.#scheduler = new InProcessTimerScheduler(engine.router, engine.runner, this.clock, {
      log: (m, d) => this.#timerFailures.push(`${m}${d instanceof Error ? `: ${d.message}` : ''}`),
    });
    this.#reporting = app.get(ReportingService);
    this.#rng = new Rng(o.seed).fork('script');
    this.#progressAt = o.startPosition;
    this.#chooseVariations();
    this.#openWork = o.months === 12;
    if (this.#openWork) {
      const varied = this.#variations.get(12) ?? new Map<string, Variation>();
      const plain = [...this.people.units.keys()].filter((u) => !varied.has(u));
      for (const u of plain.slice(0, 2)) this.#unsigned.add(u);
      for (const u of plain.slice(2, 4)) this.#unreceived.add(u);
    }
  }

  /** Where the whole year stops: the evening the city's December, fourth-quarter and year figures are recorded. */
  #standsAt(): number {
    return this.#at(this.#figuresDay(12), 17);
  }

  // The run ---------------------------------------------------------------------------------------

  async run(): Promise<void> {
    this.#script();
    while (this.#agenda.length) {
      const at = this.#agenda[0]!.at;
      await this.#deliverTimersUntil(at);
      await this.#progressTo(at);
      if (at < this.clock.now().getTime()) throw new Error(`the demo script went back in time: ${this.#agenda[0]!.label} at ${new Date(at).toISOString()}`);
      this.clock.set(new Date(at));
      const group: Action[] = [];
      while (this.#agenda.length && this.#agenda[0]!.at === at) group.push(this.#agenda.shift()!);
      // Steps due at the same moment touch different streams: they go together.
      await Promise.all(
        group.map((a) =>
          a.run().catch((err: Error) => {
            throw Object.assign(new Error(`demo step "${a.label}" at ${new Date(at).toISOString()} failed: ${err.message}`, { cause: err }), {
              code: (err as { code?: string }).code,
            });
          }),
        ),
      );
    }
    // A shorter run: whatever deadlines are still set (the last month's report) pass before it ends.
    // The whole year stops on the evening the year's figures come in, with work left open
    // (openWork): its timers stay pending and fire on the served demo clock when they fall due.
    await this.#deliverTimersUntil(this.#openWork ? this.#standsAt() : Number.POSITIVE_INFINITY);
    const end = this.#openWork ? Math.max(this.#standsAt(), this.clock.now().getTime()) : this.clock.now().getTime() + 3600_000;
    await this.#progressTo(end);
    this.clock.set(new Date(end));
    await this.#seal(
      this.o.closeYear
        ? `${this.#Y} 演示结束封存（年度奖惩已公布；第四季度待办）`
        : this.#openWork
          ? `${this.#Y} 演示结束封存（第四季度与年度考核待办）`
          : `演示结束封存（${this.o.months} 个月）`,
    );
    await this.#progressTo(end, true);
  }

  /** Events since the last progress line, by type (the final ones, after the run). */
  async countRest(): Promise<Record<string, number>> {
    await this.#readProgress();
    return { ...this.#counts };
  }

  #push(at: number, label: string, run: () => Promise<void>): void {
    const action = { at, seq: ++this.#seq, label, run };
    let lo = 0;
    let hi = this.#agenda.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#agenda[mid]!.at <= at) lo = mid + 1;
      else hi = mid;
    }
    this.#agenda.splice(lo, 0, action);
  }

  /** Sends a command as `actor` at the demo's time, labelled; notes new timers so they are delivered when due. */
  async #exec(actor: Principal, type: string, data: object, story: string, step: string, reason?: string): Promise<CommandResult> {
    const correlationId = `${DEMO_CORRELATION_PREFIX}${this.o.seed}-${story}`;
    const result = await this.engine.execute({
      type,
      data,
      meta: { commandId: `${correlationId}/${step}/${++this.commands}`, correlationId, actor, now: this.clock.now().toISOString(), reason: demoReason(reason) },
    });
    this.#noteTimers(result);
    return result;
  }

  /** A new timer may be due before the one we know of; a cancelled one may be the one we know of. */
  #noteTimers(result: CommandResult): void {
    if (result.events.some((e) => e.type === TIMER_SCHEDULED)) this.#timersDirty = true;
    else if (result.events.some((e) => e.type === TIMER_CANCELLED)) this.#timersStale = true;
  }

  /**
   * Fires every timer due up to `until`, each at its own due time: the clock stops at each in turn.
   * The timers' view is brought up to date first (nobody runs the projections in the background).
   */
  async #deliverTimersUntil(until: number): Promise<void> {
    let last: number | undefined;
    for (;;) {
      if (this.#timersDirty || (this.#timersStale && this.#nextDue !== undefined && this.#nextDue <= until)) {
        await this.engine.runner.catchUp();
        const pending = (await this.engine.query(TIMERS_PROJECTION).list<PendingTimer>('pending')).map((r) => Date.parse(r.doc.dueAt));
        this.#nextDue = pending.length ? Math.min(...pending) : undefined;
        this.#timersDirty = false;
        this.#timersStale = false;
      }
      if (this.#nextDue === undefined || this.#nextDue > until) return;
      if (last === this.#nextDue)
        throw new Error(`a timer due at ${new Date(last).toISOString()} stays pending after delivery: ${this.#timerFailures.join('; ') || 'no error reported'}`);
      last = this.#nextDue;
      await this.#progressTo(this.#nextDue);
      this.clock.set(new Date(Math.max(this.#nextDue, this.clock.now().getTime())));
      await this.engine.runner.catchUp();
      this.timersFired += await this.#scheduler.deliverDue();
      if (this.#timerFailures.length) throw new Error(`a demo timer failed: ${this.#timerFailures.join('; ')}`);
      this.#timersDirty = true;
    }
  }

  // Time ------------------------------------------------------------------------------------------

  /** An instant at a local wall-clock time of the plan's zone. */
  #at(date: IsoDate, hour: number, minute = 0): number {
    return Date.parse(localMidnightToUtc(date, this.#tz)) + (hour * 60 + minute) * 60_000;
  }

  #isWorking(date: IsoDate): boolean {
    return isWorkingDay(this.plan.calendar, date);
  }

  /** `date` itself if it is a working day, else the next one. */
  #workingOnOrAfter(date: IsoDate): IsoDate {
    let d = date;
    while (!this.#isWorking(d)) d = addCalendarDays(d, 1);
    return d;
  }

  #wd(date: IsoDate, n: number): IsoDate {
    return workingDaysAfter(this.plan.calendar, date, n);
  }

  #day(at: number): IsoDate {
    return localDate(new Date(at).toISOString(), this.#tz);
  }

  #month(m: number): string {
    return m > 12 ? `${this.#Y + 1}-${pad(m - 12)}` : `${this.#Y}-${pad(m)}`;
  }

  /** The day the city publishes a month's figures: the 15th of the next month, or the working day after. */
  #figuresDay(m: number): IsoDate {
    return this.#workingOnOrAfter(`${this.#month(m + 1)}-15`);
  }

  // The script ------------------------------------------------------------------------------------

  #script(): void {
    const N = this.o.months;
    this.#push(this.#at(this.#workingOnOrAfter(`${this.#Y}-01-04`), 10), 'targets and baselines', () => this.#setTargetsAndBaselines());
    this.#push(this.#at(this.#workingOnOrAfter(`${this.#Y}-01-09`), 10), 'scoring rule', () => this.#publishScoringRule());
    for (let m = 1; m <= N; m++) {
      this.#scheduleReports(m);
      const day = this.#figuresDay(m);
      this.#push(this.#at(day, 10), `figures ${this.#month(m)}`, () => this.#recordFigures(this.#month(m)));
      if (m % 3 === 0) {
        this.#push(this.#at(day, 10, 30), `figures Q${m / 3}`, () => this.#recordFigures(`${this.#Y}-Q${m / 3}`));
        this.#scheduleAssessment(m / 3, day);
      }
      if (m === 12) this.#push(this.#at(day, 11), `figures ${this.#Y}`, () => this.#recordFigures(String(this.#Y)));
    }
    const p = this.year.scenario.peerRevision;
    if (p && N >= 3) this.#push(this.#at(this.#workingOnOrAfter(`${this.#Y}-03-28`), 10), 'peer revision', () => this.#peerRevision());
    if (this.o.closeYear && N === 12) this.#scheduleYearEnd(this.#figuresDay(12));
  }

  // Year-end review (closeYear) -------------------------------------------------------------------

  /** The year's figures came in on `figuresIn`: the office and the county government close the review on the working days after. */
  #scheduleYearEnd(figuresIn: IsoDate): void {
    const ref = { planId: this.plan.id, year: this.#Y };
    const story = `review-${this.#Y}`;
    const { office, leader } = this.people;
    const rewards = this.app.get(RewardsService);
    let listHash = '';
    this.#push(this.#at(this.#wd(figuresIn, 1), 15), 'generate proposal', async () => {
      await this.#exec(office, 'rewards.GenerateProposal', { context: await rewards.context(ref) }, story, 'generate', `依据${this.#Y}年度排名生成奖惩建议名单`);
    });
    this.#push(this.#at(this.#wd(figuresIn, 2), 15), 'amend proposal', async () => {
      const generated = (await this.engine.store.readStream(reviewStream(ref))).find((e) => e.type === 'ProposalGenerated')!.data as ProposalGenerated['data'];
      const third = generated.lines.find((l) => l.tier === 'third') ?? generated.lines.find((l) => !l.conflict);
      if (!third) throw new Error('the year-end proposal has no line to amend');
      const fell = third.indicators.find((i) => i.tier === 'third') ?? third.indicators[0]!;
      await this.#exec(
        office,
        'rewards.AmendLine',
        { ...ref, lineId: third.lineId, excluded: true },
        story,
        'amend',
        `第${fell.indicatorNo}项指标下滑系上级统计口径调整所致，经研究该单位不予处罚`,
      );
      // A unit with indicators in different tiers gets one consequence, decided by the office with a
      // reason (四(五) 指标单位); the demo's office weighs how many indicators fall each way.
      for (const line of generated.lines.filter((l) => l.conflict)) {
        const count = (tier: string | null) => line.indicators.filter((i) => i.tier === tier).length;
        const [first, last] = [count('first'), count('third')];
        const decision = first > last ? 'reward' : last > first ? 'penalty' : 'neither';
        const why =
          decision === 'reward'
            ? `${line.unitName}${first}项指标居第一方阵、${last}项居第三方阵，经研究予以奖励`
            : decision === 'penalty'
              ? `${line.unitName}${last}项指标居第三方阵、仅${first}项居第一方阵，经研究予以处罚`
              : `${line.unitName}第一方阵与第三方阵指标各${first}项，经研究不奖不罚`;
        await this.#exec(office, 'rewards.DecideConflict', { ...ref, lineId: line.lineId, decision }, story, `decide ${line.unitId}`, why);
      }
    });
    const submit = (day: IsoDate, step: string) =>
      this.#push(this.#at(day, 10), step, async () => {
        const r = await this.#exec(office, 'rewards.SubmitForApproval', ref, story, step, '报请县政府审定');
        listHash = (r.events[0] as ProposalSubmitted).data.listHash;
      });
    submit(this.#wd(figuresIn, 3), 'submit');
    this.#push(this.#at(this.#wd(figuresIn, 4), 10), 'send back', async () => {
      await this.#exec(leader, 'rewards.SendBack', ref, story, 'send-back', '请补充第三方阵单位整改情况说明后重新报送');
    });
    submit(this.#wd(figuresIn, 5), 'resubmit');
    this.#push(this.#at(this.#wd(figuresIn, 6), 10), 'approve', async () => {
      await this.#exec(leader, 'rewards.Approve', { ...ref, listHash }, story, 'approve', '县政府常务会议审定通过');
    });
    this.#push(this.#at(this.#wd(figuresIn, 7), 10), 'publish decisions', async () => {
      await this.#exec(office, 'rewards.Publish', ref, story, 'publish', '公布年度奖惩决定');
    });
  }

  #chooseVariations(): void {
    const rng = this.#rng.fork('variations');
    const scenario = Object.values(this.year.scenario).map((s) => s.indicatorNo);
    const scenarioUnits = new Set(this.plan.indicators.filter((i) => scenario.includes(i.no)).flatMap((i) => i.units));
    const eligible = [...this.people.units.keys()].filter((u) => !scenarioUnits.has(u));
    for (const [kind, months] of Object.entries(VARIATIONS) as [Variation, number[]][]) {
      for (const m of months) {
        const taken = this.#variations.get(m) ?? new Map<string, Variation>();
        const unit = rng.pick(eligible.filter((u) => !taken.has(u)));
        taken.set(unit, kind);
        this.#variations.set(m, taken);
      }
    }
  }

  // Reports ---------------------------------------------------------------------------------------

  #context(unitId: string, period: string): Promise<ReportContext> {
    const key = `${unitId}/${period}`;
    let c = this.#contexts.get(key);
    if (!c) this.#contexts.set(key, (c = this.#reporting.context({ planId: this.plan.id, unitId, period })));
    return c;
  }

  #lines(ctx: ReportContext, rng: Rng, options: { typo?: number; detailed?: boolean } = {}): ReportLine[] {
    return ctx.indicators.map((i) => {
      const ours = this.year.ours(i.no, ctx.period);
      const value = options.typo === i.no ? typoOf(ours.value) : ours.value;
      const line: ReportLine = { indicatorNo: i.no, value, rank: ours.rank, problems: tag(rng.pick(TEXT.problems)), nextSteps: tag(rng.pick(TEXT.nextSteps)) };
      // Lagging as the decider judges it: by the official standing where there is one.
      const official = ctx.standings?.find((x) => x.indicatorNo === i.no);
      if (isLagging(line, i, ctx.warningTiers) || isLagging(line, i, ctx.warningTiers, official)) {
        line.analysis = tag(`${rng.pick(TEXT.analysis)}${options.detailed ? '；已补充量化分析：与全市平均水平对比，差距主要来自重点项目入统进度' : ''}`);
        line.countermeasures = tag(`${rng.pick(TEXT.countermeasures)}${options.detailed ? '；明确责任人和完成时限，每周调度一次' : ''}`);
      } else if (options.detailed) {
        line.problems = tag(`${rng.pick(TEXT.problems)}（已细化：列明具体项目和原因）`);
      }
      return line;
    });
  }

  #scheduleReports(m: number): void {
    const period = this.#month(m);
    const office = this.people.office;
    this.#push(this.#at(this.#workingOnOrAfter(`${period}-01`), 9), `open ${period}`, async () => {
      await Promise.all(
        [...this.people.units.keys()].map(async (unitId) => {
          const context = await this.#context(unitId, period);
          await this.#exec(office, 'reporting.Open', { context }, `report-${period}-${unitId}`, 'open', `${period} 月报开始填报`);
        }),
      );
    });

    const dates = monthlyReportDates(this.plan.monthlyReport, this.plan.calendar, period);
    const dueAt = Date.parse(dates.dueBefore);
    const nextStart = `${this.#month(m + 1)}-01`;
    let onTimeDays = this.#workingDaysBetween(nextStart, dates.lastDay);
    // When the days before the deadline are all holidays, units still report after the month has
    // ended (its figures are "as of month end"): on the last day, holiday or not.
    if (onTimeDays.length === 0) onTimeDays = [dates.lastDay];
    const variations = this.#variations.get(m) ?? new Map<string, Variation>();

    for (const [unitId, who] of this.people.units) {
      const rng = this.#rng.fork(`report-${period}-${unitId}`);
      const kind = variations.get(unitId);
      const story = `report-${period}-${unitId}`;
      const ref = { planId: this.plan.id, unitId, period };
      let submitAt: number;
      if (kind === 'late') {
        const day = this.#workingOnOrAfter(addCalendarDays(this.#day(dueAt), rng.int(0, 2)));
        submitAt = this.#at(day, rng.int(10, 16), rng.int(0, 5) * 10);
      } else {
        submitAt = this.#at(rng.pick(onTimeDays), rng.int(9, 16), rng.int(0, 5) * 10);
      }
      const typo = kind === 'corrected' ? typoIndicator(this.plan, unitId) : undefined;

      this.#push(submitAt - 40 * 60_000, `draft ${story}`, async () => {
        const context = await this.#reporting.context(ref, { standings: true });
        await this.#exec(
          who.reporter,
          'reporting.SaveDraft',
          { context, lines: this.#lines(context, rng, { ...(typo !== undefined ? { typo } : {}) }) },
          story,
          'draft',
          '填写月报',
        );
      });
      if (kind === 'missing') continue;

      const signAt = submitAt + rng.int(60, 180) * 60_000;
      const receiveAt = this.#at(this.#wd(this.#day(signAt), 1), 10, rng.int(0, 5) * 10);
      this.#push(submitAt, `submit ${story}`, async () => {
        await this.#exec(who.reporter, 'reporting.Submit', { context: await this.#context(unitId, period) }, story, 'submit', kind === 'late' ? '逾期报送月报' : '报送月报');
      });
      if (m === 12 && this.#unsigned.has(unitId)) continue; // left for the head to sign (open work)
      this.#push(signAt, `sign ${story}`, () => this.#sign(who.head, ref, story));
      if (m === 12 && this.#unreceived.has(unitId)) continue; // left for the office to receive (open work)
      if (kind === 'returned') {
        this.#push(receiveAt, `return ${story}`, async () => {
          const context = await this.#reporting.context(ref, { standings: true });
          const lagging = this.#lines(context, rng).some((l) => l.analysis);
          await this.#exec(
            office,
            'reporting.Return',
            ref,
            story,
            'return',
            lagging ? '落后指标原因分析不够具体，请补充量化分析和责任措施后重新报送' : '存在问题和下步举措填写过于笼统，请细化后重新报送',
          );
        });
        const again = this.#at(this.#wd(this.#day(receiveAt), 1), 10, 30);
        this.#push(again, `redraft ${story}`, async () => {
          const context = await this.#reporting.context(ref, { standings: true });
          await this.#exec(
            who.reporter,
            'reporting.SaveDraft',
            { context, lines: this.#lines(context, this.#rng.fork(`again-${story}`), { detailed: true }) },
            story,
            'redraft',
            '按推进办意见修改月报',
          );
        });
        this.#push(again + 10 * 60_000, `resubmit ${story}`, async () => {
          await this.#exec(who.reporter, 'reporting.Submit', { context: await this.#context(unitId, period) }, story, 'resubmit', '修改后重新报送');
        });
        this.#push(again + 70 * 60_000, `re-sign ${story}`, () => this.#sign(who.head, ref, story));
        this.#push(this.#at(this.#wd(this.#day(again), 1), 10), `receive ${story}`, () => this.#receive(ref, story).then(() => undefined));
      } else {
        this.#push(receiveAt, `receive ${story}`, () => this.#receive(ref, story).then(() => undefined));
      }
      if (kind === 'corrected' && typo !== undefined) {
        this.#push(this.#at(this.#wd(this.#day(receiveAt), 2), 15), `correct ${story}`, async () => {
          await this.#exec(
            office,
            'reporting.Correct',
            { ...ref, indicatorNo: typo, field: 'value', corrected: this.year.ours(typo, period).value },
            story,
            'correct',
            `经与统计部门核对，第${typo}项指标原报数值小数点错位，予以更正`,
          );
        });
      }
    }
  }

  #workingDaysBetween(from: IsoDate, to: IsoDate): IsoDate[] {
    const out: IsoDate[] = [];
    for (let d = from; d <= to; d = addCalendarDays(d, 1)) if (this.#isWorking(d)) out.push(d);
    return out;
  }

  /** The head signs exactly the content submitted, as the sign page shows it. */
  async #sign(head: Principal, ref: { planId: string; unitId: string; period: string }, story: string): Promise<void> {
    const submitted = (await this.engine.store.readStream(reportStream(ref), { direction: 'backwards' })).find((e) => e.type === 'ReportSubmitted');
    if (!submitted) throw new Error(`no submission of ${story} to sign`);
    await this.#exec(head, 'reporting.Sign', { ...ref, contentHash: (submitted.data as { contentHash: string }).contentHash }, story, 'sign', '单位主要负责人签字盖章');
  }

  #receive(ref: { planId: string; unitId: string; period: string }, story: string): Promise<CommandResult> {
    return this.#exec(this.people.office, 'reporting.Receive', ref, story, 'receive', '推进办签收');
  }

  // Figures ---------------------------------------------------------------------------------------

  /**
   * The county's targets and the previous year's results and ranks, as the office types them in
   * early January (issue 15): so Annex 2's two plan columns are filled and some lines lag behind
   * their target. Targets are set around our synthetic December: about a third just beyond it
   * (those lines are behind target most of the year), the rest within reach. Counts, persons and
   * cases accumulate through the year while a target is the whole year's: compared with a
   * year-to-date figure it would mark the line lagging every month until December, so those lines
   * get a previous-year result but no target until the plan says how a target is pro-rated.
   */
  async #setTargetsAndBaselines(): Promise<void> {
    const rng = this.#rng.fork('plan-targets');
    const last = `${this.#Y}-12`;
    for (const i of this.plan.indicators) {
      const final = this.year.ours(i.no, last).value;
      const cumulative = CUMULATIVE_UNITS.has(i.unitOfMeasure);
      const decimals = cumulative ? 0 : Math.abs(final) < 5 ? 2 : 1;
      const r = (x: number) => Math.round(x * 10 ** decimals) / 10 ** decimals;
      const capped = (x: number) => (i.unitOfMeasure === 'percent' && final <= 100 && final >= 0 ? Math.min(Math.max(x, 0), 100) : x);
      const better = i.direction === 'higher-is-better' ? 1 : -1;
      const baseline = { value: capped(r(final * (0.88 + rng.next() * 0.17) - better * Math.abs(final) * 0.02)), rank: rng.int(1, this.plan.peerGroup.size) };
      await this.#exec(
        this.people.office,
        'plan.SetBaseline',
        { planId: this.plan.id, indicatorNo: i.no, ...baseline },
        'plan',
        `baseline-${i.no}`,
        `录入${this.#Y - 1}年度完成情况及位次（六县市通报）`,
      );
      if (cumulative) continue;
      const stretch = rng.next() < 0.35;
      const margin = Math.abs(final) * (stretch ? 0.03 + rng.next() * 0.05 : 0.08 + rng.next() * 0.1) + (decimals === 2 ? 0.02 : 0.2);
      const target = capped(r(final + (stretch ? better : -better) * margin));
      await this.#exec(
        this.people.office,
        'plan.SetTarget',
        { planId: this.plan.id, indicatorNo: i.no, target },
        'plan',
        `target-${i.no}`,
        `县政府常务会议审定${this.#Y}年度县定目标`,
      );
    }
  }

  async #publishScoringRule(): Promise<void> {
    await this.#exec(
      this.people.office,
      'ranking.PublishScoringRule',
      {
        planId: this.plan.id,
        coefficients: [1, 0.9, 0.8, 0.7, 0.6, 0.5].slice(0, this.plan.peerGroup.size).map((coefficient, i) => ({ rank: i + 1, coefficient })),
        missingRankCoefficient: 0,
        note: tag('第1名得满分，每降一名递减10%；无排名不得分'),
      },
      'scoring',
      'publish',
      '发布综合评分规则',
    );
  }

  async #recordFigures(period: string): Promise<void> {
    await Promise.all(
      this.plan.indicators.map((i) =>
        this.#exec(
          this.people.office,
          'ranking.RecordFigures',
          { planId: this.plan.id, indicatorNo: i.no, period, figures: this.year.firstPublished(i.no, period), source: { kind: 'manual' } },
          `figures-${period}`,
          `record-${i.no}`,
          `录入市统计局公布的${period}六县（市）数据`,
        ),
      ),
    );
  }

  async #peerRevision(): Promise<void> {
    const p = this.year.scenario.peerRevision!;
    const county = this.plan.peerGroup.counties.find((c) => c.id === p.countyId)!.name;
    await this.#exec(
      this.people.office,
      'ranking.RecordFigures',
      { planId: this.plan.id, indicatorNo: p.indicatorNo, period: p.period, figures: [p.after], source: { kind: 'manual' } },
      `figures-${p.period}`,
      `revision-${p.indicatorNo}`,
      `市统计局修订${county}${p.period}数据`,
    );
  }

  // Quarterly assessment --------------------------------------------------------------------------

  #scheduleAssessment(q: number, figuresDay: IsoDate): void {
    // The year's last quarter is left for the office to prepare and publish, and the year-end list to generate (open work).
    if (q === 4 && this.#openWork) return;
    const quarter = `${this.#Y}-Q${q}`;
    const ref = { planId: this.plan.id, quarter };
    const story = `assessment-${quarter}`;
    const office = this.people.office;
    let counts: QuarterPrepared['data']['snapshot']['counts'] | undefined;
    const meetingDay = this.#wd(figuresDay, 2);
    const publishDay = this.#wd(figuresDay, 3);
    this.#push(this.#at(this.#wd(figuresDay, 1), 10), `prepare ${quarter}`, async () => {
      const r = await this.#exec(office, 'assessment.Prepare', ref, story, 'prepare', `准备${quarter}季度评估数据`);
      counts = (r.events[0] as QuarterPrepared).data.snapshot.counts;
    });
    this.#push(this.#at(meetingDay, 16), `meeting ${quarter}`, async () => {
      await this.#exec(
        office,
        'assessment.RecordMeeting',
        {
          ...ref,
          date: meetingDay,
          attendees: this.plan.leadingGroup.members.map((m) => m.name),
          conclusions: tag(
            `领导小组听取${quarter}各责任单位汇报：绿色${counts?.green ?? 0}项、黄色${counts?.yellow ?? 0}项、红色${counts?.red ?? 0}项。总体进度符合预期，短板指标需加力攻坚。`,
          ),
          nextSteps: tag('红色预警指标由督查局跟踪督办，责任单位10个工作日内报送整改方案。'),
          suggestions: tag('加强与市直部门数据会商，提前研判指标走势。'),
        },
        story,
        'meeting',
        `记录${quarter}领导小组季度评估会议`,
      );
    });
    this.#push(this.#at(publishDay, 10), `publish ${quarter}`, async () => {
      await this.#exec(office, 'assessment.Publish', ref, story, 'publish', `发布${quarter}季度评估结果`);
      // Sealed at once: "as presented at the meeting", fixed before anything else is recorded (the
      // quarter-seal reactor then finds the publication sealed); then the reactors answer it.
      await this.#seal(`${quarter} 季度评估发布后封存`);
      await this.#openCases(quarter, publishDay);
    });
  }

  async #seal(occasion: string): Promise<void> {
    await makeSeal(this.engine.store, this.people.office, this.clock.now().toISOString(), demoReason(occasion));
  }

  // Supervision -----------------------------------------------------------------------------------

  /**
   * The supervision reactor answers a published quarter by opening a case per red row and unit, as
   * the system: the demo lets it (the runner catches up, reactors included, on the demo's clock) and
   * reads what it did from its recorded outcomes, to play each new case's script.
   */
  async #openCases(quarter: string, publishDay: IsoDate): Promise<void> {
    const published = (await this.engine.store.readStream(assessmentStream(this.plan.id, quarter))).find((e) => e.type === 'QuarterPublished');
    if (!published) throw new Error(`${quarter} was not published`);
    const snapshot = (published.data as QuarterPublished['data']).snapshot;
    await this.engine.runner.catchUp();
    const reactions = (await this.engine.query(SUPERVISION_REACTOR).list<ReactorOutcome>(REACTOR_OUTCOMES, `${this.plan.id}/${published.id}/`)).map(reactionOf);
    const expected = openingsFor(published).length;
    if (reactions.length !== expected) throw new Error(`the supervision reactor answered ${reactions.length} of ${expected} red rows of ${quarter}`);
    for (const r of reactions) {
      if (r.outcome === 'refused') throw new Error(`the supervision reactor's opening for ${r.unitId} no. ${r.indicatorNo} was refused: ${r.refusal?.message}`);
      this.commands++;
      this.#timersDirty = true;
      if (r.outcome !== 'opened' || r.caseNo === null) continue; // a repeated red linked to a case still open: that case's script goes on
      const ref: CaseRef = { planId: r.planId, unitId: r.unitId, indicatorNo: r.indicatorNo, caseNo: r.caseNo };
      this.#scheduleCase(ref, this.#roleOf(quarter, r.indicatorNo), quarter, publishDay);
    }
    if (!snapshot.rows.some((r) => r.warning === 'red')) this.o.say(`demo: ${quarter} has no red warning`);
  }

  #roleOf(quarter: string, indicatorNo: number): CaseRole {
    if (quarter !== `${this.#Y}-Q1`) return 'generic';
    const s = this.year.scenario;
    if (s.clearedByCorrection?.indicatorNo === indicatorNo) return 'cleared';
    // Improvement shows in May's figures, so only a run that plays May can close it as improved.
    if (s.improved?.indicatorNo === indicatorNo && this.o.months >= 5) return 'improved';
    if (s.publicNotice?.indicatorNo === indicatorNo) return 'notice';
    if (s.admonitoryTalk?.indicatorNo === indicatorNo) return 'talk';
    return 'generic';
  }

  #scheduleCase(ref: CaseRef, role: CaseRole, quarter: string, D: IsoDate): void {
    const unit = this.people.units.get(ref.unitId)!;
    const supervisor = this.people.supervisor;
    const story = `case-${ref.unitId}-${ref.indicatorNo}-${ref.caseNo}`;
    const rng = this.#rng.fork(story);
    const name = this.plan.indicators.find((i) => i.no === ref.indicatorNo)!.name;
    const step = (at: number, label: string, actor: Principal, type: string, data: object, reason: string) =>
      this.#push(at, `${label} ${story}`, async () => {
        await this.#exec(actor, type, { ...ref, ...data }, story, label, reason);
      });
    const ack = (day: IsoDate, hour = 10) =>
      step(this.#at(day, hour, rng.int(0, 5) * 10), 'acknowledge', unit.head, 'supervision.Acknowledge', { note: tag('已收悉，由分管负责同志牵头整改') }, '确认督查事项');
    const plan = (day: IsoDate, rectifyBy: IsoDate) =>
      step(
        this.#at(day, 15),
        'plan',
        unit.reporter,
        'supervision.SubmitRectificationPlan',
        { plan: tag(`针对“${name}”红色预警，成立专班，逐月调度，力争下季度退出红色`), rectifyBy },
        '报送整改方案',
      );
    const reviewPlan = (day: IsoDate) =>
      step(this.#at(day, 10), 'review-plan', supervisor, 'supervision.Review', { decision: 'accept', comment: tag('整改方案可行，按期落实') }, '审核整改方案');
    const feedback = (day: IsoDate, label = 'feedback') =>
      step(this.#at(day, 16), label, unit.reporter, 'supervision.SubmitFeedback', { feedback: tag(`“${name}”整改措施已落实，相关项目已入统，指标逐月回升`) }, '报送整改反馈');
    const accept = (day: IsoDate) => step(this.#at(day, 10), 'review', supervisor, 'supervision.Review', { decision: 'accept', comment: tag('整改到位') }, '审核整改反馈');
    const close = (day: IsoDate, reason: 'rectification-accepted' | 'warning-improved' | 'cleared-by-correction', text: string) =>
      step(this.#at(day, 11), 'close', supervisor, 'supervision.Close', { reason, text: tag(text) }, text);
    const report = (day: IsoDate) =>
      step(
        this.#at(day, 15),
        'report',
        supervisor,
        'supervision.ReportToLeaders',
        { summary: tag(`${this.plan.units.find((u) => u.id === ref.unitId)!.shortName}“${name}”${quarter}红色预警督查已办结`) },
        '向县领导报告督查结果',
      );
    const routine = (planDay: IsoDate, rectifyDays: number) => {
      const rectifyBy = addCalendarDays(planDay, rectifyDays);
      plan(planDay, rectifyBy);
      reviewPlan(this.#wd(planDay, 1));
      const fb = this.#wd(rectifyBy, -2);
      feedback(fb);
      const done = this.#wd(fb, 2);
      accept(done);
      close(done, 'rectification-accepted', '整改反馈经审核通过，予以结案');
      return done;
    };

    if (role === 'generic' && this.#openWork && quarter === `${this.#Y}-Q3` && this.#openCaseCount < 4) {
      // Four of the third quarter's cases are still under way when the demo stops, each waiting
      // for someone else: the supervisor to review a plan, the unit to send its feedback, the
      // supervisor to review it, the supervisor to close the case (结案). Their rectification runs
      // past the demo's date, so none of them is overdue for it.
      const at = this.#openCaseCount++;
      const E = this.#figuresDay(12);
      ack(this.#wd(D, 1));
      const planDay = this.#wd(D, 4);
      plan(planDay, addCalendarDays(E, 30));
      if (at === 0) return; // the plan waits for the supervisor's review
      reviewPlan(this.#wd(planDay, 1));
      if (at === 1) return; // rectifying: the feedback is due after the demo's date
      feedback(this.#wd(E, -3));
      if (at === 2) return; // the feedback waits for the supervisor's review
      accept(this.#wd(E, -1));
      return; // reviewed and accepted: the supervisor may close it (结案)
    }
    switch (role) {
      case 'generic': {
        ack(this.#wd(D, 1));
        const done = routine(this.#wd(D, 4), 30);
        if (rng.next() < 0.5) report(done);
        return;
      }
      case 'notice': {
        // Nobody acknowledges in time: the reminder and the overdue step come from the timers.
        const late = this.#wd(D, 4);
        step(this.#at(late, 10), 'escalate', supervisor, 'supervision.Escalate', { kind: 'public-notice' }, '逾期未确认督查事项，予以通报');
        ack(late, 15);
        report(routine(this.#wd(D, 6), 30));
        return;
      }
      case 'talk': {
        ack(this.#wd(D, 1));
        const planDay = this.#wd(D, 3);
        const rectifyBy = addCalendarDays(planDay, 25);
        plan(planDay, rectifyBy);
        reviewPlan(this.#wd(planDay, 1));
        const fb = this.#wd(rectifyBy, -4);
        feedback(fb);
        const back = this.#wd(fb, 1);
        step(
          this.#at(back, 10),
          'request-more',
          supervisor,
          'supervision.Review',
          { decision: 'request-more', comment: tag('整改反馈流于形式，缺少量化成效，请补充') },
          '整改反馈退回补充',
        );
        step(this.#at(back, 11), 'escalate', supervisor, 'supervision.Escalate', { kind: 'admonitory-talk' }, '整改不力，约谈单位主要负责人');
        feedback(this.#wd(fb, 3), 'feedback-again');
        accept(this.#wd(fb, 4));
        close(this.#wd(fb, 4), 'rectification-accepted', '约谈后整改到位，予以结案');
        report(this.#wd(fb, 4));
        return;
      }
      case 'cleared': {
        ack(this.#wd(D, 1));
        const c = this.year.scenario.clearedByCorrection!;
        const day = this.#wd(D, 5);
        this.#push(this.#at(day, 10), `correct figures ${story}`, () => this.#correctOurFigures(ref, c));
        close(this.#wd(D, 6), 'cleared-by-correction', '叶县数据更正后该指标不再为红色预警，予以销号');
        report(this.#wd(D, 6));
        return;
      }
      case 'improved': {
        ack(this.#wd(D, 1));
        const planDay = this.#wd(D, 4);
        plan(planDay, addCalendarDays(planDay, 75));
        reviewPlan(this.#wd(planDay, 1));
        // May's figures (published mid-June) show the indicator yellow.
        close(this.#wd(this.#figuresDay(5), 2), 'warning-improved', '5月该指标升至第3名（黄色），预警好转，予以结案');
        report(this.#wd(this.#figuresDay(5), 2));
        return;
      }
    }
  }

  /** Our county's Q1 and March figures were entered wrongly: the office corrects them, and the unit's March report with them. */
  async #correctOurFigures(ref: CaseRef, c: NonNullable<SyntheticYear['scenario']['clearedByCorrection']>): Promise<void> {
    const story = `correction-${ref.indicatorNo}`;
    const why = `经与市统计局核对，叶县第${ref.indicatorNo}项指标一季度数据录入有误，予以更正`;
    for (const period of c.periods) {
      await this.#exec(
        this.people.office,
        'ranking.CorrectFigure',
        { planId: this.plan.id, indicatorNo: ref.indicatorNo, period, countyId: this.year.ourCountyId, corrected: { value: c.corrected, rank: null } },
        story,
        `figure-${period}`,
        why,
      );
    }
    const march = { planId: this.plan.id, unitId: ref.unitId, period: `${this.#Y}-03` };
    const report = await this.engine.store.readStream(reportStream(march));
    if (report.some((e) => e.type === 'ReportReceived')) {
      await this.#exec(this.people.office, 'reporting.Correct', { ...march, indicatorNo: ref.indicatorNo, field: 'value', corrected: c.corrected }, story, 'report-value', why);
      await this.#exec(this.people.office, 'reporting.Correct', { ...march, indicatorNo: ref.indicatorNo, field: 'rank', corrected: 4 }, story, 'report-rank', why);
    }
  }

  // Progress --------------------------------------------------------------------------------------

  /** A line for each simulated month the clock leaves. */
  async #progressTo(at: number, last = false): Promise<void> {
    const month = this.#day(at).slice(0, 7);
    if (this.#progressMonth === undefined) this.#progressMonth = month;
    if (month === this.#progressMonth && !last) return;
    const tally = await this.#readProgress();
    const n = (t: string) => tally.types[t] ?? 0;
    const parts = [
      n('ReportOpened') && `${n('ReportOpened')} reports opened`,
      n('ReportSubmitted') && `${n('ReportSubmitted')} submitted (${tally.late} late)`,
      n('ReportReceived') && `${n('ReportReceived')} received`,
      n('ReportReturned') && `${n('ReportReturned')} returned`,
      n('ReportOverdue') && `${n('ReportOverdue')} overdue`,
      n('FigureCorrected') && `${n('FigureCorrected')} corrected`,
      n('PeerFiguresRecorded') && `${n('PeerFiguresRecorded')} peer figures`,
      n('StandingChanged') && `${n('StandingChanged')} standing changes`,
      n('QuarterPublished') && `quarter published`,
      n('CaseOpened') && `${n('CaseOpened')} cases opened`,
      n('CaseEscalated') && `${n('CaseEscalated')} escalated`,
      n('CaseClosed') && `${n('CaseClosed')} closed`,
      n('ProposalApproved') && `year-end list approved`,
      n('SealRecorded') && `${n('SealRecorded')} seal(s)`,
    ].filter(Boolean);
    const seconds = ((Date.now() - this.#progressStarted) / 1000).toFixed(1);
    this.o.say(`demo: ${this.#progressMonth} │ ${parts.join(' · ') || 'nothing due'} │ ${tally.events} events, ${seconds} s`);
    this.#progressMonth = month;
  }

  /** Reads the log since the last progress line; adds it to the run's counts. */
  async #readProgress(): Promise<{ types: Record<string, number>; events: number; late: number }> {
    const types: Record<string, number> = {};
    let events = 0;
    let late = 0;
    this.#progressAt = await readToHead(this.engine.store, this.#progressAt, (page) => {
      for (const e of page) {
        events++;
        types[e.type] = (types[e.type] ?? 0) + 1;
        this.#counts[e.type] = (this.#counts[e.type] ?? 0) + 1;
        if (e.type === 'ReportSubmitted' && (JSON.parse(e.data) as { late: unknown }).late) late++;
      }
    });
    return { types, events, late };
  }
}

/** A slip of the decimal point, which the office later corrects (0 would not change). */
function typoOf(value: number): number {
  return value === 0 ? 1 : Math.round(value * 10 * 100) / 100;
}

/** The unit's first indicator: the one whose figure the demo's typo hits. */
function typoIndicator(plan: PlanDefinition, unitId: string): number | undefined {
  return plan.indicators.find((i) => i.units.includes(unitId))?.no;
}
