import { hash, randomBytes } from 'node:crypto';

/**
 * Sessions are opaque random tokens. The server keeps only their SHA-256, so a copy of the
 * sessions table (a backup, a replica, a support dump) lets nobody sign in. SHA-256 without a salt
 * is enough here, unlike for passwords: a 256-bit random token cannot be guessed from its hash.
 */
export const SESSION_COOKIE = 'jx_session';
export const SESSION_IDLE_MS = 8 * 60 * 60 * 1000;
export const SESSION_ABSOLUTE_MS = 24 * 60 * 60 * 1000;
/** last_seen_at is written at most this often per session: one write a minute, not one per request. */
export const TOUCH_INTERVAL_MS = 60 * 1000;

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function newSessionToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, tokenHash: hashToken(token) };
}

export function hashToken(token: string): string {
  return hash('sha256', token, 'hex'); // one call, no Hash object: every request hashes its session token
}

/** Tokens this server could have issued; anything else is refused without a database read. */
export function isWellFormedToken(token: string): boolean {
  return TOKEN.test(token);
}

export interface SessionTimes {
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  revoked: boolean;
}

export type SessionStatus = 'active' | 'revoked' | 'idle' | 'expired';

/** Times are epoch milliseconds of real time (see credential-store.ts for why not the injected clock). */
export function sessionStatus(s: SessionTimes, now: number, idleMs = SESSION_IDLE_MS): SessionStatus {
  if (s.revoked) return 'revoked';
  if (now >= s.expiresAt) return 'expired';
  if (now >= s.lastSeenAt + idleMs) return 'idle';
  return 'active';
}

/** When the session ends if it stays idle from now: the earlier of the idle and absolute limits. */
export function sessionEndsAt(s: SessionTimes, idleMs = SESSION_IDLE_MS): number {
  return Math.min(s.expiresAt, s.lastSeenAt + idleMs);
}
