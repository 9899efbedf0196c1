import type { Command } from 'commander';
import { storeOption, withApp } from './context.js';
import { listingOptions, pageOf, printPage, type ListingOptions } from './listing.js';

export function projectionCommands(program: Command): void {
  const projections = program.command('projections').description('read models');
  storeOption(projections.command('rebuild <name>'))
    .description('rebuild a projection from the first event while the old copy keeps serving, then swap')
    .action(async (name: string, opts: { store?: string }) => {
      await withApp(opts.store, async (_app, engine) => {
        const started = Date.now();
        const state = await engine.runner.rebuild(name);
        console.log(
          `projection ${name}: generation ${state.generation} built up to ${state.checkpoint ?? 'the start'} in ${((Date.now() - started) / 1000).toFixed(2)} s and now serves`,
        );
      });
    });
  listingOptions(storeOption(projections.command('status')), [], 100)
    .description('every projection with its generation and checkpoint (after catching up)')
    .action(async (opts: { store?: string } & ListingOptions) => {
      await withApp(opts.store, async (_app, engine) => {
        await engine.runner.catchUp();
        printPage(
          opts,
          pageOf(engine.runner.status(), (s) => s.name, opts),
          (s) => `${s.name}\tgeneration ${s.generation}\tversion ${s.version}\tcheckpoint ${s.checkpoint ?? '-'}${s.error ? `\tERROR ${s.error}` : ''}`,
        );
      });
    });
}
