import {
  ArgumentsHost,
  BadRequestException,
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  type ExceptionFilter,
  type ValidationError,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { DomainError, ForbiddenError, PreconditionFailedError } from '../../commands/command.js';
import { UnknownCommandError } from '../../commands/command-router.js';
import { EventIdConflictError, InvalidEventError, ReaderHorizonTimeoutError, TransactionCounterBehindError, WrongExpectedRevisionError } from '../../event-store/errors.js';
import { ProjectionTimeoutError } from '../../projections/projection-runner.js';

/** RFC 9457 problem details. `code` is stable, so a client can translate the message. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  /** What was wrong where: one entry per field. */
  errors?: { field: string; message: string }[];
  [extension: string]: unknown;
}

export function problem(status: number, code: string, title: string, detail: string, extra: Partial<ProblemDetails> = {}): ProblemDetails {
  return { type: `urn:jixiao:problem:${code}`, title, status, detail, code, ...extra };
}

/** An HTTP exception that already carries its problem details. */
export class ProblemException extends HttpException {
  constructor(readonly problem: ProblemDetails) {
    super(problem, problem.status);
  }
}

export function badRequest(field: string, message: string): ProblemException {
  return new ProblemException(problem(400, 'invalid-request', 'Invalid request', `${field}: ${message}`, { errors: [{ field, message }] }));
}

/** ValidationPipe's exceptionFactory: every failed constraint, named by its field path. */
export function validationProblem(errors: ValidationError[]): ProblemException {
  const flat: { field: string; message: string }[] = [];
  const walk = (list: ValidationError[], prefix: string) => {
    for (const e of list) {
      const field = prefix ? (/^\d+$/.test(e.property) ? `${prefix}[${e.property}]` : `${prefix}.${e.property}`) : e.property;
      for (const message of Object.values(e.constraints ?? {})) flat.push({ field, message });
      if (e.children?.length) walk(e.children, field);
    }
  };
  walk(errors, '');
  return new ProblemException(
    problem(400, 'validation-failed', 'The request is not valid', flat.map((f) => `${f.field}: ${f.message}`).join('; '), { errors: flat }),
  );
}

export function toProblem(err: unknown): ProblemDetails | undefined {
  if (err instanceof ProblemException) return err.problem;
  if (err instanceof InvalidEventError) {
    return problem(400, err.code, 'Invalid event', err.message, { errors: [{ field: err.where, message: err.why }] });
  }
  if (err instanceof DomainError) {
    const status = err.details.status ?? 409;
    const { status: _s, fields, ...rest } = err.details;
    return problem(status, err.code, 'The command was refused', err.message, { ...(fields ? { errors: fields } : {}), ...rest });
  }
  if (err instanceof ForbiddenError) return problem(403, err.code, 'Forbidden', err.message);
  if (err instanceof PreconditionFailedError) {
    return problem(412, err.code, 'Precondition failed', err.message, { expectedRevision: err.expected, actualRevision: err.actual });
  }
  if (err instanceof WrongExpectedRevisionError) {
    return problem(409, err.code, 'Concurrent change', err.message, { streamId: err.streamId, actualRevision: err.actual });
  }
  if (err instanceof EventIdConflictError) return problem(409, err.code, 'Event id conflict', err.message);
  if (err instanceof UnknownCommandError) return problem(400, err.code, 'Unknown command', err.message);
  if (err instanceof TransactionCounterBehindError) return problem(503, err.code, 'The event store refuses writes', err.message, { next: err.next, largestStored: err.largestStored });
  if (err instanceof ProjectionTimeoutError || err instanceof ReaderHorizonTimeoutError) return problem(503, err.code, 'Not up to date yet', err.message);
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const body = err.getResponse();
    const message =
      typeof body === 'string' ? body : Array.isArray((body as { message?: unknown }).message) ? ((body as { message: string[] }).message).join('; ') : String((body as { message?: unknown }).message ?? err.message);
    const code = status === 401 ? 'unauthenticated' : status === 404 ? 'not-found' : status === 429 ? 'too-many-requests' : err instanceof BadRequestException ? 'invalid-request' : `http-${status}`;
    return problem(status, code, HttpStatus[status]?.toLowerCase().replace(/_/g, ' ') ?? 'error', message);
  }
  return undefined;
}

/** Every error leaves the API as problem details; an unexpected one is logged with an id the body names. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  readonly #log = new Logger('HTTP');

  catch(err: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const req = http.getRequest<Request>();
    let body = toProblem(err);
    if (!body) {
      const id = randomUUID();
      this.#log.error(`unexpected error ${id} on ${req.method} ${req.originalUrl}`, err instanceof Error ? err.stack : String(err));
      body = problem(500, 'internal', 'Internal error', `An unexpected error occurred; it was logged as ${id}. Nothing was written.`, { errorId: id });
    }
    body.instance = req.originalUrl;
    if (body.status === 503) res.setHeader('Retry-After', '1');
    res.status(body.status).type('application/problem+json').send(JSON.stringify(body));
  }
}
