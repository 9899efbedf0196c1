import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthenticatedRequest } from '../../engine/nest/http/command-request.js';
import { ProblemException, problem } from '../../engine/nest/http/problem-details.js';
import { IS_PUBLIC } from '../../engine/nest/http/public.js';
import { Accounts } from './accounts.service.js';
import type { UserDoc } from './accounts.projection.js';
import type { SessionRecord } from './credential-store.js';
import { SESSION_COOKIE } from './sessions.js';

export interface SessionRequest extends AuthenticatedRequest {
  /** The live session the request came with; set by SessionGuard only. */
  jxSession?: SessionRecord;
  /** The session's user as the guard found it (enabled); set by SessionGuard only. */
  jxUser?: UserDoc;
}

const ALLOWED_BEFORE_PASSWORD_CHANGE = 'jixiao:allowed-before-password-change';
/** The few endpoints a user with a one-time password may call: changing it, and signing out. */
export const AllowedBeforePasswordChange = () => SetMetadata(ALLOWED_BEFORE_PASSWORD_CHANGE, true);

/** `Authorization: Bearer <token>` (API clients) first, else the `jx_session` cookie (browsers). */
export function sessionTokenOf(req: AuthenticatedRequest): string | undefined {
  const header = req.header('authorization');
  const bearer = header && /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer) return bearer[1];
  const cookie = (req.cookies as Record<string, unknown> | undefined)?.[SESSION_COOKIE];
  return typeof cookie === 'string' && cookie ? cookie : undefined;
}

/**
 * Every endpoint needs a live session unless marked @Public(). The principal put on the request
 * is the session's user with the roles granted NOW (read from the accounts projection on every
 * request), so a revoked role or a disabled user takes effect on the next request. Nothing else
 * sets req.principal, and it is cleared first: a request cannot bring its own.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly accounts: Accounts,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<SessionRequest>();
    delete req.principal;
    delete req.jxSession;
    delete req.jxUser;
    const targets = [context.getHandler(), context.getClass()];
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) === true;

    const token = sessionTokenOf(req);
    const auth = token ? await this.accounts.authenticate(token) : undefined;
    if (auth) {
      req.principal = auth.principal;
      req.jxSession = auth.session;
      req.jxUser = auth.user;
    }
    if (isPublic) return true;
    if (!auth) {
      throw new ProblemException(
        problem(
          401,
          'unauthenticated',
          'Sign in first',
          token
            ? 'the session is not valid (it expired, was signed out or revoked, or the user was disabled): sign in again'
            : 'this endpoint needs a session: sign in (POST /api/v1/auth/login) and send the jx_session cookie or Authorization: Bearer <token>',
        ),
      );
    }
    if (auth.session.mustChange && !this.reflector.getAllAndOverride<boolean>(ALLOWED_BEFORE_PASSWORD_CHANGE, targets)) {
      throw new ProblemException(
        problem(
          403,
          'password-change-required',
          'Change your password first',
          'you signed in with a one-time password: set your own (POST /api/v1/auth/password) before anything else',
        ),
      );
    }
    return true;
  }
}
