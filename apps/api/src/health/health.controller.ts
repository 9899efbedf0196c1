import { Controller, Get, Inject, Logger, ServiceUnavailableException, type OnApplicationShutdown } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthCheckResult, type HealthIndicatorResult } from '@nestjs/terminus';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Redis } from 'ioredis';
import { Engine, ENGINE_CONFIG, type EngineOptions } from '../../../../libs/engine/nest/engine.js';
import { Public } from '../../../../libs/engine/nest/http/public.js';
import { LAG_COUNT_LIMIT, lagsOf } from '../../../../libs/engine/nest/metrics.controller.js';
import { redisClient, RedisErrorLog } from '../../../../libs/engine/redis-connection.js';
import { HEARTBEAT_STALE_MS, liveWorkers } from './worker-heartbeat.js';

const REDIS_PROBE_TIMEOUT_MS = 1_000;

type HealthBody = HealthCheckResult | (Omit<HealthCheckResult, 'status'> & { status: 'degraded'; reasons: string[] });

/**
 * GET /api/v1/health: `ok`, `degraded` or `error`.
 * - `error` (503): the event store does not answer or a projection is failing: this instance
 *   cannot serve, and the proxy should send requests elsewhere.
 * - `degraded` (200, with `reasons`): it serves, but something it was configured with is missing:
 *   Redis (with REDIS_URL set: timers and jobs wait, sign-in counts fall back to this process), or
 *   the worker's heartbeat (with JIXIAO_PROCESS_JOBS=false, where a worker works the timers). 200,
 *   because taking every instance out of the proxy over a Redis outage would stop the reads and
 *   commands that still work; monitoring reads `status`.
 */
@ApiTags('health')
@Controller('health')
export class HealthController implements OnApplicationShutdown {
  readonly #redis: Redis | undefined;

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly engine: Engine,
    @Inject(ENGINE_CONFIG) private readonly options: EngineOptions,
  ) {
    const { redisUrl } = options.config;
    if (redisUrl) {
      const log = new Logger('Health');
      const errors = new RedisErrorLog('health', (line) => log.warn(line));
      // No offline queue and no retries per command: a probe answers at once while Redis is away.
      this.#redis = redisClient(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: REDIS_PROBE_TIMEOUT_MS, lazyConnect: true });
      this.#redis.on('error', (err) => errors.error(err));
      this.#redis.on('ready', () => errors.ready());
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.#redis?.disconnect();
  }

  @Get()
  @Public()
  @HealthCheck()
  @ApiOperation({
    summary:
      'ok, degraded (200, with reasons: Redis or the worker’s heartbeat missing while configured) or error (503: the event store or a projection failing); each projection’s checkpoint and lag',
  })
  async check(): Promise<HealthBody> {
    const soft = await this.#soft();
    let result: HealthCheckResult;
    try {
      result = await this.health.check([() => this.#eventStore(), () => this.#projections()]);
    } catch (err) {
      if (err instanceof ServiceUnavailableException) {
        const body = err.getResponse() as HealthCheckResult;
        throw new ServiceUnavailableException(merge(body, soft.results));
      }
      throw err;
    }
    const merged = merge(result, soft.results);
    return soft.reasons.length ? { ...merged, status: 'degraded', reasons: soft.reasons } : merged;
  }

  async #eventStore(): Promise<HealthIndicatorResult> {
    const probe = this.indicators.check('eventStore');
    try {
      // Empty means no event is stored, not "none readable yet" (a reader may trail the head).
      const empty = (await this.engine.store.headPosition()) === undefined;
      const counter = await this.engine.store.storage.transactionCounter?.();
      const detail = { kind: this.engine.store.kind, empty, ...(counter ? { transactionCounter: counter } : {}) };
      if (counter && !counter.safe) {
        return probe.down({
          ...detail,
          error: `the transaction counter (${counter.next}) is not above the largest stored transaction id (${counter.largestStored}): writes are refused; see docs/deploy.md §3.3`,
        });
      }
      return probe.up(detail);
    } catch (err) {
      return probe.down({ kind: this.engine.store.kind, error: (err as Error).message });
    }
  }

  async #projections(): Promise<HealthIndicatorResult> {
    const probe = this.indicators.check('projections');
    const status = this.engine.runner.status();
    const failing = status.filter((s) => s.error);
    const lagOf = lagsOf(this.engine);
    const lags = await Promise.all(status.map((s) => lagOf(s.checkpoint)));
    const detail = Object.fromEntries(
      status.map((s, i) => [
        s.name,
        {
          generation: s.generation,
          checkpoint: s.checkpoint ?? null,
          lag: lags[i],
          // Counted up to a limit: at the limit, the lag is at least that.
          ...(lags[i]! >= LAG_COUNT_LIMIT ? { lagAtLeast: true } : {}),
          ...(s.rebuilding ? { rebuilding: s.rebuilding } : {}),
          ...(s.error ? { error: s.error } : {}),
        },
      ]),
    );
    return failing.length ? probe.down(detail) : probe.up(detail);
  }

  /** Redis and the worker's heartbeat: reported when configured, and degrading (not failing) the answer when missing. */
  async #soft(): Promise<{ results: HealthIndicatorResult[]; reasons: string[] }> {
    const redis = this.#redis;
    if (!redis) return { results: [], reasons: [] };
    const results: HealthIndicatorResult[] = [];
    const reasons: string[] = [];
    const workerExpected = !this.options.config.processJobs;
    try {
      if (redis.status === 'wait') await redis.connect().catch(() => undefined);
      const started = Date.now();
      await redis.ping();
      results.push(this.indicators.check('redis').up({ latencyMs: Date.now() - started }));
      const workers = await liveWorkers(redis, HEARTBEAT_STALE_MS);
      const worker = this.indicators.check('worker');
      if (workers.length) results.push(worker.up({ expected: workerExpected, workers }));
      else if (workerExpected) {
        const reason = `worker: no heartbeat within ${HEARTBEAT_STALE_MS / 1000} s; this instance leaves timers and jobs to a worker (JIXIAO_PROCESS_JOBS=false), so they wait`;
        results.push(worker.down({ expected: true, workers: [], reason }));
        reasons.push(reason);
      } else results.push(worker.up({ expected: false, workers: [], note: 'this instance works timers and jobs itself' }));
    } catch (err) {
      const reason = `redis: unreachable (${(err as Error).message}); timers and jobs wait, sign-in counts are kept per instance until it is back`;
      results.push(this.indicators.check('redis').down({ connection: redis.status, reason }));
      reasons.push(reason);
      if (workerExpected) results.push(this.indicators.check('worker').down({ expected: true, reason: 'unknown while Redis is unreachable' }));
    }
    return { results, reasons };
  }
}

/** Terminus' result with more indicators: each in details, and in info (up) or error (down). */
function merge(result: HealthCheckResult, extra: HealthIndicatorResult[]): HealthCheckResult {
  const out: HealthCheckResult = { ...result, info: { ...(result.info ?? {}) }, error: { ...(result.error ?? {}) }, details: { ...result.details } };
  for (const indicator of extra) {
    for (const [key, value] of Object.entries(indicator)) {
      out.details[key] = value;
      if (value.status === 'up') out.info![key] = value;
      else out.error![key] = value;
    }
  }
  return out;
}
