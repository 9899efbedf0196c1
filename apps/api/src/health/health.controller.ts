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
          // Empty means no event is stored, not "none readable yet" (a reader may trail the head).
          const empty = (await this.engine.store.headPosition()) === undefined;
          const counter = await this.engine.store.storage.transactionCounter?.();
          const detail = { kind: this.engine.store.kind, empty, ...(counter ? { transactionCounter: counter } : {}) };
          if (counter && !counter.safe) {
            return probe.down({ ...detail, error: `the transaction counter (${counter.next}) is not above the largest stored transaction id (${counter.largestStored}): writes are refused; see docs/deploy.md §3.3` });
          }
          return probe.up(detail);
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
