import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { randomInt } from 'node:crypto';
import { passwordProblems } from './password-policy.js';

export { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './password-policy.js';

/**
 * argon2id with OWASP's minimum parameters (19 MiB, 2 passes, 1 lane): about 20–50 ms a hash on a
 * server, slow enough for a stolen table to resist guessing, fast enough for sign-ins. The PHC
 * string keeps the parameters, so they can be raised later and old hashes still verify.
 */
export const ARGON2_OPTIONS = { algorithm: 2 as Algorithm /* Argon2id */, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

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

/**
 * 16 characters from 56 (about 93 bits), in groups of four: xxxx-xxxx-xxxx-xxxx. Drawn again until
 * it obeys the password rules itself (three kinds of character, not containing the username), so
 * a one-time password is never weaker than the password that replaces it.
 */
export function generateOneTimePassword(username = ''): string {
  for (;;) {
    const chars = Array.from({ length: 16 }, () => ALPHABET[randomInt(ALPHABET.length)]);
    const password = [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join('')).join('-');
    if (passwordProblems(password, { username }).length === 0) return password;
  }
}
