/**
 * The sign-in counts in Redis, shared by every API instance (issue 13): with two instances, 5
 * failures for an account are 5 in all, not 5 on each. Same semantics as the in-memory
 * LoginAttempts (a sliding window of hits; over the limit, blocked for the block duration), made
 * atomic by one Lua script per hit.
 *
 * While Redis is unreachable the counts fall back to this process's memory (as without Redis),
 * so signing in keeps working through an outage, limited per instance; one log line says so.
 */
import type { Redis } from 'ioredis';
import { redisClient, RedisErrorLog } from '../../engine/redis-connection.js';
import { LoginAttempts, type LoginAttemptStore, type ThrottlerStorageRecord } from './login-throttle.js';

const INCREMENT = `
local now = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local block = tonumber(ARGV[4])
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then return {limit + 1, 0, 1, blocked} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + ttl, ARGV[5])
redis.call('PEXPIRE', KEYS[1], ttl)
local count = redis.call('ZCARD', KEYS[1])
if count > limit then
  redis.call('SET', KEYS[2], '1', 'PX', block)
  redis.call('DEL', KEYS[1])
  return {limit + 1, 0, 1, block}
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {count, tonumber(first[2]) - now, 0, 0}
`;

export const LOGIN_KEY_PREFIX = 'jixiao:login:';

export class RedisLoginAttempts implements LoginAttemptStore {
  readonly redis: Redis;
  readonly #fallback: LoginAttempts;
  readonly #errors: RedisErrorLog;
  #sequence = 0;

  constructor(
    url: string,
    readonly options: { log: (line: string) => void; now?: () => number; prefix?: string },
  ) {
    this.#fallback = new LoginAttempts(options.now);
    this.#errors = new RedisErrorLog('login-throttle', options.log);
    // No offline queue: while disconnected a command fails at once and the fallback counts instead.
    this.redis = redisClient(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 1_000 });
    this.redis.on('error', (err) => this.#errors.error(err));
    this.redis.on('ready', () => this.#errors.ready());
    this.redis.defineCommand('jixiaoLoginHit', { numberOfKeys: 2, lua: INCREMENT });
  }

  #key(key: string) {
    return `${this.options.prefix ?? LOGIN_KEY_PREFIX}${key}`;
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName = 'default'): Promise<ThrottlerStorageRecord> {
    const now = (this.options.now ?? Date.now)();
    try {
      const member = `${now}:${process.pid}:${++this.#sequence}:${Math.random().toString(36).slice(2)}`;
      const hit = (this.redis as unknown as { jixiaoLoginHit(...a: (string | number)[]): Promise<number[]> }).jixiaoLoginHit(
        this.#key(key),
        this.#key(`${key}:blocked`),
        now,
        ttl,
        limit,
        Math.max(blockDuration, 1),
        member,
      );
      const [totalHits, expiresInMs, isBlocked, blockedMs] = (await hit).map(Number) as [number, number, number, number];
      return {
        totalHits,
        timeToExpire: Math.max(0, Math.ceil(expiresInMs / 1000)),
        isBlocked: isBlocked === 1,
        timeToBlockExpire: isBlocked === 1 ? Math.max(1, Math.ceil(blockedMs / 1000)) : 0,
      };
    } catch (err) {
      this.#errors.error(err);
      return this.#fallback.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }

  async blockedFor(key: string): Promise<number> {
    try {
      const ms = await this.redis.pttl(this.#key(`${key}:blocked`));
      const local = await this.#fallback.blockedFor(key);
      return Math.max(ms > 0 ? Math.ceil(ms / 1000) : 0, local);
    } catch (err) {
      this.#errors.error(err);
      return this.#fallback.blockedFor(key);
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
