import { Module } from '@nestjs/common';
import type { WorkflowDefinition } from '../../engine/nest/cqrs.js';
import { PlanModule } from '../plan/plan.module.js';
import { Annex2Controller } from './annex2.controller.js';
import { annex2Projection } from './annex2.projection.js';
import { ANNEX2_QUERY_HANDLERS } from './annex2.queries.js';

@Module({ imports: [PlanModule], providers: [...ANNEX2_QUERY_HANDLERS] })
export class Annex2Module {}

/** Annex 2 (一览表): a read model over the plan's, the reports' and the ranking workflow's events, and its query. */
export const annex2Workflow: WorkflowDefinition = {
  name: 'annex2',
  module: Annex2Module,
  controllers: [Annex2Controller],
  projections: [annex2Projection],
};
