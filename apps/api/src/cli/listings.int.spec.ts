import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { ManualClock } from '../../../../libs/engine/clock.js';
import { readConfig } from '../../../../libs/engine/config.js';
import { createSqliteDirectory } from '../../../../libs/engine/testing/databases.js';
import { playDemoYear } from '../../../../libs/workflows/demo/demo-year.js';
import { AppModule } from '../app.module.js';

/**
 * The command line's listings (issue 14), through the CLI process on a store holding a demo
 * quarter: pages with --after/--limit, filters, readable text by default and --json. Needs the
 * built CLI (npm run build).
 */
const CLI = join(process.cwd(), 'dist/apps/api/src/cli.js');

type Run = { code: number | null; stdout: string; stderr: string };
/** Read to 'close', not 'exit': on a loaded machine 'exit' can come before the last of stdout. */
function cli(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, JIXIAO_WITNESS: 'off' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the command line’s listings', () => {
  const dir = createSqliteDirectory('cli-listings');
  const store = dir.url();
  const json = async (args: string[]) => {
    const r = await cli([...args, '--store', store, '--json']);
    if (r.code !== 0) throw new Error(`jixiao ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout) as { items: any[]; next: string | null; [k: string]: unknown };
  };
  const text = async (args: string[]) => {
    const r = await cli([...args, '--store', store]);
    if (r.code !== 0) throw new Error(`jixiao ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout.trimEnd().split('\n');
  };

  beforeAll(async () => {
    const app = await NestFactory.createApplicationContext(
      AppModule.forRoot({ config: readConfig({ EVENT_STORE_URL: store }), background: false, clock: new ManualClock('2022-12-31T00:00:00.000Z') }),
      { logger: ['error'] },
    );
    await app.init();
    await playDemoYear(app, { months: 3, seed: 3 });
    await app.close();
  }, 120_000);
  afterAll(() => dir.drop());

  it('audit timeline pages with --after/--limit: text by default, the same page as JSON with --json', async () => {
    const started = Date.now();
    const first = await text(['audit', 'timeline', '--unit', 'czj', '--limit', '3']);
    console.log(`one CLI call (application start, catch-up, page): ${Date.now() - started} ms`);
    expect(first).toHaveLength(4);
    expect(first[3]).toMatch(/^… more: --after \S+$/);
    expect(first[0]).toMatch(/^\d{4}-\d\d-\d\dT\S+ {2}.+ — .+ \(\w+\)/);
    const after = first[3]!.replace('… more: --after ', '');
    const page1 = await json(['audit', 'timeline', '--unit', 'czj', '--limit', '3']);
    expect(page1.items).toHaveLength(3);
    expect(page1.next).toBe(after);
    const page2 = await json(['audit', 'timeline', '--unit', 'czj', '--limit', '3', '--after', after]);
    expect(page2.items).toHaveLength(3);
    const ids = (p: { items: { eventId: string }[] }) => p.items.map((e) => e.eventId);
    expect(ids(page2).some((id) => ids(page1).includes(id))).toBe(false);
    expect(page2.items[0].seq).toBeGreaterThan(page1.items[2].seq);
  }, 180_000);

  it('audit timeline filters by --type, --cause, --from and --to', async () => {
    const standings = await json(['audit', 'timeline', '--unit', 'czj', '--type', 'StandingChanged', '--limit', '20']);
    expect(standings.items.length).toBeGreaterThan(0);
    expect(standings.items.every((e) => e.type === 'StandingChanged')).toBe(true);
    const cause = standings.items.find((e) => e.cause)?.cause.kind as string;
    const byCause = await json(['audit', 'timeline', '--unit', 'czj', '--cause', cause, '--limit', '20']);
    expect(byCause.items.length).toBeGreaterThan(0);
    expect(byCause.items.every((e) => e.cause?.kind === cause)).toBe(true);
    const march = await json(['audit', 'timeline', '--unit', 'czj', '--from', '2023-03-01T00:00:00+08:00', '--to', '2023-03-31T23:59:59+08:00', '--limit', '50']);
    expect(march.items.length).toBeGreaterThan(0);
    expect(march.items.every((e) => e.at >= '2023-02-28T16:00:00.000Z' && e.at <= '2023-03-31T15:59:59.000Z')).toBe(true);
    const bad = await cli(['audit', 'timeline', '--unit', 'czj', '--from', 'last week', '--store', store]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--from: "last week" is not an ISO date-time');
  }, 180_000);

  it('audit table prints a row per line and pages; provenance prints its events as text; seals page', async () => {
    const table = await text(['audit', 'table', 'annex2', '--period', '2023-02', '--limit', '5']);
    expect(table[0]).toMatch(/^annex2 \{"period":"2023-02"\} as known at \S+: \d+ rows$/);
    expect(table).toHaveLength(7);
    // A row by its key and label (indicator 1 and its name), then its fields.
    expect(table[1]).toMatch(/^1 \S+ {2}result=/);
    expect(table[6]).toMatch(/^… more: --after /);
    const rows = await json(['audit', 'table', 'annex2', '--period', '2023-02', '--limit', '5']);
    const next = await json(['audit', 'table', 'annex2', '--period', '2023-02', '--limit', '5', '--after', rows.next!]);
    expect(next.items[0].key).not.toBe(rows.items[0].key);

    const provenance = await text(['audit', 'provenance', '--period', '2023-02', '--indicator', '15', '--field', 'rank']);
    expect(provenance[0]).toMatch(/^2023-02 indicator 15 rank = /);
    expect(provenance.slice(2).every((l) => /^\d{4}-\S+ {2}\w+ {2}by /.test(l) || l.startsWith('… more') || l === 'no events behind it')).toBe(true);
    const asJson = await json(['audit', 'provenance', '--period', '2023-02', '--indicator', '15', '--field', 'rank', '--limit', '1']);
    expect(asJson).toMatchObject({ indicatorNo: 15, field: 'rank' });
    expect(asJson.items.length).toBeLessThanOrEqual(1);

    const seals = await json(['audit', 'seals', '--limit', '1']);
    expect(seals.items).toHaveLength(1);
    expect(seals.items[0].text).toContain(seals.items[0].sealId);
  }, 180_000);
});
