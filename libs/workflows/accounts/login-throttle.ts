/**
 * Sign-in throttling: per client address (every attempt) and per account (failures only).
 *
 * Shaped by @nestjs/throttler v6: the counts live behind its `ThrottlerStorage` interface
 * (increment(key, ttl, limit, blockDuration, name) → {totalHits, timeToExpire, isBlocked,
 * timeToBlockExpire}, the same semantics as its ThrottlerStorageService), so a shared store such as
 * @nest-lab/throttler-storage-redis can replace LoginAttempts for several API instances. The
 * library's runtime is not imported: 6.7.1 (the latest) is CommonJS and require()s the ESM-only
 * @nestjs/common 12. Node 20.19 allows that, but Jest on Node 20 cannot load it (only from
 * Node 24.9), and every end-to-end suite loads this module.
 */
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { ProblemException, problem } from '../../engine/nest/http/problem-details.js';
import { ACCOUNTS_SETTINGS, LOGIN_ATTEMPTS, type AccountsSettings } from './accounts.settings.js';

export type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * Where the counts live: this process's memory (LoginAttempts), or Redis when REDIS_URL is set
 * (RedisLoginAttempts, shared by every API instance). The ThrottlerStorage interface, plus the one
 * read it lacks: is a key blocked now?
 */
export interface LoginAttemptStore extends ThrottlerStorage {
  /** Seconds until `key` may be tried again; 0 if it may now. Counts nothing. */
  blockedFor(key: string): Promise<number>;
  close?(): Promise<void>;
}

export function tooManyAttempts(retryAfterSeconds: number, detail: string): ProblemException {
  return new ProblemException(problem(429, 'too-many-requests', 'Too many sign-in attempts', detail, { retryAfterSeconds }));
}

interface Entry {
  /** When each counted hit leaves the window (epoch ms): a sliding window. */
  hits: number[];
  blockedUntil: number;
}

/** In-memory counts: one API process (without Redis), and the fallback while Redis is unreachable. */
export class LoginAttempts implements LoginAttemptStore {
  readonly #entries = new Map<string, Entry>();
  #lastSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** One hit. Once hits within `ttl` exceed `limit`, the key is blocked for `blockDuration` and blocked hits are not counted. */
  async increment(key: string, ttl: number, limit: number, blockDuration: number, _throttlerName = 'default'): Promise<ThrottlerStorageRecord> {
    const now = this.now();
    this.#sweep(now);
    const e = this.#entries.get(key) ?? { hits: [], blockedUntil: 0 };
    this.#entries.set(key, e);
    if (e.blockedUntil > now) return record(e, now, true);
    e.hits = e.hits.filter((t) => t > now);
    e.hits.push(now + ttl);
    if (e.hits.length > limit) {
      e.blockedUntil = now + Math.max(blockDuration, 1);
      e.hits = [];
      return { ...record(e, now, true), totalHits: limit + 1 };
    }
    return record(e, now, false);
  }

  /** Seconds until `key` may be tried again; 0 if it may now. Counts nothing. */
  async blockedFor(key: string): Promise<number> {
    const ms = (this.#entries.get(key)?.blockedUntil ?? 0) - this.now();
    return ms > 0 ? Math.ceil(ms / 1000) : 0;
  }

  #sweep(now: number): void {
    if (now - this.#lastSweep < 60_000) return;
    this.#lastSweep = now;
    for (const [key, e] of this.#entries) if (e.blockedUntil <= now && e.hits.every((t) => t <= now)) this.#entries.delete(key);
  }
}

function record(e: Entry, now: number, isBlocked: boolean): ThrottlerStorageRecord {
  const first = e.hits.length ? Math.min(...e.hits) : now;
  return {
    totalHits: e.hits.length,
    timeToExpire: Math.max(0, Math.ceil((first - now) / 1000)),
    isBlocked,
    timeToBlockExpire: isBlocked ? Math.max(1, Math.ceil((e.blockedUntil - now) / 1000)) : 0,
  };
}

/**
 * Per address, every attempt counts: each costs an argon2 verification, so this also bounds the
 * CPU one address can spend. The address is req.ip, so behind a reverse proxy Express's
 * `trust proxy` must name the proxy, or every user shares the proxy's address.
 */
@Injectable()
export class LoginAddressGuard implements CanActivate {
  constructor(
    @Inject(LOGIN_ATTEMPTS) private readonly attempts: LoginAttemptStore,
    @Inject(ACCOUNTS_SETTINGS) private readonly settings: AccountsSettings,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    const { loginAttemptsPerAddress: limit, loginAddressWindowMs: window } = this.settings;
    const r = await this.attempts.increment(`login-address:${addressKey(req.ip)}`, window, limit, window, 'login-address');
    if (!r.isBlocked) return true;
    context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(r.timeToBlockExpire));
    throw tooManyAttempts(r.timeToBlockExpire, `too many sign-in attempts from this address; try again in ${r.timeToBlockExpire} s`);
  }
}

/**
 * Per account, only FAILED attempts count, so someone who signs in often is never blocked while
 * guessing one account's password stops after a few tries. Unknown usernames are counted exactly
 * like known ones, so the limit does not tell which exist. A blocked account refuses even the
 * right password until the block ends.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    @Inject(LOGIN_ATTEMPTS) private readonly attempts: LoginAttemptStore,
    @Inject(ACCOUNTS_SETTINGS) private readonly settings: AccountsSettings,
  ) {}

  /** Seconds until the account may try again; 0 if it may now. */
  blockedFor(username: string): Promise<number> {
    return this.attempts.blockedFor(accountKey(username));
  }

  async recordFailure(username: string): Promise<void> {
    const { loginFailuresPerAccount: limit, loginFailureWindowMs: window } = this.settings;
    // Blocked once hits exceed the limit, so limit − 1 blocks at the limit-th failure.
    await this.attempts.increment(accountKey(username), window, limit - 1, window, 'login-account');
  }
}

const accountKey = (username: string) => `login-account:${username.trim().toLowerCase()}`;

/** IPv4 as is (also when IPv4-mapped); IPv6 by its /64, as one host usually holds a whole /64. */
export function addressKey(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const address = ip.split('%')[0]!;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t] : h;
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g || '0', 16).toString(16))
    .join(':')}::/64`;
}
