import { Injectable } from '@nestjs/common';
import { deepFreeze } from '../../engine/deep-freeze.js';
import { DomainError, type DomainEvent } from '../../engine/commands/command.js';
import type { FactsReader } from '../../engine/commands/command-executor.js';
import { Engine } from '../../engine/nest/engine.js';
import type { PlanDefinition } from '../plan/plan-file.js';
import { candidatePeriods, firstDayOf, next, parseMonth } from '../plan/period.js';
import { localMidnightToUtc, monthlyReportDates } from '../plan/working-calendar.js';
import { PlanService } from '../plan/plan.service.js';
import { figuresStream, type StandingChanged } from '../ranking/ranking.events.js';
import type { OfficialStanding } from './report-content.js';
import type { ReportContext } from './reporting.decider.js';
import type { ReportRef } from './reporting.events.js';

/**
 * How a report gets its plan facts: the unit's indicators, targets, warning tiers and deadlines,
 * read from the plan as it stands. The command handler and the queries ask it; it decides nothing.
 */
@Injectable()
export class ReportingService {
  readonly #standings = new Map<string, { revision: number; last: StandingChanged | undefined }>();

  constructor(
    private readonly plans: PlanService,
    private readonly engine: Engine,
  ) {}

  /**
   * The plan's facts for one report: the unit's indicators, targets, warning tiers and deadlines;
   * with `standings`, also our county's official standing per indicator (drafts, submissions and
   * the template; opening a month does not need them).
   */
  async context(ref: ReportRef, options: { standings?: boolean; facts?: FactsReader } = {}): Promise<ReportContext> {
    const { plan } = await this.plans.getWithTiers(ref.planId, options.facts);
    const { context, streams } = planContext(plan, ref);
    return options.standings ? { ...context, standings: await this.#standingsOf(ref, context.indicators, streams, options.facts) } : context;
  }

  /**
   * Our county's latest known standing for each indicator and the report's month: the month's own
   * figures, else the latest earlier ranking period of the year that has them. Read from the ranking
   * workflow's published streams (never a projection, which may lag), so the decision is made on
   * what the county knows when the command arrives. A command passes its `facts`: the streams'
   * revisions are then facts of its decision, taken from what this process knows of them where it
   * can (the append checks them).
   */
  async standings(ref: ReportRef, indicatorNos: readonly number[], facts?: FactsReader): Promise<OfficialStanding[]> {
    const periods = candidatePeriods(ref.period);
    const streams = indicatorNos.flatMap((no) => periods.map((period) => figuresStream(ref.planId, no, period)));
    return this.#standingsOf(
      ref,
      indicatorNos.map((no) => ({ no })),
      streams,
      facts,
    );
  }

  /** standings() on the candidate streams already named (`streams`: each indicator's candidate periods in turn). */
  async #standingsOf(ref: ReportRef, indicators: readonly { no: number }[], streams: readonly string[], facts?: FactsReader): Promise<OfficialStanding[]> {
    const periods = candidatePeriods(ref.period);
    // Every candidate stream's revision in one question to the store; most streams are empty.
    const revisions = facts ? await facts.revisions(streams) : await this.engine.store.revisions(streams);
    const found = await Promise.all(
      indicators.map(async ({ no: indicatorNo }, i) => {
        for (const [j, period] of periods.entries()) {
          const k = i * periods.length + j;
          const last = await this.#lastStanding(streams[k]!, revisions[k]!);
          if (last) return { indicatorNo, period, rank: last.data.rank.to, warning: last.data.warning.to };
        }
        return null;
      }),
    );
    return found.filter((s): s is OfficialStanding => s !== null);
  }

  /**
   * A figures stream's last standing, read again only when the stream has moved (`revision`, just
   * asked of the store): a draft asks for up to 15 candidate periods of each of its indicators, and
   * most are unchanged since the last draft.
   */
  async #lastStanding(streamId: string, revision: number): Promise<StandingChanged | undefined> {
    if (revision < 0) return undefined;
    const kept = this.#standings.get(streamId);
    if (kept?.revision === revision) return kept.last;
    const events = await this.engine.store.readStream(streamId);
    const last = lastStanding(events);
    this.#standings.delete(streamId);
    this.#standings.set(streamId, { revision: events.at(-1)?.revision ?? -1, last });
    if (this.#standings.size > 5000) this.#standings.delete(this.#standings.keys().next().value!);
    return last;
  }

  /** The units that report for a month of the plan (checked). */
  async unitsReporting(planId: string, period: string): Promise<string[]> {
    const plan = await this.plans.get(planId);
    checkMonth(plan, period);
    return plan.units.map((u) => u.id);
  }
}

/** A month's deadlines, the same for every unit's report: due before `dueAt`, reminded at `reminderAt`. */
export interface ReportDates {
  dueAt: string;
  reminderAt: string;
  /** Local midnight starting the next month: the figures are "as of month end". */
  periodEndsAt: string;
}

function lastStanding(events: readonly DomainEvent[]): StandingChanged | undefined {
  return [...events].reverse().find((e): e is StandingChanged => e.type === 'StandingChanged');
}

function checkMonth(plan: PlanDefinition, period: string): void {
  if (parseMonth(period)?.year !== plan.year) {
    throw new DomainError('period-outside-plan', `${period} is not a month of plan ${plan.id} (${plan.year}-01 … ${plan.year}-12)`, {
      params: { period, year: plan.year },
      status: 422,
    });
  }
}

function unitOf(plan: PlanDefinition, unitId: string): PlanDefinition['units'][number] {
  const unit = plan.units.find((u) => u.id === unitId);
  if (!unit) throw new DomainError('unit-not-found', `plan ${plan.id} has no responsible unit ${unitId}`, { params: { planId: plan.id, unitId }, status: 404 });
  return unit;
}

/** A report's plan facts and its standings' candidate streams, per plan (as published or revised) and report. */
interface PlanContext {
  context: ReportContext;
  streams: readonly string[];
}
const planContexts = new WeakMap<PlanDefinition, Map<string, PlanContext>>();
/** Reports (unit × month) kept per plan: a plan has a few dozen units and twelve months. */
const MAX_CONTEXTS_PER_PLAN = 2_000;

/**
 * The plan's facts for one report (checked: the month is the plan's, the unit is one of its), and
 * the figures streams its standings are read from. Every draft and submission asks: they are worked
 * out once per plan object — the plan service keeps one per revision of the plan stream, so a
 * revision (new targets, tiers or calendar) gives a new object and new answers — and frozen, so no
 * command or query can change what the next one is given.
 */
function planContext(plan: PlanDefinition, ref: ReportRef): PlanContext {
  let byReport = planContexts.get(plan);
  if (!byReport) planContexts.set(plan, (byReport = new Map()));
  const key = `${ref.planId}\n${ref.unitId}\n${ref.period}`;
  let known = byReport.get(key);
  if (!known) {
    checkMonth(plan, ref.period);
    unitOf(plan, ref.unitId); // an unknown unit is a 404 before the deadlines are worked out
    const context = contextFor(plan, reportDates(plan, ref.period), { planId: ref.planId, unitId: ref.unitId, period: ref.period });
    const periods = candidatePeriods(ref.period);
    const streams = context.indicators.flatMap((i) => periods.map((period) => figuresStream(ref.planId, i.no, period)));
    known = deepFreeze({ context, streams });
    if (byReport.size >= MAX_CONTEXTS_PER_PLAN) byReport.delete(byReport.keys().next().value!);
    byReport.set(key, known);
  }
  return known;
}

/** The deadlines of a month of the plan (checked by the caller) under its monthly report rule and working calendar. */
export function reportDates(plan: PlanDefinition, period: string): ReportDates {
  const dates = monthlyReportDates(plan.monthlyReport, plan.calendar, period);
  // The reminder goes out at 09:00 local time on its day.
  const reminderAt = new Date(Date.parse(localMidnightToUtc(dates.reminderOn, plan.monthlyReport.timeZone)) + 9 * 3600_000).toISOString();
  const periodEndsAt = localMidnightToUtc(firstDayOf(next(parseMonth(period)!)), plan.monthlyReport.timeZone);
  return { dueAt: dates.dueBefore, reminderAt, periodEndsAt };
}

/** The plan's facts for one report, given its month's deadlines (pure): the unit's indicators, targets and warning tiers. */
export function contextFor(plan: PlanDefinition, dates: ReportDates, ref: ReportRef): ReportContext {
  const unit = unitOf(plan, ref.unitId);
  return {
    ...ref,
    unitName: unit.name,
    indicators: plan.indicators
      .filter((i) => i.units.includes(unit.id))
      .map((i) => ({ no: i.no, name: i.name, kind: i.kind, direction: i.direction, unitOfMeasure: i.unitOfMeasure, target: i.target })),
    warningTiers: plan.warningTiers.map(({ tier, fromRank, toRank }) => ({ tier, fromRank, toRank })),
    dueAt: dates.dueAt,
    reminderAt: dates.reminderAt,
    ...(dates.periodEndsAt ? { periodEndsAt: dates.periodEndsAt } : {}),
  };
}
