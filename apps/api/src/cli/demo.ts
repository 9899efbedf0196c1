import type { Command } from 'commander';
import { ManualClock } from '../../../../libs/engine/clock.js';
import { CLI_PRINCIPAL } from '../../../../libs/workflows/accounts/accounts.decider.js';
import { storeOption, withApp } from './context.js';

export function demoCommands(program: Command): void {
  storeOption(program.command('demo'))
    .description('play a synthetic year (演示数据 / synthetic demo data) of the plan through the same commands people send; refused on a store holding real data')
    .option('--seed <n>', 'seed of the synthetic figures and of every choice the script makes', '2023')
    .option('--months <n>', 'play only the first n months (and what follows from them)', '12')
    .option('--close-year', 'the whole year, then the year-end review closed: proposal generated, amended, approved and published (as JIXIAO_DEMO=closed at first start)')
    .action(async (opts: { store?: string; seed: string; months: string; closeYear?: boolean }) => {
      await withApp(
        opts.store,
        async (app) => {
          const [{ playDemoYear }, { usersTable }] = await Promise.all([
            import('../../../../libs/workflows/demo/demo-year.js'),
            import('../../../../libs/workflows/demo/first-start.js'),
          ]);
          const outcome = await playDemoYear(app, {
            seed: Number(opts.seed),
            months: Number(opts.months),
            closeYear: opts.closeYear ?? false,
            operator: CLI_PRINCIPAL,
            progress: (line) => console.log(line),
          });
          const total = Object.values(outcome.counts).reduce((a, b) => a + b, 0);
          console.log(
            `\nPlayed ${outcome.months === 12 ? (outcome.closedYear ? 'the whole year and its year-end review' : 'the whole year') : `${outcome.months} month(s)`} of ${outcome.planId} (seed ${outcome.seed}) in ${(outcome.durationMs / 1000).toFixed(1)} s: ${outcome.commands} commands, ${outcome.timersFired} timers fired, ${total} events, recorded ${outcome.simulated.from} … ${outcome.simulated.to}.`,
          );
          const width = Math.max(...Object.keys(outcome.counts).map((t) => t.length));
          for (const [type, n] of Object.entries(outcome.counts).sort(([a], [b]) => a.localeCompare(b))) console.log(`  ${type.padEnd(width)}  ${n}`);
          if (outcome.createdUsers.length) {
            console.log('');
            for (const line of usersTable(outcome.createdUsers)) console.log(line);
          }
        },
        { clock: new ManualClock() },
      ); // the demo moves it through the plan year
    });
}
