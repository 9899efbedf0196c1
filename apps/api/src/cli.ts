import 'reflect-metadata';
import { Command } from 'commander';

/**
 * `npm run cli -- …`: what an operator or auditor runs beside (or instead of) the server. Only the
 * command group named is loaded (all of them for --help): a listing starts in about a second.
 */
const MODULES = {
  audit: async () => (await import('./cli/audit.js')).auditCommands,
  backup: async () => (await import('./cli/backup.js')).backupCommands,
  projections: async () => (await import('./cli/projections.js')).projectionCommands,
  users: async () => (await import('./cli/users.js')).userCommands,
  demo: async () => (await import('./cli/demo.js')).demoCommands,
} satisfies Record<string, () => Promise<(program: Command) => void>>;
/** A top-level command → the module that declares it. */
const GROUPS: Record<string, keyof typeof MODULES> = { audit: 'audit', backup: 'backup', 'recover-writes': 'backup', projections: 'projections', users: 'users', demo: 'demo' };
const program = new Command('jixiao').description('Jixiao 绩效 command line').showHelpAfterError();
const named = GROUPS[process.argv[2] ?? ''];
for (const name of named ? [named] : (Object.keys(MODULES) as (keyof typeof MODULES)[])) (await MODULES[name]())(program);

await program.parseAsync(process.argv).catch((err: Error) => {
  console.error(err.message);
  process.exitCode = 1;
});
