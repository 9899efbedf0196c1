import Database from 'better-sqlite3';
import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import pg from 'pg';
import { parseSealText, SEAL_RECORDED, SEALS_STREAM, verifySeals, type ExportedSeal, type SealRecordedData } from '../../../../libs/engine/audit/seals.js';
import { verifyChains } from '../../../../libs/engine/audit/verify-chains.js';
import { blobStoreUrlFor, DirectoryBlobStore, openBlobStore, sha256Of, type BlobStore } from '../../../../libs/engine/blobs/blob-store.js';
import { referencedBlobs, verifyBlobs } from '../../../../libs/engine/blobs/verify-blobs.js';
import type { EventStore } from '../../../../libs/engine/event-store/event-store.js';
import { openEventStore, redact } from '../../../../libs/engine/event-store/open-event-store.js';
import { PostgresStorage } from '../../../../libs/engine/event-store/postgres/postgres-storage.js';
import { configFor, storeOption } from './context.js';

/**
 * Backups and restores that cannot lose data (docs/deploy.md §3).
 *
 * - `backup`: SQLite through the online backup API (consistent while the app writes, the WAL
 *   included); PostgreSQL through `pg_dump -Fc` in an exported snapshot, so the manifest describes
 *   exactly what the dump holds. Every backup writes a manifest beside the file and ends with an
 *   audit verification of the copy itself (PostgreSQL: restored into a scratch database).
 * - `restore`: into an empty target only, with nobody connected; PostgreSQL computes the
 *   transaction-counter step from the dump and the target cluster (never backwards). Ends with the
 *   same verification and the comparison with the manifest.
 * - `check-backup`: a copy against its manifest or an exported seal (the witness): a copy missing
 *   acknowledged events is TRUNCATED, never intact.
 * - `recover-writes`: events appended at low transaction ids before the step get fresh ones.
 * - Attachments' bytes: a SQLite store's blob store (the `blobs/` directory beside it, or the
 *   BLOB_STORE_URL bucket) is copied after the database into `FILE.blobs/` — every blob of a
 *   directory store, every referenced blob of another — each file checked against its name (its
 *   SHA-256) and every blob the copy's events refer to found there; the manifest counts them.
 *   Restore puts them into the target's blob store. A PostgreSQL store's blob table is in the dump.
 */

export const MANIFEST_FORMAT = 'jixiao-backup/1';

export interface BackupManifest {
  format: typeof MANIFEST_FORMAT;
  store: 'sqlite' | 'postgres';
  file: string;
  bytes: number;
  sha256: string;
  createdAt: string;
  source: string;
  events: number;
  streams: number;
  headPosition: string | null;
  /** PostgreSQL: the largest transaction id stored in the copy (what a restore's step must pass). */
  largestTransactionId: string | null;
  lastSeal: Pick<SealRecordedData, 'sealId' | 'position' | 'sealedAt' | 'root' | 'events'> | null;
  /** The witness: what the source had acknowledged when the copy began. The copy must hold at least this. */
  acknowledged: { events: number; headPosition: string | null };
  verified: Verification;
  /** SQLite: the attachments' bytes copied beside the backup (`FILE.blobs/`); null when the blobs are inside the dump (PostgreSQL). */
  blobs: BlobCopy | null;
}

export interface BlobCopy {
  /** The directory beside the backup file, named relative to it. */
  dir: string;
  /** Where they were copied from (no credentials). */
  source: string;
  count: number;
  bytes: number;
  /** Blobs the copy's events refer to (all of them are in `dir` when the copy verified). */
  referenced: number;
}

interface Summary {
  events: number;
  headPosition: string | null;
  largestTransactionId: string | null;
  lastSeal: BackupManifest['lastSeal'];
}

interface Verification {
  ok: boolean;
  events: number;
  streams: number;
  seals: number;
  problems: string[];
}

export type Verdict = 'intact' | 'truncated' | 'tampered' | 'differs' | 'unconfirmed';

export interface CopyReport {
  verdict: Verdict;
  summary: Summary;
  verification: Verification;
  findings: string[];
}

class Refused extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

const manifestPathOf = (file: string) => `${file}.manifest.json`;
const isSqlite = (url: string) => url.startsWith('sqlite:');
const isPostgres = (url: string) => /^postgres(ql)?:\/\//.test(url);
const sqlitePath = (url: string) => url.slice('sqlite:'.length);

// ---------------------------------------------------------------- shared pieces

export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Runs a client program (pg_dump, pg_restore, vacuumdb); its error output names what failed. */
function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => reject(new Error(`${cmd} could not run: ${err.message} (is the PostgreSQL 15 client installed?)`)));
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} failed (exit ${code}): ${stderr.trim().replaceAll(/postgres(ql)?:\/\/[^\s"]+/g, (u) => redact(u))}`)),
    );
  });
}

async function summarize(store: EventStore): Promise<Summary> {
  const events = store.storage.countAfter ? await store.storage.countAfter(undefined) : Number.NaN;
  const headPosition = (await store.headPosition()) ?? null;
  const counter = await store.storage.transactionCounter?.();
  const [last] = await store.storage.readStream(SEALS_STREAM, 'backwards', undefined, 1);
  const seal = last?.type === SEAL_RECORDED ? (JSON.parse(last.data) as SealRecordedData) : null;
  return {
    events,
    headPosition,
    largestTransactionId: counter?.largestStored ?? null,
    lastSeal: seal ? { sealId: seal.sealId, position: seal.position, sealedAt: seal.sealedAt, root: seal.root, events: seal.events } : null,
  };
}

/** `audit verify` of a copy: every hash chain and every seal (and an exported seal, if given). */
async function verifyStore(store: EventStore, exported?: ExportedSeal): Promise<{ verification: Verification; sealMissing: boolean }> {
  const chains = await verifyChains(store.storage);
  const seals = await verifySeals(store, exported);
  const problems = [
    ...chains.problems.map((p) => `${p.kind} event in stream "${p.streamId}" at revision ${p.revision}: ${p.detail}`),
    ...seals.problems.filter((p) => p.kind !== 'seal-missing').map((p) => `${p.kind} (${p.sealId}): ${p.detail}`),
  ];
  return {
    verification: { ok: problems.length === 0, events: chains.events, streams: chains.streams, seals: seals.seals, problems },
    sealMissing: seals.problems.some((p) => p.kind === 'seal-missing'),
  };
}

/**
 * Verifies a store and compares it with its manifest and/or an exported seal. Missing events are
 * TRUNCATED; broken chains or seals TAMPERED; no manifest and no witness: unconfirmed, never intact.
 */
async function examine(
  store: EventStore,
  {
    manifest,
    exported,
    acknowledged = manifest?.acknowledged,
  }: { manifest?: BackupManifest | undefined; exported?: ExportedSeal | undefined; acknowledged?: BackupManifest['acknowledged'] | undefined },
): Promise<CopyReport> {
  const summary = await summarize(store);
  const { verification, sealMissing } = await verifyStore(store, exported);
  const findings: string[] = [];
  let truncated = false;
  let differs = false;
  const before = (a: string | null, b: string | null) => b !== null && (a === null || store.comparePositions(a, b) < 0);
  if (manifest) {
    if (summary.events < manifest.events) {
      truncated = true;
      findings.push(`the copy holds ${summary.events} events, its manifest ${manifest.events}: ${manifest.events - summary.events} acknowledged event(s) are missing`);
    } else if (summary.events > manifest.events) {
      differs = true;
      findings.push(`the copy holds ${summary.events} events, its manifest ${manifest.events}: it is not the copy the manifest describes`);
    }
    if (before(summary.headPosition, manifest.headPosition)) {
      truncated = true;
      findings.push(`the copy ends at position ${summary.headPosition ?? '(empty)'}, before the manifest's head ${manifest.headPosition}`);
    } else if (summary.headPosition !== manifest.headPosition && !truncated) {
      differs = true;
      findings.push(`the copy's head is ${summary.headPosition}, the manifest's ${manifest.headPosition}`);
    }
    if (manifest.lastSeal && summary.lastSeal?.sealId !== manifest.lastSeal.sealId) {
      if (!summary.lastSeal || before(summary.headPosition, manifest.lastSeal.position)) truncated = true;
      else differs = true;
      findings.push(
        `the manifest's last seal ${manifest.lastSeal.sealId} (${manifest.lastSeal.sealedAt}) is ${summary.lastSeal ? `not the copy's last (${summary.lastSeal.sealId})` : 'not in the copy'}`,
      );
    }
  }
  if (acknowledged && (before(summary.headPosition, acknowledged.headPosition) || summary.events < acknowledged.events)) {
    truncated = true;
    findings.push(
      `the source had acknowledged ${acknowledged.events} events up to ${acknowledged.headPosition} when the copy began; the copy holds ${summary.events} up to ${summary.headPosition ?? '(empty)'}`,
    );
  }
  if (exported) {
    if (sealMissing) {
      if (before(summary.headPosition, exported.position) || summary.events < exported.events) {
        truncated = true;
        findings.push(
          `the exported seal ${exported.sealId} (${exported.sealedAt}, ${exported.events} events up to ${exported.position}) is not in the copy, which ends at ${summary.headPosition ?? '(empty)'} with ${summary.events} events: the copy lacks acknowledged events`,
        );
      } else {
        differs = true;
        findings.push(`the exported seal ${exported.sealId} is not in the copy though the copy reaches past its position: this is another record`);
      }
    } else findings.push(`the exported seal ${exported.sealId} is in the copy and holds`);
  }
  const verdict: Verdict = !verification.ok ? 'tampered' : truncated ? 'truncated' : differs ? 'differs' : manifest || exported || acknowledged ? 'intact' : 'unconfirmed';
  if (verdict === 'unconfirmed') {
    findings.push(
      'chains and seals hold, but with no manifest and no exported seal nothing says the copy is complete: events after the newest seal are covered only by their own hash chains',
    );
  }
  return { verdict, summary, verification, findings };
}

function readManifest(file: string, explicit?: string): BackupManifest | undefined {
  const path = explicit ?? manifestPathOf(file);
  if (!existsSync(path)) {
    if (explicit) throw new Refused('manifest-not-found', `the manifest ${explicit} does not exist`);
    return undefined;
  }
  const m = JSON.parse(readFileSync(path, 'utf8')) as BackupManifest;
  if (m.format !== MANIFEST_FORMAT)
    throw new Refused('manifest-format', `${path} is not a Jixiao backup manifest (format ${JSON.stringify(m.format)}, expected ${MANIFEST_FORMAT})`);
  return m;
}

async function checkChecksum(file: string, manifest: BackupManifest | undefined): Promise<string | undefined> {
  if (!manifest) return undefined;
  const sum = await sha256File(file);
  return sum === manifest.sha256
    ? undefined
    : `the file's SHA-256 is ${sum}, the manifest says ${manifest.sha256}: the file is not the one backed up (damaged, cut short, or another file)`;
}

const verdictLine = (r: CopyReport) =>
  `${r.verdict === 'intact' ? 'intact' : r.verdict.toUpperCase()}: ${r.summary.events} events up to ${r.summary.headPosition ?? '(empty)'}, ${r.verification.streams} streams, ${r.verification.seals} seal(s)${r.summary.lastSeal ? `, last seal ${r.summary.lastSeal.sealId}` : ''}`;

function printReport(r: CopyReport): void {
  (r.verdict === 'intact' ? console.log : console.error)(verdictLine(r));
  for (const p of r.verification.problems) console.error(`  TAMPERED: ${p}`);
  for (const f of r.findings) (r.verdict === 'intact' ? console.log : console.error)(`  ${f}`);
}

const exitFor = (v: Verdict) => (v === 'intact' ? 0 : v === 'unconfirmed' ? 4 : 3);

// ---------------------------------------------------------------- blobs

const blobDirOf = (file: string) => `${file}.blobs`;
const HASH_NAME = /^[0-9a-f]{64}$/;

/** The blobs of a directory store or a copy: `ab/abcdef…` files whose name is a SHA-256. */
function listBlobDir(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const sub of readdirSync(dir).sort()) {
    if (!/^[0-9a-f]{2}$/.test(sub)) continue;
    for (const name of readdirSync(join(dir, sub)).sort()) if (HASH_NAME.test(name) && name.startsWith(sub)) out.push(name);
  }
  return out;
}

/**
 * Copies the blobs into `dir` as they are (an altered one keeps its name, so the check finds it):
 * every blob of a directory store, and every blob the copy's events refer to (from any store).
 */
async function copyBlobs(source: BlobStore, copy: EventStore, dir: string): Promise<{ count: number; bytes: number }> {
  const wanted = new Set(source instanceof DirectoryBlobStore ? listBlobDir(source.dir) : []);
  for (const sha of await referencedBlobs(copy)) wanted.add(sha);
  mkdirSync(dir, { recursive: true });
  let count = 0;
  let bytes = 0;
  for (const sha of [...wanted].sort()) {
    const content = await source.get(sha);
    if (!content) continue; // named by the check as missing from the copy
    mkdirSync(join(dir, sha.slice(0, 2)), { recursive: true });
    writeFileSync(join(dir, sha.slice(0, 2), sha), content, { mode: 0o444 });
    count++;
    bytes += content.length;
  }
  return { count, bytes };
}

/** Every file of a blob copy hashed against its name, and (given the store) every blob its events refer to present. */
async function checkBlobDir(dir: string, store?: EventStore): Promise<{ count: number; bytes: number; referenced: number; problems: string[] }> {
  const problems: string[] = [];
  let bytes = 0;
  const names = listBlobDir(dir);
  for (const name of names) {
    const content = readFileSync(join(dir, name.slice(0, 2), name));
    bytes += content.length;
    const actual = sha256Of(content);
    if (actual !== name) problems.push(`altered blob ${name} in ${dir}: its bytes hash to ${actual}`);
  }
  let referenced = 0;
  if (store) {
    const r = await verifyBlobs(store, new DirectoryBlobStore(dir));
    referenced = r.blobs;
    for (const p of r.problems)
      if (p.kind === 'missing') problems.push(`missing blob ${p.sha256}, referred to by ${p.eventType} in "${p.streamId}" at revision ${p.revision}: not in ${dir}`);
  }
  return { count: names.length, bytes, referenced, problems };
}

function addBlobProblems(report: CopyReport, problems: string[]): void {
  if (problems.length === 0) return;
  report.verification.problems.push(...problems);
  report.verification.ok = false;
  report.verdict = 'tampered';
}

// ---------------------------------------------------------------- backup

async function backupSqlite(url: string, out: string): Promise<{ acknowledged: BackupManifest['acknowledged'] }> {
  const path = sqlitePath(url);
  if (!existsSync(path)) throw new Refused('store-not-found', `no SQLite store at ${path}`);
  const source = new Database(path, { fileMustExist: true, timeout: 10_000 });
  try {
    // The witness first: whatever was acknowledged before the copy began must be in it.
    const ack = source.prepare('SELECT count(*) AS n, max(global_position) AS p FROM events').get() as { n: number; p: number | null };
    // The online backup API copies a consistent snapshot, WAL included, while writers carry on.
    await source.backup(out);
    return { acknowledged: { events: ack.n, headPosition: ack.p === null ? null : String(ack.p) } };
  } finally {
    source.close();
  }
}

/** A scratch database beside `url` (same server), for verifying a dump; dropped afterwards. */
async function withScratchDatabase<T>(url: string, label: string, work: (scratchUrl: string) => Promise<T>): Promise<T> {
  const name = `jx_${label}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (err) {
    throw new Error(`could not create a scratch database to verify the dump (${(err as Error).message}); the role needs CREATEDB`);
  } finally {
    await admin.end();
  }
  const scratch = new URL(url);
  scratch.pathname = `/${name}`;
  try {
    return await work(scratch.toString());
  } finally {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => c.end());
  }
}

async function backupPostgres(url: string, out: string): Promise<{ acknowledged: BackupManifest['acknowledged'] }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // The dump and the witness read the same snapshot: the manifest says exactly what the dump holds.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const snapshot = (await client.query<{ s: string }>('SELECT pg_export_snapshot() AS s')).rows[0]!.s;
    const ack = (
      await client.query<{ n: string; head: string | null }>(
        `SELECT count(*) AS n, (SELECT transaction_id::text || ':' || global_position FROM events ORDER BY transaction_id DESC, global_position DESC LIMIT 1) AS head FROM events`,
      )
    ).rows[0]!;
    await run('pg_dump', ['--format=custom', `--snapshot=${snapshot}`, `--file=${out}`, `--dbname=${url}`]);
    await client.query('COMMIT');
    return { acknowledged: { events: Number(ack.n), headPosition: ack.head } };
  } finally {
    await client.end();
  }
}

export async function backup(url: string, out: string): Promise<{ manifest: BackupManifest; report: CopyReport }> {
  if (existsSync(out)) throw new Refused('backup-exists', `${out} already exists; a backup never overwrites a file`);
  let acknowledged: BackupManifest['acknowledged'];
  let report: CopyReport;
  let blobs: BlobCopy | null = null;
  if (isSqlite(url)) {
    ({ acknowledged } = await backupSqlite(url, out));
    const copy = await openEventStore(`sqlite:${out}`);
    try {
      report = await examine(copy, { acknowledged });
      // After the database: every blob an event in the copy refers to was stored before its event.
      const source = openBlobStore(blobStoreUrlFor({ eventStoreUrl: url, ...(process.env.BLOB_STORE_URL ? { blobStoreUrl: process.env.BLOB_STORE_URL } : {}) }));
      try {
        const copied = await copyBlobs(source, copy, blobDirOf(out));
        const checked = await checkBlobDir(blobDirOf(out), copy);
        addBlobProblems(report, checked.problems);
        blobs = { dir: basename(blobDirOf(out)), source: source.location, count: copied.count, bytes: copied.bytes, referenced: checked.referenced };
      } finally {
        await source.close();
      }
    } finally {
      await copy.close();
    }
  } else if (isPostgres(url)) {
    ({ acknowledged } = await backupPostgres(url, out));
    report = await withScratchDatabase(url, 'backup_check', async (scratch) => {
      await run('pg_restore', ['--no-owner', '--exit-on-error', `--dbname=${scratch}`, out]);
      const copy = await openEventStore(scratch);
      try {
        return await examine(copy, { acknowledged });
      } finally {
        await copy.close();
      }
    });
  } else throw new Refused('unsupported-store', `backup supports sqlite:PATH and postgres://… stores; back up EventStoreDB as its documentation describes (${redact(url)})`);
  const manifest: BackupManifest = {
    format: MANIFEST_FORMAT,
    store: isSqlite(url) ? 'sqlite' : 'postgres',
    file: basename(out),
    bytes: statSync(out).size,
    sha256: await sha256File(out),
    createdAt: new Date().toISOString(),
    source: redact(url),
    events: report.summary.events,
    streams: report.verification.streams,
    headPosition: report.summary.headPosition,
    largestTransactionId: report.summary.largestTransactionId,
    lastSeal: report.summary.lastSeal,
    acknowledged,
    verified: report.verification,
    blobs,
  };
  writeFileSync(manifestPathOf(out), `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, report };
}

// ---------------------------------------------------------------- restore

/** The step for pg_resetwal: above every stored id and never below the cluster's counter, at a pg_xact segment start. */
export function counterStep(largestStored: bigint, next: bigint): { target: string; epoch: string; xid: string } {
  const SEGMENT = 1_048_576n;
  const EPOCH = 4_294_967_296n;
  const floor = largestStored + 1n > next ? largestStored + 1n : next;
  let target = ((floor + SEGMENT - 1n) / SEGMENT) * SEGMENT;
  if (target % EPOCH < 3n) target += SEGMENT; // xids 0–2 are reserved
  return { target: target.toString(), epoch: (target / EPOCH).toString(), xid: (target % EPOCH).toString() };
}

interface RestoreOutcome {
  store: 'sqlite' | 'postgres';
  target: string;
  safe: boolean;
  counter?: { next: string; largestStored: string | null; largestInDump: string | null };
  step?: { target: string; epoch: string; xid: string; command: string };
  report?: CopyReport;
  checksum?: string;
  /** SQLite: the blobs put back into the target's blob store, and where. */
  blobs?: { restored: number; bytes: number; into: string };
}

/**
 * Puts the backup's blobs (`FILE.blobs/`) into the target's blob store (beside the new SQLite file,
 * or BLOB_STORE_URL), each checked against its name first; then every blob the restored events refer
 * to must be there. Problems make the report TAMPERED.
 */
async function restoreBlobs(
  file: string,
  to: string,
  store: EventStore,
  manifest: BackupManifest | undefined,
  checkOnly: boolean,
  report: CopyReport,
): Promise<RestoreOutcome['blobs']> {
  const dir = blobDirOf(file);
  const copy = await checkBlobDir(dir);
  const problems = [...copy.problems];
  if (manifest?.blobs && (copy.count < manifest.blobs.count || copy.bytes < manifest.blobs.bytes))
    problems.push(`the backup's blob directory holds ${copy.count} blob(s), ${copy.bytes} bytes; the manifest lists ${manifest.blobs.count}, ${manifest.blobs.bytes} bytes`);
  const target = openBlobStore(blobStoreUrlFor({ eventStoreUrl: to, ...(process.env.BLOB_STORE_URL ? { blobStoreUrl: process.env.BLOB_STORE_URL } : {}) }));
  try {
    let restored = 0;
    let bytes = 0;
    if (!checkOnly) {
      for (const name of listBlobDir(dir)) {
        const content = readFileSync(join(dir, name.slice(0, 2), name));
        if (sha256Of(content) !== name) continue; // named above; never stored under another hash
        if ((await target.put(content)).created) restored++;
        bytes += content.length;
      }
    }
    const r = await verifyBlobs(store, target);
    for (const p of r.problems) problems.push(`${p.kind} blob referred to by ${p.eventType} in "${p.streamId}" at revision ${p.revision}: ${p.detail}`);
    addBlobProblems(report, problems);
    return { restored, bytes, into: target.location };
  } finally {
    await target.close();
  }
}

async function refuseBusyOrNonEmptyPostgres(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const others = (
      await c.query<{ n: string; who: string | null }>(
        `SELECT count(*) AS n, string_agg(DISTINCT coalesce(nullif(application_name, ''), usename::text) || ' from ' || coalesce(client_addr::text, 'local socket'), ', ') AS who
         FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      )
    ).rows[0]!;
    if (Number(others.n) > 0) {
      throw new Refused(
        'target-in-use',
        `${others.n} other session(s) are connected to the target database (${others.who}): stop the API and the worker before restoring (docs/deploy.md §3)`,
      );
    }
    const tables = (
      await c.query<{ names: string | null }>(
        `SELECT string_agg(c.relname, ', ' ORDER BY c.relname) AS names FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')`,
      )
    ).rows[0]!.names;
    if (tables) throw new Refused('target-not-empty', `the target database is not empty (it has ${tables}): restore into a new, empty database (createdb), never over one in use`);
  } finally {
    await c.end();
  }
}

async function checkRestoredPostgres(url: string, manifest: BackupManifest | undefined, out: RestoreOutcome): Promise<RestoreOutcome> {
  const storage = await PostgresStorage.open(url, { transactionGuard: false });
  let counter;
  try {
    counter = await storage.transactionCounter();
  } finally {
    await storage.close();
  }
  const fromDump = manifest?.largestTransactionId ?? null;
  const largest = [counter.largestStored, fromDump].filter((x): x is string => x !== null).reduce((a, b) => (BigInt(a) > BigInt(b) ? a : b), '0');
  out.counter = { next: counter.next, largestStored: counter.largestStored, largestInDump: fromDump };
  if (BigInt(counter.next) > BigInt(largest)) {
    out.safe = true;
    const store = await openEventStore(url);
    try {
      out.report = await examine(store, { manifest });
    } finally {
      await store.close();
    }
    return out;
  }
  const step = counterStep(BigInt(largest), BigInt(counter.next));
  out.safe = false;
  out.step = { ...step, command: `pg_resetwal -e ${step.epoch} -x ${step.xid} PGDATA` };
  return out;
}

export async function restore(file: string, to: string, options: { manifest?: string; checkOnly?: boolean }): Promise<RestoreOutcome> {
  if (!existsSync(file)) throw new Refused('backup-not-found', `no backup file at ${file}`);
  const manifest = readManifest(file, options.manifest);
  const out: RestoreOutcome = { store: isSqlite(to) ? 'sqlite' : 'postgres', target: redact(to), safe: false };
  if (manifest && manifest.store !== out.store) throw new Refused('store-mismatch', `the backup is of a ${manifest.store} store; the target is ${out.store}`);
  if (!options.checkOnly) {
    const bad = await checkChecksum(file, manifest);
    if (bad) throw new Refused('checksum-mismatch', `${bad}; nothing was restored`, 3);
  }
  if (isSqlite(to)) {
    const path = sqlitePath(to);
    if (!options.checkOnly) {
      for (const f of [path, `${path}-wal`])
        if (existsSync(f)) throw new Refused('target-not-empty', `${f} exists: restore to a new file (an app may be using this one), never over a store`);
      copyFileSync(file, path);
    }
    const store = await openEventStore(to);
    try {
      out.report = await examine(store, { manifest });
      out.blobs = await restoreBlobs(file, to, store, manifest, options.checkOnly ?? false, out.report);
    } finally {
      await store.close();
    }
    out.safe = true;
    return out;
  }
  if (!isPostgres(to)) throw new Refused('unsupported-store', `restore supports sqlite:PATH and postgres://… targets (${redact(to)})`);
  if (!options.checkOnly) {
    await refuseBusyOrNonEmptyPostgres(to);
    await run('pg_restore', ['--no-owner', '--exit-on-error', `--dbname=${to}`, file]);
    // Freeze what was restored, so its rows stay visible however far the counter then jumps; and
    // give the planner statistics (pg_restore brings none, and without them a query for a few
    // hundred streams by name can walk the whole events index: see bench/bulk-load.ts).
    const c = new pg.Client({ connectionString: to });
    await c.connect();
    await c.query('VACUUM (FREEZE, ANALYZE)').finally(() => c.end());
  }
  const checked = await checkRestoredPostgres(to, manifest, out);
  // Before a pg_resetwal jump every database of the cluster must be frozen, not only this one.
  if (!checked.safe) await run('vacuumdb', ['--all', '--freeze', '--quiet', `--maintenance-db=${to}`]);
  return checked;
}

// ---------------------------------------------------------------- recover-writes

interface Stranded {
  position: string;
  streamId: string;
  revision: number;
  type: string;
}

/**
 * Events appended at low transaction ids before the counter step: written natively here (their
 * row's xmin is their own transaction id), with an id below the largest restored one (restored
 * rows carry the id of the transaction that wrote them in the source, not their xmin). They sort
 * before events readers had already passed; moved to one fresh transaction, they sort after
 * everything, in their original order.
 */
export async function recoverWrites(url: string, dryRun: boolean): Promise<{ restoredUpTo: string | null; stranded: Stranded[]; movedTo?: string }> {
  if (!isPostgres(url)) throw new Refused('unsupported-store', 'recover-writes applies to PostgreSQL stores only: SQLite and EventStoreDB order events without transaction ids');
  const storage = await PostgresStorage.open(url, { transactionGuard: false });
  try {
    const counter = await storage.transactionCounter();
    if (!counter.safe && !dryRun) {
      throw new Refused(
        'transaction-counter-behind',
        `the cluster's next transaction id (${counter.next}) is not above the largest stored one (${counter.largestStored}): apply the step first (docs/deploy.md §3.3, \`jixiao restore … --check-only\` prints it), or moved events would get low ids again; --dry-run lists them meanwhile`,
      );
    }
    const pool = storage.pool as pg.Pool;
    const restoredUpTo = (
      await pool.query<{ m: string | null }>(`SELECT max(transaction_id)::text AS m FROM events WHERE xmin::text::numeric <> transaction_id::text::numeric % 4294967296`)
    ).rows[0]!.m;
    if (restoredUpTo === null) return { restoredUpTo, stranded: [] };
    // The moved events get this session's transaction id: it must be above every restored one.
    // (Checked here against the restored rows themselves, not only the store's own counter probe.)
    const next = (await pool.query<{ n: string }>('SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS n')).rows[0]!.n;
    if (!dryRun && BigInt(next) <= BigInt(restoredUpTo)) {
      throw new Refused(
        'transaction-counter-behind',
        `the cluster's next transaction id (${next}) is not above the largest restored one (${restoredUpTo}): apply the step first (docs/deploy.md §3.3, \`jixiao restore … --check-only\` prints it), or moved events would get low ids again; --dry-run lists them meanwhile`,
      );
    }
    const rows = await pool.query<{ pos: string; stream_id: string; revision: number; type: string }>(
      `SELECT global_position::text AS pos, stream_id, revision, type FROM events
       WHERE transaction_id < $1::xid8 AND xmin::text::numeric = transaction_id::text::numeric % 4294967296
       ORDER BY global_position`,
      [restoredUpTo],
    );
    const stranded = rows.rows.map((r) => ({ position: r.pos, streamId: r.stream_id, revision: r.revision, type: r.type }));
    if (dryRun || stranded.length === 0) return { restoredUpTo, stranded };
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const moved = await client.query<{ tx: string }>(
        `UPDATE events SET transaction_id = pg_current_xact_id() WHERE global_position = ANY($1::bigint[]) RETURNING transaction_id::text AS tx`,
        [stranded.map((s) => s.position)],
      );
      if (moved.rowCount !== stranded.length) throw new Error(`expected to move ${stranded.length} events, moved ${moved.rowCount}; nothing was changed`);
      await client.query('COMMIT');
      return { restoredUpTo, stranded, movedTo: moved.rows[0]!.tx };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  } finally {
    await storage.close();
  }
}

// ---------------------------------------------------------------- commands

function fail(err: unknown, json: boolean | undefined): void {
  const e = err as Error & { code?: string; exitCode?: number };
  const code = e instanceof Refused ? e.code : (e.code ?? 'failed');
  if (json) console.log(JSON.stringify({ type: `urn:jixiao:problem:${code}`, title: 'Refused', status: e instanceof Refused ? 400 : 500, detail: e.message, code }, null, 2));
  else console.error(`${e instanceof Refused ? 'REFUSED' : 'FAILED'}: ${e.message}`);
  process.exitCode = e instanceof Refused ? e.exitCode : 1;
}

export function backupCommands(program: Command): void {
  storeOption(program.command('backup'))
    .description('copy the store while it runs (SQLite: online backup API; PostgreSQL: pg_dump -Fc), write FILE.manifest.json, and verify the copy')
    .requiredOption('--out <file>', 'where to write the backup (never overwritten)')
    .option('--json', 'print the manifest as JSON')
    .action(async (o: { store?: string; out: string; json?: boolean }) => {
      try {
        const url = configFor(o.store).eventStoreUrl;
        const { manifest, report } = await backup(url, o.out);
        process.exitCode = exitFor(report.verdict === 'unconfirmed' ? 'intact' : report.verdict);
        if (o.json) return console.log(JSON.stringify({ ...manifest, verdict: report.verdict, findings: report.findings }, null, 2));
        console.log(`backed up ${manifest.events} events (${manifest.streams} streams, head ${manifest.headPosition ?? '(empty)'}) from ${manifest.source} to ${o.out}`);
        console.log(`  ${manifest.bytes} bytes, sha256 ${manifest.sha256}`);
        console.log(`  last seal: ${manifest.lastSeal ? `${manifest.lastSeal.sealId} (${manifest.lastSeal.sealedAt}, position ${manifest.lastSeal.position})` : 'none'}`);
        if (manifest.largestTransactionId) console.log(`  largest transaction id: ${manifest.largestTransactionId}`);
        console.log(`  acknowledged when the copy began: ${manifest.acknowledged.events} events up to ${manifest.acknowledged.headPosition ?? '(empty)'}`);
        if (manifest.blobs)
          console.log(
            `  blobs: ${manifest.blobs.count} (${manifest.blobs.bytes} bytes, ${manifest.blobs.referenced} referenced) from ${manifest.blobs.source} to ${blobDirOf(o.out)}, each hashed`,
          );
        console.log(`  manifest: ${manifestPathOf(o.out)}`);
        printReport(report);
      } catch (err) {
        fail(err, o.json);
      }
    });

  program
    .command('restore <file>')
    .description('restore a backup into a new, empty store (nobody connected), compute the PostgreSQL transaction-counter step, then verify and compare with the manifest')
    .requiredOption('--to <url>', 'the target: sqlite:NEW_FILE or postgres://…/EMPTY_DATABASE')
    .option('--manifest <file>', 'the manifest (default: FILE.manifest.json)')
    .option('--check-only', 'restore nothing: check the counter, verify and compare (after applying the step)')
    .option('--json', 'print the outcome as JSON')
    .action(async (file: string, o: { to: string; manifest?: string; checkOnly?: boolean; json?: boolean }) => {
      try {
        const r = await restore(file, o.to, o);
        process.exitCode = r.safe ? exitFor(r.report!.verdict) : 4;
        if (o.json) return console.log(JSON.stringify(r, null, 2));
        if (!o.checkOnly) console.log(`restored ${file} into ${r.target}`);
        if (r.blobs && !o.checkOnly) console.log(`  blobs: ${r.blobs.restored} put into ${r.blobs.into} (${r.blobs.bytes} bytes)`);
        if (r.counter)
          console.log(
            `  transaction counter: next ${r.counter.next}; largest stored ${r.counter.largestStored ?? '(none)'}; largest in the dump ${r.counter.largestInDump ?? '(no manifest)'}`,
          );
        if (!r.safe) {
          console.error(`NOT YET SAFE: the cluster's transaction counter is not above the restored events. Do not start the API or the worker (they would refuse).`);
          console.error(`  1. stop PostgreSQL cleanly; as the postgres user, on its stopped data directory: pg_resetwal -e ${r.step!.epoch} -x ${r.step!.xid} PGDATA`);
          console.error(`     (next id ${r.step!.target}: above every stored id, never below the cluster's counter; every database was frozen)`);
          console.error(`  2. start PostgreSQL, then: jixiao restore ${file} --to <url> --check-only   (docs/deploy.md §3.3)`);
          return;
        }
        printReport(r.report!);
        if (r.report!.verdict === 'intact') console.log('safe: the API and the worker can start');
      } catch (err) {
        fail(err, o.json);
      }
    });

  program
    .command('check-backup <file>')
    .description('verify a backup copy (SQLite file or pg_dump archive) against its manifest and/or an exported seal: intact, TRUNCATED or TAMPERED')
    .option('--manifest <file>', 'the manifest (default: FILE.manifest.json if present)')
    .option('--seal <file>', 'an exported seal (audit seal) the copy must hold: the witness')
    .option('--scratch <url>', 'pg_dump archives: a PostgreSQL server where a scratch database may be created (default: EVENT_STORE_URL)')
    .option('--json', 'print the report as JSON')
    .action(async (file: string, o: { manifest?: string; seal?: string; scratch?: string; json?: boolean }) => {
      try {
        if (!existsSync(file)) throw new Refused('backup-not-found', `no backup file at ${file}`);
        const manifest = readManifest(file, o.manifest);
        const exported = o.seal ? parseSealText(readFileSync(o.seal, 'utf8')) : undefined;
        const checksum = await checkChecksum(file, manifest);
        const isDump = readFileSync(file).subarray(0, 5).toString() === 'PGDMP';
        const server = o.scratch ?? configFor(undefined).eventStoreUrl;
        if (isDump && !isPostgres(server))
          throw new Refused(
            'scratch-needed',
            'a pg_dump archive is checked by restoring it into a scratch database: give --scratch postgres://… (a server where a database may be created)',
          );
        const report = isDump
          ? await withScratchDatabase(server, 'backup_check', async (scratch) => {
              await run('pg_restore', ['--no-owner', '--exit-on-error', `--dbname=${scratch}`, file]);
              const store = await openEventStore(scratch);
              return examine(store, { manifest, exported }).finally(() => store.close());
            })
          : await examineSqliteCopy(file, manifest, exported);
        if (checksum) {
          report.findings.unshift(checksum);
          if (report.verdict === 'intact' || report.verdict === 'unconfirmed') report.verdict = 'differs';
        }
        process.exitCode = exitFor(report.verdict);
        if (o.json) return console.log(JSON.stringify(report, null, 2));
        printReport(report);
      } catch (err) {
        fail(err, o.json);
      }
    });

  storeOption(program.command('recover-writes'))
    .description('PostgreSQL: give events appended at low transaction ids before the counter step (after a restore) fresh ids, so every reader sees them')
    .option('--dry-run', 'list them; change nothing')
    .option('--json', 'print the outcome as JSON')
    .action(async (o: { store?: string; dryRun?: boolean; json?: boolean }) => {
      try {
        const r = await recoverWrites(configFor(o.store).eventStoreUrl, o.dryRun ?? false);
        if (o.json) return console.log(JSON.stringify({ dryRun: o.dryRun ?? false, ...r }, null, 2));
        if (r.restoredUpTo === null) return console.log('no restored events in this database: nothing to recover');
        if (r.stranded.length === 0) return console.log(`no event was appended below the restored transaction ids (up to ${r.restoredUpTo}): nothing to recover`);
        const streams = new Set(r.stranded.map((s) => s.streamId));
        console.log(
          `${r.stranded.length} event(s) in ${streams.size} stream(s) were appended at transaction ids below the restored ones (up to ${r.restoredUpTo}); readers had passed them:`,
        );
        for (const s of r.stranded.slice(0, 20)) console.log(`  ${s.position}  ${s.streamId}@${s.revision}  ${s.type}`);
        if (r.stranded.length > 20) console.log(`  … and ${r.stranded.length - 20} more`);
        if (!r.movedTo) return console.log('dry run: nothing changed; run again without --dry-run to move them');
        console.log(
          `moved to transaction ${r.movedTo}: they now sort after every stored event, in their original order; the running projections apply them next (watch the lag in /api/v1/health).`,
        );
        console.log('A projection rebuilt from the start since the restore may have applied them already: rebuild it again (projections rebuild NAME). Then run audit verify.');
      } catch (err) {
        fail(err, o.json);
      }
    });
}

/** A SQLite copy is examined in a scratch copy: opening a database may touch its file, and the copy must stay as it was. */
async function examineSqliteCopy(file: string, manifest: BackupManifest | undefined, exported: ExportedSeal | undefined): Promise<CopyReport> {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'jx-check-'));
  try {
    const path = join(dir, 'copy.db');
    copyFileSync(file, path);
    const store = await openEventStore(`sqlite:${path}`);
    try {
      const report = await examine(store, { manifest, exported });
      // The attachments' bytes beside the copy, when the backup has them.
      if (existsSync(blobDirOf(file)) || manifest?.blobs) {
        const blobs = await checkBlobDir(blobDirOf(file), store);
        if (manifest?.blobs && (blobs.count !== manifest.blobs.count || blobs.bytes !== manifest.blobs.bytes))
          blobs.problems.push(`${blobDirOf(file)} holds ${blobs.count} blob(s), ${blobs.bytes} bytes; the manifest lists ${manifest.blobs.count}, ${manifest.blobs.bytes} bytes`);
        addBlobProblems(report, blobs.problems);
        if (blobs.problems.length === 0)
          report.findings.push(`${blobs.count} blob(s), ${blobs.bytes} bytes, in ${blobDirOf(file)}: each hashes to its name, and every blob the events refer to is there`);
      }
      return report;
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
