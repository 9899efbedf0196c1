/**
 * Accounts, roles and unit scoping (GitHub issue 5). See docs/security.md for the whole design;
 * in short:
 * - users, roles, disabling and "a password was set" are events in `user-<userId>`, decided by
 *   accounts.decider.ts with the access table's authorize(); usernames are unique by a
 *   reservation stream each; the first administrator comes from the command line;
 * - passwords (argon2id) and sessions (an opaque token, only its SHA-256 stored; 8 h idle, 24 h
 *   absolute, real time) live beside the events in the read-model database (credential-store.ts);
 * - a global guard (SessionGuard) requires a session on every endpoint not marked @Public() and
 *   puts the session's user, with the roles granted now, on the request as the principal;
 * - sign-in is throttled per address (every attempt) and per account (failures), behind
 *   @nestjs/throttler's ThrottlerStorage interface (login-throttle.ts): in Redis when REDIS_URL is
 *   set, so every API instance shares the counts (login-attempts-redis.ts), else in the process.
 */
import { Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ENGINE_CONFIG, READ_MODELS, type EngineOptions } from '../../engine/nest/engine.js';
import type { ReadModelStore } from '../../engine/projections/read-model-store.js';
import type { WorkflowDefinition } from '../../engine/nest/cqrs.js';
import { AuthController, UsersController } from './accounts.controller.js';
import { ACCOUNTS_HANDLERS, AccountsBusCommand } from './accounts.handlers.js';
import { accountsProjection } from './accounts.projection.js';
import { Accounts, CREDENTIALS, ROUTABLE_USER_COMMANDS } from './accounts.service.js';
import { ACCOUNTS_SETTINGS, defaultAccountsSettings, LOGIN_ATTEMPTS } from './accounts.settings.js';
import { credentialStoreFor } from './credential-store.js';
import { RedisLoginAttempts } from './login-attempts-redis.js';
import { LoginAddressGuard, LoginAttempts, LoginThrottle, type LoginAttemptStore } from './login-throttle.js';
import { SessionGuard } from './session.guard.js';

@Module({
  providers: [
    ...ACCOUNTS_HANDLERS,
    { provide: ACCOUNTS_SETTINGS, useFactory: (o: EngineOptions) => defaultAccountsSettings({ production: o.config.production }), inject: [ENGINE_CONFIG] },
    {
      // With Redis, the counts are shared by every API instance; without it, kept in this process.
      provide: LOGIN_ATTEMPTS,
      useFactory: (o: EngineOptions): LoginAttemptStore => {
        const log = new Logger('LoginThrottle');
        return o.config.redisUrl ? new RedisLoginAttempts(o.config.redisUrl, { log: (line) => log.warn(line) }) : new LoginAttempts();
      },
      inject: [ENGINE_CONFIG],
    },
    { provide: CREDENTIALS, useFactory: (readModels: ReadModelStore) => credentialStoreFor(readModels), inject: [READ_MODELS] },
    Accounts,
    LoginThrottle,
    LoginAddressGuard,
    { provide: APP_GUARD, useClass: SessionGuard },
  ],
  // The HTTP controllers' guards and settings (apps/api mounts them in a module importing this one).
  exports: [Accounts, ACCOUNTS_SETTINGS, LOGIN_ATTEMPTS, LoginThrottle, LoginAddressGuard],
})
export class AccountsModule implements OnApplicationShutdown {
  constructor(@Inject(LOGIN_ATTEMPTS) private readonly attempts: LoginAttemptStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.attempts.close?.();
  }
}

/** Users, roles, sessions and passwords; the accounts projection. */
export const accountsWorkflow: WorkflowDefinition = {
  name: 'accounts',
  module: AccountsModule,
  controllers: [AuthController, UsersController],
  commands: { types: ROUTABLE_USER_COMMANDS, message: AccountsBusCommand },
  projections: [accountsProjection],
};
