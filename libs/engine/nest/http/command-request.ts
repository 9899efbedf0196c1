import { createParamDecorator, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Clock } from '../../clock.js';
import { newUuid } from '../../ids.js';
import type { CommandMeta, Principal } from '../../commands/command.js';
import type { ExecuteOptions } from '../../commands/command-executor.js';
import { requestFingerprint, type RequestKey } from '../../commands/idempotency-claims.js';
import { badRequest } from './problem-details.js';

/** Set on the request by the authentication guard; nothing else may set it. */
export interface AuthenticatedRequest extends Request {
  principal?: Principal;
}

export function principalOf(req: AuthenticatedRequest): Principal {
  if (!req.principal) throw new UnauthorizedException('sign in first: this endpoint needs a session');
  return req.principal;
}

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext) => principalOf(ctx.switchToHttp().getRequest()));

const COMMAND_ID = /^[A-Za-z0-9_.:-]{8,200}$/;

/**
 * The command's envelope from the request: the actor from the session only, the client's command
 * id (Idempotency-Key) so a retry is answered and not repeated, and the time from the clock.
 */
export function commandMeta(req: AuthenticatedRequest, clock: Clock, extra: { reason?: string; onBehalfOf?: string } = {}): CommandMeta {
  const key = req.header('idempotency-key');
  if (key !== undefined && !COMMAND_ID.test(key)) {
    throw badRequest('Idempotency-Key', 'must be 8–200 characters of letters, digits and _ . : - (a UUID is best)');
  }
  const correlation = req.header('x-correlation-id');
  return {
    commandId: key ?? newUuid(),
    ...(key !== undefined ? { requestKey: requestKeyOf(req, key) } : {}),
    actor: principalOf(req),
    now: clock.now().toISOString(),
    ...(correlation && COMMAND_ID.test(correlation) ? { correlationId: correlation } : {}),
    ...(extra.reason ? { reason: extra.reason } : {}),
    ...(extra.onBehalfOf ? { onBehalfOf: extra.onBehalfOf } : {}),
  };
}

/** If-Match: "3" (an ETag this API gave out) → 3. Absent → undefined (no precondition). */
export function expectedRevision(req: Request): number | undefined {
  const h = req.header('if-match');
  if (h === undefined || h.trim() === '*') return undefined;
  const m = /^\s*(?:W\/)?"?(-?\d+)"?\s*$/.exec(h);
  if (!m || Number(m[1]) < -1) throw badRequest('If-Match', `"${h}" is not a revision this API gave out as an ETag (e.g. "3")`);
  return Number(m[1]);
}

/** The execute options a request asks for: its If-Match as the expected revision, if it sent one. */
export function executeOptions(req: Request): ExecuteOptions {
  const revision = expectedRevision(req);
  return revision === undefined ? {} : { expectedRevision: revision };
}

/** The request an Idempotency-Key names: method, path (query included) and body. */
function requestKeyOf(req: Request, key: string): RequestKey {
  const path = req.originalUrl;
  return { key, request: `${req.method} ${path.split('?')[0]}`, fingerprint: requestFingerprint(req.method, path, req.body) };
}
