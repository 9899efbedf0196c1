import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Clock } from '../clock.js';
import { CLOCK } from './engine.js';
import { Public } from './http/public.js';

/**
 * The domain's time as this server keeps it: the real time in production; on a demo store the
 * demo's date; in a test the test's clock. The web UI counts "today" from it (deadlines that may not
 * be in the past, days overdue) instead of from the browser's date. Public: the time is no secret,
 * and the sign-in page shows it too.
 */
@ApiTags('health')
@Controller('clock')
export class ClockController {
  constructor(@Inject(CLOCK) private readonly clock: Clock) {}

  @Public()
  @Get()
  @ApiOperation({ summary: 'The domain’s time as this server keeps it (the demo’s date on a demo store)' })
  now(): { now: string } {
    return { now: this.clock.now().toISOString() };
  }
}
