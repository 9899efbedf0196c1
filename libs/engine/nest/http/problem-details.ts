import { ArgumentsHost, BadRequestException, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter, type ValidationError } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { DomainError, ForbiddenError, IdempotencyKeyReusedError, PreconditionFailedError } from '../../commands/command.js';
import { UnknownCommandError } from '../../commands/command-router.js';
import { EventIdConflictError, InvalidEventError, ReaderHorizonTimeoutError, TransactionCounterBehindError, WrongExpectedRevisionError } from '../../event-store/errors.js';
import { InvalidPositionError, ProjectionTimeoutError } from '../../projections/projection-runner.js';

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
  return new ProblemException(problem(400, 'validation-failed', 'The request is not valid', flat.map((f) => `${f.field}: ${f.message}`).join('; '), { errors: flat }));
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
  if (err instanceof IdempotencyKeyReusedError) {
    return problem(422, err.code, 'Idempotency-Key reused', err.message, { idempotencyKey: err.commandId, earlierEventType: err.earlierEventType });
  }
  if (err instanceof InvalidPositionError) {
    return problem(400, err.code, 'Invalid request', err.message, { position: err.position, errors: [{ field: 'minPosition', message: err.message }] });
  }
  if (err instanceof EventIdConflictError) return problem(409, err.code, 'Event id conflict', err.message);
  if (err instanceof UnknownCommandError) return problem(400, err.code, 'Unknown command', err.message);
  if (err instanceof TransactionCounterBehindError)
    return problem(503, err.code, 'The event store refuses writes', err.message, { next: err.next, largestStored: err.largestStored });
  if (err instanceof ProjectionTimeoutError || err instanceof ReaderHorizonTimeoutError) return problem(503, err.code, 'Not up to date yet', err.message);
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const body = err.getResponse();
    const message =
      typeof body === 'string'
        ? body
        : Array.isArray((body as { message?: unknown }).message)
          ? (body as { message: string[] }).message.join('; ')
          : String((body as { message?: unknown }).message ?? err.message);
    const code =
      status === 401
        ? 'unauthenticated'
        : status === 404
          ? 'not-found'
          : status === 429
            ? 'too-many-requests'
            : err instanceof BadRequestException
              ? 'invalid-request'
              : `http-${status}`;
    return problem(status, code, HttpStatus[status]?.toLowerCase().replace(/_/g, ' ') ?? 'error', message);
  }
  return undefined;
}

export type Language = 'zh-CN' | 'en-US';

/**
 * The client's language from Accept-Language: the first of zh and en it prefers (by q), zh-CN when
 * it names neither.
 */
export function languageOf(acceptLanguage: string | undefined): Language {
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q\s*=\s*([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim().toLowerCase(), q: q === undefined ? 1 : Number(q), i };
    })
    .filter((t) => t.tag && t.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { tag } of ranked) {
    if (tag === 'zh' || tag.startsWith('zh-')) return 'zh-CN';
    if (tag === 'en' || tag.startsWith('en-')) return 'en-US';
  }
  return 'zh-CN';
}

type Wording = (p: ProblemDetails) => { title: string; detail: string };

/**
 * Titles and details in both languages, by code, for the problems of the request pipeline
 * (issue 13). A client may still translate by `code`; these read well as they are.
 */
const WORDING: Record<string, Record<Language, Wording>> = {
  'idempotency-key-reused': {
    'zh-CN': (p) => ({
      title: '幂等键已被使用',
      detail: `幂等键（Idempotency-Key）“${String(p.idempotencyKey ?? '')}”已用于另一个请求（另一命令、另一对象或不同内容），本次未写入任何内容；新的请求请使用新的键。`,
    }),
    'en-US': (p) => ({
      title: 'Idempotency-Key reused',
      detail: `the Idempotency-Key "${String(p.idempotencyKey ?? '')}" was already used for another request (another command, target or content); nothing was written. Use a new key for a new request.`,
    }),
  },
  'invalid-position': {
    'zh-CN': (p) => ({ title: '请求无效', detail: `minPosition “${String(p.position ?? '')}” 不是本系统给出的位置（请使用命令应答中的 X-Position）。` }),
    'en-US': (p) => ({
      title: 'Invalid request',
      detail: `minPosition "${String(p.position ?? '')}" is not a position this store has issued (pass the X-Position of a command's answer).`,
    }),
  },
  'nesting-too-deep': {
    'zh-CN': (p) => ({ title: '请求无效', detail: `请求体嵌套过深（最多 ${String(p.maxDepth)} 层）。` }),
    'en-US': (p) => ({ title: 'Invalid request', detail: `the request body is nested too deeply (at most ${String(p.maxDepth)} levels).` }),
  },
  'unsupported-media-type': {
    'zh-CN': () => ({ title: '不支持的内容类型', detail: '命令的请求体须为 JSON（Content-Type: application/json）。' }),
    'en-US': () => ({ title: 'Unsupported media type', detail: 'a command’s body must be JSON (Content-Type: application/json).' }),
  },
  'cross-site-request': {
    'zh-CN': () => ({ title: '拒绝跨站请求', detail: '不接受来自其他站点的更改请求（Origin 或 Sec-Fetch-Site 表明是跨站请求），未写入任何内容。' }),
    'en-US': () => ({
      title: 'Cross-site request refused',
      detail: 'a request that changes something is not accepted from another site (its Origin or Sec-Fetch-Site says cross-site); nothing was written.',
    }),
  },
  'metrics-token-required': {
    'zh-CN': () => ({ title: '需要监控令牌', detail: '指标接口只回应带监控令牌（Authorization: Bearer <JIXIAO_METRICS_TOKEN>）的请求。' }),
    'en-US': () => ({
      title: 'Metrics token required',
      detail: 'the metrics endpoint answers only requests carrying the metrics token (Authorization: Bearer <JIXIAO_METRICS_TOKEN>).',
    }),
  },
};

/** The problem in the client's language, where its code has wording in both. */
export function localize(body: ProblemDetails, language: Language): ProblemDetails {
  const wording = WORDING[body.code]?.[language];
  return wording ? { ...body, ...wording(body) } : body;
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
    const language = languageOf(req.header('accept-language'));
    body = { ...localize(body, language), instance: req.originalUrl };
    if (WORDING[body.code]) res.setHeader('Content-Language', language);
    if (body.status === 503) res.setHeader('Retry-After', '1');
    else if (body.status === 429 && typeof body.retryAfterSeconds === 'number') res.setHeader('Retry-After', String(body.retryAfterSeconds));
    res.status(body.status).type('application/problem+json').send(JSON.stringify(body));
  }
}
