import type { DomainEvent } from '../../engine/commands/command.js';

/**
 * Account changes are events like any other: who was given which role, by whom, when. Secrets are
 * not: a password hash never enters an event (events are kept forever and exported to auditors);
 * PasswordSet only records that a password was set, by whom, and whether it is a one-time one.
 */
export type UserCreated = DomainEvent<'UserCreated', { userId: string; username: string; name: string; unitId?: string }>;
export type RoleGranted = DomainEvent<'RoleGranted', { userId: string; role: string; unitId?: string }>;
export type RoleRevoked = DomainEvent<'RoleRevoked', { userId: string; role: string }>;
export type UserDisabled = DomainEvent<'UserDisabled', { userId: string; reason: string }>;
export type UserEnabled = DomainEvent<'UserEnabled', { userId: string }>;
export type PasswordSet = DomainEvent<'PasswordSet', { userId: string; by: 'self' | 'admin' | 'cli'; mustChange: boolean }>;
/**
 * The user signed in with their one-time password: it is spent, and signs in never again. The
 * session it opened may only change the password. The actor is the user.
 */
export type OneTimePasswordUsed = DomainEvent<'OneTimePasswordUsed', { userId: string }>;

export type UserEvent = UserCreated | RoleGranted | RoleRevoked | UserDisabled | UserEnabled | PasswordSet | OneTimePasswordUsed;
export const USER_EVENT_TYPES = [
  'UserCreated',
  'RoleGranted',
  'RoleRevoked',
  'UserDisabled',
  'UserEnabled',
  'PasswordSet',
  'OneTimePasswordUsed',
] as const satisfies readonly UserEvent['type'][];

/** The only record of a username: its stream exists once, so two admins cannot both take it. */
export type UsernameReserved = DomainEvent<'UsernameReserved', { username: string; userId: string }>;

/** The first administrator was created from the command line; from then on only administrators create users. */
export type AccountsBootstrapped = DomainEvent<'AccountsBootstrapped', { userId: string; username: string }>;

export const userStream = (userId: string) => `user-${userId}`;
export const usernameStream = (username: string) => `username-${username.toLowerCase()}`;
export const BOOTSTRAP_STREAM = 'accounts-bootstrap';
