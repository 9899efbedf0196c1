/**
 * The worker's heartbeat (issue 13): every few seconds the worker (apps/worker) notes in Redis
 * that it is alive; API instances that leave jobs to it (JIXIAO_PROCESS_JOBS=false) report
 * "degraded" on /health when no worker has beaten recently. One sorted set, member = worker id,
 * score = the time of its last beat on Redis' own clock (so instances' clocks do not matter).
 */
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { redisClient, RedisErrorLog } from '../../../../libs/engine/redis-connection.js';

export const WORKER_HEARTBEATS_KEY = 'jixiao:worker-heartbeats';
export const HEARTBEAT_INTERVAL_MS = 5_000;
/** A worker that has not beaten for this long is missing (three beats lost). */
export const HEARTBEAT_STALE_MS = 15_000;

async function redisNow(redis: Redis): Promise<number> {
  const [seconds, micros] = await redis.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

export class WorkerHeartbeat {
  readonly id: string;
  readonly redis: Redis;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  /** The beat on its way, if any: stop() waits for it, or its ZADD could land after stop()'s ZREM. */
  #beating: Promise<void> | undefined;
  readonly #errors: RedisErrorLog;

  constructor(
    url: string,
    readonly options: { id?: string; intervalMs?: number; log?: (line: string) => void } = {},
  ) {
    this.id = options.id ?? `${hostname()}:${process.pid}`;
    this.#errors = new RedisErrorLog('worker-heartbeat', (line) => options.log?.(line));
    this.redis = redisClient(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 2_000 });
    this.redis.on('error', (err) => this.#errors.error(err));
    this.redis.on('ready', () => {
      this.#errors.ready();
      void this.beat();
    });
  }

  /** Beats now (once connected) and every intervalMs. */
  start(): void {
    this.#timer ??= setInterval(() => void this.beat(), this.options.intervalMs ?? HEARTBEAT_INTERVAL_MS);
  }

  beat(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    const beating = this.#beatOnce().finally(() => {
      if (this.#beating === beating) this.#beating = undefined;
    });
    this.#beating = beating;
    return beating;
  }

  async #beatOnce(): Promise<void> {
    try {
      const now = await redisNow(this.redis);
      if (this.#stopped) return;
      await this.redis.zadd(WORKER_HEARTBEATS_KEY, now, this.id);
    } catch (err) {
      this.#errors.error(err);
    }
  }

  /** Stops beating and says so at once (a crashed worker is noticed after HEARTBEAT_STALE_MS instead). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    // A beat sent before stop() (TIME answered after it) must not re-add this worker behind the ZREM.
    await this.#beating;
    await this.redis.zrem(WORKER_HEARTBEATS_KEY, this.id).catch(() => undefined);
    this.redis.disconnect();
  }
}

/** The workers that have beaten within staleMs, with how long ago; older entries are cleared. */
export async function liveWorkers(redis: Redis, staleMs = HEARTBEAT_STALE_MS): Promise<{ id: string; lastBeatMsAgo: number }[]> {
  const now = await redisNow(redis);
  await redis.zremrangebyscore(WORKER_HEARTBEATS_KEY, '-inf', now - 24 * 3600_000);
  const entries = await redis.zrangebyscore(WORKER_HEARTBEATS_KEY, now - staleMs, '+inf', 'WITHSCORES');
  const out: { id: string; lastBeatMsAgo: number }[] = [];
  for (let i = 0; i < entries.length; i += 2) out.push({ id: entries[i]!, lastBeatMsAgo: Math.max(0, now - Number(entries[i + 1])) });
  return out;
}
