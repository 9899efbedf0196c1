import type { Command } from 'commander';
import { CLI_PRINCIPAL } from '../../../../libs/workflows/accounts/accounts.decider.js';
import type { Accounts as AccountsType } from '../../../../libs/workflows/accounts/accounts.service.js';
import type { UserDoc } from '../../../../libs/workflows/accounts/accounts.projection.js';
import { storeOption, withApp, withProjections } from './context.js';
import { listingOptions, pageOf, printPage, type ListingOptions } from './listing.js';

const collect = (value: string, previous: string[]) => [...previous, value];

export function userCommands(program: Command): void {
  const users = program.command('users').description('accounts: the first administrator, an administrator locked out, listing, disabling');

  storeOption(users.command('add'))
    .description('create the FIRST administrator (refused once any user exists; later users are added by an administrator) and print a one-time password')
    .requiredOption('--username <name>', 'lower-case letters, digits and . _ -')
    .requiredOption('--name <display name>', 'e.g. 张伟')
    .option('--role <role>', 'a role; repeatable; must include admin', collect, [])
    .option('--unit <unitId>', 'the user’s unit, for reporter and head')
    .action(async (opts: { store?: string; username: string; name: string; role: string[]; unit?: string }) => {
      await withApp(opts.store, async (app) => {
        const created = await app.get(await accountsClass()).bootstrapAdmin({
          username: opts.username,
          name: opts.name,
          roles: opts.role.length ? opts.role : ['admin'],
          ...(opts.unit ? { unitId: opts.unit } : {}),
        });
        console.log(`created ${created.username} (${created.userId})`);
        console.log(`one-time password: ${created.oneTimePassword}`);
        const hours = Math.round(app.get(await accountsClass()).settings.oneTimePasswordTtlMs / 3_600_000);
        console.log(`It is shown only this once, signs in once, within ${hours} hours, and must then be replaced.`);
      });
    });

  storeOption(users.command('reset-password'))
    .description(
      'an administrator locked out: give them a new one-time password, printed once (it signs in once, to set a new password; their sessions end). Other users are reset by an administrator.',
    )
    .requiredOption('--username <name>', 'the administrator')
    .option('--reason <reason>', 'why (recorded)', 'administrator locked out: password reset from the command line')
    .action(async (opts: { store?: string; username: string; reason: string }) => {
      await withApp(opts.store, async (app, engine) => {
        await engine.runner.catchUp();
        const accounts = app.get(await accountsClass());
        const user = await accounts.userByUsername(opts.username);
        if (!user) throw new Error(`no user ${opts.username}`);
        if (!user.roles.includes('admin')) {
          throw new Error(`${user.username} is not an administrator: an administrator resets their password (POST /api/v1/users/${user.userId}/password)`);
        }
        const { oneTimePassword } = await accounts.resetPassword(user.userId, accounts.metaFor(CLI_PRINCIPAL, { reason: opts.reason }));
        const hours = Math.round(accounts.settings.oneTimePasswordTtlMs / 3_600_000);
        console.log(`reset the password of ${user.username} (${user.userId}); their sessions have ended`);
        console.log(`one-time password: ${oneTimePassword}`);
        console.log(`It is shown only this once, signs in once, within ${hours} hours, and must then be replaced.`);
        if (user.disabled) console.log(`${user.username} is disabled: an administrator must enable the account before it can sign in`);
      });
    });

  listingOptions(storeOption(users.command('list')), [], 100)
    .description('every user with roles, unit and status (paged by username)')
    .action(async (opts: { store?: string } & ListingOptions) => {
      // Without the application: the store and the accounts projection alone, caught up (issue 14).
      const { accountsProjection, ACCOUNTS_PROJECTION } = await import('../../../../libs/workflows/accounts/accounts.projection.js');
      await withProjections(opts.store, [accountsProjection], async ({ reader }) => {
        const all = (await reader(ACCOUNTS_PROJECTION).list<UserDoc>('users')).map((r) => r.doc).sort((a, b) => a.username.localeCompare(b.username));
        printPage(
          opts,
          pageOf(all, (u) => u.username, opts),
          (u) => [u.username, u.name, u.roles.join(',') || '-', u.unitId ?? '-', u.disabled ? `DISABLED (${u.disabledReason ?? ''})` : 'active', u.userId].join('\t'),
          'no users',
        );
      });
    });

  storeOption(users.command('disable <username>'))
    .description('disable a user at once (an operator’s emergency stop; recorded as done from the command line)')
    .requiredOption('--reason <reason>', 'why (recorded)')
    .action(async (username: string, opts: { store?: string; reason: string }) => {
      await withApp(opts.store, async (app, engine) => {
        await engine.runner.catchUp();
        const accounts = app.get(await accountsClass());
        const user = await accounts.userByUsername(username);
        if (!user) throw new Error(`no user ${username}`);
        const result = await accounts.execute({
          type: 'accounts.DisableUser',
          data: { userId: user.userId, reason: opts.reason },
          meta: accounts.metaFor(CLI_PRINCIPAL, { reason: opts.reason }),
        });
        console.log(result.events.length ? `disabled ${user.username}; their sessions have ended` : `${user.username} was disabled already`);
      });
    });
}

/** The accounts service class, loaded when a command needs the application (not for --help). */
async function accountsClass(): Promise<new (...args: never[]) => AccountsType> {
  return (await import('../../../../libs/workflows/accounts/accounts.service.js')).Accounts;
}
