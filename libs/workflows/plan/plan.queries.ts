import { Injectable } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ProjectionQuery, type ReadAt } from '../../engine/nest/cqrs.js';
import { Engine } from '../../engine/nest/engine.js';
import type { PlanDefinition } from './plan-file.js';
import { DomainError } from '../../engine/commands/command.js';
import { plansProjection, type DraftDoc, type PlanChangeDoc, type PlanDoc } from './plan.projection.js';
import { PlanService } from './plan.service.js';

/** The published plans, one line each. */
export class ListPlans extends ProjectionQuery<PlanSummary[]> {}

/** A plan as it stands now, every revision applied (read from its stream, not a projection). */
export class GetPlan extends ProjectionQuery<PlanDefinition> {
  constructor(readonly planId: string) {
    super();
  }
}

/** Every change to a plan since publication: what, who, when, why. */
export class GetPlanChanges extends ProjectionQuery<PlanChangeDoc[]> {
  constructor(
    readonly planId: string,
    at: ReadAt = {},
  ) {
    super(at);
  }
}

export interface PlanSummary {
  id: string;
  title: string;
  documentNumber: string;
  year: number;
  county: PlanDefinition['county'];
  indicators: number;
  totalPoints: number;
  revision: number;
  publishedAt: string;
  updatedAt: string;
}

@QueryHandler(ListPlans)
@Injectable()
export class ListPlansHandler implements IQueryHandler<ListPlans, PlanSummary[]> {
  constructor(private readonly engine: Engine) {}

  async execute({ at }: ListPlans): Promise<PlanSummary[]> {
    const docs = await this.engine.docs(plansProjection, at);
    return (await docs.list<PlanDoc>('plan')).map(({ doc: { plan, revision, publishedAt, updatedAt } }) => ({
      id: plan.id,
      title: plan.title,
      documentNumber: plan.documentNumber,
      year: plan.year,
      county: plan.county,
      indicators: plan.indicators.length,
      totalPoints: plan.totalPoints,
      revision,
      publishedAt,
      updatedAt,
    }));
  }
}

@QueryHandler(GetPlan)
@Injectable()
export class GetPlanHandler implements IQueryHandler<GetPlan, PlanDefinition> {
  constructor(private readonly plans: PlanService) {}

  execute({ planId }: GetPlan): Promise<PlanDefinition> {
    return this.plans.get(planId);
  }
}

@QueryHandler(GetPlanChanges)
@Injectable()
export class GetPlanChangesHandler implements IQueryHandler<GetPlanChanges, PlanChangeDoc[]> {
  constructor(private readonly engine: Engine) {}

  async execute({ planId, at }: GetPlanChanges): Promise<PlanChangeDoc[]> {
    const docs = await this.engine.docs(plansProjection, at);
    return (await docs.list<PlanChangeDoc>('changes', `${planId}/`)).map((r) => r.doc);
  }
}

/** Next year's plan while it is prepared (404 when there is no draft of that id: never drafted, or published since). */
export class GetPlanDraft extends ProjectionQuery<DraftDoc> {
  constructor(
    readonly planId: string,
    at: ReadAt = {},
  ) {
    super(at);
  }
}

@QueryHandler(GetPlanDraft)
@Injectable()
export class GetPlanDraftHandler implements IQueryHandler<GetPlanDraft, DraftDoc> {
  constructor(private readonly engine: Engine) {}

  async execute({ planId, at }: GetPlanDraft): Promise<DraftDoc> {
    const docs = await this.engine.docs(plansProjection, at);
    const draft = await docs.get<DraftDoc>('draft', planId);
    if (!draft) throw new DomainError('plan-not-found', `no draft plan ${planId}`, { status: 404 });
    return draft;
  }
}

export const PLAN_QUERY_HANDLERS = [ListPlansHandler, GetPlanHandler, GetPlanChangesHandler, GetPlanDraftHandler];
