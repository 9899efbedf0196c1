/**
 * Secrets beside the events: password hashes and sessions, in the read-model database (SQLite or
 * PostgreSQL, the same database as the projections, usually the event store's).
 *
 * Why not events: events are kept forever, hash-chained and exported to auditors. A password hash
 * in an event could never be removed and would travel with every export; a session is not a fact
 * of the domain at all. The events record what matters to the audit (UserCreated, RoleGranted,
 * PasswordSet {by, mustChange}, UserDisabled …, each with the administrator who did it); these
 * two tables hold only what signing in needs, and may be lost without losing history (users then
 * get new one-time passwords from an administrator).
 *
 * Session design:
 * - a session is an opaque random token (32 bytes, base64url), given to the browser as the
 *   HTTP-only, SameSite=Strict cookie `jx_session` (Secure in production) and to API clients in the
 *   login answer, for `Authorization: Bearer <token>`;
 * - only its SHA-256 is stored (`sessions.token_hash`), so the table cannot be used to sign in;
 * - it ends after 8 hours without a request or 24 hours after sign-in, whichever comes first, or
 *   when revoked (logout, password change, reset, the user disabled);
 * - expiry uses REAL time, never the engine's injected clock. That clock is the domain's: tests and
 *   the demo year set it to 2023 and move it by months to fire deadlines. Sessions are a security
 *   control over time that really passes: on the domain clock a frozen demo would never end a
 *   session, and moving the year forward would end everyone's at once. Tests inject a session clock
 *   of their own (AccountsSettings.sessionClock) instead.
 */
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { migrate } from '../../engine/event-store/postgres/postgres-storage.js';
import { PostgresReadModelStore, SqliteReadModelStore, type ReadModelStore } from '../../engine/projections/read-model-store.js';
import type { SessionTimes } from './sessions.js';

export interface Credential {
  userId: string;
  passwordHash: string;
  /** A one-time password (set by an administrator or the command line): only a password change is allowed. */
  mustChange: boolean;
  /** A one-time password signs in until then (epoch ms, real time); undefined for one set before expiry existed: expired. */
  oneTimeExpiresAt?: number;
  /** When the one-time password signed in (epoch ms): it never signs in again. */
  oneTimeUsedAt?: number;
}

/** Setting a one-time password: until when it may sign in (real time, epoch ms). */
export interface OneTimeOptions {
  expiresAt: number;
}

export interface SessionRecord extends SessionTimes {
  tokenHash: string;
  userId: string;
  /** From the user's credential, read with the session: true while the password must be changed. */
  mustChange: boolean;
}

export interface CredentialStore {
  readonly kind: string;
  getCredential(userId: string): Promise<Credential | undefined>;
  /** A lasting password (mustChange false), or a one-time one (true) with its expiry; either way not yet used. */
  setCredential(userId: string, passwordHash: string, mustChange: boolean, oneTime?: OneTimeOptions): Promise<void>;
  /**
   * Marks the one-time password `passwordHash` as used, at most once: true for the one caller that
   * did it, false if it was used already, has expired, or was replaced meanwhile.
   */
  consumeOneTimePassword(userId: string, passwordHash: string, at: number): Promise<boolean>;
  createSession(session: { tokenHash: string; userId: string; createdAt: number; expiresAt: number }): Promise<void>;
  findSession(tokenHash: string): Promise<SessionRecord | undefined>;
  /** Moves last_seen_at forward (never back). */
  touchSession(tokenHash: string, at: number): Promise<void>;
  revokeSession(tokenHash: string): Promise<void>;
  /** Every session of the user, except one (the session that changed its own password). Returns how many. */
  revokeUserSessions(userId: string, options?: { except?: string }): Promise<number>;
  /** Deletes sessions whose absolute expiry is before `before`; they can never be used again. */
  purgeSessions(before: number): Promise<number>;
}

const SQLITE_SCHEMA = `
CREATE TABLE IF NOT EXISTS credentials (
  user_id TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL,
  must_change INTEGER NOT NULL,
  otp_expires_at INTEGER,
  otp_used_at INTEGER
);
CREATE TABLE IF NOT EXISTS sessions (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user_id);
CREATE INDEX IF NOT EXISTS sessions_by_expiry ON sessions (expires_at);
`;

const POSTGRES_SCHEMA = `
CREATE TABLE IF NOT EXISTS credentials (
  user_id text PRIMARY KEY,
  password_hash text NOT NULL,
  must_change boolean NOT NULL
);
-- Since one-time passwords expire and are used once (issue 13); NULL expiry on an older one-time password: expired.
ALTER TABLE credentials ADD COLUMN IF NOT EXISTS otp_expires_at bigint;
ALTER TABLE credentials ADD COLUMN IF NOT EXISTS otp_used_at bigint;
CREATE TABLE IF NOT EXISTS sessions (
  token_hash text PRIMARY KEY,
  user_id text NOT NULL,
  created_at bigint NOT NULL,
  last_seen_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  revoked boolean NOT NULL DEFAULT false
);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user_id);
CREATE INDEX IF NOT EXISTS sessions_by_expiry ON sessions (expires_at);
`;

interface SessionRow {
  token_hash: string;
  user_id: string;
  created_at: number | string;
  last_seen_at: number | string;
  expires_at: number | string;
  revoked: number | boolean;
  must_change: number | boolean | null;
}

const toSession = (r: SessionRow): SessionRecord => ({
  tokenHash: r.token_hash,
  userId: r.user_id,
  createdAt: Number(r.created_at),
  lastSeenAt: Number(r.last_seen_at),
  expiresAt: Number(r.expires_at),
  revoked: Boolean(r.revoked),
  // No credential at all (lost, or never set): nothing but a password change could help.
  mustChange: r.must_change === null ? true : Boolean(r.must_change),
});

interface CredentialRow {
  user_id: string;
  password_hash: string;
  must_change: number | boolean;
  otp_expires_at: number | string | null;
  otp_used_at: number | string | null;
}

const toCredential = (r: CredentialRow): Credential => ({
  userId: r.user_id,
  passwordHash: r.password_hash,
  mustChange: Boolean(r.must_change),
  ...(r.otp_expires_at !== null ? { oneTimeExpiresAt: Number(r.otp_expires_at) } : {}),
  ...(r.otp_used_at !== null ? { oneTimeUsedAt: Number(r.otp_used_at) } : {}),
});

function oneTimeExpiry(oneTime: OneTimeOptions | undefined): number {
  if (!oneTime || !Number.isFinite(oneTime.expiresAt)) throw new Error('a one-time password needs its expiry');
  return oneTime.expiresAt;
}

const FIND_SESSION = `SELECT s.token_hash, s.user_id, s.created_at, s.last_seen_at, s.expires_at, s.revoked, c.must_change
  FROM sessions s LEFT JOIN credentials c ON c.user_id = s.user_id WHERE s.token_hash = `;

export class SqliteCredentialStore implements CredentialStore {
  readonly kind = 'sqlite';
  readonly #get;
  readonly #set;
  readonly #consume;
  readonly #create;
  readonly #find;
  readonly #touch;
  readonly #revoke;
  readonly #revokeUser;
  readonly #purge;

  constructor(db: Database.Database) {
    db.exec(SQLITE_SCHEMA);
    // Tables made before one-time passwords expired: add the columns (NULL expiry: expired).
    const columns = new Set(
      db
        .prepare<[], { name: string }>('PRAGMA table_info(credentials)')
        .all()
        .map((c) => c.name),
    );
    for (const column of ['otp_expires_at', 'otp_used_at']) if (!columns.has(column)) db.exec(`ALTER TABLE credentials ADD COLUMN ${column} INTEGER`);
    this.#get = db.prepare<[string], CredentialRow>('SELECT user_id, password_hash, must_change, otp_expires_at, otp_used_at FROM credentials WHERE user_id = ?');
    this.#set = db.prepare(
      `INSERT INTO credentials (user_id, password_hash, must_change, otp_expires_at, otp_used_at) VALUES (?, ?, ?, ?, NULL)
       ON CONFLICT (user_id) DO UPDATE SET password_hash = excluded.password_hash, must_change = excluded.must_change,
         otp_expires_at = excluded.otp_expires_at, otp_used_at = NULL`,
    );
    this.#consume = db.prepare(`UPDATE credentials SET otp_used_at = ? WHERE user_id = ? AND password_hash = ? AND must_change = 1 AND otp_used_at IS NULL AND otp_expires_at > ?`);
    this.#create = db.prepare('INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, revoked) VALUES (?, ?, ?, ?, ?, 0)');
    this.#find = db.prepare<[string], SessionRow>(`${FIND_SESSION}?`);
    this.#touch = db.prepare('UPDATE sessions SET last_seen_at = ? WHERE token_hash = ? AND last_seen_at < ?');
    this.#revoke = db.prepare('UPDATE sessions SET revoked = 1 WHERE token_hash = ?');
    this.#revokeUser = db.prepare('UPDATE sessions SET revoked = 1 WHERE user_id = ? AND revoked = 0 AND token_hash IS NOT ?');
    this.#purge = db.prepare('DELETE FROM sessions WHERE expires_at < ?');
  }

  async getCredential(userId: string): Promise<Credential | undefined> {
    const r = this.#get.get(userId);
    return r && toCredential(r);
  }
  async setCredential(userId: string, passwordHash: string, mustChange: boolean, oneTime?: OneTimeOptions): Promise<void> {
    this.#set.run(userId, passwordHash, mustChange ? 1 : 0, mustChange ? oneTimeExpiry(oneTime) : null);
  }
  async consumeOneTimePassword(userId: string, passwordHash: string, at: number): Promise<boolean> {
    return this.#consume.run(at, userId, passwordHash, at).changes === 1;
  }
  async createSession(s: { tokenHash: string; userId: string; createdAt: number; expiresAt: number }): Promise<void> {
    this.#create.run(s.tokenHash, s.userId, s.createdAt, s.createdAt, s.expiresAt);
  }
  async findSession(tokenHash: string): Promise<SessionRecord | undefined> {
    const r = this.#find.get(tokenHash);
    return r && toSession(r);
  }
  async touchSession(tokenHash: string, at: number): Promise<void> {
    this.#touch.run(at, tokenHash, at);
  }
  async revokeSession(tokenHash: string): Promise<void> {
    this.#revoke.run(tokenHash);
  }
  async revokeUserSessions(userId: string, options: { except?: string } = {}): Promise<number> {
    return this.#revokeUser.run(userId, options.except ?? null).changes;
  }
  async purgeSessions(before: number): Promise<number> {
    return this.#purge.run(before).changes;
  }
}

export class PostgresCredentialStore implements CredentialStore {
  readonly kind = 'postgres';
  private constructor(readonly pool: pg.Pool) {}

  static async open(pool: pg.Pool): Promise<PostgresCredentialStore> {
    await migrate(pool, POSTGRES_SCHEMA, 0x6a78_0005);
    return new PostgresCredentialStore(pool);
  }

  async getCredential(userId: string): Promise<Credential | undefined> {
    const r = await this.pool.query<CredentialRow>('SELECT user_id, password_hash, must_change, otp_expires_at, otp_used_at FROM credentials WHERE user_id = $1', [userId]);
    const row = r.rows[0];
    return row && toCredential(row);
  }
  async setCredential(userId: string, passwordHash: string, mustChange: boolean, oneTime?: OneTimeOptions): Promise<void> {
    await this.pool.query(
      `INSERT INTO credentials (user_id, password_hash, must_change, otp_expires_at, otp_used_at) VALUES ($1, $2, $3, $4, NULL)
       ON CONFLICT (user_id) DO UPDATE SET password_hash = EXCLUDED.password_hash, must_change = EXCLUDED.must_change,
         otp_expires_at = EXCLUDED.otp_expires_at, otp_used_at = NULL`,
      [userId, passwordHash, mustChange, mustChange ? oneTimeExpiry(oneTime) : null],
    );
  }
  async consumeOneTimePassword(userId: string, passwordHash: string, at: number): Promise<boolean> {
    const r = await this.pool.query(
      `UPDATE credentials SET otp_used_at = $1 WHERE user_id = $2 AND password_hash = $3 AND must_change AND otp_used_at IS NULL AND otp_expires_at > $1`,
      [at, userId, passwordHash],
    );
    return r.rowCount === 1;
  }
  async createSession(s: { tokenHash: string; userId: string; createdAt: number; expiresAt: number }): Promise<void> {
    await this.pool.query('INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, revoked) VALUES ($1, $2, $3, $3, $4, false)', [
      s.tokenHash,
      s.userId,
      s.createdAt,
      s.expiresAt,
    ]);
  }
  async findSession(tokenHash: string): Promise<SessionRecord | undefined> {
    const r = await this.pool.query<SessionRow>({ name: 'jx_session_find', text: `${FIND_SESSION}$1`, values: [tokenHash] });
    return r.rows[0] && toSession(r.rows[0]);
  }
  async touchSession(tokenHash: string, at: number): Promise<void> {
    await this.pool.query('UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2 AND last_seen_at < $1', [at, tokenHash]);
  }
  async revokeSession(tokenHash: string): Promise<void> {
    await this.pool.query('UPDATE sessions SET revoked = true WHERE token_hash = $1', [tokenHash]);
  }
  async revokeUserSessions(userId: string, options: { except?: string } = {}): Promise<number> {
    const r = await this.pool.query('UPDATE sessions SET revoked = true WHERE user_id = $1 AND NOT revoked AND token_hash IS DISTINCT FROM $2', [userId, options.except ?? null]);
    return r.rowCount ?? 0;
  }
  async purgeSessions(before: number): Promise<number> {
    return (await this.pool.query('DELETE FROM sessions WHERE expires_at < $1', [before])).rowCount ?? 0;
  }
}

const opened = new WeakMap<ReadModelStore, Promise<CredentialStore>>();

/** The credential store in the read-model database; one per database, its tables created on first use. */
export function credentialStoreFor(readModels: ReadModelStore): Promise<CredentialStore> {
  let store = opened.get(readModels);
  if (!store) {
    if (readModels instanceof SqliteReadModelStore) store = Promise.resolve(new SqliteCredentialStore(readModels.durable()));
    else if (readModels instanceof PostgresReadModelStore) store = PostgresCredentialStore.open(readModels.pool);
    else return Promise.reject(new Error(`accounts need a SQLite or PostgreSQL read-model database, not ${readModels.kind}`));
    opened.set(readModels, store);
  }
  return store;
}
