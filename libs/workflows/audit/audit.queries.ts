import { Injectable } from '@nestjs/common';
import { Command as BusMessage, CommandHandler, Query, QueryHandler, type ICommandHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { ExportedSeal } from '../../engine/audit/seals.js';
import { DomainError, ForbiddenError, type Principal } from '../../engine/commands/command.js';
import type { AsOf } from '../../engine/projections/as-of.js';
import { mayAudit, mayReadUnit } from '../access/access.js';
import { AuditService, type TimelineFilter, type UnitExport } from './audit.service.js';
import type { ProvenanceField, ViewParams } from './views.js';

// The auditors' questions, each a query (or, where answering writes a seal, a command) on the buses.

type AuditAnswer<M extends keyof AuditService> = AuditService[M] extends (...args: never[]) => Promise<infer R> ? R : never;

function auditor(p: Principal): void {
  if (!mayAudit(p)) throw new ForbiddenError('the audit pages are for the auditor and county-level roles');
}

export type TimelineSubject = { kind: 'unit'; unitId: string } | { kind: 'indicator'; indicatorNo: number } | { kind: 'case'; unitId: string; indicatorNo: number; caseNo: number };

/** A page of a unit's, an indicator's or a case's timeline. */
export class GetTimeline extends Query<AuditAnswer<'unitTimeline'>> {
  constructor(
    readonly reader: Principal,
    readonly planId: string,
    readonly subject: TimelineSubject,
    readonly page: { filter: TimelineFilter; after: string | undefined; limit: number; minPosition?: string | undefined },
  ) {
    super();
  }
}

/** A table or board as known at a moment. */
export class GetAuditView extends Query<AuditAnswer<'view'>> {
  constructor(
    readonly reader: Principal,
    readonly planId: string,
    readonly view: string,
    readonly params: ViewParams,
    readonly asOf: AsOf,
  ) {
    super();
  }
}

/** A table or board at two moments: the rows that differ and the events between. */
export class GetAuditDiff extends Query<AuditAnswer<'diff'>> {
  constructor(
    readonly reader: Principal,
    readonly planId: string,
    readonly view: string,
    readonly params: ViewParams,
    readonly from: string,
    readonly to: string,
  ) {
    super();
  }
}

/** Where one figure of Annex 2 comes from. */
export class GetProvenance extends Query<AuditAnswer<'provenance'>> {
  constructor(
    readonly planId: string,
    readonly period: string,
    readonly indicatorNo: number,
    readonly field: ProvenanceField,
    readonly asOf: AsOf | undefined,
  ) {
    super();
  }
}

export class ListSeals extends Query<AuditAnswer<'seals'>> {
  constructor(readonly reader: Principal) {
    super();
  }
}

/** One seal, with its text block (404 when there is no such seal). */
export class GetSeal extends Query<Awaited<AuditAnswer<'seals'>>[number]> {
  constructor(
    readonly reader: Principal,
    readonly sealId: string,
  ) {
    super();
  }
}

/** Recompute every chain and seal (writes nothing). */
export class VerifyRecord extends Query<AuditAnswer<'verify'>> {
  constructor(
    readonly reader: Principal,
    readonly exported: ExportedSeal | undefined,
  ) {
    super();
  }
}

/** Seal the record as it stands now. */
export class SealRecord extends BusMessage<AuditAnswer<'seal'>> {
  constructor(
    readonly actor: Principal,
    readonly occasion: string,
  ) {
    super();
  }
}

/** A unit's whole history, sealed on the way out (so a command: it records a seal). */
export class ExportUnitHistory extends BusMessage<UnitExport> {
  constructor(
    readonly actor: Principal,
    readonly planId: string,
    readonly unitId: string,
  ) {
    super();
  }
}

@QueryHandler(GetTimeline)
@Injectable()
export class GetTimelineHandler implements IQueryHandler<GetTimeline> {
  constructor(private readonly audit: AuditService) {}

  execute({ reader, planId, subject: s, page: { filter, after, limit, minPosition } }: GetTimeline) {
    if (s.kind === 'indicator') {
      auditor(reader);
      return this.audit.indicatorTimeline(planId, s.indicatorNo, filter, after, limit, minPosition);
    }
    if (!mayAudit(reader) && !mayReadUnit(reader, s.unitId)) {
      throw new ForbiddenError(s.kind === 'unit' ? `you may read only your own unit’s timeline, not ${s.unitId}’s` : 'you may read only your own unit’s cases');
    }
    return s.kind === 'unit'
      ? this.audit.unitTimeline(planId, s.unitId, filter, after, limit, minPosition)
      : this.audit.caseTimeline(planId, s.unitId, s.indicatorNo, s.caseNo, after, limit, minPosition);
  }
}

@QueryHandler(GetAuditView)
@Injectable()
export class GetAuditViewHandler implements IQueryHandler<GetAuditView> {
  constructor(private readonly audit: AuditService) {}

  execute({ reader, planId, view, params, asOf }: GetAuditView) {
    auditor(reader);
    return this.audit.view(planId, view, params, asOf);
  }
}

@QueryHandler(GetAuditDiff)
@Injectable()
export class GetAuditDiffHandler implements IQueryHandler<GetAuditDiff> {
  constructor(private readonly audit: AuditService) {}

  execute({ reader, planId, view, params, from, to }: GetAuditDiff) {
    auditor(reader);
    return this.audit.diff(planId, view, params, from, to);
  }
}

@QueryHandler(GetProvenance)
@Injectable()
export class GetProvenanceHandler implements IQueryHandler<GetProvenance> {
  constructor(private readonly audit: AuditService) {}

  execute({ planId, period, indicatorNo, field, asOf }: GetProvenance) {
    return this.audit.provenance(planId, period, indicatorNo, field, asOf);
  }
}

@QueryHandler(ListSeals)
@Injectable()
export class ListSealsHandler implements IQueryHandler<ListSeals> {
  constructor(private readonly audit: AuditService) {}

  execute({ reader }: ListSeals) {
    auditor(reader);
    return this.audit.seals();
  }
}

@QueryHandler(GetSeal)
@Injectable()
export class GetSealHandler implements IQueryHandler<GetSeal> {
  constructor(private readonly audit: AuditService) {}

  async execute({ reader, sealId }: GetSeal) {
    auditor(reader);
    const seal = (await this.audit.seals()).find((s) => s.sealId === sealId);
    if (!seal) throw new DomainError('seal-not-found', `there is no seal ${sealId}`, { status: 404, params: { sealId } });
    return seal;
  }
}

@QueryHandler(VerifyRecord)
@Injectable()
export class VerifyRecordHandler implements IQueryHandler<VerifyRecord> {
  constructor(private readonly audit: AuditService) {}

  execute({ reader, exported }: VerifyRecord) {
    auditor(reader);
    return this.audit.verify(exported);
  }
}

@CommandHandler(SealRecord)
@Injectable()
export class SealRecordHandler implements ICommandHandler<SealRecord> {
  constructor(private readonly audit: AuditService) {}

  execute({ actor, occasion }: SealRecord) {
    return this.audit.seal(actor, occasion);
  }
}

@CommandHandler(ExportUnitHistory)
@Injectable()
export class ExportUnitHistoryHandler implements ICommandHandler<ExportUnitHistory, UnitExport> {
  constructor(private readonly audit: AuditService) {}

  execute({ actor, planId, unitId }: ExportUnitHistory): Promise<UnitExport> {
    auditor(actor);
    return this.audit.exportUnit(planId, unitId, actor);
  }
}

export const AUDIT_HANDLERS = [
  GetTimelineHandler,
  GetAuditViewHandler,
  GetAuditDiffHandler,
  GetSealHandler,
  GetProvenanceHandler,
  ListSealsHandler,
  VerifyRecordHandler,
  SealRecordHandler,
  ExportUnitHistoryHandler,
];
