import { Injectable } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError, ForbiddenError, type Principal } from '../../engine/commands/command.js';
import { ProjectionQuery, type ReadAt } from '../../engine/nest/cqrs.js';
import { Engine } from '../../engine/nest/engine.js';
import { hasRole, mayReadUnit } from '../access/access.js';
import { assessmentStream, type QuarterSnapshot } from './assessment.events.js';
import { assessmentProjection, quarterKey, type NotificationView, type QuarterView } from './assessment.projection.js';
import { AssessmentService } from './assessment.service.js';
import { PlanService } from '../plan/plan.service.js';
import { diffSnapshots, type SnapshotDiff } from './quarter-figures.js';

// The reads of a quarter's assessment, each a query on the QueryBus with its handler: the workflow
// view and the notifications from the assessment projection; "as known" and the diff re-derived from
// the ranking events.

/** The quarter's workflow view: prepared, meeting, published, every step. */
export class GetQuarter extends ProjectionQuery<QuarterView> {
  constructor(
    readonly planId: string,
    readonly quarter: string,
    at: ReadAt = {},
  ) {
    super(at);
  }
}

export type PublishedQuarter = NonNullable<QuarterView['published']>;

/** "As presented at the meeting": the frozen snapshot, exactly as published. */
export class GetPublishedQuarter extends ProjectionQuery<PublishedQuarter> {
  constructor(
    readonly planId: string,
    readonly quarter: string,
    at: ReadAt = {},
  ) {
    super(at);
  }
}

export type KnownQuarter = QuarterSnapshot & { asOf?: string };

/** "As known now" (or at `at.asOf`): the same snapshot shape, folded from the ranking events afresh. */
export class GetKnownQuarter extends ProjectionQuery<KnownQuarter> {
  constructor(
    readonly planId: string,
    readonly quarter: string,
    at: ReadAt = {},
  ) {
    super(at);
  }
}

export type QuarterDiff = SnapshotDiff & { asOf?: string };

/** The published snapshot against the quarter as known now (or at `at.asOf`), with the events that moved each changed row. */
export class GetQuarterDiff extends ProjectionQuery<QuarterDiff> {
  constructor(
    readonly planId: string,
    readonly quarter: string,
    at: ReadAt = {},
  ) {
    super(at);
  }
}

/** A unit's dashboard: the published quarters it was notified of, with its own rows. */
export class GetUnitNotifications extends ProjectionQuery<{ planId: string; unitId: string; notifications: NotificationView[] }> {
  constructor(
    readonly reader: Principal,
    readonly planId: string,
    readonly unitId: string,
    at: ReadAt = {},
  ) {
    super(at);
  }
}

/** What the county leaders were sent: each published quarter, with every row. */
export class GetLeaderNotifications extends ProjectionQuery<{ planId: string; notifications: NotificationView[] }> {
  constructor(
    readonly reader: Principal,
    readonly planId: string,
    at: ReadAt = {},
  ) {
    super(at);
  }
}

/** The quarter's view (checked against the plan by the caller), as known at `at`. */
async function quarterView(engine: Engine, planId: string, quarter: string, at: ReadAt): Promise<QuarterView | undefined> {
  const docs = await engine.docs(assessmentProjection, at, () => [assessmentStream(planId, quarter)]);
  return docs.get<QuarterView>('quarters', quarterKey(planId, quarter));
}

async function publishedOf(engine: Engine, planId: string, quarter: string, at: ReadAt): Promise<PublishedQuarter> {
  const view = await quarterView(engine, planId, quarter, at);
  if (!view?.published) {
    throw new DomainError('quarter-not-published', `${quarter} ${at.asOf ? 'had not been published by then' : 'has not been published yet'}`, { params: { quarter }, status: 404 });
  }
  return view.published;
}

/** The notifications sent to recipients whose key starts with `recipientPrefix`, as they stand now (after `at.minPosition`). */
async function notifications(engine: Engine, planId: string, recipientPrefix: string, at: ReadAt): Promise<NotificationView[]> {
  const docs = await engine.docs(assessmentProjection, { ...(at.minPosition ? { minPosition: at.minPosition } : {}) });
  return (await docs.list<NotificationView>('notifications', `${planId}/${recipientPrefix}`)).map((r) => r.doc);
}

const asOfOf = (at: ReadAt) => (at.asOf?.time ? { asOf: at.asOf.time } : {});

@QueryHandler(GetQuarter)
@Injectable()
export class GetQuarterHandler implements IQueryHandler<GetQuarter, QuarterView> {
  constructor(
    private readonly engine: Engine,
    private readonly assessment: AssessmentService,
  ) {}

  async execute({ planId, quarter, at }: GetQuarter): Promise<QuarterView> {
    await this.assessment.plan(planId, quarter);
    const view = await quarterView(this.engine, planId, quarter, at);
    if (!view) throw new DomainError('quarter-not-found', `nothing has been recorded for ${quarter} ${at.asOf ? 'by then' : 'yet'}`, { params: { quarter }, status: 404 });
    return view;
  }
}

@QueryHandler(GetPublishedQuarter)
@Injectable()
export class GetPublishedQuarterHandler implements IQueryHandler<GetPublishedQuarter, PublishedQuarter> {
  constructor(
    private readonly engine: Engine,
    private readonly assessment: AssessmentService,
  ) {}

  async execute({ planId, quarter, at }: GetPublishedQuarter): Promise<PublishedQuarter> {
    await this.assessment.plan(planId, quarter);
    return publishedOf(this.engine, planId, quarter, at);
  }
}

@QueryHandler(GetKnownQuarter)
@Injectable()
export class GetKnownQuarterHandler implements IQueryHandler<GetKnownQuarter, KnownQuarter> {
  constructor(private readonly assessment: AssessmentService) {}

  async execute({ planId, quarter, at }: GetKnownQuarter): Promise<KnownQuarter> {
    const plan = await this.assessment.plan(planId, quarter);
    return { ...(await this.assessment.known(plan, quarter, at)).snapshot, ...asOfOf(at) };
  }
}

@QueryHandler(GetQuarterDiff)
@Injectable()
export class GetQuarterDiffHandler implements IQueryHandler<GetQuarterDiff, QuarterDiff> {
  constructor(
    private readonly engine: Engine,
    private readonly assessment: AssessmentService,
  ) {}

  async execute({ planId, quarter, at }: GetQuarterDiff): Promise<QuarterDiff> {
    const plan = await this.assessment.plan(planId, quarter);
    const presented = (await publishedOf(this.engine, planId, quarter, at.asOf ? { asOf: at.asOf } : {})).snapshot;
    const { snapshot: now, events } = await this.assessment.known(plan, quarter, at);
    const store = this.engine.store;
    const later = events.filter((e) => store.comparePositions(e.position, presented.asOfPosition) > 0 && store.comparePositions(e.position, now.asOfPosition) <= 0);
    return { ...diffSnapshots(presented, now, later), ...asOfOf(at) };
  }
}

@QueryHandler(GetUnitNotifications)
@Injectable()
export class GetUnitNotificationsHandler implements IQueryHandler<GetUnitNotifications, { planId: string; unitId: string; notifications: NotificationView[] }> {
  constructor(
    private readonly engine: Engine,
    private readonly plans: PlanService,
  ) {}

  async execute({ reader, planId, unitId, at }: GetUnitNotifications) {
    if (!mayReadUnit(reader, unitId)) throw new ForbiddenError(`you may read only your own unit’s notifications, not ${unitId}’s`);
    await this.plans.unit(planId, unitId); // an unknown unit is a 404, not an empty list
    return { planId, unitId, notifications: await notifications(this.engine, planId, `unit:${unitId}/`, at) };
  }
}

@QueryHandler(GetLeaderNotifications)
@Injectable()
export class GetLeaderNotificationsHandler implements IQueryHandler<GetLeaderNotifications, { planId: string; notifications: NotificationView[] }> {
  constructor(private readonly engine: Engine) {}

  async execute({ reader, planId, at }: GetLeaderNotifications) {
    if (!hasRole(reader, 'leader', 'office', 'supervisor', 'auditor', 'admin'))
      throw new ForbiddenError('the leaders’ notifications are for the county leaders and county-level roles');
    return { planId, notifications: await notifications(this.engine, planId, 'leader:', at) };
  }
}

export const ASSESSMENT_QUERY_HANDLERS = [
  GetQuarterHandler,
  GetPublishedQuarterHandler,
  GetKnownQuarterHandler,
  GetQuarterDiffHandler,
  GetUnitNotificationsHandler,
  GetLeaderNotificationsHandler,
];
