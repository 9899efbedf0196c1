import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The key seals are signed with. It lives outside the database (a file or an environment
 * variable), so whoever can write the database cannot make a seal that verifies: rewriting events
 * and recomputing the chains and the seals' digests still leaves signatures that do not match.
 * Ed25519 through node:crypto; a public key is written `ed25519:<base64url of its 32 bytes>`.
 */
export interface SealSigner {
  /** `ed25519:…`, embedded in every seal and export, printed at start and by `audit public-key`. */
  readonly publicKey: string;
  sign(payload: string): string;
}

export interface SealKeySource {
  signer: SealSigner;
  /** Where the key came from, for the log: 'JIXIAO_SEAL_KEY', or the file. */
  from: string;
  /** True when it was generated just now (development, first start). */
  generated: boolean;
}

const PREFIX = 'ed25519:';

export function publicKeyText(key: KeyObject): string {
  const jwk = createPublicKey(key).export({ format: 'jwk' }) as { crv?: string; x?: string };
  if (jwk.crv !== 'Ed25519' || !jwk.x) throw new Error('the seal key is not an Ed25519 key');
  return `${PREFIX}${jwk.x}`;
}

export function parsePublicKey(text: string): KeyObject {
  const t = text.trim();
  if (t.includes('BEGIN PUBLIC KEY')) return createPublicKey(t);
  if (!t.startsWith(PREFIX)) throw new Error(`a seal public key is written "${PREFIX}<base64url>", not "${t.slice(0, 20)}…"`);
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: t.slice(PREFIX.length) }, format: 'jwk' });
}

export function signerFromPem(pem: string): SealSigner {
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`the seal key must be Ed25519, not ${privateKey.asymmetricKeyType}`);
  const publicKey = publicKeyText(privateKey);
  return { publicKey, sign: (payload) => sign(null, Buffer.from(payload, 'utf8'), privateKey).toString('base64url') };
}

/** Does `signature` (base64url) over `payload` verify with `publicKey` (`ed25519:…`)? */
export function verifySignature(publicKey: string, payload: string, signature: string): boolean {
  try {
    return verify(null, Buffer.from(payload, 'utf8'), parsePublicKey(publicKey), Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}

/** The directory beside the SQLite store (`sqlite:./data/jixiao.db` → `./data`), else `./data`. */
export function besideStore(storeUrl: string, file: string): string {
  const m = /^sqlite:(.+)$/.exec(storeUrl);
  const dir = m && m[1] !== ':memory:' ? dirname(resolve(m[1]!)) : resolve('data');
  return join(dir, file);
}

export const DEFAULT_KEY_FILE = 'seal-key.pem';

/**
 * JIXIAO_SEAL_KEY (PEM text) or JIXIAO_SEAL_KEY_FILE (a PEM file). With neither, outside
 * production a key is generated on first start into `seal-key.pem` beside the SQLite store
 * (mode 0600) and reused afterwards; in production nothing is generated (a key made on the
 * database's own disk would prove little) and seals are recorded unsigned, with a warning.
 * `generate: false` (verification) only reads.
 */
export function loadSealKey(options: { env: NodeJS.ProcessEnv; storeUrl: string; production: boolean; generate?: boolean }): SealKeySource | undefined {
  const { env } = options;
  if (env.JIXIAO_SEAL_KEY) return { signer: signerFromPem(env.JIXIAO_SEAL_KEY.replace(/\\n/g, '\n')), from: 'JIXIAO_SEAL_KEY', generated: false };
  if (env.JIXIAO_SEAL_KEY_FILE) return { signer: signerFromPem(readFileSync(env.JIXIAO_SEAL_KEY_FILE, 'utf8')), from: env.JIXIAO_SEAL_KEY_FILE, generated: false };
  if (options.production) return undefined;
  const file = besideStore(options.storeUrl, DEFAULT_KEY_FILE);
  if (existsSync(file)) return { signer: signerFromPem(readFileSync(file, 'utf8')), from: file, generated: false };
  if (options.generate === false) return undefined;
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  mkdirSync(dirname(file), { recursive: true });
  // Written whole to a file of our own, then linked into place: a process starting at the same
  // moment sees either no key or the whole key, never a half-written one (link fails if it exists).
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, pem, { mode: 0o600 });
  try {
    linkSync(tmp, file);
  } catch (err) {
    // Another process generated it first: use theirs, so one store has one key.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return { signer: signerFromPem(readFileSync(file, 'utf8')), from: file, generated: false };
  } finally {
    unlinkSync(tmp);
  }
  chmodSync(file, 0o600);
  return { signer: signerFromPem(pem), from: file, generated: true };
}
