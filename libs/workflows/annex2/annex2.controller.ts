import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ReadAtParam, type ReadAt } from '../../engine/nest/cqrs.js';
import { badRequest } from '../../engine/nest/http/problem-details.js';
import type { Annex2Table } from './annex2.projection.js';
import { GetAnnex2Table } from './annex2.queries.js';
import { isMonth } from '../plan/period.js';

@ApiTags('annex2')
@Controller('plans/:planId/annex2')
export class Annex2Controller {
  constructor(private readonly queries: QueryBus) {}

  @Get(':period')
  @ApiOperation({
    summary:
      'Annex 2 (一览表) of a month: no., indicator, points, unit, 2022 result (rank), 2023 target, result to month end, rank among six, warning, score. The rank and warning are official (from the city’s figures for the month, else the latest earlier period of the year) where known, else as the unit reported.',
  })
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO date-time: the table as it was known then, re-derived from the events recorded up to then' })
  @ApiQuery({ name: 'minPosition', required: false })
  table(@Param('planId') planId: string, @Param('period') period: string, @ReadAtParam() at: ReadAt): Promise<Annex2Table & { asOf?: string }> {
    if (!isMonth(period)) throw badRequest('period', `"${period}" is not a month written YYYY-MM`);
    return this.queries.execute(new GetAnnex2Table(planId, period, at));
  }
}
