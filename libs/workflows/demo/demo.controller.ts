import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { DomainError } from '../../engine/commands/command.js';
import { Public } from '../../engine/nest/http/public.js';
import { parseAsOf } from '../../engine/projections/as-of.js';
import { DemoService, type DemoStatus } from './demo.service.js';

@ApiTags('demo')
@Controller('demo')
export class DemoController {
  constructor(private readonly demo: DemoService) {}

  /** Public: the sign-in page shows the banner too, and that the data is synthetic is no secret. */
  @Get()
  @Public()
  @ApiOperation({ summary: 'Whether this store holds the synthetic demo year (演示数据): 200 with its seed, months and counts, or 404 when it holds none' })
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO date-time: as known then' })
  async status(@Query('asOf') asOf?: string): Promise<DemoStatus> {
    const status = await this.demo.status(parseAsOf(asOf, undefined));
    if (!status) throw new DomainError('no-demo', 'this store holds no demo data: its figures are real', { status: 404 });
    return status;
  }
}
