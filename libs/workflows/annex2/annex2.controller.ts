import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { DomainError } from '../../engine/commands/command.js';
import { Engine } from '../../engine/nest/engine.js';
import { badRequest } from '../../engine/nest/http/problem-details.js';
import { parseAsOf } from '../../engine/projections/as-of.js';
import { isMonth } from '../plan/period.js';
import { PlanService } from '../plan/plan.service.js';
import { annex2Projection, annex2Streams, annex2Table, type Annex2Table } from './annex2.projection.js';

@ApiTags('annex2')
@Controller('plans/:planId/annex2')
export class Annex2Controller {
  constructor(
    private readonly engine: Engine,
    private readonly plans: PlanService,
  ) {}

  @Get(':period')
  @ApiOperation({
    summary:
      'Annex 2 (一览表) of a month: no., indicator, points, unit, 2022 result (rank), 2023 target, result to month end, rank among six, warning, score. The rank and warning are official (from the city’s figures for the month, else the latest earlier period of the year) where known, else as the unit reported.',
  })
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO date-time: the table as it was known then, re-derived from the events recorded up to then' })
  @ApiQuery({ name: 'minPosition', required: false })
  async table(@Param('planId') planId: string, @Param('period') period: string, @Query('asOf') asOf?: string, @Query('minPosition') minPosition?: string): Promise<Annex2Table & { asOf?: string }> {
    if (!isMonth(period)) throw badRequest('period', `"${period}" is not a month written YYYY-MM`);
    const moment = parseAsOf(asOf, undefined);
    const docs = await this.engine.docs(annex2Projection, { asOf: moment, minPosition, streams: async () => annex2Streams(await this.plans.get(planId), period) });
    const table = await annex2Table(docs, planId, period);
    if (!table) throw new DomainError('plan-not-found', `no plan ${planId} ${moment ? 'was published by then' : 'has been published'}`, { status: 404 });
    return { ...table, ...(moment?.time ? { asOf: moment.time } : {}) };
  }
}
