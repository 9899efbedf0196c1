import { Injectable } from '@nestjs/common';
import { DomainError } from '../../engine/commands/command.js';
import { readHeadsToHead, type RecordedEvent } from '../../engine/event-store/event-store.js';
import type { ReadAt } from '../../engine/nest/cqrs.js';
import { Engine } from '../../engine/nest/engine.js';
import { readStreamsAsOf } from '../../engine/projections/as-of.js';
import { MemoryDocs } from '../../engine/projections/docs.js';
import { ProjectionTimeoutError } from '../../engine/projections/projection-runner.js';
import type { PlanDefinition } from '../plan/plan-file.js';
import { PlanService } from '../plan/plan.service.js';
import type { NotificationRecipient, QuarterSnapshot } from './assessment.events.js';
import { buildSnapshot, parseQuarter, quarterFiguresFold, quarterStreams } from './quarter-figures.js';

const HEAD_TIMEOUT_MS = 10_000;

/**
 * Where a quarter's facts come from: the plan (the quarter checked against it, the recipients) and
 * the ranking events (the quarter's figures, folded afresh). The command handler and the queries
 * ask it; it decides nothing.
 */
@Injectable()
export class AssessmentService {
  constructor(
    private readonly engine: Engine,
    private readonly plans: PlanService,
  ) {}

  /** The plan, once the quarter is checked to be one of its year's. */
  async plan(planId: string, quarter: string): Promise<PlanDefinition> {
    const plan = await this.plans.get(planId);
    const q = parseQuarter(quarter);
    if (!q || q.year !== plan.year) {
      throw new DomainError('quarter-outside-plan', `${quarter} is not a quarter of plan ${plan.id} (${plan.year}-Q1 … ${plan.year}-Q4)`, {
        params: { quarter, year: plan.year },
        status: 422,
        fields: [{ field: 'quarter', message: 'YYYY-Qn within the plan’s year' }],
      });
    }
    return plan;
  }

  /**
   * "As known now" (or at `at.asOf`): reads the quarter's streams, waits until the global order has
   * passed every event they hold (on PostgreSQL a just-committed event reaches readers of the
   * global order a moment later) and at least `at.minPosition`, then folds, with the fold's
   * projection code, exactly the events at or below that position: the snapshot is what the store
   * held at asOfPosition, whenever it is re-derived from it. Returns the events folded, in global
   * order, for the diff.
   */
  async known(plan: PlanDefinition, quarter: string, at: ReadAt = {}): Promise<{ snapshot: QuarterSnapshot; events: RecordedEvent[] }> {
    const store = this.engine.store;
    const streams = quarterStreams(
      plan.id,
      plan.indicators.map((i) => i.no),
      quarter,
    );
    const read = await readStreamsAsOf(store, at.asOf, streams);
    let atLeast = at.minPosition;
    const last = read.at(-1)?.position;
    if (last !== undefined && (atLeast === undefined || store.comparePositions(last, atLeast) > 0)) atLeast = last;
    const head = await this.#headPosition(atLeast);
    const position = at.asOf?.position !== undefined && store.comparePositions(at.asOf.position, head) < 0 ? at.asOf.position : head;
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
}

/** Every responsible unit (those owning at least one indicator), then every member of the leading group. */
export function recipientsOf(plan: PlanDefinition): NotificationRecipient[] {
  const responsible = new Set(plan.indicators.flatMap((i) => i.units));
  return [
    ...plan.units.filter((u) => responsible.has(u.id)).map((u): NotificationRecipient => ({ kind: 'unit', unitId: u.id, name: u.name })),
    ...plan.leadingGroup.members.map((m): NotificationRecipient => ({ kind: 'leader', name: m.name, title: m.title })),
  ];
}
