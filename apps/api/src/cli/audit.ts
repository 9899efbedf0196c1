import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { parseSealText, sealText, verifySeals } from '../../../../libs/engine/audit/seals.js';
import { verifyChains } from '../../../../libs/engine/audit/verify-chains.js';
import { EventStore } from '../../../../libs/engine/event-store/event-store.js';
import { openStorage, redact } from '../../../../libs/engine/event-store/open-event-store.js';
import { SYSTEM_PRINCIPAL } from '../../../../libs/engine/timers/timer-scheduler.js';
import { makeSeal, sealsSoFar } from '../../../../libs/workflows/audit/seal.service.js';
import { configFor, storeOption } from './context.js';

export function auditCommands(program: Command): void {
  const audit = program.command('audit').description('tamper evidence');
  storeOption(audit.command('verify'))
    .description('recompute every hash chain and every seal; exit 0 when intact, else name the first altered, removed or reordered event')
    .option('--seal <file>', 'an exported seal (text block) to prove the record up to it unchanged; "-" reads standard input')
    .action(async (opts: { store?: string; seal?: string }) => {
      const config = configFor(opts.store);
      const store = new EventStore(await openStorage(config.eventStoreUrl));
      const started = Date.now();
      try {
        const exported = opts.seal ? parseSealText(readFileSync(opts.seal === '-' ? 0 : opts.seal, 'utf8')) : undefined;
        const chains = await verifyChains(store.storage);
        const seals = await verifySeals(store, exported);
        const seconds = (Date.now() - started) / 1000;
        if (chains.ok && seals.ok) {
          console.log(
            `intact: ${chains.events} events in ${chains.streams} streams verified in ${seconds.toFixed(2)} s (${Math.round(chains.events / Math.max(seconds, 0.001))} events/s); ` +
              `${seals.seals} seal(s) hold (${redact(config.eventStoreUrl)})`,
          );
          if (exported) console.log(`the exported seal ${exported.sealId} (${exported.sealedAt}) matches the record: nothing up to position ${exported.position} has changed`);
          return;
        }
        if (!chains.ok) {
          const [first] = chains.problems;
          console.error(`TAMPERED: ${first!.kind} event in stream "${first!.streamId}" at revision ${first!.revision}: ${first!.detail}`);
          for (const p of chains.problems.slice(1)) console.error(`  also: ${p.kind} in "${p.streamId}" at revision ${p.revision}: ${p.detail}`);
        }
        for (const p of seals.problems) console.error(`${chains.ok && p === seals.problems[0] ? 'TAMPERED: ' : '  seal: '}${p.kind} (${p.sealId}): ${p.detail}`);
        console.error(`${chains.problems.length} broken stream(s) among ${chains.streams}; ${seals.problems.length} seal problem(s) among ${seals.seals} seal(s); ${chains.events} events read.`);
        process.exitCode = 3;
      } finally {
        await store.close();
      }
    });

  storeOption(audit.command('seal'))
    .description('seal the record as it stands now and print the seal to export')
    .option('--occasion <text>', 'why this seal is made', 'on request (command line)')
    .action(async (opts: { store?: string; occasion: string }) => {
      const store = new EventStore(await openStorage(configFor(opts.store).eventStoreUrl));
      try {
        const seal = await makeSeal(store, SYSTEM_PRINCIPAL, new Date().toISOString(), opts.occasion);
        console.log(seal ? sealText(seal, store.kind) : 'nothing to seal: the store is empty');
      } finally {
        await store.close();
      }
    });

  storeOption(audit.command('seals'))
    .description('print every recorded seal as its exportable text block')
    .action(async (opts: { store?: string }) => {
      const store = new EventStore(await openStorage(configFor(opts.store).eventStoreUrl));
      try {
        for (const s of (await sealsSoFar(store)).all) console.log(`${sealText(s, store.kind)}\n(${s.occasion})\n`);
      } finally {
        await store.close();
      }
    });
}
