import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** The machine's PostgreSQL (trust auth on loopback); override for another server. */
export const TEST_POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty PostgreSQL database for one test file: suites never share rows and may run in parallel. */
export async function createPostgresDatabase(label = 'test'): Promise<TestDatabase> {
  const name = `jx_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: TEST_POSTGRES_ADMIN_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** A fresh directory for SQLite files, removed by drop(). */
export function createSqliteDirectory(label = 'test'): { dir: string; url(file?: string): string; drop(): void } {
  const dir = mkdtempSync(join(tmpdir(), `jx-${label}-`));
  return {
    dir,
    url: (file = 'jixiao.db') => `sqlite:${join(dir, file)}`,
    drop: () => rmSync(dir, { recursive: true, force: true }),
  };
}
