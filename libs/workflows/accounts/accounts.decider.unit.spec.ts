import { DomainError, ForbiddenError } from '../../engine/commands/command.js';
import { given, meta } from '../../engine/testing/given-when-then.js';
import { bootstrapDecider, CLI_PRINCIPAL, userDecider, usernameDecider, type Bootstrap, type ReserveUsername, type UserCommand } from './accounts.decider.js';
import type { AccountsBootstrapped, UserEvent, UsernameReserved } from './accounts.events.js';

const admin = (userId = 'admin-1') => meta(['admin'], { userId });
const cli = () => ({ ...meta([]), actor: CLI_PRINCIPAL });
const U = 'u-1';

const created: UserEvent = { type: 'UserCreated', data: { userId: U, username: 'wang.fang', name: '王芳', unitId: 'fgw' } };
const reporter: UserEvent = { type: 'RoleGranted', data: { userId: U, role: 'reporter', unitId: 'fgw' } };
const noUnit: UserEvent = { type: 'UserCreated', data: { userId: U, username: 'li.lei', name: '李雷' } };

const create = (data: Partial<Extract<UserCommand, { type: 'accounts.CreateUser' }>['data']> = {}, m = admin()): UserCommand => ({
  type: 'accounts.CreateUser',
  data: { userId: U, username: 'wang.fang', name: '王芳', unitId: 'fgw', roles: ['reporter'], ...data },
  meta: m,
});
const cmd = <T extends UserCommand['type']>(type: T, data: Extract<UserCommand, { type: T }>['data'], m = admin()) => ({ type, data, meta: m }) as UserCommand;

describe('user decider', () => {
  describe('creating a user', () => {
    it('given nothing, when an admin creates a reporter of fgw, then the user, the role (for fgw) and a one-time password set by the admin', () => {
      expect(given(userDecider).when(create())).toEqual([created, reporter, { type: 'PasswordSet', data: { userId: U, by: 'admin', mustChange: true } }]);
    });

    it('normalises the username to lower case and trims the name', () => {
      const [e] = given(userDecider).when(create({ username: ' Wang.Fang ', name: ' 王芳 ' }));
      expect(e).toEqual(created);
    });

    it('only an administrator creates users', () => {
      for (const roles of [['office'], ['leader'], ['auditor'], ['reporter'], ['head'], ['supervisor'], []]) {
        expect(() => given(userDecider).when(create({}, meta(roles, { unitId: 'fgw' })))).toThrow(ForbiddenError);
      }
    });

    it('a user id is used once', () => {
      expect(() => given(userDecider, [created]).when(create())).toThrow(expect.objectContaining({ code: 'user-exists' }));
    });

    it('refuses a malformed username, an empty name, an unknown role', () => {
      expect(() => given(userDecider).when(create({ username: 'a b' }))).toThrow(
        expect.objectContaining({ code: 'invalid-value', details: expect.objectContaining({ status: 422 }) }),
      );
      expect(() => given(userDecider).when(create({ username: 'x' }))).toThrow(/username/);
      expect(() => given(userDecider).when(create({ username: '王芳' }))).toThrow(/username/);
      expect(() => given(userDecider).when(create({ name: '  ' }))).toThrow(/name/);
      expect(() => given(userDecider).when(create({ roles: ['superuser'] }))).toThrow(expect.objectContaining({ code: 'unknown-role' }));
      expect(() => given(userDecider).when(create({ roles: ['system'] }))).toThrow(expect.objectContaining({ code: 'unknown-role' }));
    });

    it('a reporter or head needs the user’s unit', () => {
      const { unitId: _, ...withoutUnit } = (create() as Extract<UserCommand, { type: 'accounts.CreateUser' }>).data;
      const c: UserCommand = { type: 'accounts.CreateUser', data: { ...withoutUnit, roles: ['head'] }, meta: admin() };
      expect(() => given(userDecider).when(c)).toThrow(expect.objectContaining({ code: 'unit-required' }));
    });

    it('county-level roles carry no unit on their grant, even if the user has one', () => {
      const events = given(userDecider).when(create({ roles: ['office', 'reporter'] }));
      expect(events.filter((e) => e.type === 'RoleGranted')).toEqual([{ type: 'RoleGranted', data: { userId: U, role: 'office' } }, reporter]);
    });

    it('from the command line, the user must be an administrator and the password is recorded as set by the command line', () => {
      expect(() => given(userDecider).when(create({ roles: ['office'], unitId: undefined }, cli()))).toThrow(expect.objectContaining({ code: 'first-user-must-be-admin' }));
      const events = given(userDecider).when(create({ roles: ['admin'] }, cli()));
      expect(events.at(-1)).toEqual({ type: 'PasswordSet', data: { userId: U, by: 'cli', mustChange: true } });
      expect(given(userDecider).role(create({ roles: ['admin'] }, cli()))).toBe('admin');
    });
  });

  describe('roles and units', () => {
    it('grants a unit role for the user’s own unit (the unit defaults to it)', () => {
      expect(given(userDecider, [created]).when(cmd('accounts.GrantRole', { userId: U, role: 'head' }))).toEqual([
        { type: 'RoleGranted', data: { userId: U, role: 'head', unitId: 'fgw' } },
      ]);
      expect(given(userDecider, [created]).when(cmd('accounts.GrantRole', { userId: U, role: 'head', unitId: 'fgw' }))).toHaveLength(1);
    });

    it('refuses a unit role for another unit than the user’s: a user has one unit', () => {
      expect(() => given(userDecider, [created, reporter]).when(cmd('accounts.GrantRole', { userId: U, role: 'head', unitId: 'gxj' }))).toThrow(
        expect.objectContaining({ code: 'unit-mismatch', message: expect.stringContaining('belongs to unit fgw') }),
      );
      expect(() => given(userDecider, [created]).when(cmd('accounts.GrantRole', { userId: U, role: 'reporter', unitId: 'gxj' }))).toThrow(DomainError);
    });

    it('a user without a unit gets one with their first unit role, and keeps it', () => {
      const grant = cmd('accounts.GrantRole', { userId: U, role: 'reporter', unitId: 'gxj' });
      const [e] = given(userDecider, [noUnit]).when(grant);
      expect(e).toEqual({ type: 'RoleGranted', data: { userId: U, role: 'reporter', unitId: 'gxj' } });
      expect(given(userDecider, [noUnit, e!]).state).toMatchObject({ unitId: 'gxj', roles: ['reporter'] });
      expect(() => given(userDecider, [noUnit, e!]).when(cmd('accounts.GrantRole', { userId: U, role: 'head', unitId: 'fgw' }))).toThrow(/unit-mismatch|belongs to unit gxj/);
      expect(() => given(userDecider, [noUnit]).when(cmd('accounts.GrantRole', { userId: U, role: 'head' }))).toThrow(expect.objectContaining({ code: 'unit-required' }));
    });

    it('a county-level role is granted without a unit', () => {
      expect(given(userDecider, [created]).when(cmd('accounts.GrantRole', { userId: U, role: 'auditor' }))).toEqual([
        { type: 'RoleGranted', data: { userId: U, role: 'auditor' } },
      ]);
      expect(() => given(userDecider, [created]).when(cmd('accounts.GrantRole', { userId: U, role: 'office', unitId: 'fgw' }))).toThrow(
        expect.objectContaining({ code: 'role-not-unit-scoped' }),
      );
    });

    it('granting a role held already, or revoking one not held, changes nothing', () => {
      expect(given(userDecider, [created, reporter]).when(cmd('accounts.GrantRole', { userId: U, role: 'reporter' }))).toEqual([]);
      expect(given(userDecider, [created]).when(cmd('accounts.RevokeRole', { userId: U, role: 'head' }))).toEqual([]);
    });

    it('revokes a role', () => {
      const [e] = given(userDecider, [created, reporter]).when(cmd('accounts.RevokeRole', { userId: U, role: 'reporter' }));
      expect(e).toEqual({ type: 'RoleRevoked', data: { userId: U, role: 'reporter' } });
      expect(given(userDecider, [created, reporter, e!]).state).toMatchObject({ roles: [] });
    });

    it('an administrator may not revoke their own admin role', () => {
      const me: UserEvent[] = [
        { type: 'UserCreated', data: { userId: 'admin-1', username: 'root', name: 'Root' } },
        { type: 'RoleGranted', data: { userId: 'admin-1', role: 'admin' } },
      ];
      expect(() => given(userDecider, me).when(cmd('accounts.RevokeRole', { userId: 'admin-1', role: 'admin' }))).toThrow(
        expect.objectContaining({ code: 'cannot-revoke-own-admin' }),
      );
      expect(given(userDecider, me).when(cmd('accounts.RevokeRole', { userId: 'admin-1', role: 'admin' }, admin('admin-2')))).toHaveLength(1);
    });

    it('only an administrator grants and revokes, whatever else the actor holds', () => {
      for (const roles of [['office'], ['head'], ['auditor'], ['leader', 'supervisor']]) {
        expect(() => given(userDecider, [created]).when(cmd('accounts.GrantRole', { userId: U, role: 'head' }, meta(roles, { unitId: 'fgw' })))).toThrow(ForbiddenError);
        expect(() => given(userDecider, [created, reporter]).when(cmd('accounts.RevokeRole', { userId: U, role: 'reporter' }, meta(roles, { unitId: 'fgw' })))).toThrow(
          ForbiddenError,
        );
      }
    });

    it('commands for a user who does not exist are refused as not found', () => {
      expect(() => given(userDecider).when(cmd('accounts.GrantRole', { userId: U, role: 'office' }))).toThrow(expect.objectContaining({ code: 'user-not-found' }));
      expect(() => given(userDecider).when(cmd('accounts.SetPassword', { userId: U, by: 'admin' }))).toThrow(expect.objectContaining({ code: 'user-not-found' }));
    });
  });

  describe('disabling', () => {
    it('disables with a reason, once; enables again', () => {
      const [d] = given(userDecider, [created]).when(cmd('accounts.DisableUser', { userId: U, reason: '调离 transferred' }));
      expect(d).toEqual({ type: 'UserDisabled', data: { userId: U, reason: '调离 transferred' } });
      expect(given(userDecider, [created, d!]).state.status).toBe('disabled');
      expect(given(userDecider, [created, d!]).when(cmd('accounts.DisableUser', { userId: U, reason: 'again' }))).toEqual([]);
      expect(given(userDecider, [created, d!]).when(cmd('accounts.EnableUser', { userId: U }))).toEqual([{ type: 'UserEnabled', data: { userId: U } }]);
      expect(given(userDecider, [created]).when(cmd('accounts.EnableUser', { userId: U }))).toEqual([]);
    });

    it('needs a reason', () => {
      expect(() => given(userDecider, [created]).when(cmd('accounts.DisableUser', { userId: U, reason: ' ' }))).toThrow(expect.objectContaining({ code: 'reason-required' }));
    });

    it('an administrator may not disable themselves', () => {
      expect(() => given(userDecider, [created]).when(cmd('accounts.DisableUser', { userId: U, reason: 'x' }, admin(U)))).toThrow(
        expect.objectContaining({ code: 'cannot-disable-self' }),
      );
    });

    it('the command line may disable a user (an operator’s emergency stop)', () => {
      expect(given(userDecider, [created]).when(cmd('accounts.DisableUser', { userId: U, reason: 'compromised' }, cli()))).toHaveLength(1);
    });

    it('a disabled user cannot set their own password', () => {
      const d: UserEvent = { type: 'UserDisabled', data: { userId: U, reason: 'x' } };
      expect(() => given(userDecider, [created, d]).when(cmd('accounts.SetPassword', { userId: U, by: 'self' }, meta([], { userId: U })))).toThrow(
        expect.objectContaining({ code: 'user-disabled' }),
      );
    });
  });

  describe('passwords (the fact, never the secret)', () => {
    it('the user sets their own, lasting password, acting as themselves', () => {
      const c = cmd('accounts.SetPassword', { userId: U, by: 'self' }, meta(['reporter'], { userId: U, unitId: 'fgw' }));
      expect(given(userDecider, [created, reporter]).when(c)).toEqual([{ type: 'PasswordSet', data: { userId: U, by: 'self', mustChange: false } }]);
      expect(given(userDecider, [created, reporter]).role(c)).toBe('self');
    });

    it('nobody sets another user’s password as "self", not even an administrator', () => {
      expect(() => given(userDecider, [created]).when(cmd('accounts.SetPassword', { userId: U, by: 'self' }))).toThrow(ForbiddenError);
    });

    it('an administrator’s reset is a one-time password; only administrators reset', () => {
      expect(given(userDecider, [created]).when(cmd('accounts.SetPassword', { userId: U, by: 'admin' }))).toEqual([
        { type: 'PasswordSet', data: { userId: U, by: 'admin', mustChange: true } },
      ]);
      expect(() => given(userDecider, [created]).when(cmd('accounts.SetPassword', { userId: U, by: 'admin' }, meta(['office'])))).toThrow(ForbiddenError);
    });

    it('"by" must be the truth about the actor: cli only from the command line, admin never from it', () => {
      expect(() => given(userDecider, [created]).when(cmd('accounts.SetPassword', { userId: U, by: 'cli' }))).toThrow(ForbiddenError);
      expect(() => given(userDecider, [created]).when(cmd('accounts.SetPassword', { userId: U, by: 'admin' }, cli()))).toThrow(ForbiddenError);
      expect(given(userDecider, [created]).when(cmd('accounts.SetPassword', { userId: U, by: 'cli' }, cli()))).toHaveLength(1);
    });

    it('signing in with a one-time password is recorded, by the user themselves; not for a disabled user, and nobody else records it', () => {
      const self = meta([], { userId: U });
      const use = cmd('accounts.UseOneTimePassword', { userId: U }, self);
      expect(given(userDecider, [created, reporter]).when(use)).toEqual([{ type: 'OneTimePasswordUsed', data: { userId: U } }]);
      expect(given(userDecider, [created, reporter]).role(use)).toBe('self');
      expect(() => given(userDecider, [created]).when(cmd('accounts.UseOneTimePassword', { userId: U }))).toThrow(ForbiddenError);
      const d: UserEvent = { type: 'UserDisabled', data: { userId: U, reason: 'x' } };
      expect(() => given(userDecider, [created, d]).when(use)).toThrow(expect.objectContaining({ code: 'user-disabled' }));
    });
  });
});

describe('username reservation', () => {
  const reserve = (userId: string, username = 'wang.fang', m = admin()): ReserveUsername => ({ type: 'accounts.ReserveUsername', data: { username, userId }, meta: m });
  const taken: UsernameReserved = { type: 'UsernameReserved', data: { username: 'wang.fang', userId: 'u-1' } };

  it('given a free username, it is reserved for the user (lower-cased)', () => {
    expect(given(usernameDecider).when(reserve('u-1', 'Wang.Fang'))).toEqual([taken]);
  });

  it('given a username taken by another user, it is refused: duplicate usernames are impossible', () => {
    expect(() => given(usernameDecider, [taken]).when(reserve('u-2'))).toThrow(
      expect.objectContaining({ code: 'username-taken', details: expect.objectContaining({ fields: [{ field: 'username', message: 'is taken' }] }) }),
    );
  });

  it('the same user again (a retried creation) changes nothing', () => {
    expect(given(usernameDecider, [taken]).when(reserve('u-1'))).toEqual([]);
  });

  it('only an administrator reserves', () => {
    expect(() => given(usernameDecider).when(reserve('u-1', 'x1', meta(['office'])))).toThrow(ForbiddenError);
  });
});

describe('bootstrap: the first administrator from the command line', () => {
  const bootstrap = (data: Partial<Bootstrap['data']> = {}, m = cli()): Bootstrap => ({
    type: 'accounts.Bootstrap',
    data: { userId: 'u-1', username: 'root', roles: ['admin'], ...data },
    meta: m,
  });
  const done: AccountsBootstrapped = { type: 'AccountsBootstrapped', data: { userId: 'u-1', username: 'root' } };

  it('given no user yet, the command line creates the first administrator', () => {
    expect(given(bootstrapDecider).when(bootstrap())).toEqual([done]);
    expect(given(bootstrapDecider).role(bootstrap())).toBe('admin');
  });

  it('is refused once any user exists', () => {
    expect(() => given(bootstrapDecider, [done]).when(bootstrap({ userId: 'u-2', username: 'root2' }))).toThrow(ForbiddenError);
    expect(() => given(bootstrapDecider, [done]).when(bootstrap({ userId: 'u-2', username: 'root2' }))).toThrow(/users exist already/);
  });

  it('only the command line bootstraps, even an administrator may not', () => {
    expect(() => given(bootstrapDecider).when(bootstrap({}, admin()))).toThrow(ForbiddenError);
  });

  it('the first user must be an administrator', () => {
    expect(() => given(bootstrapDecider).when(bootstrap({ roles: ['office'] }))).toThrow(expect.objectContaining({ code: 'first-user-must-be-admin' }));
  });

  it('may be done again only when the handler found the bootstrapped user was never created (a crash between appends)', () => {
    expect(given(bootstrapDecider, [done]).when(bootstrap({ userId: 'u-2', username: 'root2', abandonedUserId: 'u-1' }))).toHaveLength(1);
    expect(() => given(bootstrapDecider, [done]).when(bootstrap({ userId: 'u-2', username: 'root2', abandonedUserId: 'u-9' }))).toThrow(ForbiddenError);
  });
});
