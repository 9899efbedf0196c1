import { hash } from 'node:crypto';
import { WrongExpectedRevisionError } from '../event-store/errors.js';
import type { EventMetadata } from '../event-store/envelope.js';
import type { EventStore } from '../event-store/event-store.js';
import { newUuid } from '../ids.js';
import { IdempotencyKeyReusedError, type CommandMeta } from './command.js';

/**
 * The store-wide half of the Idempotency-Key (issue 13). A command's own stream answers a retry on
 * that stream; a key reused on *another* stream — same actor, another report or case — is only
 * seen here: the first request that writes under a key claims it, in a stream of its own named by
 * the actor and the key, with the request's fingerprint (method, path, body). A later request with
 * that key and another fingerprint is refused (422) before it decides anything; the same request
 * (a retry, or the next command of one multi-command request) passes.
 *
 * A claim is written only when the command is about to write events: a refused or empty command
 * leaves no trace. It is written before the command's events, not in their transaction (they are
 * in different streams): a crash between the two leaves a claim a retry of the same request
 * matches. Two different requests racing on one key meet at the claim stream's `no_stream`.
 */
export const IDEMPOTENCY_KEY_CLAIMED = 'IdempotencyKeyClaimed';

export interface IdempotencyKeyClaimed {
  type: typeof IDEMPOTENCY_KEY_CLAIMED;
  data: { key: string; request: string; fingerprint: string; streamId: string };
}

/** What a request under an Idempotency-Key is: set by the HTTP layer, carried by the request's every command. */
export interface RequestKey {
  key: string;
  /** "PUT /api/v1/plans/…/reporting/…/draft": names the request in the refusal. */
  request: string;
  /** SHA-256 of method, path and body. */
  fingerprint: string;
}

export function requestFingerprint(method: string, path: string, body: unknown): string {
  const content = Buffer.isBuffer(body) ? `bytes:${hash('sha256', body, 'hex')}` : `json:${canonicalJson(body)}`;
  return hash('sha256', `${method.toUpperCase()}\n${path}\n${content}`, 'hex');
}

export function claimStreamId(actorUserId: string, key: string): string {
  return `idempotency-key-${hash('sha256', `${actorUserId}\n${key}`, 'hex').slice(0, 40)}`;
}

/** The claim on the request's key, if any; throws when another request holds it. */
export async function checkClaim(store: EventStore, meta: CommandMeta & { requestKey: RequestKey }): Promise<'claimed' | 'free'> {
  const claim = (await store.readStream(claimStreamId(meta.actor.userId, meta.requestKey.key), { maxCount: 1 }))[0];
  if (!claim) return 'free';
  const held = claim.data as IdempotencyKeyClaimed['data'];
  if (held.fingerprint !== meta.requestKey.fingerprint) throw new IdempotencyKeyReusedError(meta.requestKey.key, held.request);
  return 'claimed';
}

/** Claims the key for this request; another request that got there first makes this one a 422. */
export async function claim(store: EventStore, meta: CommandMeta & { requestKey: RequestKey }, streamId: string, metadata: EventMetadata): Promise<void> {
  const { key, request, fingerprint } = meta.requestKey;
  const event: IdempotencyKeyClaimed = { type: IDEMPOTENCY_KEY_CLAIMED, data: { key, request, fingerprint, streamId } };
  try {
    await store.appendToStream(claimStreamId(meta.actor.userId, key), [{ id: newUuid(Date.parse(meta.now)), ...event, metadata }], { expectedRevision: 'no_stream' });
  } catch (err) {
    if (!(err instanceof WrongExpectedRevisionError)) throw err;
    await checkClaim(store, meta);
  }
}

/**
 * JSON with keys sorted and undefined left out. Nesting past `MAX_DEPTH` is written as a marker:
 * the fingerprint of a body no route accepts (the depth pipe refuses it where a body is read) must
 * not overflow the stack of the request that carries it.
 */
export function canonicalJson(value: unknown, depth = 0): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (depth >= MAX_DEPTH) return '"…"';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v, depth + 1))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && typeof v !== 'function')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v, depth + 1)}`).join(',')}}`;
}

const MAX_DEPTH = 64;
