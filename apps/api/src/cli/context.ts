import { Logger, type INestApplicationContext } from '@nestjs/common';
import type { Command } from 'commander';
import type { Clock } from '../../../../libs/engine/clock.js';
import { readConfig } from '../../../../libs/engine/config.js';
import type { EventStore } from '../../../../libs/engine/event-store/event-store.js';
import { openEventStore } from '../../../../libs/engine/event-store/open-event-store.js';
import type { Engine } from '../../../../libs/engine/nest/engine.js';
import type { DocReader, Projection } from '../../../../libs/engine/projections/docs.js';

export const storeOption = (cmd: Command) => cmd.option('--store <url>', 'event store URL (default: EVENT_STORE_URL, else sqlite:./data/jixiao.db)');

export function configFor(store: string | undefined) {
  return readConfig({ ...process.env, ...(store ? { EVENT_STORE_URL: store } : {}) });
}

/**
 * The application without its HTTP server and without background work, for one-shot commands:
 * they go through the same modules, commands and rules as the API.
 */
export async function withApp<T>(store: string | undefined, work: (app: INestApplicationContext, engine: Engine) => Promise<T>, options: { clock?: Clock } = {}): Promise<T> {
  // Loaded here, not at the top: `jixiao --help` and the store-only commands start without Nest.
  const [{ NestFactory }, { AppModule }, { Engine }] = await Promise.all([import('@nestjs/core'), import('../app.module.js'), import('../../../../libs/engine/nest/engine.js')]);
  // Warnings and errors to standard error: standard output is the command's answer (--json must parse).
  // The web UI's "not built" warning is not the command line's concern: it serves no pages.
  const toStderr =
    (level: string) =>
    (message: unknown, ...rest: unknown[]) => {
      if (rest.includes('WebUi')) return;
      console.error(`[${level}]`, message, ...rest.filter((r) => typeof r === 'string'));
    };
  const logger = { log: () => {}, verbose: () => {}, debug: () => {}, warn: toStderr('warn'), error: toStderr('error'), fatal: toStderr('fatal') };
  // Before forRoot: building the module already logs (e.g. "no web UI"), through the static Logger.
  Logger.overrideLogger(logger);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config: configFor(store), background: false, ...options }), { logger });
  await app.init();
  try {
    return await work(app, app.get(Engine));
  } finally {
    await app.close();
  }
}

/** The event store alone, for commands that read or verify the record as stored. */
export async function withStore<T>(store: string | undefined, work: (store: EventStore, url: string) => Promise<T>): Promise<T> {
  const url = configFor(store).eventStoreUrl;
  const opened = await openEventStore(url);
  try {
    return await work(opened, url);
  } finally {
    await opened.close();
  }
}

/**
 * For listings (issue 14: a listing within 2 s): the event store and only the projections the
 * listing reads, caught up, without the Nest application (loading every workflow, Nest and BullMQ
 * took 4–11 s a call). The store opens with the workflows' upcasters, as the application's does:
 * a workflow that adds upcasters adds them to libs/workflows/upcasters.ts.
 */
export async function withProjections<T>(
  store: string | undefined,
  projections: Projection[],
  work: (read: { store: EventStore; reader: (projection: string) => DocReader }) => Promise<T>,
): Promise<T> {
  const config = configFor(store);
  const [{ openReadModelStore }, { ProjectionRunner }, { WORKFLOW_UPCASTERS }] = await Promise.all([
    import('../../../../libs/engine/projections/read-model-store.js'),
    import('../../../../libs/engine/projections/projection-runner.js'),
    import('../../../../libs/workflows/upcasters.js'),
  ]);
  const events = await openEventStore(config.eventStoreUrl, { upcasters: WORKFLOW_UPCASTERS });
  const readModels = await openReadModelStore(config.readModelUrl);
  try {
    const runner = new ProjectionRunner(events, readModels, projections, { log: (m, d) => console.error(`[projections] ${m}`, d instanceof Error ? d.message : (d ?? '')) });
    await runner.catchUp();
    return await work({ store: events, reader: (name) => runner.reader(name) });
  } finally {
    await readModels.close();
    await events.close();
  }
}
