import { Injectable } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError } from '../../engine/commands/command.js';
import { ProjectionQuery, type ReadAt } from '../../engine/nest/cqrs.js';
import { Engine } from '../../engine/nest/engine.js';
import { PlanService } from '../plan/plan.service.js';
import { annex2Projection, annex2Streams, annex2Table, type Annex2Table } from './annex2.projection.js';

/** Annex 2 (一览表) of a month. */
export class GetAnnex2Table extends ProjectionQuery<Annex2Table & { asOf?: string }> {
  constructor(
    readonly planId: string,
    readonly period: string,
    at: ReadAt = {},
  ) {
    super(at);
  }
}

@QueryHandler(GetAnnex2Table)
@Injectable()
export class GetAnnex2TableHandler implements IQueryHandler<GetAnnex2Table, Annex2Table & { asOf?: string }> {
  constructor(
    private readonly engine: Engine,
    private readonly plans: PlanService,
  ) {}

  async execute({ planId, period, at }: GetAnnex2Table): Promise<Annex2Table & { asOf?: string }> {
    const streams = async () => annex2Streams(await this.plans.get(planId), period);
    const table = await this.engine.answer(annex2Projection, `${planId}/${period}`, at, streams, (docs) => annex2Table(docs, planId, period));
    if (!table) throw new DomainError('plan-not-found', `no plan ${planId} ${at.asOf ? 'was published by then' : 'has been published'}`, { status: 404 });
    return { ...table, ...(at.asOf?.time ? { asOf: at.asOf.time } : {}) };
  }
}

export const ANNEX2_QUERY_HANDLERS = [GetAnnex2TableHandler];
