import { InvalidEventError } from './errors.js';

/** Who did it. Comes from the authenticated session (or names the system for timers and jobs). */
export interface Actor {
  userId: string;
  /** The role the actor acted in (a user may hold several). */
  role: string;
  /** The unit the actor belongs to, for unit-scoped roles. */
  unitId?: string;
  /** Display name at the time, so the record stays readable if the account is renamed. */
  name?: string;
}

/**
 * The audit envelope every event carries. The store refuses an event without it: who, on whose
 * behalf, which command, in which causal chain, when, and why.
 */
export interface EventMetadata {
  actor: Actor;
  /** The unit or person the actor acted for, when not themselves (e.g. the office entering a unit's figure). */
  onBehalfOf?: string;
  commandId: string;
  correlationId: string;
  causationId: string;
  /** ISO-8601 instant from the injected clock: the transaction time the application assigns. */
  recordedAt: string;
  /** Required by workflows where a person changes something already recorded. */
  reason?: string;
  /** Version of the event's data schema; absent means 1. Older versions are upcast on read. */
  schemaVersion?: number;
}

export function checkMetadata(m: unknown, where: string): asserts m is EventMetadata {
  if (m === null || typeof m !== 'object') throw new InvalidEventError(where, 'metadata is required');
  const md = m as Record<string, unknown>;
  const actor = md.actor as Record<string, unknown> | undefined;
  if (!actor || typeof actor !== 'object' || typeof actor.userId !== 'string' || !actor.userId || typeof actor.role !== 'string' || !actor.role) {
    throw new InvalidEventError(`${where}.actor`, 'every event must name its actor (userId and role)');
  }
  for (const key of ['commandId', 'correlationId', 'causationId'] as const) {
    if (typeof md[key] !== 'string' || !md[key]) throw new InvalidEventError(`${where}.${key}`, 'is required');
  }
  if (typeof md.recordedAt !== 'string' || Number.isNaN(Date.parse(md.recordedAt))) {
    throw new InvalidEventError(`${where}.recordedAt`, 'must be an ISO-8601 instant');
  }
  if (md.schemaVersion !== undefined && !(Number.isInteger(md.schemaVersion) && (md.schemaVersion as number) >= 1)) {
    throw new InvalidEventError(`${where}.schemaVersion`, 'must be a positive integer');
  }
}

/** Upcasts data of `type` from schema version v (the key) to v + 1. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- an upcaster turns an old version's data (any shape) into the next
export type Upcasters = Readonly<Record<string, Readonly<Record<number, (data: any) => any>>>>;
