import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ReadAtParam, type ReadAt } from '../../engine/nest/cqrs.js';
import { Public } from '../../engine/nest/http/public.js';
import { GetDemoStatus } from './demo.handlers.js';
import type { DemoStatus } from './demo.service.js';

@ApiTags('demo')
@Controller('demo')
export class DemoController {
  constructor(private readonly queries: QueryBus) {}

  /** Public: the sign-in page shows the banner too, and that the data is synthetic is no secret. */
  @Get()
  @Public()
  @ApiOperation({ summary: 'Whether this store holds the synthetic demo year (演示数据): 200 with its seed, months and counts, or 404 when it holds none' })
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO date-time: as known then' })
  status(@ReadAtParam() at: ReadAt): Promise<DemoStatus> {
    return this.queries.execute(new GetDemoStatus(at));
  }
}
