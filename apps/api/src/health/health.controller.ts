import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Engine } from '../../../../libs/engine/nest/engine.js';
import { Public } from '../../../../libs/engine/nest/http/public.js';
import { lagOf } from '../../../../libs/engine/nest/metrics.controller.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly engine: Engine,
  ) {}

  @Get()
  @Public()
  @HealthCheck()
  @ApiOperation({ summary: 'Ready when the event store answers and no projection is failing; reports each projection’s checkpoint and lag (events not yet applied)' })
  check() {
    return this.health.check([
      async () => {
        const probe = this.indicators.check('eventStore');
        try {
          const [last] = await this.engine.store.readAll({ maxCount: 1 });
          return probe.up({ kind: this.engine.store.kind, empty: last === undefined });
        } catch (err) {
          return probe.down({ kind: this.engine.store.kind, error: (err as Error).message });
        }
      },
      async () => {
        const probe = this.indicators.check('projections');
        const status = this.engine.runner.status();
        const failing = status.filter((s) => s.error);
        const lags = await Promise.all(status.map((s) => lagOf(this.engine, s.checkpoint)));
        const detail = Object.fromEntries(
          status.map((s, i) => [
            s.name,
            { generation: s.generation, checkpoint: s.checkpoint ?? null, lag: lags[i], ...(s.rebuilding ? { rebuilding: s.rebuilding } : {}), ...(s.error ? { error: s.error } : {}) },
          ]),
        );
        return failing.length ? probe.down(detail) : probe.up(detail);
      },
    ]);
  }
}
