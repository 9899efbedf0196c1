import { Injectable } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError, ForbiddenError, type Principal } from '../../engine/commands/command.js';
import { ProjectionQuery, type ReadAt } from '../../engine/nest/cqrs.js';
import { Engine } from '../../engine/nest/engine.js';
import { mayReadUnit } from '../access/access.js';
import { mayReadBoardRow } from '../access/boards.js';
import { monthsOfYear } from '../plan/period.js';
import { PlanService } from '../plan/plan.service.js';
import type { ReportContext } from './reporting.decider.js';
import { reportStream, type ReportRef } from './reporting.events.js';
import { ReportingService } from './reporting.service.js';
import { complianceBoard, reportKey, reportsProjection, reportStreams, type ComplianceBoard, type ReportView } from './reports.projection.js';

export type { ComplianceBoard } from './reports.projection.js';

// The reads the reports projection serves, each a query on the QueryBus with its handler.

/** One unit's monthly report: content, standing, signature, corrections and every step. */
export class GetReport extends ProjectionQuery<ReportView> {
  constructor(
    readonly reader: Principal,
    readonly ref: ReportRef,
    at: ReadAt = {},
  ) {
    super(at);
  }
}

/** The lines a unit reports for a month, before anything is saved. */
export class GetReportTemplate extends ProjectionQuery<ReportContext> {
  constructor(
    readonly reader: Principal,
    readonly ref: ReportRef,
  ) {
    super();
  }
}

/** The compliance board: each unit × month. */
export class GetCompliance extends ProjectionQuery<ComplianceBoard> {
  constructor(
    /** A unit's people read their own unit's row unless the plan makes the boards public in the county. */
    readonly reader: Principal,
    readonly planId: string,
    /** The months from/to (YYYY-MM, default the plan year) and, optionally, one unit's row (404 for a unit the plan does not have). */
    readonly range: { from?: string | undefined; to?: string | undefined; unitId?: string | undefined },
    at: ReadAt = {},
  ) {
    super(at);
  }
}

/** A unit's own dashboard: its reports month by month. */
export class GetUnitReports extends ProjectionQuery<UnitReports> {
  constructor(
    readonly reader: Principal,
    readonly planId: string,
    readonly unitId: string,
    at: ReadAt = {},
  ) {
    super(at);
  }
}

/** One month of a unit's own dashboard. */
export interface UnitReportLine {
  period: string;
  status: ReportView['status'];
  dueAt: string;
  overdue: boolean;
  late: { byMinutes: number } | null;
  returns: ReportView['returns'];
  signed: boolean;
  corrections: number;
  revision: number;
  minutesLeft: number | null;
}

export interface UnitReports {
  planId: string;
  unitId: string;
  reports: UnitReportLine[];
}

function mayRead(reader: Principal, unitId: string): void {
  if (!mayReadUnit(reader, unitId)) throw new ForbiddenError(`you may read only your own unit’s reports, not ${unitId}’s`);
}

@QueryHandler(GetReport)
@Injectable()
export class GetReportHandler implements IQueryHandler<GetReport, ReportView> {
  constructor(
    private readonly engine: Engine,
    private readonly reporting: ReportingService,
  ) {}

  async execute({ reader, ref, at }: GetReport): Promise<ReportView> {
    mayRead(reader, ref.unitId);
    const docs = await this.engine.docs(reportsProjection, at, () => [reportStream(ref)]);
    const view = await docs.get<ReportView>('reports', reportKey(ref.planId, ref.unitId, ref.period));
    if (view) return view;
    const context = await this.reporting.context(ref); // 404s for an unknown plan or unit
    throw new DomainError('report-not-found', `no ${ref.period} report of ${context.unitName} ${at.asOf ? 'was known then' : 'has been opened or drafted yet'}`, {
      params: { period: ref.period, unitName: context.unitName },
      status: 404,
    });
  }
}

@QueryHandler(GetReportTemplate)
@Injectable()
export class GetReportTemplateHandler implements IQueryHandler<GetReportTemplate, ReportContext> {
  constructor(private readonly reporting: ReportingService) {}

  execute({ reader, ref }: GetReportTemplate): Promise<ReportContext> {
    mayRead(reader, ref.unitId);
    // The rank is prefilled from the official standing (read-only where it exists).
    return this.reporting.context(ref, { standings: true });
  }
}

@QueryHandler(GetCompliance)
@Injectable()
export class GetComplianceHandler implements IQueryHandler<GetCompliance, ComplianceBoard> {
  constructor(
    private readonly engine: Engine,
    private readonly plans: PlanService,
  ) {}

  async execute({ reader, planId, range, at }: GetCompliance): Promise<ComplianceBoard> {
    const plan = await this.plans.get(planId);
    if (range.unitId !== undefined) await this.plans.unit(planId, range.unitId); // an unknown unit is a 404, not an empty board
    const first = range.from ?? `${plan.year}-01`;
    const last = range.to ?? `${plan.year}-12`;
    const periods = monthsOfYear(plan.year).filter((p) => p >= first && p <= last);
    const docs = await this.engine.docs(reportsProjection, at, () => reportStreams(plan, periods));
    const board = await complianceBoard(docs, plan, periods, (u) => (range.unitId === undefined || u.id === range.unitId) && mayReadBoardRow(reader, plan, u.id));
    return { ...board, ...(at.asOf?.time ? { asOf: at.asOf.time } : {}) };
  }
}

@QueryHandler(GetUnitReports)
@Injectable()
export class GetUnitReportsHandler implements IQueryHandler<GetUnitReports, UnitReports> {
  constructor(
    private readonly engine: Engine,
    private readonly plans: PlanService,
  ) {}

  async execute({ reader, planId, unitId, at }: GetUnitReports): Promise<UnitReports> {
    mayRead(reader, unitId);
    await this.plans.unit(planId, unitId); // an unknown unit is a 404, not an empty list
    const docs = await this.engine.docs(reportsProjection, { ...(at.minPosition ? { minPosition: at.minPosition } : {}) });
    const reports = (await docs.list<ReportView>('reports', `${planId}/${unitId}/`)).map((r) => r.doc);
    const now = this.engine.clock.now().toISOString();
    return {
      planId,
      unitId,
      reports: reports.map((r) => ({
        period: r.period,
        status: r.status,
        dueAt: r.dueAt,
        overdue: r.overdueAt !== null,
        late: r.submitted?.late ?? null,
        returns: r.returns,
        signed: r.signature !== null || r.status === 'received',
        corrections: r.corrections.length,
        revision: r.revision,
        minutesLeft: r.submitted ? null : Math.round((Date.parse(r.dueAt) - Date.parse(now)) / 60_000),
      })),
    };
  }
}

export const REPORTS_QUERY_HANDLERS = [GetReportHandler, GetReportTemplateHandler, GetComplianceHandler, GetUnitReportsHandler];
