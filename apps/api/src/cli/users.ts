import type { Command } from 'commander';
import { CLI_PRINCIPAL } from '../../../../libs/workflows/accounts/accounts.decider.js';
import { Accounts } from '../../../../libs/workflows/accounts/accounts.service.js';
import { storeOption, withApp } from './context.js';

const collect = (value: string, previous: string[]) => [...previous, value];

export function userCommands(program: Command): void {
  const users = program.command('users').description('accounts: the first administrator, listing, disabling');

  storeOption(users.command('add'))
    .description('create the FIRST administrator (refused once any user exists; later users are added by an administrator) and print a one-time password')
    .requiredOption('--username <name>', 'lower-case letters, digits and . _ -')
    .requiredOption('--name <display name>', 'e.g. 张伟')
    .option('--role <role>', 'a role; repeatable; must include admin', collect, [])
    .option('--unit <unitId>', 'the user’s unit, for reporter and head')
    .action(async (opts: { store?: string; username: string; name: string; role: string[]; unit?: string }) => {
      await withApp(opts.store, async (app) => {
        const created = await app.get(Accounts).bootstrapAdmin({
          username: opts.username,
          name: opts.name,
          roles: opts.role.length ? opts.role : ['admin'],
          ...(opts.unit ? { unitId: opts.unit } : {}),
        });
        console.log(`created ${created.username} (${created.userId})`);
        console.log(`one-time password: ${created.oneTimePassword}`);
        console.log('It is shown only this once and must be changed at the first sign-in.');
      });
    });

  storeOption(users.command('list'))
    .description('every user with roles, unit and status')
    .action(async (opts: { store?: string }) => {
      await withApp(opts.store, async (app, engine) => {
        await engine.runner.catchUp();
        for (const u of await app.get(Accounts).listUsers()) {
          console.log([u.username, u.name, u.roles.join(',') || '-', u.unitId ?? '-', u.disabled ? `DISABLED (${u.disabledReason ?? ''})` : 'active', u.userId].join('\t'));
        }
      });
    });

  storeOption(users.command('disable <username>'))
    .description('disable a user at once (an operator’s emergency stop; recorded as done from the command line)')
    .requiredOption('--reason <reason>', 'why (recorded)')
    .action(async (username: string, opts: { store?: string; reason: string }) => {
      await withApp(opts.store, async (app, engine) => {
        await engine.runner.catchUp();
        const accounts = app.get(Accounts);
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
