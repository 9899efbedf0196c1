/**
 * Commands, deciders and the errors a decision may raise. Pure types and functions: workflows'
 * deciders import this and nothing of Nest or a database.
 */

/** The authenticated person (or the system) sending a command. */
export interface Principal {
  userId: string;
  name?: string;
  /** Every role the principal holds; authorize() picks the one the command is done in. */
  roles: readonly string[];
  /** The unit of unit-scoped roles (reporter, head). */
  unitId?: string;
}

export interface CommandMeta {
  /** Client-supplied for retries (Idempotency-Key); a retry is answered, not repeated. */
  commandId: string;
  correlationId?: string;
  causationId?: string;
  actor: Principal;
  /** ISO-8601, from the injected clock. */
  now: string;
  reason?: string;
  onBehalfOf?: string;
  /** Set when a durable timer sends this command. */
  timerId?: string;
  /**
   * Set by the HTTP layer when the client sent an Idempotency-Key: the request it names, so the key
   * cannot be reused for another request on another stream. Not recorded on the events.
   */
  requestKey?: { key: string; request: string; fingerprint: string };
}

export interface Command<T extends string = string, D = unknown> {
  type: T;
  data: D;
  meta: CommandMeta;
}

export interface DomainEvent<T extends string = string, D = unknown> {
  type: T;
  data: D;
}

/**
 * emmett's decider, plus authorize(): who may send this command is part of the decision, so an
 * HTTP call, the CLI and a job get the same answer. It returns the role the actor acts in (that
 * role is recorded on the events) or throws ForbiddenError.
 */
export interface Decider<C extends Command, E extends DomainEvent, S> {
  initialState(): S;
  evolve(state: S, event: E): S;
  authorize(command: C, state: S): string;
  decide(command: C, state: S): E[];
}

/** A rule of the domain refused the command. Nothing is written. */
export class DomainError extends Error {
  constructor(
    /** Stable, for clients and translations, e.g. 'report-not-submitted'. */
    readonly code: string,
    message: string,
    readonly details: {
      /** 409 (state conflict) by default; 422 for input the rules reject; 404 when the subject is unknown. */
      status?: 404 | 409 | 422;
      /** Field paths the message is about, e.g. ['lines[3].analysis']. */
      fields?: { field: string; message: string; code?: string; params?: Record<string, unknown> }[];
      /**
       * The values the message is about, by name: the server's catalogue (and a client's) words the
       * code with them (libs/workflows/problems.ts), so the detail reads in the reader's language.
       */
      params?: Record<string, unknown>;
      [k: string]: unknown;
    } = {},
  ) {
    super(message);
  }
}

/** The actor may not do this. Nothing is written. */
export class ForbiddenError extends Error {
  readonly code = 'forbidden';
  constructor(
    message: string,
    /** The values the refusal is about (e.g. the permission), for clients that word it themselves. */
    readonly params: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/**
 * The command id (Idempotency-Key) was used by the same actor for another command, another target
 * or other content. Nothing is written. (IETF draft "The Idempotency-Key HTTP Header Field": 422.)
 */
export class IdempotencyKeyReusedError extends Error {
  readonly code = 'idempotency-key-reused';
  constructor(
    readonly commandId: string,
    /** The first event the key answered with, which names the command it was used for. */
    readonly earlierEventType: string,
  ) {
    super(`the Idempotency-Key "${commandId}" was already used for another request (answered with ${earlierEventType}); use a new key for a new request`);
  }
}

/** The client's If-Match revision is stale. Nothing is written. */
export class PreconditionFailedError extends Error {
  readonly code = 'precondition-failed';
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`the resource is at revision ${actual}, not ${expected} as the If-Match header says; reload and try again`);
  }
}

/** For switch exhaustiveness: the compiler proves every case is handled. */
export function assertNever(x: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(x)}`);
}
