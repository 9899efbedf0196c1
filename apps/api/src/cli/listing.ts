import type { Command } from 'commander';
import { pageOfList, type Page } from '../../../../libs/engine/projections/page.js';

/**
 * What every listing of the command line shares (issue 14): pages with --after/--limit (the `next`
 * of one page is the --after of the following), filters where they mean something, readable text
 * by default and JSON with --json ({ items, next }, the API's list shape).
 */
export interface ListingOptions {
  after?: string;
  limit: string;
  json?: boolean;
  from?: string;
  to?: string;
  type?: string;
  cause?: string;
}

export type Filter = 'from' | 'to' | 'type' | 'cause';

const FILTER_HELP: Record<Filter, [string, string]> = {
  from: ['--from <time>', 'only what was recorded at or after this ISO date-time'],
  to: ['--to <time>', 'only what was recorded at or before this ISO date-time'],
  type: ['--type <types>', 'only these event types (comma-separated), e.g. StandingChanged,ReportSubmitted'],
  cause: ['--cause <kind>', 'only changes of standing with this cause: own-figure, peer-revision, correction, rule-change, first-figures'],
};

export function listingOptions(cmd: Command, filters: Filter[] = [], defaultLimit = 50): Command {
  cmd
    .option('--after <cursor>', 'the page after this cursor (printed as "next" at the end of a page)')
    .option('--limit <n>', `how many per page, 1–1000 (default ${defaultLimit})`, String(defaultLimit))
    .option('--json', 'print JSON ({ items, next }) instead of text');
  for (const f of filters) cmd.option(...FILTER_HELP[f]);
  return cmd;
}

export function limitOf(o: ListingOptions): number {
  const n = Number(o.limit);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new Error(`--limit: a whole number from 1 to 1000, not ${o.limit}`);
  return n;
}

/** An ISO date-time option, checked (a typo must not read as "no bound"). */
export function timeOf(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new Error(`--${name}: "${value}" is not an ISO date-time`);
  return new Date(t).toISOString();
}

export function typesOf(o: ListingOptions): string[] | undefined {
  return o.type
    ? o.type
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean)
    : undefined;
}

/** A page of a list held whole, with the API's cursors (libs/engine/projections/page.ts): the items after `--after`, at most `--limit`. */
export function pageOf<T>(items: readonly T[], keyOf: (item: T) => string, o: ListingOptions): Page<T> {
  const page = pageOfList(items, keyOf, o.after, limitOf(o));
  if (!page) throw new Error(`--after: "${o.after}" is not a cursor of this list (pass the "next" a page printed)`);
  return page;
}

/** Prints a page: JSON with --json, else a line per item and where the next page starts. */
export function printPage<T>(o: ListingOptions, page: { items: T[]; next: string | null }, line: (item: T) => string, empty = 'nothing to list'): void {
  if (o.json) {
    console.log(JSON.stringify(page, null, 2));
    return;
  }
  if (page.items.length === 0) console.log(empty);
  for (const item of page.items) console.log(line(item));
  if (page.next) console.log(`… more: --after ${page.next}`);
}

/** A value as a person reads it in a line of text. */
export function shown(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}
