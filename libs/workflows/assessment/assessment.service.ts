import { Injectable } from '@nestjs/common';
import { DomainError, type Command } from '../../engine/commands/command.js';
import { executeCommand, type CommandResult, type ExecuteOptions } from '../../engine/commands/command-executor.js';
import { readHeadsToHead, type RecordedEvent } from '../../engine/event-store/event-store.js';
import { Engine } from '../../engine/nest/engine.js';
import { foldAsOf, readStreamsAsOf, type AsOf } from '../../engine/projections/as-of.js';
import { MemoryDocs } from '../../engine/projections/docs.js';
import { ProjectionTimeoutError } from '../../engine/projections/projection-runner.js';
import type { PlanDefinition } from '../plan/plan-file.js';
import { PlanService } from '../plan/plan.service.js';
import { ASSESSMENT_COMMANDS, assessmentDecider, type AssessmentCommand, type MeetingInput, type QuarterRef } from './assessment.decider.js';
import { assessmentStream, type NotificationRecipient, type QuarterSnapshot } from './assessment.events.js';
import { ASSESSMENT_PROJECTION, assessmentProjection, quarterKey, type QuarterView } from './assessment.projection.js';
import { buildSnapshot, diffSnapshots, parseQuarter, quarterFiguresFold, quarterStreams, type SnapshotDiff } from './quarter-figures.js';

const HEAD_TIMEOUT_MS = 10_000;

/** What callers send: the handler adds the snapshot (Prepare) and the recipients (Publish). */
export type AssessmentRequest =
  | Command<'assessment.Prepare', QuarterRef>
  | Command<'assessment.RecordMeeting', QuarterRef & MeetingInput>
  | Command<'assessment.Publish', QuarterRef>;

/** The quarterly assessment's handler: fold the quarter's figures or look up the plan, then load, decide, append. */
@Injectable()
export class AssessmentService {
  constructor(
    private readonly engine: Engine,
    private readonly plans: PlanService,
  ) {
    engine.registerProjections(assessmentProjection);
    engine.registerCommands(ASSESSMENT_COMMANDS, (c, o) => this.handle(c as AssessmentRequest, o));
  }

  async handle(request: AssessmentRequest, options?: ExecuteOptions): Promise<CommandResult> {
    const { planId, quarter } = request.data;
    const plan = await this.#plan(planId, quarter);
    const ref = { planId, quarter };
    let command: AssessmentCommand;
    switch (request.type) {
      case 'assessment.Prepare':
        command = { ...request, data: { ...ref, snapshot: (await this.#known(plan, quarter)).snapshot } };
        break;
      case 'assessment.Publish':
        command = { ...request, data: { ...ref, recipients: recipientsOf(plan) } };
        break;
      default:
        command = request;
    }
    return executeCommand(this.engine.store, assessmentDecider, assessmentStream(planId, quarter), command, options);
  }

  /** The quarter's workflow view: prepared, meeting, published, every step. */
  async view(planId: string, quarter: string, asOf?: AsOf, minPosition?: string): Promise<QuarterView | undefined> {
    await this.#plan(planId, quarter);
    return this.#view(planId, quarter, asOf, minPosition);
  }

  /** "As presented at the meeting": the frozen snapshot, exactly as published. */
  async published(planId: string, quarter: string, asOf?: AsOf, minPosition?: string): Promise<NonNullable<QuarterView['published']>> {
    await this.#plan(planId, quarter);
    return this.#published(planId, quarter, asOf, minPosition);
  }

  /** "As known now" (or at asOf): the same snapshot shape, folded from the ranking events afresh. */
  async known(planId: string, quarter: string, asOf?: AsOf, minPosition?: string): Promise<QuarterSnapshot> {
    return (await this.#known(await this.#plan(planId, quarter), quarter, asOf, minPosition)).snapshot;
  }

  /** The published snapshot against the quarter as known now (or at asOf), with the events that moved each changed row. */
  async diff(planId: string, quarter: string, asOf?: AsOf, minPosition?: string): Promise<SnapshotDiff> {
    const plan = await this.#plan(planId, quarter);
    const presented = (await this.#published(planId, quarter, asOf)).snapshot;
    const { snapshot: now, events } = await this.#known(plan, quarter, asOf, minPosition);
    const store = this.engine.store;
    const later = events.filter((e) => store.comparePositions(e.position, presented.asOfPosition) > 0 && store.comparePositions(e.position, now.asOfPosition) <= 0);
    return diffSnapshots(presented, now, later);
  }

  /** view() once the quarter is checked against the plan. */
  async #view(planId: string, quarter: string, asOf?: AsOf, minPosition?: string): Promise<QuarterView | undefined> {
    if (asOf) {
      const docs = await foldAsOf(this.engine.store, assessmentProjection, asOf, [assessmentStream(planId, quarter)]);
      return docs.get<QuarterView>('quarters', quarterKey(planId, quarter));
    }
    await this.engine.waitFor(minPosition, [ASSESSMENT_PROJECTION]);
    return this.engine.query(ASSESSMENT_PROJECTION).get<QuarterView>('quarters', quarterKey(planId, quarter));
  }

  /** published() once the quarter is checked against the plan. */
  async #published(planId: string, quarter: string, asOf?: AsOf, minPosition?: string): Promise<NonNullable<QuarterView['published']>> {
    const view = await this.#view(planId, quarter, asOf, minPosition);
    if (!view?.published) {
      throw new DomainError('quarter-not-published', `${quarter} ${asOf ? 'had not been published by then' : 'has not been published yet'}`, { status: 404 });
    }
    return view.published;
  }

  /**
   * Reads the quarter's streams, waits until the global order has passed every event they hold (on
   * PostgreSQL a just-committed event reaches readers of the global order a moment later), then
   * folds, with the fold's projection code, exactly the events at or below that position: the
   * snapshot is what the store held at asOfPosition, whenever it is re-derived from it. Returns the
   * events folded, in global order, for the diff.
   */
  async #known(plan: PlanDefinition, quarter: string, asOf?: AsOf, minPosition?: string): Promise<{ snapshot: QuarterSnapshot; events: RecordedEvent[] }> {
    const store = this.engine.store;
    const streams = quarterStreams(plan.id, plan.indicators.map((i) => i.no), quarter);
    const read = await readStreamsAsOf(store, asOf, streams);
    let atLeast = minPosition;
    const last = read.at(-1)?.position;
    if (last !== undefined && (atLeast === undefined || store.comparePositions(last, atLeast) > 0)) atLeast = last;
    const head = await this.#headPosition(atLeast);
    const position = asOf?.position !== undefined && store.comparePositions(asOf.position, head) < 0 ? asOf.position : head;
    const events = read.filter((e) => store.comparePositions(e.position, position) <= 0);
    const ours = plan.peerGroup.counties.find((c) => c.ours)!.id;
    const docs = await new MemoryDocs().fold(events, quarterFiguresFold(ours));
    const indicators = plan.indicators.map((i) => ({ no: i.no, name: i.name, points: i.points, units: i.units }));
    return { snapshot: await buildSnapshot(docs, { planId: plan.id, quarter, indicators, asOfPosition: position }), events };
  }

  /**
   * A position in the global order that readers of it have reached — no event below it can still
   * appear — at or past the head as it stood when called, and at least `atLeast` (waits for it).
   * Walks only the events' heads, from the projections' checkpoints, which are near the head.
   */
  async #headPosition(atLeast?: string): Promise<string> {
    const store = this.engine.store;
    let from: string | undefined;
    for (const s of this.engine.runner.status()) {
      if (s.checkpoint !== undefined && (from === undefined || store.comparePositions(s.checkpoint, from) > 0)) from = s.checkpoint;
    }
    const deadline = Date.now() + HEAD_TIMEOUT_MS;
    for (;;) {
      // Past the deadline this throws ReaderHorizonTimeoutError: 503, as the wait for atLeast below.
      from = await readHeadsToHead(store, from, () => {}, { timeoutMs: Math.max(0, deadline - Date.now()) });
      if (atLeast === undefined || (from !== undefined && store.comparePositions(from, atLeast) >= 0)) break;
      if (Date.now() > deadline) throw new ProjectionTimeoutError(`the global order did not reach position ${atLeast} in time`);
      await new Promise((r) => setTimeout(r, 10));
    }
    if (from === undefined) throw new DomainError('store-empty', 'nothing has been recorded yet', { status: 404 });
    return from;
  }

  async #plan(planId: string, quarter: string): Promise<PlanDefinition> {
    const plan = await this.plans.get(planId);
    const q = parseQuarter(quarter);
    if (!q || q.year !== plan.year) {
      throw new DomainError('quarter-outside-plan', `${quarter} is not a quarter of plan ${plan.id} (${plan.year}-Q1 … ${plan.year}-Q4)`, {
        status: 422,
        fields: [{ field: 'quarter', message: 'YYYY-Qn within the plan’s year' }],
      });
    }
    return plan;
  }
}

/** Every responsible unit (those owning at least one indicator), then every member of the leading group. */
export function recipientsOf(plan: PlanDefinition): NotificationRecipient[] {
  const responsible = new Set(plan.indicators.flatMap((i) => i.units));
  return [
    ...plan.units.filter((u) => responsible.has(u.id)).map((u): NotificationRecipient => ({ kind: 'unit', unitId: u.id, name: u.name })),
    ...plan.leadingGroup.members.map((m): NotificationRecipient => ({ kind: 'leader', name: m.name, title: m.title })),
  ];
}
