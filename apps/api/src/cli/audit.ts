import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { parseSealText, sealText, verifySeals } from '../../../../libs/engine/audit/seals.js';
import { verifyLogInParallel } from '../../../../libs/engine/audit/verify-parallel.js';
import { redact } from '../../../../libs/engine/event-store/open-event-store.js';
import { SYSTEM_PRINCIPAL } from '../../../../libs/engine/timers/system-principal.js';
import { makeSeal, sealingFromEnv, sealsSoFar, useSealing, verifyOptionsFor } from '../../../../libs/workflows/audit/sealing.js';
import { readWitnessFile } from '../../../../libs/engine/audit/witness.js';
import type { EventStore } from '../../../../libs/engine/event-store/event-store.js';
import { userInfo } from 'node:os';
import { writeFileSync } from 'node:fs';
import type { Principal } from '../../../../libs/engine/commands/command.js';
import type { AuditService as AuditServiceType } from '../../../../libs/workflows/audit/audit.service.js';
import type { ProvenanceField, ViewParams } from '../../../../libs/workflows/audit/views.js';
import type { PlanState } from '../../../../libs/workflows/plan/plan.decider.js';
import type { PlanEvent } from '../../../../libs/workflows/plan/plan.events.js';
import { storeOption, withApp, withProjections, withStore } from './context.js';
import { listingOptions, pageOf, printPage, shown, timeOf, typesOf, limitOf, type ListingOptions } from './listing.js';

const PLAN = 'ye-county-2023';
/** Who runs the CLI, for the record: the operating-system account, reading as an auditor. */
const cliAuditor = (): Principal => ({ userId: `cli:${userInfo().username}`, name: `command line (${userInfo().username})`, roles: ['auditor'] });
/** The key and witnesses configured for this store (JIXIAO_SEAL_KEY…, JIXIAO_WITNESS); `generate` only where a seal is made. */
function configureSealing(store: EventStore, url: string, generate: boolean) {
  const sealing = sealingFromEnv({ env: process.env, storeUrl: url, production: process.env.NODE_ENV === 'production', generate, log: (m) => console.error(m) });
  useSealing(store, sealing);
  return sealing;
}
function viewParams(o: { period?: string; quarter?: string; year?: string }): ViewParams {
  return { ...(o.period ? { period: o.period } : {}), ...(o.quarter ? { quarter: o.quarter } : {}), ...(o.year ? { year: Number(o.year) } : {}) };
}
const viewOptions = (cmd: Command) =>
  storeOption(cmd)
    .option('--plan <id>', 'plan id', PLAN)
    .option('--period <YYYY-MM>', 'month (annex2)')
    .option('--quarter <YYYY-Qn>', 'quarter (warnings)')
    .option('--year <YYYY>', 'year (compliance, proposal)');

/** `audit verify --document FILE.pdf`: exit 0 when the file is an issued document, unchanged; 3 otherwise. */
async function verifyDocumentFile(storeUrl: string | undefined, file: string): Promise<void> {
  const { verifyDocument } = await import('../../../../libs/workflows/documents/verify-document.js');
  await withStore(storeUrl, async (store) => {
    const v = await verifyDocument(store, readFileSync(file));
    if (v.ok) {
      console.log(`matches the record: ${v.number} “${v.title}” (${v.documentId}), issued ${v.issuedAt} by ${v.issuedBy.name}; SHA-256 ${v.sha256}`);
      console.log(
        `cites seal ${v.seal.sealId} (${v.seal.sealedAt}, position ${v.seal.position}), digest ${v.seal.root}: ${v.sealInRecord ? 'in the record, unchanged' : 'NOT in the record as printed'}; ` +
          `rendered again from its event: ${v.rerenders ? 'the same bytes' : 'DIFFERENT bytes'}`,
      );
      if (!v.sealInRecord || !v.rerenders) process.exitCode = 3;
      return;
    }
    console.error(
      v.claims
        ? `ALTERED: the file says it is ${v.claims.number} (${v.claims.documentId}), whose recorded SHA-256 is ${v.claims.recordedSha256}, but its own is ${v.sha256}`
        : `NOT FOUND: no document in the record has SHA-256 ${v.sha256}`,
    );
    process.exitCode = 3;
  });
}

export function auditCommands(program: Command): void {
  const audit = program.command('audit').description('tamper evidence');
  storeOption(audit.command('verify'))
    .description('recompute every hash chain and every seal; exit 0 when intact, else name the first altered, removed or reordered event')
    .option('--seal <file>', 'an exported seal (text block) to prove the record up to it unchanged; "-" reads standard input')
    .option('--witness <file>', 'a witness file (JIXIAO_WITNESS; default: the one beside the store, if any): every seal it holds must be in the record, unchanged')
    .option('--public-key <key>', 'the seal key’s public half (ed25519:…, from `audit public-key`): seals signed by any other key are named (default: the configured key’s)')
    .option('--document <file>', 'an official document (PDF) Jixiao issued: find it by its SHA-256, say whether it matches the record and which seal it cites')
    .action(async (opts: { store?: string; seal?: string; witness?: string; publicKey?: string; document?: string }) => {
      if (opts.document) return verifyDocumentFile(opts.store, opts.document);
      await withStore(opts.store, async (store, url) => {
        const started = Date.now();
        const exported = opts.seal ? parseSealText(readFileSync(opts.seal === '-' ? 0 : opts.seal, 'utf8')) : undefined;
        // Verification reads the configured key and witness, and never generates a key.
        configureSealing(store, url, false);
        const defaults = verifyOptionsFor(store);
        const options = {
          ...defaults,
          ...(opts.publicKey ? { trustedKeys: [opts.publicKey] } : {}),
          ...(opts.witness ? { witness: readWitnessFile(opts.witness) } : {}),
        };
        // Chains and seals in worker threads, the log read once (verify-parallel.ts).
        const { chains, seals } = await verifyLogInParallel(url, store, exported, options);
        // Every blob an event refers to (attachments, issue 16): present and of its recorded hash.
        // Loaded here: the blob stores (an S3 client among them) are audit verify's alone.
        const blobs = await (await import('./verify-blobs.js')).verifyReferencedBlobs(store, opts.store);
        const seconds = (Date.now() - started) / 1000;
        if (chains.ok && seals.ok && blobs.ok) {
          console.log(
            `intact: ${chains.events} events in ${chains.streams} streams verified in ${seconds.toFixed(2)} s (${Math.round(chains.events / Math.max(seconds, 0.001))} events/s); ` +
              `${seals.seals} seal(s) hold (${redact(url)})`,
          );
          console.log(
            `seals: ${seals.signed} signed by ${seals.keys.join(', ') || 'no key'}${seals.keysTrusted ? ' (the trusted key)' : ' (the key the record names: pass --public-key to pin it)'}; ` +
              `${seals.legacy} unsigned (legacy); ${seals.witnessed !== undefined ? `${seals.witnessed} compared with the witness` : 'no witness compared (--witness FILE)'}`,
          );
          console.log(blobs.summary);
          if (exported) console.log(`the exported seal ${exported.sealId} (${exported.sealedAt}) matches the record: nothing up to position ${exported.position} has changed`);
          return;
        }
        if (!chains.ok) {
          const [first] = chains.problems;
          console.error(`TAMPERED: ${first!.kind} event in stream "${first!.streamId}" at revision ${first!.revision}: ${first!.detail}`);
          for (const p of chains.problems.slice(1)) console.error(`  also: ${p.kind} in "${p.streamId}" at revision ${p.revision}: ${p.detail}`);
        }
        if (!blobs.ok) for (const line of blobs.lines) console.error(line);
        for (const p of seals.problems) console.error(`${chains.ok && p === seals.problems[0] ? 'TAMPERED: ' : '  seal: '}${p.kind} (${p.sealId}): ${p.detail}`);
        console.error(
          `${chains.problems.length} broken stream(s) among ${chains.streams}; ${seals.problems.length} seal problem(s) among ${seals.seals} seal(s); ${chains.events} events read.`,
        );
        process.exitCode = 3;
      });
    });

  storeOption(audit.command('seal'))
    .description('seal the record as it stands now and print the seal to export')
    .option('--occasion <text>', 'why this seal is made', 'on request (command line)')
    .action(async (opts: { store?: string; occasion: string }) => {
      await withStore(opts.store, async (store, url) => {
        configureSealing(store, url, true);
        const seal = await makeSeal(store, SYSTEM_PRINCIPAL, new Date().toISOString(), opts.occasion);
        console.log(seal ? sealText(seal, store.kind) : 'nothing to seal: the store is empty');
      });
    });

  storeOption(audit.command('public-key'))
    .description('print the seal key’s public half (ed25519:…) to keep outside the server and pass to `audit verify --public-key`')
    .action(async (opts: { store?: string }) => {
      await withStore(opts.store, async (store, url) => {
        const sealing = configureSealing(store, url, true);
        if (!sealing.signer) {
          console.error('no seal key: set JIXIAO_SEAL_KEY or JIXIAO_SEAL_KEY_FILE');
          process.exitCode = 2;
        } else console.log(sealing.signer.publicKey);
      });
    });

  listingOptions(storeOption(audit.command('seals')), ['from', 'to'])
    .description('every recorded seal as its exportable text block (paged; --json for the seals with their text)')
    .action(async (o: { store?: string } & ListingOptions) => {
      await withStore(o.store, async (store) => {
        const from = timeOf('from', o.from);
        const to = timeOf('to', o.to);
        const seals = (await sealsSoFar(store)).all.filter((s) => (!from || s.sealedAt >= from) && (!to || s.sealedAt <= to)).map((s) => ({ ...s, text: sealText(s, store.kind) }));
        printPage(
          o,
          pageOf(seals, (s) => s.sealId, o),
          (s) => `${s.text}\n(${s.occasion})\n`,
          'no seals',
        );
      });
    });

  listingOptions(viewOptions(audit.command('table <view>')), [], 100)
    .description('a table or board (annex2, compliance, warnings, supervision, proposal) as known at a moment, re-derived from the events: a row per line (paged)')
    .option('--as-of <time>', 'ISO date-time (default: now)')
    .action(async (view: string, o: { store?: string; plan: string; period?: string; quarter?: string; year?: string; asOf?: string } & ListingOptions) => {
      await withApp(o.store, async (app) => {
        const asOf = timeOf('as-of', o.asOf) ?? new Date().toISOString();
        const snapshot = await app.get(await auditService()).view(o.plan, view, viewParams(o), { time: asOf });
        // The table comes in the live endpoint's shape; a line here is one of its rows keyed for comparison.
        const { rowsOf } = await import('../../../../libs/workflows/audit/views.js');
        const { rows: keyed, labels } = rowsOf(snapshot);
        const rows = Object.entries(keyed).map(([key, row]) => ({ key, label: labels[key] ?? key, ...row }));
        const page = pageOf(rows, (r) => r.key, o);
        if (!o.json) console.log(`${view} ${JSON.stringify(snapshot.params)} as known at ${snapshot.asOf}: ${rows.length} rows`);
        printPage(
          o,
          page,
          ({ key, label, ...row }) =>
            `${label.startsWith(key) ? label : `${key} ${label}`}  ${Object.entries(row)
              .map(([f, v]) => `${f}=${shown(v)}`)
              .join('  ')}`,
          'no rows',
        );
      });
    });

  listingOptions(viewOptions(audit.command('diff <view>')), ['type'])
    .description('a table as known at two moments: the rows that changed (paged), and the events between that caused it; --type keeps rows changed by those event types')
    .requiredOption('--from <time>', 'the earlier moment (ISO date-time)')
    .option('--to <time>', 'the later moment (default: now)')
    .action(async (view: string, o: { store?: string; plan: string; period?: string; quarter?: string; year?: string; from: string; to?: string } & ListingOptions) => {
      await withApp(o.store, async (app) => {
        const d = await app.get(await auditService()).diff(o.plan, view, viewParams(o), timeOf('from', o.from)!, timeOf('to', o.to) ?? new Date().toISOString());
        const types = typesOf(o);
        const rows = types ? d.differences.filter((x) => x.causes.some((c) => types.includes(c.type))) : d.differences;
        printPage(
          o,
          pageOf(rows, (x) => x.key, o),
          (x) =>
            `${x.label} (${x.change}): ${x.fields.map((f) => `${f.field} ${JSON.stringify(f.before)} → ${JSON.stringify(f.after)}`).join('; ')}` +
            x.causes.map((c) => `\n    ${c.at}  ${c.type}  by ${c.who.name ?? c.who.userId} (${c.who.role})${c.why ? `: ${c.why}` : ''}  [${c.streamId}@${c.revision}]`).join(''),
          `no differences in ${view} between ${d.from} and ${d.to}`,
        );
      });
    });

  listingOptions(storeOption(audit.command('timeline')), ['from', 'to', 'type', 'cause'])
    .description('a unit’s (or an indicator’s) history: who, when, why, and the standing after each step (paged, filtered)')
    .option('--plan <id>', 'plan id', PLAN)
    .option('--unit <id>', 'unit id, e.g. sthjj')
    .option('--indicator <no>', 'indicator number (alone: the indicator across all units)')
    .option('--period <period>', 'YYYY-MM, YYYY-Qn or YYYY')
    .action(async (o: { store?: string; plan: string; unit?: string; indicator?: string; period?: string } & ListingOptions) => {
      if (!o.unit && !o.indicator) throw new Error('--unit or --indicator: whose history?');
      if (o.indicator !== undefined && !/^\d+$/.test(o.indicator)) throw new Error(`--indicator: an indicator number, not ${o.indicator}`);
      const limit = limitOf(o);
      const [{ timelineProjection, TIMELINE_PROJECTION, unitKey, indicatorKey }, { timelinePage }, { evolvePlan }, { planStream }] = await Promise.all([
        import('../../../../libs/workflows/audit/timeline.projection.js'),
        import('../../../../libs/workflows/audit/timeline-page.js'),
        import('../../../../libs/workflows/plan/plan.decider.js'),
        import('../../../../libs/workflows/plan/plan.events.js'),
      ]);
      // Without the application: the store and the timeline projection alone, caught up (issue 14).
      await withProjections(o.store, [timelineProjection], async ({ store, reader }) => {
        // As the API: an unknown plan or unit is said, not answered with an empty history.
        let plan: PlanState = { status: 'none' };
        for (const e of await store.readStream(planStream(o.plan))) plan = evolvePlan(plan, { type: e.type, data: e.data } as PlanEvent);
        if (plan.status !== 'published') throw new Error(`no plan ${o.plan} has been published`);
        if (o.unit && !plan.plan.units.some((u) => u.id === o.unit)) throw new Error(`plan ${o.plan} has no unit ${o.unit}`);
        const types = typesOf(o);
        const from = timeOf('from', o.from);
        const to = timeOf('to', o.to);
        const filter = {
          ...(o.indicator && o.unit ? { indicatorNo: Number(o.indicator) } : {}),
          ...(o.period ? { period: o.period } : {}),
          ...(from ? { from } : {}),
          ...(to ? { to } : {}),
          ...(types ? { types } : {}),
          ...(o.cause
            ? {
                causes: String(o.cause)
                  .split(',')
                  .map((c: string) => c.trim()),
              }
            : {}),
        };
        const docs = reader(TIMELINE_PROJECTION);
        const page = o.unit
          ? await timelinePage(docs, 'unit', unitKey(o.plan, o.unit), filter, o.after, limit)
          : await timelinePage(docs, 'indicator', indicatorKey(o.plan, Number(o.indicator)), filter, o.after, limit);
        printPage(
          o,
          page,
          (e) =>
            `${e.at}  ${e.summary.zh}  — ${e.who.name ?? e.who.userId} (${e.who.role})${e.onBehalfOf ? ` for ${e.onBehalfOf}` : ''}${e.why ? `: ${e.why}` : ''}${e.cause ? `  [cause: ${e.cause.kind}]` : ''}`,
          'no entries',
        );
      });
    });

  listingOptions(storeOption(audit.command('provenance')), ['from', 'to', 'type'])
    .description('the events behind one Annex 2 figure, rank, colour or score (paged, filtered), with the rule versions in force')
    .option('--plan <id>', 'plan id', PLAN)
    .requiredOption('--period <YYYY-MM>', 'month')
    .requiredOption('--indicator <no>', 'indicator number')
    .option('--field <field>', 'result, rank, warning, score, target or baseline', 'result')
    .option('--as-of <time>', 'ISO date-time')
    .action(async (o: { store?: string; plan: string; period: string; indicator: string; field: string; asOf?: string } & ListingOptions) => {
      await withApp(o.store, async (app) => {
        const asOf = timeOf('as-of', o.asOf);
        const p = await app.get(await auditService()).provenance(o.plan, o.period, Number(o.indicator), o.field as ProvenanceField, asOf ? { time: asOf } : undefined);
        const from = timeOf('from', o.from);
        const to = timeOf('to', o.to);
        const types = typesOf(o);
        const events = p.events.filter((e) => (!from || e.at >= from) && (!to || e.at <= to) && (!types || types.includes(e.type)));
        const page = pageOf(events, (e) => e.position, o);
        if (o.json) {
          const { events: _all, ...rest } = p;
          console.log(JSON.stringify({ ...rest, ...page }, null, 2));
          return;
        }
        console.log(`${o.period} indicator ${p.indicatorNo} ${p.field} = ${shown(p.value)}${p.asOf ? ` (as known at ${p.asOf})` : ''}`);
        console.log(
          `rules in force: plan revision ${shown(p.rules.planRevision)}, warning tiers from ${shown(p.rules.warningTiersFrom)}, scoring rule v${shown(p.rules.scoringRuleVersion)}`,
        );
        printPage(
          o,
          page,
          (e) =>
            `${e.at}  ${e.type}  by ${e.who.name ?? e.who.userId} (${e.who.role})${e.onBehalfOf ? ` for ${e.onBehalfOf}` : ''}${e.why ? `: ${e.why}` : ''}  [${e.streamId}@${e.revision}]`,
          'no events behind it',
        );
      });
    });

  storeOption(audit.command('export'))
    .description('a unit’s full history as JSON lines or .xlsx, sealed on the way out')
    .option('--plan <id>', 'plan id', PLAN)
    .requiredOption('--unit <id>', 'unit id')
    .option('--format <f>', 'jsonl or xlsx', 'jsonl')
    .requiredOption('--out <file>', 'where to write it')
    .option(
      '--with-attachments',
      'write a zip instead: export.jsonl, each attachment under attachments/<sha256>, manifest.json and SHA256SUMS (check with sha256sum -c, or audit check-evidence)',
    )
    .action(async (o: { store?: string; plan: string; unit: string; format: string; out: string; withAttachments?: boolean }) => {
      await withApp(o.store, async (app) => {
        const service = app.get(await auditService());
        const x = await service.exportUnit(o.plan, o.unit, cliAuditor());
        if (o.withAttachments) {
          const { evidenceArchive } = await import('../../../../libs/workflows/audit/evidence-archive.js');
          const { zip, manifest } = await service.withBlobStore((blobs) => evidenceArchive(x, blobs));
          writeFileSync(o.out, zip);
          const bytes = manifest.attachments.filter((a, i, all) => a.path && all.findIndex((b) => b.path === a.path) === i).reduce((n, a) => n + a.size, 0);
          console.log(
            `${x.events.length} events of ${x.header.unitName} and ${manifest.attachments.length} attachment(s) (${bytes} bytes) written to ${o.out}, sealed:\n${x.header.seal}`,
          );
          for (const p of manifest.problems) console.error(`NOT COPIED: ${p.kind} blob ${p.sha256}: ${p.detail}`);
          if (manifest.problems.length) process.exitCode = 3;
          return;
        }
        const { toJsonLines, toXlsx } = await import('../../../../libs/workflows/audit/audit.service.js');
        writeFileSync(o.out, o.format === 'xlsx' ? await toXlsx(x) : toJsonLines(x));
        console.log(`${x.events.length} events of ${x.header.unitName} written to ${o.out}, sealed:\n${x.header.seal}`);
      });
    });

  audit
    .command('check-evidence <file>')
    .description('check an evidence zip (audit export --with-attachments) offline: the export and every attachment against the manifest’s SHA-256 and size')
    .action(async (file: string) => {
      const { verifyEvidenceArchive } = await import('../../../../libs/workflows/audit/evidence-archive.js');
      const r = await verifyEvidenceArchive(readFileSync(file));
      for (const p of r.problems) console.error(`ALTERED: ${p}`);
      if (r.ok) console.log(`${file}: the export of ${r.manifest.unitName} (${r.manifest.export.events} events) and ${r.checked - 1} attachment file(s) match the manifest`);
      else process.exitCode = 3;
    });

  storeOption(audit.command('check-export <file>'))
    .description('check a JSON-lines export against the record: every event still stored exactly so, and its seal holding')
    .action(async (file: string, o: { store?: string }) => {
      await withStore(o.store, async (store) => {
        const [headerLine, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
        const header = JSON.parse(headerLine!) as { seal: string | null; unitId: string };
        let problems = 0;
        for (const line of lines) {
          const e = JSON.parse(line) as { streamId: string; revision: number; type: string; data: string; metadata: string; hash: string };
          const [stored] = await store.storage.readStream(e.streamId, 'forwards', e.revision, 1);
          if (!stored || stored.revision !== e.revision || stored.hash !== e.hash || stored.data !== e.data || stored.metadata !== e.metadata) {
            problems++;
            console.error(`DIFFERS: ${e.streamId}@${e.revision} (${e.type}) is ${stored ? 'stored differently now' : 'no longer stored'}`);
          }
        }
        const seals = header.seal ? await verifySeals(store, parseSealText(header.seal)) : undefined;
        for (const p of seals?.problems ?? []) console.error(`seal: ${p.kind}: ${p.detail}`);
        if (problems === 0 && (seals?.ok ?? true)) {
          console.log(`the export of ${header.unitId} matches the record: ${lines.length} events unchanged${seals ? ', and its seal holds' : ''}`);
        } else process.exitCode = 3;
      });
    });
}

/** The audit service class, loaded when a command needs the application (not for --help). */
async function auditService(): Promise<new (...args: never[]) => AuditServiceType> {
  return (await import('../../../../libs/workflows/audit/audit.service.js')).AuditService;
}
