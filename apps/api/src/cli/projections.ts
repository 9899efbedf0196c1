import type { Command } from 'commander';
import { storeOption, withApp } from './context.js';

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
  storeOption(projections.command('status'))
    .description('every projection with its generation and checkpoint (after catching up)')
    .action(async (opts: { store?: string }) => {
      await withApp(opts.store, async (_app, engine) => {
        await engine.runner.catchUp();
        for (const s of engine.runner.status()) {
          console.log(`${s.name}\tgeneration ${s.generation}\tversion ${s.version}\tcheckpoint ${s.checkpoint ?? '-'}${s.error ? `\tERROR ${s.error}` : ''}`);
        }
      });
    });
}
