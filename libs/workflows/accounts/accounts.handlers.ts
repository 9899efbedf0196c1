import { Injectable, Logger } from '@nestjs/common';
import { Command as BusMessage, CommandHandler, Query, QueryHandler, type ICommandHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ForbiddenError, type CommandMeta, type Principal } from '../../engine/commands/command.js';
import type { CommandResult, ExecuteOptions } from '../../engine/commands/command-executor.js';
import { WorkflowCommand } from '../../engine/nest/cqrs.js';
import { Engine } from '../../engine/nest/engine.js';
import { ProblemException, problem } from '../../engine/nest/http/problem-details.js';
import { hasRole } from '../access/access.js';
import type { UserCommand } from './accounts.decider.js';
import { ACCOUNTS_PROJECTION, type UserDoc } from './accounts.projection.js';
import { Accounts, type CreatedUser, type LoginOutcome, type NewUser } from './accounts.service.js';
import { LoginThrottle, tooManyAttempts } from './login-throttle.js';
import type { Language } from './password-policy.js';

// Accounts on the buses. Roles, disabling and enabling are plain commands; creating a user,
// resetting, changing a password and signing in carry a secret beside their events, so each is a
// command class of its own whose handler keeps the secret out of the event store (accounts.service.ts).

type RoutableUserCommand = Extract<UserCommand, { type: 'accounts.GrantRole' | 'accounts.RevokeRole' | 'accounts.DisableUser' | 'accounts.EnableUser' }>;

/** The accounts workflow's command on the bus: grant, revoke, disable, enable. */
export class AccountsBusCommand extends WorkflowCommand<RoutableUserCommand> {}

export class CreateUser extends BusMessage<CreatedUser> {
  constructor(
    readonly input: NewUser,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}

export class ResetPassword extends BusMessage<{ oneTimePassword: string; result: CommandResult }> {
  constructor(
    readonly userId: string,
    readonly meta: CommandMeta,
    readonly options: ExecuteOptions = {},
  ) {
    super();
  }
}

/** The signed-in user replaces their password; a wrong current password counts as a failed sign-in. */
export class ChangeOwnPassword extends BusMessage<CommandResult> {
  constructor(
    readonly user: UserDoc,
    readonly sessionTokenHash: string,
    readonly current: string,
    readonly next: string,
    readonly meta: CommandMeta,
    readonly language: Language,
  ) {
    super();
  }
}

/** Sign in (throttled per account); replaces the browser's earlier session when it sends one. */
export class SignIn extends BusMessage<Extract<LoginOutcome, { ok: true }>> {
  constructor(
    readonly username: string,
    readonly password: string,
    readonly from: { ip?: string | undefined; replacing?: string | undefined },
  ) {
    super();
  }
}

export class SignOut extends BusMessage<void> {
  constructor(readonly tokenHash: string) {
    super();
  }
}

/** Every user with their roles and unit. */
/** Which users a list holds: `q` a piece of the username or name (any case), `role` a role they hold. */
export interface UserFilter {
  q?: string;
  role?: string;
}

export class ListUsers extends Query<UserDoc[]> {
  constructor(
    readonly reader: Principal,
    readonly minPosition?: string,
    readonly filter: UserFilter = {},
  ) {
    super();
  }
}

/** One user, or undefined. */
export class GetUser extends Query<UserDoc | undefined> {
  constructor(
    readonly reader: Principal,
    readonly userId: string,
  ) {
    super();
  }
}

/** Whether a user is in a filtered list: a case-insensitive piece of the username or the name, and the role. */
export function matchesUser(user: Pick<UserDoc, 'username' | 'name' | 'roles'>, { q, role }: UserFilter): boolean {
  if (role !== undefined && !user.roles.includes(role)) return false;
  if (q === undefined) return true;
  const needle = q.toLocaleLowerCase();
  return user.username.toLocaleLowerCase().includes(needle) || user.name.toLocaleLowerCase().includes(needle);
}

/** Who may see the accounts: administrators, and auditors (who and which roles is part of the record). */
function mayReadAccounts(principal: Principal): void {
  if (!hasRole(principal, 'admin', 'auditor')) throw new ForbiddenError('only administrators and auditors may see the users');
}

@CommandHandler(AccountsBusCommand)
@Injectable()
export class AccountsHandler implements ICommandHandler<AccountsBusCommand, CommandResult> {
  constructor(private readonly accounts: Accounts) {}

  execute({ command, options }: AccountsBusCommand): Promise<CommandResult> {
    return this.accounts.execute(command, options);
  }
}

@CommandHandler(CreateUser)
@Injectable()
export class CreateUserHandler implements ICommandHandler<CreateUser, CreatedUser> {
  constructor(private readonly accounts: Accounts) {}

  execute({ input, meta }: CreateUser): Promise<CreatedUser> {
    return this.accounts.createUser(input, meta);
  }
}

@CommandHandler(ResetPassword)
@Injectable()
export class ResetPasswordHandler implements ICommandHandler<ResetPassword> {
  constructor(private readonly accounts: Accounts) {}

  execute({ userId, meta, options }: ResetPassword) {
    return this.accounts.resetPassword(userId, meta, options);
  }
}

@CommandHandler(ChangeOwnPassword)
@Injectable()
export class ChangeOwnPasswordHandler implements ICommandHandler<ChangeOwnPassword, CommandResult> {
  constructor(
    private readonly accounts: Accounts,
    private readonly throttle: LoginThrottle,
  ) {}

  async execute({ user, sessionTokenHash, current, next, meta, language }: ChangeOwnPassword): Promise<CommandResult> {
    const wait = await this.throttle.blockedFor(user.username);
    if (wait > 0) throw tooManyAttempts(wait, `too many wrong passwords for this account; try again in ${wait} s`);
    const result = await this.accounts.changeOwnPassword(user, sessionTokenHash, current, next, meta, language);
    if (result) return result;
    await this.throttle.recordFailure(user.username);
    throw new ProblemException(
      problem(422, 'wrong-password', 'The current password is not correct', 'current: is not your current password', {
        errors: [{ field: 'current', message: 'is not your current password' }],
      }),
    );
  }
}

@CommandHandler(SignIn)
@Injectable()
export class SignInHandler implements ICommandHandler<SignIn> {
  readonly #log = new Logger('Auth');

  constructor(
    private readonly accounts: Accounts,
    private readonly throttle: LoginThrottle,
  ) {}

  async execute({ username, password, from }: SignIn): Promise<Extract<LoginOutcome, { ok: true }>> {
    const wait = await this.throttle.blockedFor(username);
    if (wait > 0) throw tooManyAttempts(wait, `too many failed sign-ins for this account; try again in ${wait} s`);
    const outcome = await this.accounts.login(username, password);
    if (!outcome.ok) {
      await this.throttle.recordFailure(username);
      this.#log.warn(`failed sign-in as ${JSON.stringify(username.slice(0, 100))} from ${from.ip}`);
      throw new ProblemException(problem(401, 'invalid-credentials', 'Sign-in failed', 'the username or password is not correct'));
    }
    // A browser signing in again replaces its session rather than leaving the old one alive.
    if (from.replacing) await this.accounts.logout(from.replacing);
    return outcome;
  }
}

@CommandHandler(SignOut)
@Injectable()
export class SignOutHandler implements ICommandHandler<SignOut> {
  constructor(private readonly accounts: Accounts) {}

  execute({ tokenHash }: SignOut): Promise<void> {
    return this.accounts.logout(tokenHash);
  }
}

@QueryHandler(ListUsers)
@Injectable()
export class ListUsersHandler implements IQueryHandler<ListUsers, UserDoc[]> {
  constructor(
    private readonly accounts: Accounts,
    private readonly engine: Engine,
  ) {}

  async execute({ reader, minPosition, filter }: ListUsers): Promise<UserDoc[]> {
    mayReadAccounts(reader);
    await this.engine.waitFor(minPosition, [ACCOUNTS_PROJECTION]);
    return (await this.accounts.listUsers()).filter((u) => matchesUser(u, filter));
  }
}

@QueryHandler(GetUser)
@Injectable()
export class GetUserHandler implements IQueryHandler<GetUser, UserDoc | undefined> {
  constructor(private readonly accounts: Accounts) {}

  execute({ reader, userId }: GetUser): Promise<UserDoc | undefined> {
    mayReadAccounts(reader);
    return this.accounts.user(userId);
  }
}

export const ACCOUNTS_HANDLERS = [
  AccountsHandler,
  CreateUserHandler,
  ResetPasswordHandler,
  ChangeOwnPasswordHandler,
  SignInHandler,
  SignOutHandler,
  ListUsersHandler,
  GetUserHandler,
];
