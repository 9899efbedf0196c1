import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Command } from 'commander';
import { verifyChains } from '../../../libs/engine/audit/verify-chains.js';
import { readConfig } from '../../../libs/engine/config.js';
import { openStorage, redact } from '../../../libs/engine/event-store/open-event-store.js';
import { Engine } from '../../../libs/engine/nest/engine.js';
import { AppModule } from './app.module.js';

/** `npm run cli -- …`: what an operator or auditor runs beside (or instead of) the server. */
const program = new Command('jixiao').description('Jixiao 绩效 command line').showHelpAfterError();

const storeOption = (cmd: Command) =>
  cmd.option('--store <url>', 'event store URL (default: EVENT_STORE_URL, else sqlite:./data/jixiao.db)');

function configFor(store: string | undefined) {
  return readConfig({ ...process.env, ...(store ? { EVENT_STORE_URL: store } : {}) });
}

/** The application without its HTTP server and without background work: for one-shot commands. */
async function withEngine<T>(store: string | undefined, work: (engine: Engine) => Promise<T>): Promise<T> {
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config: configFor(store), background: false }), { logger: ['error', 'warn'] });
  try {
    return await work(app.get(Engine));
  } finally {
    await app.close();
  }
}

const audit = program.command('audit').description('tamper evidence');
storeOption(audit.command('verify'))
  .description('recompute every hash chain; exit 0 when intact, else name the first altered, removed or reordered event')
  .action(async (opts: { store?: string }) => {
    const config = configFor(opts.store);
    const storage = await openStorage(config.eventStoreUrl);
    const started = Date.now();
    try {
      const report = await verifyChains(storage);
      const seconds = (Date.now() - started) / 1000;
      if (report.ok) {
        console.log(`intact: ${report.events} events in ${report.streams} streams verified in ${seconds.toFixed(2)} s (${redact(config.eventStoreUrl)})`);
        return;
      }
      const [first] = report.problems;
      console.error(`TAMPERED: ${first!.kind} event in stream "${first!.streamId}" at revision ${first!.revision}: ${first!.detail}`);
      for (const p of report.problems.slice(1)) console.error(`  also: ${p.kind} in "${p.streamId}" at revision ${p.revision}: ${p.detail}`);
      console.error(`${report.problems.length} broken stream(s) among ${report.streams}; ${report.events} events read.`);
      process.exitCode = 3;
    } finally {
      await storage.close();
    }
  });

const projections = program.command('projections').description('read models');
storeOption(projections.command('rebuild <name>'))
  .description('rebuild a projection from the first event while the old copy keeps serving, then swap')
  .action(async (name: string, opts: { store?: string }) => {
    await withEngine(opts.store, async (engine) => {
      const started = Date.now();
      const state = await engine.runner.rebuild(name);
      console.log(`projection ${name}: generation ${state.generation} built up to ${state.checkpoint ?? 'the start'} in ${((Date.now() - started) / 1000).toFixed(2)} s and now serves`);
    });
  });
storeOption(projections.command('status'))
  .description('every projection with its generation and checkpoint')
  .action(async (opts: { store?: string }) => {
    await withEngine(opts.store, async (engine) => {
      await engine.runner.catchUp();
      for (const s of engine.runner.status()) console.log(`${s.name}\tgeneration ${s.generation}\tversion ${s.version}\tcheckpoint ${s.checkpoint ?? '-'}${s.error ? `\tERROR ${s.error}` : ''}`);
    });
  });

await program.parseAsync(process.argv).catch((err: Error) => {
  console.error(err.message);
  process.exitCode = 1;
});
