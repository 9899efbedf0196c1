import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { CommandMeta, Decider, Principal } from '../../engine/commands/command.js';
import type { CommandResult, ExecuteOptions } from '../../engine/commands/command-executor.js';
import { deterministicUuid } from '../../engine/ids.js';
import { Engine } from '../../engine/nest/engine.js';
import { ProblemException, problem } from '../../engine/nest/http/problem-details.js';
import {
  bootstrapDecider,
  CLI_PRINCIPAL,
  isCliPrincipal,
  normalizeUsername,
  userDecider,
  usernameDecider,
  USERNAME,
  type Bootstrap,
  type ReserveUsername,
  type UserCommand,
} from './accounts.decider.js';
import { BOOTSTRAP_STREAM, userStream, usernameStream, type AccountsBootstrapped } from './accounts.events.js';
import { ACCOUNTS_PROJECTION, type UserDoc, type UsernameDoc } from './accounts.projection.js';
import { ACCOUNTS_SETTINGS, defaultAccountsSettings, type AccountsSettings } from './accounts.settings.js';
import { credentialStoreFor, type CredentialStore, type SessionRecord } from './credential-store.js';
import { DEFAULT_LANGUAGE, passwordProblems, passwordRuleMessage, type Language } from './password-policy.js';
import { dummyHash, generateOneTimePassword, hashPassword, verifyPassword } from './passwords.js';
import { isWellFormedToken, hashToken, newSessionToken, sessionStatus, TOUCH_INTERVAL_MS } from './sessions.js';

export const CREDENTIALS = Symbol('CredentialStore');

/** Commands another part of the system may send by name. Creating users and setting passwords also touch secrets, so they go through this service only. */
export const ROUTABLE_USER_COMMANDS = ['accounts.GrantRole', 'accounts.RevokeRole', 'accounts.DisableUser', 'accounts.EnableUser'] as const;

export interface NewUser {
  username: string;
  name: string;
  unitId?: string;
  roles: string[];
}

export interface CreatedUser {
  userId: string;
  username: string;
  /** Shown once. Absent when a retried request (same Idempotency-Key) finds the user made already: reset it then. */
  oneTimePassword?: string;
  result: CommandResult;
}

export interface Authenticated {
  principal: Principal;
  user: UserDoc;
  session: SessionRecord;
}

export type LoginOutcome = { ok: false } | { ok: true; token: string; session: SessionRecord; user: UserDoc };

/**
 * The accounts workflow's shell: load, decide, append (through the deciders), then the secrets
 * beside the events. Every step that can be refused is decided before anything is written.
 */
@Injectable()
export class Accounts {
  readonly #log = new Logger('Accounts');
  #lastPurge = 0;

  constructor(
    readonly engine: Engine,
    @Inject(CREDENTIALS) readonly credentials: CredentialStore,
    @Inject(ACCOUNTS_SETTINGS) readonly settings: AccountsSettings,
  ) {}

  /** For code outside Nest's container (the demo users at start, scripts): the same service over an engine. */
  static async forEngine(engine: Engine): Promise<Accounts> {
    return new Accounts(engine, await credentialStoreFor(engine.readModels), defaultAccountsSettings({ production: engine.options.config.production }));
  }

  // Queries -------------------------------------------------------------------------------------

  user(userId: string): Promise<UserDoc | undefined> {
    return this.engine.query(ACCOUNTS_PROJECTION).get<UserDoc>('users', userId);
  }

  async userByUsername(username: string): Promise<UserDoc | undefined> {
    const ref = await this.engine.query(ACCOUNTS_PROJECTION).get<UsernameDoc>('usernames', normalizeUsername(username));
    return ref && this.user(ref.userId);
  }

  async listUsers(): Promise<UserDoc[]> {
    const users = (await this.engine.query(ACCOUNTS_PROJECTION).list<UserDoc>('users')).map((r) => r.doc);
    return users.sort((a, b) => a.username.localeCompare(b.username));
  }

  /** From the event store itself, not a projection that may lag: has the first administrator been created? */
  async bootstrapped(): Promise<{ userId: string; username: string; userExists: boolean } | undefined> {
    const [last] = await this.engine.store.readStream(BOOTSTRAP_STREAM, { direction: 'backwards', maxCount: 1 });
    if (!last) return undefined;
    const { userId, username } = last.data as AccountsBootstrapped['data'];
    const user = await this.engine.store.readStream(userStream(userId), { maxCount: 1 });
    return { userId, username, userExists: user.length > 0 };
  }

  // Commands ------------------------------------------------------------------------------------

  /**
   * The first administrator, from the command line (or the demo setup): refused by the bootstrap
   * decider once any user exists. Returns the one-time password to show once.
   */
  async bootstrapAdmin(input: NewUser): Promise<CreatedUser & { oneTimePassword: string }> {
    const meta = this.#meta(CLI_PRINCIPAL);
    const { userId, create, password, passwordHash } = await this.#prepare(input, meta);
    const previous = await this.bootstrapped();
    const bootstrap: Bootstrap = {
      type: 'accounts.Bootstrap',
      data: { userId, username: create.data.username, roles: create.data.roles, ...(previous && !previous.userExists ? { abandonedUserId: previous.userId } : {}) },
      meta,
    };
    await this.engine.decide(bootstrapDecider, BOOTSTRAP_STREAM, bootstrap);
    const result = await this.#create(create);
    await this.credentials.setCredential(userId, passwordHash, true, this.#oneTime());
    await this.engine.waitFor(result.position, [ACCOUNTS_PROJECTION]);
    return { userId, username: create.data.username, oneTimePassword: password, result };
  }

  /** An administrator creates a user with a one-time password; the username is reserved atomically first. */
  async createUser(input: NewUser, meta: CommandMeta): Promise<CreatedUser> {
    const { userId, create, password, passwordHash } = await this.#prepare(input, meta);
    const result = await this.#create(create);
    let oneTimePassword: string | undefined = password;
    if (result.replayed && (await this.credentials.getCredential(userId))) oneTimePassword = undefined;
    else await this.credentials.setCredential(userId, passwordHash, true, this.#oneTime());
    await this.engine.waitFor(result.position, [ACCOUNTS_PROJECTION]);
    return { userId, username: create.data.username, ...(oneTimePassword ? { oneTimePassword } : {}), result };
  }

  /** Roles, disabling and enabling. Disabling also ends the user's sessions at once. */
  async execute(command: UserCommand, options: ExecuteOptions = {}): Promise<CommandResult> {
    if (command.type === 'accounts.CreateUser' || command.type === 'accounts.SetPassword' || command.type === 'accounts.UseOneTimePassword') {
      throw new Error(`${command.type} goes with a secret: use createUser / resetPassword / changeOwnPassword / login`);
    }
    const result = await this.engine.decide(userDecider, userStream(command.data.userId), command, options);
    if (command.type === 'accounts.DisableUser') await this.credentials.revokeUserSessions(command.data.userId);
    await this.engine.waitFor(result.position, [ACCOUNTS_PROJECTION]);
    return result;
  }

  /**
   * An administrator gives the user a new one-time password (shown once) and ends their sessions.
   * A retried request sets another one: the last one shown is the one that works. Like every
   * one-time password it signs in once, within AccountsSettings.oneTimePasswordTtlMs.
   */
  async resetPassword(userId: string, meta: CommandMeta, options: ExecuteOptions = {}): Promise<{ oneTimePassword: string; result: CommandResult }> {
    const oneTimePassword = generateOneTimePassword((await this.user(userId))?.username ?? '');
    const passwordHash = await hashPassword(oneTimePassword);
    const command: UserCommand = { type: 'accounts.SetPassword', data: { userId, by: isCliPrincipal(meta.actor) ? 'cli' : 'admin' }, meta };
    const result = await this.engine.decide(userDecider, userStream(userId), command, options);
    await this.credentials.setCredential(userId, passwordHash, true, this.#oneTime());
    await this.credentials.revokeUserSessions(userId);
    await this.engine.waitFor(result.position, [ACCOUNTS_PROJECTION]);
    return { oneTimePassword, result };
  }

  /**
   * The signed-in user replaces their password (the one-time one, or their own). Their other
   * sessions end; this one goes on. Returns undefined when `current` is wrong. A new password that
   * breaks the rules (password-policy.ts) is refused with every rule it breaks, each with its
   * code and a message in `language`.
   */
  async changeOwnPassword(
    user: UserDoc,
    sessionTokenHash: string,
    current: string,
    next: string,
    meta: CommandMeta,
    language: Language = DEFAULT_LANGUAGE,
  ): Promise<CommandResult | undefined> {
    const refused = passwordProblems(next, { username: user.username, current });
    if (refused.length) {
      const errors = refused.map((code) => ({ field: 'next', code, message: passwordRuleMessage(code, language) }));
      const title = language === 'en-US' ? 'The new password is not acceptable' : '新密码不符合要求';
      throw new ProblemException(problem(422, 'password-rejected', title, errors.map((e) => `next: ${e.message}`).join('; '), { errors }));
    }
    const credential = await this.credentials.getCredential(user.userId);
    if (!credential || !(await verifyPassword(credential.passwordHash, current))) return undefined;
    const passwordHash = await hashPassword(next);
    const command: UserCommand = { type: 'accounts.SetPassword', data: { userId: user.userId, by: 'self' }, meta };
    const result = await this.engine.decide(userDecider, userStream(user.userId), command);
    await this.credentials.setCredential(user.userId, passwordHash, false);
    await this.credentials.revokeUserSessions(user.userId, { except: sessionTokenHash });
    await this.engine.waitFor(result.position, [ACCOUNTS_PROJECTION]);
    return result;
  }

  // Sessions ------------------------------------------------------------------------------------

  /**
   * Checks a username and password. Every failure looks the same (unknown user, wrong password,
   * disabled user, no password set, a one-time password used already or expired) and costs the
   * same argon2 verification, so neither the answer nor its timing tells whether the username exists.
   *
   * A one-time password signs in once: the credential store spends it atomically (of several
   * sign-ins at once, one wins), and OneTimePasswordUsed records it in the user's stream. Its
   * session may only change the password (SessionGuard).
   */
  async login(username: string, password: string): Promise<LoginOutcome> {
    const name = normalizeUsername(username);
    const user = USERNAME.test(name) ? await this.userByUsername(name) : undefined;
    const credential = user ? await this.credentials.getCredential(user.userId) : undefined;
    const ok = await verifyPassword(credential?.passwordHash ?? (await dummyHash()), password);
    if (!ok || !user || !credential || user.disabled) return { ok: false };

    const now = this.settings.sessionClock();
    if (credential.mustChange) {
      if (!(await this.credentials.consumeOneTimePassword(user.userId, credential.passwordHash, now))) return { ok: false };
      const use: UserCommand = {
        type: 'accounts.UseOneTimePassword',
        data: { userId: user.userId },
        meta: this.metaFor(principalOfUser(user), { reason: 'signed in with the one-time password, to set a password of their own' }),
      };
      await this.engine.decide(userDecider, userStream(user.userId), use);
    }
    const { token, tokenHash } = newSessionToken();
    const expiresAt = now + this.settings.sessionAbsoluteMs;
    await this.credentials.createSession({ tokenHash, userId: user.userId, createdAt: now, expiresAt });
    if (Math.abs(now - this.#lastPurge) > 60 * 60 * 1000) {
      this.#lastPurge = now;
      await this.credentials.purgeSessions(now).catch((err: Error) => this.#log.warn(`purging ended sessions failed: ${err.message}`));
    }
    return { ok: true, token, user, session: { tokenHash, userId: user.userId, createdAt: now, lastSeenAt: now, expiresAt, revoked: false, mustChange: credential.mustChange } };
  }

  /** The session's user as a principal, with the roles granted now; undefined if the session is not live or the user is disabled. */
  async authenticate(token: string): Promise<Authenticated | undefined> {
    if (!isWellFormedToken(token)) return undefined;
    const tokenHash = hashToken(token);
    const session = await this.credentials.findSession(tokenHash);
    if (!session) return undefined;
    const now = this.settings.sessionClock();
    if (sessionStatus(session, now, this.settings.sessionIdleMs) !== 'active') return undefined;
    const user = await this.user(session.userId);
    if (!user || user.disabled) return undefined;
    if (now - session.lastSeenAt >= TOUCH_INTERVAL_MS) {
      await this.credentials.touchSession(tokenHash, now);
      session.lastSeenAt = now;
    }
    return { principal: principalOfUser(user), user, session };
  }

  logout(tokenHash: string): Promise<void> {
    return this.credentials.revokeSession(tokenHash);
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Everything that can refuse the creation, before anything is written: the user decider on an
   * empty stream (authorisation and every rule), then the slow hash. The user id comes from the
   * command id, so a retry (same Idempotency-Key) finds its own reservation and user.
   */
  #oneTime(): { expiresAt: number } {
    return { expiresAt: this.settings.sessionClock() + this.settings.oneTimePasswordTtlMs };
  }

  async #prepare(input: NewUser, meta: CommandMeta) {
    const userId = deterministicUuid(`user\n${meta.commandId}`);
    const create: Extract<UserCommand, { type: 'accounts.CreateUser' }> = {
      type: 'accounts.CreateUser',
      data: {
        userId,
        username: normalizeUsername(input.username),
        name: input.name,
        ...(input.unitId !== undefined ? { unitId: input.unitId } : {}),
        roles: [...input.roles],
      },
      meta,
    };
    dryRun(userDecider, create);
    const password = generateOneTimePassword(create.data.username);
    return { userId, create, password, passwordHash: await hashPassword(password) };
  }

  async #create(create: Extract<UserCommand, { type: 'accounts.CreateUser' }>): Promise<CommandResult> {
    const { username, userId } = create.data;
    const reserve: ReserveUsername = { type: 'accounts.ReserveUsername', data: { username, userId }, meta: create.meta };
    await this.engine.decide(usernameDecider, usernameStream(username), reserve);
    return this.engine.decide(userDecider, userStream(userId), create);
  }

  #meta(actor: Principal): CommandMeta {
    return { commandId: randomUUID(), actor, now: this.engine.clock.now().toISOString() };
  }

  /** Command metadata for code acting outside a request (the command line, the demo setup). */
  metaFor(actor: Principal, extra: { reason?: string } = {}): CommandMeta {
    return { ...this.#meta(actor), ...(extra.reason ? { reason: extra.reason } : {}) };
  }
}

export function principalOfUser(user: UserDoc): Principal {
  return { userId: user.userId, name: user.name, roles: [...user.roles], ...(user.unitId ? { unitId: user.unitId } : {}) };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any decider over user commands
function dryRun<C extends UserCommand>(decider: Decider<UserCommand, any, any>, command: C): void {
  const state = decider.initialState();
  decider.authorize(command, state);
  decider.decide(command, state);
}
