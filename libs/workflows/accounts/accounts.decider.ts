/**
 * Accounts, roles and unit scoping, decided like every other workflow: pure functions over a
 * user's stream (`user-<userId>`), with authorize() reading the one access table, so the API, the
 * command line and jobs get the same answer and a refused command writes nothing.
 *
 * Three small deciders:
 * - the user (created, roles granted and revoked, disabled and enabled, password set);
 * - the username reservation (`username-<lowercased>`): a stream that can be created only once,
 *   so two administrators creating the same username at the same moment cannot both succeed
 *   (the store's 'no_stream' expectation is the atomic check; a projection would be a race);
 * - the bootstrap (`accounts-bootstrap`): the command line may create the first administrator
 *   only while no user exists; once that stream exists, only administrators create users.
 *
 * Passwords and sessions are not decided here: they are secrets kept beside the events
 * (credential-store.ts). Only the fact that a password was set, and by whom, is an event.
 */
import { assertNever, DomainError, ForbiddenError, type Command, type Decider, type Principal } from '../../engine/commands/command.js';
import { authorize, ROLES, UNIT_SCOPED_ROLES, type Role } from '../access/access.js';
import type { AccountsBootstrapped, PasswordSet, UserEvent, UsernameReserved } from './accounts.events.js';

/** Who the command line acts as. It may create the first administrator, and only that (see bootstrapDecider). */
export const CLI_PRINCIPAL: Principal = { userId: 'cli', name: '命令行 (command line)', roles: ['admin'] };
export const isCliPrincipal = (p: Principal) => p.userId === CLI_PRINCIPAL.userId;

/** Lower case letters, digits and . _ - : usernames end up in stream ids, URLs and logs. */
export const USERNAME = /^[a-z0-9][a-z0-9._-]{1,39}$/;
const UNIT_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;
const MAX_NAME = 100;
const MAX_REASON = 2000;

export type UserCommand =
  | Command<'accounts.CreateUser', { userId: string; username: string; name: string; unitId?: string; roles: string[] }>
  | Command<'accounts.GrantRole', { userId: string; role: string; unitId?: string }>
  | Command<'accounts.RevokeRole', { userId: string; role: string }>
  | Command<'accounts.DisableUser', { userId: string; reason: string }>
  | Command<'accounts.EnableUser', { userId: string }>
  /** Whether the new password is a one-time one follows from who sets it: only the user chooses a lasting one. */
  | Command<'accounts.SetPassword', { userId: string; by: PasswordSet['data']['by'] }>
  /** Recorded when a one-time password signs in (the secret's check is the credential store's). */
  | Command<'accounts.UseOneTimePassword', { userId: string }>;

export type UserState = { status: 'none' } | { status: 'active' | 'disabled'; userId: string; username: string; name: string; unitId?: string; roles: string[] };

const isUnitScoped = (role: string) => (UNIT_SCOPED_ROLES as readonly string[]).includes(role);

export function evolveUser(state: UserState, event: UserEvent): UserState {
  if (event.type === 'UserCreated') {
    const { userId, username, name, unitId } = event.data;
    return { status: 'active', userId, username, name, ...(unitId ? { unitId } : {}), roles: [] };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'RoleGranted':
      return {
        ...state,
        roles: state.roles.includes(event.data.role) ? state.roles : [...state.roles, event.data.role],
        ...(state.unitId === undefined && event.data.unitId ? { unitId: event.data.unitId } : {}),
      };
    case 'RoleRevoked':
      return { ...state, roles: state.roles.filter((r) => r !== event.data.role) };
    case 'UserDisabled':
      return { ...state, status: 'disabled' };
    case 'UserEnabled':
      return { ...state, status: 'active' };
    case 'PasswordSet':
    case 'OneTimePasswordUsed':
      return state;
    default:
      return assertNever(event, 'user event');
  }
}

export const userDecider: Decider<UserCommand, UserEvent, UserState> = {
  initialState: () => ({ status: 'none' }),
  evolve: evolveUser,

  authorize(c) {
    const actor = c.meta.actor;
    if (c.type === 'accounts.UseOneTimePassword') {
      if (actor.userId !== c.data.userId) throw new ForbiddenError('only the user signs in with their one-time password');
      return 'self';
    }
    if (c.type === 'accounts.SetPassword') {
      // The kind of setter is part of the record, so it must be the truth about the actor.
      if (c.data.by === 'self') {
        if (actor.userId !== c.data.userId) throw new ForbiddenError('only the user may set their own password this way; an administrator resets it');
        return 'self';
      }
      if ((c.data.by === 'cli') !== isCliPrincipal(actor)) {
        throw new ForbiddenError(`a password set by "${c.data.by}" must be set ${c.data.by === 'cli' ? 'from' : 'by an administrator, not from'} the command line`);
      }
    }
    return authorize(actor, 'accounts.manage');
  },

  decide(c, state) {
    if (c.type === 'accounts.CreateUser') {
      if (state.status !== 'none') throw new DomainError('user-exists', `user ${c.data.userId} exists already`, { params: { userId: c.data.userId } });
      const { userId, name } = c.data;
      const username = checkUsername(c.data.username);
      const displayName = checkName(name);
      const unitId = c.data.unitId === undefined ? undefined : checkUnit(c.data.unitId, 'unitId');
      const roles = [...new Set(c.data.roles)];
      roles.forEach((r, i) => checkRole(r, `roles[${i}]`));
      if (isCliPrincipal(c.meta.actor) && !roles.includes('admin')) {
        throw invalid('roles', 'the first user must be an administrator (include the admin role), or nobody could manage accounts', 'first-user-must-be-admin');
      }
      const scoped = roles.filter(isUnitScoped);
      if (scoped.length && unitId === undefined) {
        throw invalid('unitId', `${scoped.join(' and ')} act for one unit: give the user's unit`, 'unit-required');
      }
      return [
        { type: 'UserCreated', data: { userId, username, name: displayName, ...(unitId ? { unitId } : {}) } },
        ...roles.map((role): UserEvent => ({ type: 'RoleGranted', data: { userId, role, ...(isUnitScoped(role) ? { unitId: unitId! } : {}) } })),
        { type: 'PasswordSet', data: { userId, by: isCliPrincipal(c.meta.actor) ? 'cli' : 'admin', mustChange: true } },
      ];
    }

    if (state.status === 'none') throw new DomainError('user-not-found', `no user ${c.data.userId}`, { params: { userId: c.data.userId }, status: 404 });
    const { userId } = state;
    switch (c.type) {
      case 'accounts.GrantRole': {
        const role = checkRole(c.data.role, 'role');
        if (!isUnitScoped(role)) {
          if (c.data.unitId !== undefined) throw invalid('unitId', `${role} is not a unit role; grant it without a unit`, 'role-not-unit-scoped');
          return state.roles.includes(role) ? [] : [{ type: 'RoleGranted', data: { userId, role } }];
        }
        const unitId = c.data.unitId === undefined ? state.unitId : checkUnit(c.data.unitId, 'unitId');
        if (unitId === undefined) throw invalid('unitId', `${role} acts for one unit: give the unit`, 'unit-required');
        if (state.unitId !== undefined && state.unitId !== unitId) {
          throw new DomainError(
            'unit-mismatch',
            `${state.username} belongs to unit ${state.unitId}; a user has one unit, so ${role} can be granted only for ${state.unitId} (create another user for ${unitId})`,
            {
              params: { username: state.username, unitId: state.unitId },
              fields: [{ field: 'unitId', message: `must be ${state.unitId}`, code: 'must-be', params: { value: state.unitId } }],
            },
          );
        }
        return state.roles.includes(role) ? [] : [{ type: 'RoleGranted', data: { userId, role, unitId } }];
      }
      case 'accounts.RevokeRole': {
        const role = checkRole(c.data.role, 'role');
        if (role === 'admin' && c.meta.actor.userId === userId) {
          throw new DomainError(
            'cannot-revoke-own-admin',
            'an administrator may not revoke their own admin role (ask another administrator), so the county is never left without one',
          );
        }
        return state.roles.includes(role) ? [{ type: 'RoleRevoked', data: { userId, role } }] : [];
      }
      case 'accounts.DisableUser': {
        const reason = c.data.reason?.trim() ?? '';
        if (!reason) throw invalid('reason', 'required: say why the user is disabled', 'reason-required');
        if (reason.length > MAX_REASON) throw invalid('reason', `at most ${MAX_REASON} characters`);
        if (c.meta.actor.userId === userId) throw new DomainError('cannot-disable-self', 'an administrator may not disable their own account');
        return state.status === 'disabled' ? [] : [{ type: 'UserDisabled', data: { userId, reason } }];
      }
      case 'accounts.EnableUser':
        return state.status === 'active' ? [] : [{ type: 'UserEnabled', data: { userId } }];
      case 'accounts.SetPassword':
        if (c.data.by === 'self' && state.status === 'disabled') throw new DomainError('user-disabled', `${state.username} is disabled`, { params: { username: state.username } });
        return [{ type: 'PasswordSet', data: { userId, by: c.data.by, mustChange: c.data.by !== 'self' } }];
      case 'accounts.UseOneTimePassword':
        if (state.status === 'disabled') throw new DomainError('user-disabled', `${state.username} is disabled`, { params: { username: state.username } });
        return [{ type: 'OneTimePasswordUsed', data: { userId } }];
      default:
        return assertNever(c, 'user command');
    }
  },
};

export type ReserveUsername = Command<'accounts.ReserveUsername', { username: string; userId: string }>;
export type UsernameState = { status: 'free' } | { status: 'taken'; userId: string };

export const usernameDecider: Decider<ReserveUsername, UsernameReserved, UsernameState> = {
  initialState: () => ({ status: 'free' }),
  evolve: (_s, e) => ({ status: 'taken', userId: e.data.userId }),
  authorize: (c) => authorize(c.meta.actor, 'accounts.manage'),
  decide(c, state) {
    const username = checkUsername(c.data.username);
    if (state.status === 'taken') {
      // The same user again is a retry of the same creation (same Idempotency-Key): nothing to do.
      if (state.userId === c.data.userId) return [];
      throw new DomainError('username-taken', `the username ${username} is taken`, { params: { username }, fields: [{ field: 'username', message: 'is taken' }] });
    }
    return [{ type: 'UsernameReserved', data: { username, userId: c.data.userId } }];
  },
};

export type Bootstrap = Command<
  'accounts.Bootstrap',
  {
    userId: string;
    username: string;
    roles: string[];
    /**
     * Set by the handler when it found that the user the last bootstrap named was never created
     * (the process died between the two appends): that bootstrap may then be done again.
     */
    abandonedUserId?: string;
  }
>;
export type BootstrapState = { status: 'open' } | { status: 'closed'; userId: string; username: string };

export const bootstrapDecider: Decider<Bootstrap, AccountsBootstrapped, BootstrapState> = {
  initialState: () => ({ status: 'open' }),
  evolve: (_s, e) => ({ status: 'closed', userId: e.data.userId, username: e.data.username }),
  authorize(c, state) {
    if (!isCliPrincipal(c.meta.actor)) throw new ForbiddenError('only the command line creates the first administrator');
    if (state.status === 'closed' && c.data.abandonedUserId !== state.userId) {
      throw new ForbiddenError(
        `users exist already (the first administrator is ${state.username}): the command line creates only the first one; an administrator adds users (POST /api/v1/users)`,
      );
    }
    return authorize(c.meta.actor, 'accounts.manage');
  },
  decide(c) {
    const username = checkUsername(c.data.username);
    if (!c.data.roles.includes('admin')) {
      throw invalid('roles', 'the first user must be an administrator, or nobody could manage accounts', 'first-user-must-be-admin');
    }
    return [{ type: 'AccountsBootstrapped', data: { userId: c.data.userId, username } }];
  },
};

export function normalizeUsername(username: string): string {
  return username.trim().toLowerCase();
}

function checkUsername(username: string): string {
  const u = normalizeUsername(username ?? '');
  if (!USERNAME.test(u)) {
    throw invalid('username', '2–40 characters: lower-case letters, digits and . _ - (starting with a letter or digit)');
  }
  return u;
}

function checkName(name: string): string {
  const n = (name ?? '').trim();
  if (!n || n.length > MAX_NAME) throw invalid('name', `1–${MAX_NAME} characters`);
  return n;
}

function checkUnit(unitId: string, field: string): string {
  if (!UNIT_ID.test(unitId ?? '')) throw invalid(field, 'a unit id from the plan, e.g. fgw');
  return unitId;
}

function checkRole(role: string, field: string): Role {
  if (!(ROLES as readonly string[]).includes(role)) throw invalid(field, `must be one of ${ROLES.join(', ')}`, 'unknown-role');
  return role as Role;
}

function invalid(field: string, message: string, code = 'invalid-value'): DomainError {
  return new DomainError(code, `${field}: ${message}`, { params: { field }, status: 422, fields: [{ field, message }] });
}
