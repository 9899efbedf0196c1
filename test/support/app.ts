import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import type { Clock } from '../../libs/engine/clock.js';
import { readConfig } from '../../libs/engine/config.js';
import { AppModule } from '../../apps/api/src/app.module.js';
import { configureApp } from '../../apps/api/src/setup.js';
import { createPostgresDatabase, createSqliteDirectory } from '../../libs/engine/testing/databases.js';

export interface RunningApp {
  app: INestApplication;
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  storeUrl: string;
  close(): Promise<void>;
}

/** The API exactly as main.ts builds it, on a port of its own, over a store of its own. */
export async function startApp(options: { storeUrl: string; clock?: Clock; env?: NodeJS.ProcessEnv }): Promise<RunningApp> {
  const config = readConfig({ ...options.env, EVENT_STORE_URL: options.storeUrl, PORT: '0' });
  const app = await NestFactory.create(AppModule.forRoot({ config, ...(options.clock ? { clock: options.clock } : {}) }), { logger: ['error'] });
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return { app, url: `http://127.0.0.1:${address.port}`, storeUrl: options.storeUrl, close: () => app.close() };
}

export interface StoreTarget {
  name: string;
  create(): Promise<{ storeUrl: string; drop(): Promise<void> }>;
}

/** Every end-to-end flow runs on both SQL stores. */
export const STORE_TARGETS: StoreTarget[] = [
  {
    name: 'SQLite',
    async create() {
      const dir = createSqliteDirectory('e2e');
      return { storeUrl: dir.url(), drop: async () => dir.drop() };
    },
  },
  {
    name: 'PostgreSQL',
    async create() {
      const db = await createPostgresDatabase('e2e');
      return { storeUrl: db.url, drop: () => db.drop() };
    },
  },
];
