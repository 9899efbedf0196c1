import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { randomInt } from 'node:crypto';

/**
 * argon2id with OWASP's minimum parameters (19 MiB, 2 passes, 1 lane): about 20–50 ms a hash on a
 * server, slow enough for a stolen table to resist guessing, fast enough for sign-ins. The PHC
 * string keeps the parameters, so they can be raised later and old hashes still verify.
 */
export const ARGON2_OPTIONS = { algorithm: 2 as Algorithm /* Argon2id */, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

/** False for a wrong password and for a malformed hash alike. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;
/**
 * A hash to verify against when the username is unknown, so an unknown user and a wrong password
 * take the same time: response times must not tell which usernames exist.
 */
export function dummyHash(): Promise<string> {
  return (dummy ??= hashPassword(generateOneTimePassword()));
}

// No 0/O, 1/l/I: one-time passwords are read off a screen and typed in.
const ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** 16 characters from 56 (about 93 bits), in groups of four: xxxx-xxxx-xxxx-xxxx. */
export function generateOneTimePassword(): string {
  const chars = Array.from({ length: 16 }, () => ALPHABET[randomInt(ALPHABET.length)]);
  return [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join('')).join('-');
}

/** Why a new password is refused, or undefined if it is acceptable. */
export function passwordProblem(next: string, context: { username: string; current?: string }): string | undefined {
  if (typeof next !== 'string' || next.length < MIN_PASSWORD_LENGTH) return `must have at least ${MIN_PASSWORD_LENGTH} characters`;
  if (next.length > MAX_PASSWORD_LENGTH) return `may have at most ${MAX_PASSWORD_LENGTH} characters`;
  if (next.trim().toLowerCase() === context.username.toLowerCase()) return 'may not be the username';
  if (context.current !== undefined && next === context.current) return 'must differ from the current password';
  return undefined;
}
