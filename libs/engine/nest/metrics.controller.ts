import { Controller, Get, Header, Req } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { TIMERS_PROJECTION, type PendingTimer } from '../timers/timers.projection.js';
import { Engine } from './engine.js';
import { ProblemException, problem } from './http/problem-details.js';
import { Public } from './http/public.js';

/**
 * Prometheus metrics: what an operator watches (docs/deploy.md) — each projection's lag behind the
 * store and whether it is failing, and the timer backlog — plus the process's own. Read on scrape,
 * so the figures are the store's, whichever replica answers. It needs no session, but answers only
 * the scraper holding JIXIAO_METRICS_TOKEN (`Authorization: Bearer <token>`); without a token
 * configured it answers nobody (issue 13).
 */
@ApiTags('health')
@Controller('metrics')
export class MetricsController {
  readonly #registry = new Registry();

  constructor(private readonly engine: Engine) {
    collectDefaultMetrics({ register: this.#registry, prefix: 'jixiao_' });
    const engineRef = this.engine;
    new Gauge({
      name: 'jixiao_projection_lag_events',
      help: `Events in the store not yet applied by the projection (serving generation); counted up to ${LAG_COUNT_LIMIT}`,
      labelNames: ['projection'],
      registers: [this.#registry],
      async collect() {
        const lags = lagsOf(engineRef);
        for (const s of engineRef.runner.status()) this.set({ projection: s.name }, await lags(s.checkpoint));
      },
    });
    new Gauge({
      name: 'jixiao_projection_failing',
      help: '1 while a projection’s last attempt failed',
      labelNames: ['projection'],
      registers: [this.#registry],
      collect() {
        for (const s of engineRef.runner.status()) this.set({ projection: s.name }, s.error ? 1 : 0);
      },
    });
    new Gauge({
      name: 'jixiao_timers_pending',
      help: 'Durable timers scheduled and not yet fired or cancelled; `due` ones are past their time',
      labelNames: ['state'],
      registers: [this.#registry],
      async collect() {
        const pending = await engineRef.query(TIMERS_PROJECTION).list<PendingTimer>('pending');
        const now = engineRef.clock.now().toISOString();
        const due = pending.filter((t) => t.doc.dueAt <= now).length;
        this.set({ state: 'due' }, due);
        this.set({ state: 'scheduled' }, pending.length - due);
      },
    });
  }

  @Get()
  @Public()
  @Header('Content-Type', 'text/plain; version=0.0.4')
  @ApiOperation({ summary: 'Prometheus metrics: projection lag and failures, timer backlog, process figures' })
  metrics(@Req() req: Request): Promise<string> {
    const expected = this.engine.options.config.metricsToken;
    const given = /^Bearer\s+(\S+)\s*$/i.exec(req.header('authorization') ?? '')?.[1];
    if (!expected || !given || !sameSecret(given, expected)) {
      throw new ProblemException(
        problem(
          401,
          'metrics-token-required',
          'Metrics token required',
          'the metrics endpoint answers only requests carrying the metrics token (Authorization: Bearer <JIXIAO_METRICS_TOKEN>)',
        ),
      );
    }
    return this.#registry.metrics();
  }
}

/**
 * Lag is counted up to this many events: enough to tell "catching up" from "stuck", and cheap to
 * ask every second. Counting a projection's whole lag on a 200 k-event store took ~50 ms a
 * projection; a readiness probe polled every 100 ms then left the runner a tenth of the thread
 * (a first start on 200 k events measured over 5 minutes, 86 % of it in these counts).
 */
export const LAG_COUNT_LIMIT = 10_000;

/**
 * Events after the checkpoint, where the store can count them (at most LAG_COUNT_LIMIT: that many
 * means "at least"); 0 or 1 (behind or not) otherwise.
 */
export async function lagOf(engine: Engine, checkpoint: string | undefined): Promise<number> {
  const storage = engine.store.storage;
  if (storage.countAfter) return storage.countAfter(checkpoint, LAG_COUNT_LIMIT);
  const head = await engine.store.headPosition();
  return head !== undefined && (checkpoint === undefined || engine.store.comparePositions(checkpoint, head) < 0) ? 1 : 0;
}

/** lagOf, counted once per distinct checkpoint (projections at the head all share one). */
export function lagsOf(engine: Engine): (checkpoint: string | undefined) => Promise<number> {
  const counted = new Map<string | undefined, Promise<number>>();
  return (checkpoint) => {
    let lag = counted.get(checkpoint);
    if (!lag) counted.set(checkpoint, (lag = lagOf(engine, checkpoint)));
    return lag;
  };
}

function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}
