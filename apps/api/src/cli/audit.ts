import type { Command } from 'commander';
import { verifyChains } from '../../../../libs/engine/audit/verify-chains.js';
import { openStorage, redact } from '../../../../libs/engine/event-store/open-event-store.js';
import { configFor, storeOption } from './context.js';

export function auditCommands(program: Command): void {
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
}
