import { passwordProblems } from './password-policy.js';
import { generateOneTimePassword, hashPassword, verifyPassword } from './passwords.js';
import { hashToken, isWellFormedToken, newSessionToken, sessionEndsAt, sessionStatus, SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from './sessions.js';

const H = 60 * 60 * 1000;

describe('session tokens', () => {
  it('are 32 random bytes in base64url; only their SHA-256 is kept', () => {
    const { token, tokenHash } = newSessionToken();
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(isWellFormedToken(token)).toBe(true);
    expect(tokenHash).toBe(hashToken(token));
    expect(tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenHash).not.toContain(token);
    expect(newSessionToken().token).not.toBe(token);
  });

  it('anything that is not such a token is refused before any lookup', () => {
    for (const t of ['', 'abc', 'x'.repeat(44), `${'a'.repeat(42)}=`, `${'a'.repeat(42)}/`]) expect(isWellFormedToken(t)).toBe(false);
  });
});

describe('session expiry: 8 hours idle, 24 hours absolute, revocable', () => {
  const s = { createdAt: 0, lastSeenAt: 0, expiresAt: SESSION_ABSOLUTE_MS, revoked: false };

  it('lives while used', () => {
    expect(SESSION_IDLE_MS).toBe(8 * H);
    expect(sessionStatus(s, 8 * H - 1)).toBe('active');
    expect(sessionStatus({ ...s, lastSeenAt: 7 * H }, 14 * H)).toBe('active');
  });

  it('ends after 8 hours without a request', () => {
    expect(sessionStatus(s, 8 * H)).toBe('idle');
  });

  it('ends 24 hours after sign-in however busy', () => {
    expect(sessionStatus({ ...s, lastSeenAt: 23.9 * H }, 24 * H)).toBe('expired');
    expect(sessionEndsAt({ ...s, lastSeenAt: 20 * H })).toBe(24 * H);
    expect(sessionEndsAt({ ...s, lastSeenAt: 1 * H })).toBe(9 * H);
  });

  it('ends when revoked', () => {
    expect(sessionStatus({ ...s, revoked: true }, 1)).toBe('revoked');
  });
});

describe('passwords', () => {
  it('are hashed with argon2id and verified', async () => {
    const h = await hashPassword('correct horse battery');
    expect(h).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(h, 'correct horse battery')).toBe(true);
    expect(await verifyPassword(h, 'correct horse batterY')).toBe(false);
    expect(await verifyPassword('not a hash', 'x')).toBe(false);
  });

  it('one-time passwords are random, readable, and acceptable passwords themselves', () => {
    const seen = new Set(Array.from({ length: 200 }, generateOneTimePassword));
    expect(seen.size).toBe(200);
    for (const p of seen) {
      expect(p).toMatch(/^[a-zA-Z2-9]{4}(-[a-zA-Z2-9]{4}){3}$/);
      expect(p).not.toMatch(/[01lOI]/);
      expect(passwordProblems(p, { username: 'wang.fang' })).toEqual([]);
    }
  });
});
