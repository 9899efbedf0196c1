/**
 * How every Redis connection of Jixiao behaves while Redis is away (issue 13, "Health tells the
 * truth"):
 * - it reconnects promptly: every 50, 100, 200, 400 ms, then every 500 ms for as long as it takes
 *   (BullMQ's own default backs off to 20 s, so timers came back up to 20 s after Redis did);
 * - its errors are single structured lines (logfmt), and rate-limited: the first of an outage at
 *   once, then at most one a window with how many were left out, and one line when it is back.
 *   Without a listener, ioredis and BullMQ print every failed attempt as a multi-line stack trace.
 */
import { Redis, type RedisOptions } from 'ioredis';

export const REDIS_RECONNECT_MAX_MS = 500;

/** ioredis' retryStrategy: the wait before reconnection attempt `times` (1, 2, …); never gives up. */
export function redisRetryStrategy(times: number): number {
  return Math.min(50 * 2 ** Math.max(0, times - 1), REDIS_RECONNECT_MAX_MS);
}

/**
 * An ioredis client for `url` that reconnects promptly; `extra` wins. (ioredis takes the URL as its
 * first argument only: a `url` key among the options is ignored, and it would connect to 6379.)
 */
export function redisClient(url: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, { retryStrategy: redisRetryStrategy, connectTimeout: 2_000, ...extra });
}

/** One logfmt field: bare when it can be, quoted otherwise; always one line. */
function field(key: string, value: string | number): string {
  const text = String(value).replace(/\s+/g, ' ').trim();
  return `${key}=${/^[\w.:/@-]+$/.test(text) ? text : JSON.stringify(text)}`;
}

export function logfmt(fields: Record<string, string | number | undefined>): string {
  return Object.entries(fields)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => field(k, v))
    .join(' ');
}

/**
 * Connection errors of one source (`timers`, `login-throttle`, `health` …) as single log lines: the
 * first at once, then at most one per `windowMs` saying how many were left out, and a line when
 * the connection is ready again.
 */
export class RedisErrorLog {
  #windowStart = 0;
  #suppressed = 0;
  #failing = false;
  #since = 0;

  constructor(
    readonly source: string,
    readonly write: (line: string) => void,
    readonly options: { windowMs?: number; now?: () => number } = {},
  ) {}

  error(err: unknown): void {
    const now = this.options.now?.() ?? Date.now();
    if (!this.#failing) {
      this.#failing = true;
      this.#since = now;
    }
    if (now - this.#windowStart < (this.options.windowMs ?? 10_000)) {
      this.#suppressed++;
      return;
    }
    const e = err as { code?: string; message?: string; name?: string };
    this.write(
      logfmt({
        event: 'redis-connection-error',
        source: this.source,
        code: e?.code ?? e?.name ?? 'Error',
        message: e?.message ?? String(err),
        ...(this.#suppressed ? { suppressed: this.#suppressed } : {}),
        failing_for_ms: now - this.#since,
      }),
    );
    this.#windowStart = now;
    this.#suppressed = 0;
  }

  /** The connection is ready again: one line if it had failed. */
  ready(): void {
    if (!this.#failing) return;
    const now = this.options.now?.() ?? Date.now();
    this.write(logfmt({ event: 'redis-connection-restored', source: this.source, down_ms: now - this.#since, ...(this.#suppressed ? { suppressed: this.#suppressed } : {}) }));
    this.#failing = false;
    this.#suppressed = 0;
    this.#windowStart = 0;
  }
}
