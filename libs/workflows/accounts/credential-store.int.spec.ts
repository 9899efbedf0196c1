import Database from 'better-sqlite3';
import { openReadModelStore, type ReadModelStore } from '../../engine/projections/read-model-store.js';
import { createPostgresDatabase, createSqliteDirectory } from '../../engine/testing/databases.js';
import { credentialStoreFor, SqliteCredentialStore, type CredentialStore } from './credential-store.js';
import { hashToken, newSessionToken } from './sessions.js';

const targets = [
  {
    name: 'SQLite',
    async create() {
      const dir = createSqliteDirectory('credentials');
      return { url: dir.url(), drop: async () => dir.drop() };
    },
  },
  {
    name: 'PostgreSQL',
    async create() {
      const db = await createPostgresDatabase('credentials');
      return { url: db.url, drop: () => db.drop() };
    },
  },
];

describe.each(targets)('credential store on $name', (target) => {
  let readModels: ReadModelStore;
  let store: CredentialStore;
  let drop: () => Promise<void>;
  let url: string;

  beforeAll(async () => {
    const db = await target.create();
    url = db.url;
    drop = db.drop;
    readModels = await openReadModelStore(url);
    store = await credentialStoreFor(readModels);
  });
  afterAll(async () => {
    await readModels.close();
    await drop();
  });

  it('is one store per database, its tables beside the projections', async () => {
    expect(await credentialStoreFor(readModels)).toBe(store);
    expect(store.kind).toBe(target.name === 'SQLite' ? 'sqlite' : 'postgres');
  });

  it('keeps one credential per user, replaced by the next', async () => {
    expect(await store.getCredential('u1')).toBeUndefined();
    await store.setCredential('u1', '$argon2id$first', true, { expiresAt: 1_767_225_600_000 });
    expect(await store.getCredential('u1')).toEqual({ userId: 'u1', passwordHash: '$argon2id$first', mustChange: true, oneTimeExpiresAt: 1_767_225_600_000 });
    await store.setCredential('u1', '$argon2id$second', false);
    expect(await store.getCredential('u1')).toEqual({ userId: 'u1', passwordHash: '$argon2id$second', mustChange: false });
  });

  it('a one-time password is used once, never after its expiry, and never when replaced meanwhile', async () => {
    await expect(store.setCredential('otp', '$argon2id$otp', true)).rejects.toThrow(/expiry/);
    await store.setCredential('otp', '$argon2id$otp', true, { expiresAt: 5_000 });
    expect(await store.consumeOneTimePassword('otp', '$argon2id$other', 1_000)).toBe(false); // replaced meanwhile
    expect(await store.consumeOneTimePassword('otp', '$argon2id$otp', 5_000)).toBe(false); // expired
    // Several sign-ins at once with the same one-time password: exactly one uses it.
    const racing = await Promise.all(Array.from({ length: 8 }, () => store.consumeOneTimePassword('otp', '$argon2id$otp', 1_000)));
    expect(racing.filter(Boolean)).toHaveLength(1);
    expect(await store.getCredential('otp')).toEqual({ userId: 'otp', passwordHash: '$argon2id$otp', mustChange: true, oneTimeExpiresAt: 5_000, oneTimeUsedAt: 1_000 });
    // A new one-time password (an administrator's reset) may be used again; a lasting password is never "consumed".
    await store.setCredential('otp', '$argon2id$otp2', true, { expiresAt: 5_000 });
    expect(await store.getCredential('otp')).not.toHaveProperty('oneTimeUsedAt');
    expect(await store.consumeOneTimePassword('otp', '$argon2id$otp2', 2_000)).toBe(true);
    await store.setCredential('otp', '$argon2id$own', false);
    expect(await store.getCredential('otp')).toEqual({ userId: 'otp', passwordHash: '$argon2id$own', mustChange: false });
    expect(await store.consumeOneTimePassword('otp', '$argon2id$own', 2_000)).toBe(false);
  });

  it('finds a session by the hash of its token, with the user’s must-change flag', async () => {
    const { token, tokenHash } = newSessionToken();
    await store.createSession({ tokenHash, userId: 'u1', createdAt: 1_000, expiresAt: 90_000_000 });
    expect(await store.findSession(hashToken(token))).toEqual({
      tokenHash,
      userId: 'u1',
      createdAt: 1_000,
      lastSeenAt: 1_000,
      expiresAt: 90_000_000,
      revoked: false,
      mustChange: false,
    });
    expect(await store.findSession(hashToken(newSessionToken().token))).toBeUndefined();
    await store.setCredential('u1', '$argon2id$third', true, { expiresAt: 10_000 });
    expect((await store.findSession(tokenHash))!.mustChange).toBe(true);
  });

  it('a session of a user without any credential counts as must-change', async () => {
    const { tokenHash } = newSessionToken();
    await store.createSession({ tokenHash, userId: 'nobody', createdAt: 1, expiresAt: 2 });
    expect((await store.findSession(tokenHash))!.mustChange).toBe(true);
  });

  it('touch moves last_seen_at forward, never back', async () => {
    const { tokenHash } = newSessionToken();
    await store.createSession({ tokenHash, userId: 'u2', createdAt: 1_000, expiresAt: 10_000_000_000 });
    await store.touchSession(tokenHash, 5_000);
    await store.touchSession(tokenHash, 3_000);
    expect((await store.findSession(tokenHash))!.lastSeenAt).toBe(5_000);
    // Beyond 32 bits: real epoch milliseconds.
    await store.touchSession(tokenHash, 1_767_225_600_000);
    expect((await store.findSession(tokenHash))!.lastSeenAt).toBe(1_767_225_600_000);
  });

  it('revokes one session, or all of a user’s but one', async () => {
    const [a, b, c] = [newSessionToken(), newSessionToken(), newSessionToken()];
    const other = newSessionToken();
    for (const s of [a, b, c]) await store.createSession({ tokenHash: s.tokenHash, userId: 'u3', createdAt: 1, expiresAt: 100 });
    await store.createSession({ tokenHash: other.tokenHash, userId: 'u4', createdAt: 1, expiresAt: 100 });

    await store.revokeSession(a.tokenHash);
    expect((await store.findSession(a.tokenHash))!.revoked).toBe(true);
    expect(await store.revokeUserSessions('u3', { except: c.tokenHash })).toBe(1);
    expect((await store.findSession(b.tokenHash))!.revoked).toBe(true);
    expect((await store.findSession(c.tokenHash))!.revoked).toBe(false);
    expect(await store.revokeUserSessions('u3')).toBe(1);
    expect((await store.findSession(c.tokenHash))!.revoked).toBe(true);
    expect((await store.findSession(other.tokenHash))!.revoked).toBe(false);
  });

  it('purges sessions past their absolute expiry', async () => {
    const [old, live] = [newSessionToken(), newSessionToken()];
    await store.createSession({ tokenHash: old.tokenHash, userId: 'u5', createdAt: 1, expiresAt: 50 });
    await store.createSession({ tokenHash: live.tokenHash, userId: 'u5', createdAt: 1, expiresAt: 10_000 });
    expect(await store.purgeSessions(60)).toBeGreaterThanOrEqual(1);
    expect(await store.findSession(old.tokenHash)).toBeUndefined();
    expect(await store.findSession(live.tokenHash)).toBeDefined();
  });

  it('survives reopening: the tables are created once and kept', async () => {
    const { tokenHash } = newSessionToken();
    await store.createSession({ tokenHash, userId: 'u6', createdAt: 1, expiresAt: 1_000_000 });
    const again = await openReadModelStore(url);
    try {
      const reopened = await credentialStoreFor(again);
      expect(reopened).not.toBe(store);
      expect(await reopened.findSession(tokenHash)).toMatchObject({ userId: 'u6' });
      expect(await reopened.getCredential('u1')).toMatchObject({ passwordHash: '$argon2id$third' });
    } finally {
      await again.close();
    }
  });
});

describe('credential store on a SQLite database made before one-time passwords expired', () => {
  it('adds the columns, and an older one-time password counts as expired', async () => {
    const db = new Database(':memory:');
    db.exec(`CREATE TABLE credentials (user_id TEXT PRIMARY KEY, password_hash TEXT NOT NULL, must_change INTEGER NOT NULL);
             INSERT INTO credentials VALUES ('old', '$argon2id$old', 1)`);
    const store = new SqliteCredentialStore(db);
    expect(await store.getCredential('old')).toEqual({ userId: 'old', passwordHash: '$argon2id$old', mustChange: true });
    expect(await store.consumeOneTimePassword('old', '$argon2id$old', 1)).toBe(false);
    db.close();
  });
});
