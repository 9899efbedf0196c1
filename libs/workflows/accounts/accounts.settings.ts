import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from './sessions.js';

/**
 * The accounts module's settings, one object read on every use, so an end-to-end test can move
 * the session clock or relax the sign-in limits of a running app (`app.get(ACCOUNTS_SETTINGS)`).
 */
export interface AccountsSettings {
  /** Real time in epoch ms for session expiry (not the engine's clock: see credential-store.ts). */
  sessionClock: () => number;
  sessionIdleMs: number;
  sessionAbsoluteMs: number;
  /** Failed sign-ins per account (known or not) before it must wait… */
  loginFailuresPerAccount: number;
  /** …this long, counted from each failure (a sliding window) and blocked this long once reached. */
  loginFailureWindowMs: number;
  /** Sign-in attempts per client address (req.ip: set Express's `trust proxy` behind a proxy)… */
  loginAttemptsPerAddress: number;
  /** …per this window. */
  loginAddressWindowMs: number;
  /** A one-time password signs in once, within this long of being set (real time, the session clock). */
  oneTimePasswordTtlMs: number;
  /** Cookies only over HTTPS (production). */
  secureCookies: boolean;
}

export const ACCOUNTS_SETTINGS = Symbol('AccountsSettings');
/** The sign-in attempt counts (LoginAttempts), shared by the per-address guard and the per-account failure count. */
export const LOGIN_ATTEMPTS = Symbol('LoginAttempts');

export function defaultAccountsSettings(options: { production: boolean }): AccountsSettings {
  return {
    sessionClock: () => Date.now(),
    sessionIdleMs: SESSION_IDLE_MS,
    sessionAbsoluteMs: SESSION_ABSOLUTE_MS,
    loginFailuresPerAccount: 5,
    loginFailureWindowMs: 15 * 60 * 1000,
    loginAttemptsPerAddress: 20,
    loginAddressWindowMs: 60 * 1000,
    oneTimePasswordTtlMs: 24 * 60 * 60 * 1000,
    secureCookies: options.production,
  };
}
