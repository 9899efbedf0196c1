import { Injectable } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError } from '../../engine/commands/command.js';
import { ProjectionQuery, type ReadAt } from '../../engine/nest/cqrs.js';
import { Engine } from '../../engine/nest/engine.js';
import { planStream } from '../plan/plan.events.js';
import { peerFiguresTemplate } from './peer-figures-import.js';
import { candidatePeriods, quarterPeriods } from './ranking-periods.js';
import { figuresStream, scoringStream } from './ranking.events.js';
import { indicatorOf, RankingService } from './ranking.service.js';
import { whatIf, type ScoreSheet, type WhatIfChange, type WhatIfResult } from './scoring.js';
import {
  scoreFor,
  scoreWithRule,
  scoringRuleOf,
  standingOf,
  standingsForPeriod,
  standingsProjection,
  standingsStreams,
  warningBoard,
  type ScoringVersion,
  type StandingView,
  type WarningBoard,
} from './standings.projection.js';

// The reads the standings projection serves, each a query on the QueryBus with its handler.

/** As of when the answer was read, when it was asked "as known then". */
type Dated<T> = T & { asOf?: string };

/** An indicator's standing for a period: the six counties, our rank and warning, every change with its cause. */
export class GetStanding extends ProjectionQuery<Dated<StandingView>> {
  constructor(
    readonly planId: string,
    readonly indicatorNo: number,
    readonly period: string,
    at: ReadAt = {},
  ) {
    super(at);
  }
}

/** Every indicator's standing for exactly one period. */
export class GetStandings extends ProjectionQuery<Dated<PeriodStandings>> {
  constructor(
    readonly planId: string,
    readonly period: string,
    at: ReadAt = {},
  ) {
    super(at);
  }
}

/** The warning board of a quarter. */
export class GetWarningBoard extends ProjectionQuery<Dated<WarningBoard>> {
  constructor(
    readonly planId: string,
    readonly quarter: string,
    at: ReadAt = {},
  ) {
    super(at);
  }
}

/** The composite score for a period. */
export class GetScore extends ProjectionQuery<Dated<PeriodScore>> {
  constructor(
    readonly planId: string,
    readonly period: string,
    at: ReadAt = {},
  ) {
    super(at);
  }
}

/** What if some indicators stood at other ranks: the projected total; nothing is recorded. */
export class GetWhatIf extends ProjectionQuery<WhatIfResult & { period: string }> {
  constructor(
    readonly planId: string,
    readonly period: string,
    readonly changes: readonly WhatIfChange[],
    at: ReadAt = {},
  ) {
    super(at);
  }
}

/** The scoring rule in force and every earlier version. */
export class GetScoringRules extends ProjectionQuery<ScoringRules> {
  constructor(
    readonly planId: string,
    at: ReadAt = {},
  ) {
    super(at);
  }
}

/** A workbook to fill in for a period (the import's layout). */
export class GetFiguresTemplate extends ProjectionQuery<Buffer> {
  constructor(
    readonly planId: string,
    readonly period: string,
  ) {
    super();
  }
}

export type PeriodStandings = NonNullable<Awaited<ReturnType<typeof standingsForPeriod>>>;
export type PeriodScore = ScoreSheet & { planId: string; period: string };
export interface ScoringRules {
  planId: string;
  current: ScoringVersion | null;
  versions: ScoringVersion[];
}

/** A view is undefined when the plan was not published by the moment asked about. */
function known<T>(view: T | undefined, planId: string): T {
  if (view === undefined) throw new DomainError('plan-not-found', `plan ${planId} was not published by then`, { status: 404 });
  return view;
}

const dated = (at: ReadAt) => (at.asOf?.time ? { asOf: at.asOf.time } : {});

@QueryHandler(GetStanding)
@Injectable()
export class GetStandingHandler implements IQueryHandler<GetStanding, Dated<StandingView>> {
  constructor(
    private readonly engine: Engine,
    private readonly ranking: RankingService,
  ) {}

  async execute({ planId, indicatorNo, period, at }: GetStanding): Promise<Dated<StandingView>> {
    const { plan, period: p } = await this.ranking.planFor(planId, period);
    const indicator = indicatorOf(plan, indicatorNo);
    const docs = await this.engine.docs(standingsProjection, at, () => [planStream(planId), figuresStream(planId, indicatorNo, p)]);
    const view = await standingOf(docs, planId, indicatorNo, p);
    if (!view) {
      throw new DomainError('standing-not-found', `no figures of indicator ${indicatorNo} (${indicator.name}) for ${p} ${at.asOf ? 'were known then' : 'have been recorded'}`, {
        params: { indicatorNo, indicatorName: indicator.name, period: p },
        status: 404,
      });
    }
    return { ...view, ...dated(at) };
  }
}

@QueryHandler(GetStandings)
@Injectable()
export class GetStandingsHandler implements IQueryHandler<GetStandings, Dated<PeriodStandings>> {
  constructor(
    private readonly engine: Engine,
    private readonly ranking: RankingService,
  ) {}

  async execute({ planId, period, at }: GetStandings): Promise<Dated<PeriodStandings>> {
    const { plan, period: p } = await this.ranking.planFor(planId, period);
    const table = await this.engine.answer(
      standingsProjection,
      `period/${planId}/${p}`,
      at,
      () => standingsStreams(plan, [p]),
      async (docs) => known(await standingsForPeriod(docs, planId, p), planId),
    );
    return { ...table, ...dated(at) };
  }
}

@QueryHandler(GetWarningBoard)
@Injectable()
export class GetWarningBoardHandler implements IQueryHandler<GetWarningBoard, Dated<WarningBoard>> {
  constructor(
    private readonly engine: Engine,
    private readonly ranking: RankingService,
  ) {}

  async execute({ planId, quarter, at }: GetWarningBoard): Promise<Dated<WarningBoard>> {
    const { plan } = await this.ranking.planFor(planId, quarter);
    const streams = () => standingsStreams(plan, quarterPeriods(quarter), { meetings: true });
    const board = await this.engine.answer(standingsProjection, `warnings/${planId}/${quarter}`, at, streams, async (docs) =>
      known(await warningBoard(docs, planId, quarter), planId),
    );
    return { ...board, ...dated(at) };
  }
}

@QueryHandler(GetScore)
@Injectable()
export class GetScoreHandler implements IQueryHandler<GetScore, Dated<PeriodScore>> {
  constructor(
    private readonly engine: Engine,
    private readonly ranking: RankingService,
  ) {}

  async execute({ planId, period, at }: GetScore): Promise<Dated<PeriodScore>> {
    const { plan, period: p } = await this.ranking.planFor(planId, period);
    const streams = () => standingsStreams(plan, candidatePeriods(p), { scoring: true });
    const score = await this.engine.answer(standingsProjection, `score/${planId}/${p}`, at, streams, async (docs) => known(await scoreFor(docs, planId, p), planId));
    return { ...score, ...dated(at) };
  }
}

@QueryHandler(GetWhatIf)
@Injectable()
export class GetWhatIfHandler implements IQueryHandler<GetWhatIf, WhatIfResult & { period: string }> {
  constructor(
    private readonly engine: Engine,
    private readonly ranking: RankingService,
  ) {}

  async execute({ planId, period, changes, at }: GetWhatIf): Promise<WhatIfResult & { period: string }> {
    const { plan, period: p } = await this.ranking.planFor(planId, period);
    const docs = await this.engine.docs(standingsProjection, at, () => standingsStreams(plan, candidatePeriods(p), { scoring: true }));
    const { sheet, rule } = known(await scoreWithRule(docs, planId, p), planId);
    return { period: p, ...whatIf(sheet, rule, changes, plan.peerGroup.size) };
  }
}

@QueryHandler(GetScoringRules)
@Injectable()
export class GetScoringRulesHandler implements IQueryHandler<GetScoringRules, ScoringRules> {
  constructor(
    private readonly engine: Engine,
    private readonly ranking: RankingService,
  ) {}

  async execute({ planId, at }: GetScoringRules): Promise<ScoringRules> {
    await this.ranking.plan(planId); // 404s for an unknown plan
    const docs = await this.engine.docs(standingsProjection, at, () => [planStream(planId), scoringStream(planId)]);
    return { planId, ...(await scoringRuleOf(docs, planId)) };
  }
}

@QueryHandler(GetFiguresTemplate)
@Injectable()
export class GetFiguresTemplateHandler implements IQueryHandler<GetFiguresTemplate, Buffer> {
  constructor(private readonly ranking: RankingService) {}

  async execute({ planId, period }: GetFiguresTemplate): Promise<Buffer> {
    const { plan, period: p } = await this.ranking.planFor(planId, period);
    return peerFiguresTemplate(plan, p);
  }
}

export const STANDINGS_QUERY_HANDLERS = [
  GetStandingHandler,
  GetStandingsHandler,
  GetWarningBoardHandler,
  GetScoreHandler,
  GetWhatIfHandler,
  GetScoringRulesHandler,
  GetFiguresTemplateHandler,
];
