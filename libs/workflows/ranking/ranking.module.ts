import { Module } from '@nestjs/common';
import type { WorkflowDefinition } from '../../engine/nest/cqrs.js';
import { PlanModule } from '../plan/plan.module.js';
import { RankingController } from './ranking.controller.js';
import { RANKING_COMMANDS } from './ranking.decider.js';
import { ImportPeerFiguresHandler, RankingBusCommand, RankingHandler } from './ranking.handlers.js';
import { RankingService } from './ranking.service.js';
import { reportedFigureReactor } from './reported-figure.reactor.js';
import { ruleChangeReactor } from './rule-change.reactor.js';
import { standingsProjection } from './standings.projection.js';
import { STANDINGS_QUERY_HANDLERS } from './standings.queries.js';

@Module({
  imports: [PlanModule],
  providers: [RankingService, RankingHandler, ImportPeerFiguresHandler, ...STANDINGS_QUERY_HANDLERS],
  exports: [RankingService],
})
export class RankingModule {}

/** Rankings and warnings: the figures and scoring commands, the standings projection and its queries, the rule-change reactor and the reported-figure reactor. */
export const rankingWorkflow: WorkflowDefinition = {
  name: 'ranking',
  module: RankingModule,
  controllers: [RankingController],
  commands: { types: RANKING_COMMANDS, message: RankingBusCommand },
  projections: [standingsProjection],
  reactors: [ruleChangeReactor, reportedFigureReactor],
};
