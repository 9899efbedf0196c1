import { Injectable, type ArgumentMetadata, type CanActivate, type ExecutionContext, type PipeTransform } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import { ProblemException, problem } from './problem-details.js';

/** How deep a request body may nest. Real bodies nest three or four levels; 20,000 overflowed class-transformer's stack. */
export const MAX_BODY_DEPTH = 32;

/** The depth of a JSON value, without recursion (a deep value must not overflow the checker either); stops once past `limit`. */
export function depthOf(value: unknown, limit = Number.MAX_SAFE_INTEGER): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    for (const child of Object.values(v as object)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * Runs before the validation pipe: a body nested deeper than MAX_BODY_DEPTH is a 400 before
 * class-transformer walks it recursively (and would overflow the stack: a 500).
 */
@Injectable()
export class BodyDepthPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if ((metadata.type === 'body' || metadata.type === 'query') && depthOf(value, MAX_BODY_DEPTH) > MAX_BODY_DEPTH) {
      throw new ProblemException(
        problem(400, 'nesting-too-deep', 'Invalid request', `the request body is nested too deeply (at most ${MAX_BODY_DEPTH} levels)`, {
          maxDepth: MAX_BODY_DEPTH,
          errors: [{ field: metadata.type, message: `nested more than ${MAX_BODY_DEPTH} levels` }],
        }),
      );
    }
    return value;
  }
}

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
const MULTIPART = /^multipart\/form-data\s*(?:;|$)/i;
/** @nestjs/swagger's metadata key for @ApiConsumes(). */
const API_CONSUMES = 'swagger/apiConsumes';

/** Whether a request that changes something comes from another site (a cross-site request forgery, from a browser). */
export function isCrossSite(req: Request): boolean {
  const fetchSite = req.header('sec-fetch-site');
  if (fetchSite !== undefined && fetchSite.toLowerCase() === 'cross-site') return true;
  const origin = req.header('origin');
  if (origin === undefined) return false; // not a browser's cross-origin request (curl, server-to-server, the CLI)
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return true; // "null" (a sandboxed page, a file) or garbage: no site of ours
  }
  // Express's req.host honours X-Forwarded-Host only from the proxies TRUST_PROXY names.
  return host.toLowerCase() !== String(req.host ?? req.header('host') ?? '').toLowerCase();
}

/**
 * The request pipeline's rules for requests that change something (issue 13), before any handler:
 * - from another site (Origin, or Sec-Fetch-Site: cross-site) → 403 `cross-site-request`: the
 *   session cookie is SameSite=Strict, and this holds where a browser does not honour that;
 * - a body that is not JSON → 415 `unsupported-media-type`, except multipart uploads on the
 *   endpoints that declare them (@ApiConsumes('multipart/form-data')). A text/plain or form body
 *   is what a cross-site HTML form can send without a preflight.
 */
@Injectable()
export class RequestPolicyGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    if (!CHANGES.has(req.method.toUpperCase())) return true;
    if (isCrossSite(req)) {
      throw new ProblemException(
        problem(
          403,
          'cross-site-request',
          'Cross-site request refused',
          'a request that changes something is not accepted from another site (its Origin or Sec-Fetch-Site says cross-site); nothing was written',
        ),
      );
    }
    const type = req.header('content-type');
    const length = req.header('content-length');
    const hasBody = (length !== undefined && length.trim() !== '0') || req.header('transfer-encoding') !== undefined;
    if (type === undefined ? !hasBody : JSON_TYPE.test(type)) return true;
    if (type !== undefined && MULTIPART.test(type)) {
      const consumes = this.reflector.getAllAndOverride<string[] | undefined>(API_CONSUMES, [context.getHandler(), context.getClass()]) ?? [];
      if (consumes.includes('multipart/form-data')) return true;
    }
    throw new ProblemException(
      problem(415, 'unsupported-media-type', 'Unsupported media type', `a command's body must be JSON (Content-Type: application/json), not ${type ?? 'untyped'}`),
    );
  }
}

/** `Cache-Control: no-store` on every answer of the API: they are for the session that asked. */
export function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Cache-Control', 'no-store');
  next();
}
