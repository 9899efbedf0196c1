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
 *
 * Every command's digest is this over its data, which for a report carries the plan's facts (a
 * kept, frozen object the same for every draft of that report): the text of a frozen object or
 * array is kept (frozen values are frozen whole in this code base: deepFreeze), so it is written
 * once, not once per command. Written with one string built in order, the same bytes as before.
 */
export function canonicalJson(value: unknown, depth = 0): string {
  return write(value, depth);
}

const MAX_DEPTH = 64;

/** The text of frozen objects and arrays already written, with their nesting (levels below them). */
const written = new WeakMap<object, { json: string; height: number }>();
/** The nesting below the value `write` wrote last (0 for a primitive). */
let height = 0;

function write(value: unknown, depth: number): string {
  if (value === null || typeof value !== 'object') {
    height = 0;
    return JSON.stringify(value) ?? 'null';
  }
  if (depth >= MAX_DEPTH) {
    height = 0;
    return '"…"';
  }
  const frozen = Object.isFrozen(value);
  if (frozen) {
    // Kept text is valid here only if the value's nesting stays under the cut from this depth too.
    const kept = written.get(value);
    if (kept && depth + kept.height < MAX_DEPTH) {
      height = kept.height;
      return kept.json;
    }
  }
  let below = 0;
  let json: string;
  if (Array.isArray(value)) {
    json = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) json += ',';
      if (!(i in value)) continue; // a hole: written as nothing (Array.prototype.join)
      const v: unknown = value[i];
      if (v === undefined) json += 'null';
      else {
        json += write(v, depth + 1);
        if (height + 1 > below) below = height + 1;
      }
    }
    json += ']';
  } else {
    json = '{';
    let first = true;
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v === undefined || typeof v === 'function') continue;
      if (!first) json += ',';
      first = false;
      json += `${JSON.stringify(k)}:${write(v, depth + 1)}`;
      if (height + 1 > below) below = height + 1;
    }
    json += '}';
  }
  // Kept only when nothing below was cut at MAX_DEPTH (its text would then depend on the depth).
  if (frozen && depth + below < MAX_DEPTH) written.set(value, { json, height: below });
  height = below;
  return json;
}
