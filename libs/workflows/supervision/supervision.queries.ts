import { Injectable } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError, ForbiddenError, type Principal } from '../../engine/commands/command.js';
import { ProjectionQuery, type ReadAt } from '../../engine/nest/cqrs.js';
import { Engine } from '../../engine/nest/engine.js';
import { hasRole, mayReadUnit } from '../access/access.js';
import { PlanService } from '../plan/plan.service.js';
import { caseKey, supervisionBoard, supervisionBoardProjection, type BoardFilter, type BoardRow, type CaseView } from './supervision-board.projection.js';
import { caseLineStream, type CaseRef } from './supervision.events.js';

// The reads the supervision board projection serves, each a query on the QueryBus with its handler.

/** The board: cases with their age and deadlines as of now (the injected clock) or as known at `at.asOf`. */
export class GetSupervisionBoard extends ProjectionQuery<SupervisionBoard> {
  constructor(
    readonly reader: Principal,
    readonly planId: string,
    /** Without a unit, a unit's people read their own unit's cases; county-level roles every unit's. */
    readonly filter: BoardFilter,
    at: ReadAt = {},
  ) {
    super(at);
  }
}

/** A case's page: every step and its history. */
export class GetCase extends ProjectionQuery<CaseView> {
  constructor(
    readonly reader: Principal,
    readonly ref: CaseRef,
    at: ReadAt = {},
  ) {
    super(at);
  }
}

export interface SupervisionBoard extends BoardFilter {
  planId: string;
  status: NonNullable<BoardFilter['status']>;
  /** The moment the ages and overdue flags are worked out at. */
  asOf: string;
  cases: BoardRow[];
}

/** County-level roles read every unit's cases; a unit's head and reporters read their own. */
function countyWide(p: Principal): boolean {
  return hasRole(p, 'office', 'supervisor', 'leader', 'auditor', 'admin');
}

@QueryHandler(GetSupervisionBoard)
@Injectable()
export class GetSupervisionBoardHandler implements IQueryHandler<GetSupervisionBoard, SupervisionBoard> {
  constructor(
    private readonly engine: Engine,
    private readonly plans: PlanService,
  ) {}

  async execute({ reader, planId, filter: asked, at }: GetSupervisionBoard): Promise<SupervisionBoard> {
    const plan = await this.plans.get(planId);
    // The plan file may make the boards public inside the county (boards.publicInCounty).
    const everyUnit = countyWide(reader) || plan.boards?.publicInCounty === true;
    const unit = asked.unitId ?? (everyUnit ? undefined : reader.unitId);
    if (unit === undefined && !everyUnit) throw new ForbiddenError('you may read only your own unit’s cases');
    if (unit !== undefined && !everyUnit && !mayReadUnit(reader, unit)) throw new ForbiddenError(`you may read only your own unit’s cases, not ${unit}’s`);
    if (asked.unitId !== undefined) await this.plans.unit(planId, asked.unitId); // an unknown unit is a 404, not an empty board
    const filter: BoardFilter = { ...asked, ...(unit !== undefined ? { unitId: unit } : {}) };
    const lines = () =>
      plan.indicators.flatMap((i) => i.units.filter((u) => !filter.unitId || u === filter.unitId).map((unitId) => caseLineStream({ planId, unitId, indicatorNo: i.no })));
    const docs = await this.engine.docs(supervisionBoardProjection, at, lines);
    const now = at.asOf?.time ?? this.engine.clock.now().toISOString();
    return { planId, ...filter, status: filter.status ?? 'open', asOf: now, cases: await supervisionBoard(docs, planId, filter, now) };
  }
}

@QueryHandler(GetCase)
@Injectable()
export class GetCaseHandler implements IQueryHandler<GetCase, CaseView> {
  constructor(private readonly engine: Engine) {}

  async execute({ reader, ref, at }: GetCase): Promise<CaseView> {
    if (!mayReadUnit(reader, ref.unitId)) throw new ForbiddenError(`you may read only your own unit’s cases, not ${ref.unitId}’s`);
    const docs = await this.engine.docs(supervisionBoardProjection, at, () => [caseLineStream(ref)]);
    const view = await docs.get<CaseView>('cases', caseKey(ref.planId, ref.unitId, ref.indicatorNo, ref.caseNo));
    if (!view) {
      throw new DomainError('case-not-found', `unit ${ref.unitId} has no case ${ref.caseNo} for indicator ${ref.indicatorNo}${at.asOf ? ' as known then' : ''}`, {
        params: { indicatorNo: ref.indicatorNo, caseNo: ref.caseNo },
        status: 404,
      });
    }
    return view;
  }
}

export const SUPERVISION_QUERY_HANDLERS = [GetSupervisionBoardHandler, GetCaseHandler];
