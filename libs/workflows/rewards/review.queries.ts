import { Injectable } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError, ForbiddenError, type Principal } from '../../engine/commands/command.js';
import { ProjectionQuery, type ReadAt } from '../../engine/nest/cqrs.js';
import { Engine } from '../../engine/nest/engine.js';
import { hasRole, mayReadUnit } from '../access/access.js';
import { lineEvidence, type LineEvidence } from './rewards.evidence.js';
import { reviewStream, type ReviewRef } from './rewards.events.js';
import { RewardsService } from './rewards.service.js';
import { readDecisions, readProposal, reviewProjection, type DecisionListView, type ProposalView } from './review.projection.js';

/** Every county-level role reads the proposal; units read only what is published. */
const mayReadProposal = (p: Principal) => hasRole(p, 'office', 'supervisor', 'leader', 'auditor', 'admin', 'system');

/** The year-end proposal with its lines, amendments and steps. */
export class GetProposal extends ProjectionQuery<ProposalView> {
  constructor(
    readonly reader: Principal,
    readonly ref: ReviewRef,
    at: ReadAt = {},
  ) {
    super(at);
  }
}

/** The approved (for units: published) decisions. */
export class GetDecisions extends ProjectionQuery<DecisionListView> {
  constructor(
    readonly reader: Principal,
    readonly ref: ReviewRef,
    at: ReadAt = {},
  ) {
    super(at);
  }
}

/** The events behind one line of the list. */
export class GetLineEvidence extends ProjectionQuery<LineEvidence> {
  constructor(
    readonly reader: Principal,
    readonly ref: ReviewRef,
    readonly lineId: string,
    at: ReadAt = {},
  ) {
    super(at);
  }
}

@QueryHandler(GetProposal)
@Injectable()
export class GetProposalHandler implements IQueryHandler<GetProposal, ProposalView> {
  constructor(
    private readonly engine: Engine,
    private readonly rewards: RewardsService,
  ) {}

  async execute({ reader, ref, at }: GetProposal): Promise<ProposalView> {
    if (!mayReadProposal(reader))
      throw new ForbiddenError('the year-end proposal is read by the office, the county leaders, supervisors and auditors; units read the published decisions');
    const docs = await this.engine.docs(reviewProjection, at, () => [reviewStream(ref)]);
    const view = await readProposal(docs, ref.planId, ref.year);
    if (view) return view;
    await this.rewards.plan(ref);
    throw new DomainError('proposal-not-found', `no ${ref.year} proposal of ${ref.planId} ${at.asOf ? 'was known then' : 'has been generated'}`, {
      params: { year: ref.year },
      status: 404,
    });
  }
}

@QueryHandler(GetDecisions)
@Injectable()
export class GetDecisionsHandler implements IQueryHandler<GetDecisions, DecisionListView> {
  constructor(
    private readonly engine: Engine,
    private readonly rewards: RewardsService,
  ) {}

  async execute({ reader, ref, at }: GetDecisions): Promise<DecisionListView> {
    const docs = await this.engine.docs(reviewProjection, at, () => [reviewStream(ref)]);
    const list = await readDecisions(docs, ref.planId, ref.year);
    if (list && (list.status === 'published' || mayReadProposal(reader))) return list;
    await this.rewards.plan(ref);
    const then = !!at.asOf;
    throw new DomainError(
      'decisions-not-found',
      `no ${ref.year} decisions of ${ref.planId} ${then ? 'were' : 'have been'} ${mayReadProposal(reader) ? 'approved' : 'published'}${then ? ' then' : ' yet'}`,
      { params: { year: ref.year }, status: 404 },
    );
  }
}

@QueryHandler(GetLineEvidence)
@Injectable()
export class GetLineEvidenceHandler implements IQueryHandler<GetLineEvidence, LineEvidence> {
  constructor(
    private readonly engine: Engine,
    private readonly rewards: RewardsService,
  ) {}

  async execute({ reader, ref, lineId, at }: GetLineEvidence): Promise<LineEvidence> {
    await this.rewards.plan(ref);
    const evidence = await lineEvidence(this.engine.store, ref, lineId, at.asOf);
    // A unit reads the evidence of its own published decisions; everything else is for county roles.
    if (!mayReadProposal(reader) && !(evidence.status === 'published' && mayReadUnit(reader, evidence.line.unitId))) {
      throw new ForbiddenError(`you may read the evidence of your own unit’s published decisions only, not of line ${lineId}`);
    }
    return evidence;
  }
}

export const REVIEW_QUERY_HANDLERS = [GetProposalHandler, GetDecisionsHandler, GetLineEvidenceHandler];
