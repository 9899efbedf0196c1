import 'reflect-metadata';
import { Command } from 'commander';
import { auditCommands } from './cli/audit.js';
import { backupCommands } from './cli/backup.js';
import { demoCommands } from './cli/demo.js';
import { projectionCommands } from './cli/projections.js';
import { userCommands } from './cli/users.js';

/** `npm run cli -- …`: what an operator or auditor runs beside (or instead of) the server. */
const program = new Command('jixiao').description('Jixiao 绩效 command line').showHelpAfterError();
auditCommands(program);
backupCommands(program);
projectionCommands(program);
userCommands(program);
demoCommands(program);

await program.parseAsync(process.argv).catch((err: Error) => {
  console.error(err.message);
  process.exitCode = 1;
});
