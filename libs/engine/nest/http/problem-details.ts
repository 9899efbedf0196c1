import { ArgumentsHost, BadRequestException, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter, type ValidationError } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { DomainError, ForbiddenError, IdempotencyKeyReusedError, PreconditionFailedError } from '../../commands/command.js';
import { UnknownCommandError } from '../../commands/command-router.js';
import {
  EventIdConflictError,
  FactsMovedError,
  InvalidEventError,
  ReaderHorizonTimeoutError,
  TransactionCounterBehindError,
  WrongExpectedRevisionError,
} from '../../event-store/errors.js';
import { InvalidPositionError, ProjectionTimeoutError } from '../../projections/projection-runner.js';
import { InvalidAsOfError } from '../../projections/as-of.js';
import { wordField, wordProblem } from './problem-catalogue.js';

/** RFC 9457 problem details. `code` is stable, so a client can translate the message. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  /** The values the problem is about, by name: what a client's wording for `code` fills in. */
  params?: Record<string, unknown>;
  /** What was wrong where: one entry per field (`code` stable for validation problems). */
  errors?: FieldError[];
  [extension: string]: unknown;
}

export interface FieldError {
  field: string;
  message: string;
  code?: string;
  params?: Record<string, unknown>;
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

/** class-validator's constraint names as stable codes a client can word (and WORDING does, below). */
const CONSTRAINT_CODES: Record<string, string> = {
  isString: 'not-text',
  isInt: 'not-integer',
  isNumber: 'not-number',
  isBoolean: 'not-boolean',
  isArray: 'not-list',
  isObject: 'not-object',
  min: 'too-small',
  max: 'too-large',
  minLength: 'too-short',
  maxLength: 'too-long',
  arrayMinSize: 'too-few',
  arrayMaxSize: 'too-many',
  isIn: 'not-allowed-value',
  isEnum: 'not-allowed-value',
  matches: 'bad-format',
  isISO8601: 'not-date-time',
  isDateString: 'not-date-time',
  isNotEmpty: 'required',
  isDefined: 'required',
  whitelistValidation: 'unknown-field',
};

/** One constraint's failure as a field error: a stable code, and the limit or the allowed values class-validator put in its message. */
function fieldError(field: string, constraint: string, message: string): FieldError {
  const code = CONSTRAINT_CODES[constraint] ?? constraint.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const params: Record<string, unknown> = {};
  if (['too-small', 'too-large', 'too-short', 'too-long', 'too-few', 'too-many'].includes(code)) {
    const n = /(-?\d+(?:\.\d+)?)/.exec(message)?.[1];
    if (n !== undefined) params.limit = Number(n);
  }
  if (code === 'not-allowed-value') {
    const allowed = /following values: (.*)$/.exec(message)?.[1];
    if (allowed) params.allowed = allowed.split(/,\s*/);
  }
  return { field, message, code, ...(Object.keys(params).length ? { params } : {}) };
}

/**
 * ValidationPipe's exceptionFactory: every failed constraint, named by its field path. A field that
 * is missing is one `required` error, not one per constraint it would also have failed.
 */
export function validationProblem(errors: ValidationError[]): ProblemException {
  const flat: FieldError[] = [];
  const walk = (list: ValidationError[], prefix: string) => {
    for (const e of list) {
      const field = prefix ? (/^\d+$/.test(e.property) ? `${prefix}[${e.property}]` : `${prefix}.${e.property}`) : e.property;
      const constraints = Object.entries(e.constraints ?? {});
      if (e.value === undefined && constraints.length > 0 && !constraints.some(([c]) => c === 'whitelistValidation')) flat.push({ field, message: 'required', code: 'required' });
      else for (const [constraint, message] of constraints) flat.push(fieldError(field, constraint, message));
      if (e.children?.length) walk(e.children, field);
    }
  };
  walk(errors, '');
  return new ProblemException(problem(400, 'validation-failed', 'The request is not valid', flat.map((f) => `${f.field}: ${f.message}`).join('; '), { errors: flat }));
}

/** A workflow's field message that says the field is missing: worded as `required`. */
const REQUIRED_MESSAGE = /^(required\b|missing$)/;

/** The title of a problem that has none of its own: by status, and for a read not "the command was refused". */
function titleFor(status: number, method: string): string {
  const read = method === 'GET' || method === 'HEAD';
  if (status === 404) return 'Not found';
  if (status === 403) return 'Forbidden';
  if (status === 400) return 'Invalid request';
  return read ? 'The request was refused' : 'The command was refused';
}

/** `method`: the request's, so a read's refusal is not titled as a command's. */
export function toProblem(err: unknown, method = 'POST'): ProblemDetails | undefined {
  if (err instanceof ProblemException) return err.problem;
  if (err instanceof InvalidAsOfError) {
    return problem(400, err.code, 'Invalid request', err.message, {
      field: err.field,
      value: err.value,
      errors: [{ field: err.field, message: 'not an ISO-8601 date-time', code: 'not-date-time' }],
    });
  }
  if (err instanceof InvalidEventError) {
    return problem(400, err.code, 'Invalid event', err.message, { errors: [{ field: err.where, message: err.why }] });
  }
  if (err instanceof DomainError) {
    const status = err.details.status ?? 409;
    const { status: _s, fields, params, ...rest } = err.details;
    const errors = fields?.map((f) => (f.code || !REQUIRED_MESSAGE.test(f.message) ? f : { ...f, code: 'required' }));
    return problem(status, err.code, titleFor(status, method), err.message, { ...(errors ? { errors } : {}), ...rest, params: { ...rest, ...params } });
  }
  if (err instanceof ForbiddenError) return problem(403, err.code, 'Forbidden', err.message, { params: { rule: err.message, ...err.params } });
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
  // Only after the command was prepared and decided again several times, each time refused.
  if (err instanceof FactsMovedError) return problem(409, err.code, 'Concurrent change', err.message, { streamId: err.streamId });
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
    const title = HttpStatus[status]?.toLowerCase().replace(/_/g, ' ') ?? 'error';
    return problem(status, code, title.charAt(0).toUpperCase() + title.slice(1), message);
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
  'validation-failed': {
    'zh-CN': (p) => ({ title: '请求无效', detail: (p.errors ?? []).map((e) => `${e.field}：${e.message}`).join('；') }),
    'en-US': (p) => ({ title: 'The request is not valid', detail: (p.errors ?? []).map((e) => `${e.field}: ${e.message}`).join('; ') }),
  },
  'invalid-as-of': {
    'zh-CN': (p) => ({ title: '请求无效', detail: `${String(p.params?.field)}“${String(p.params?.value)}”不是 ISO-8601 日期时间（例如 2023-03-31T16:00:00Z）。` }),
    'en-US': (p) => ({ title: 'Invalid request', detail: `${String(p.params?.field)}: "${String(p.params?.value)}" is not an ISO-8601 date-time (e.g. 2023-03-31T16:00:00Z).` }),
  },
  'unit-not-found': {
    'zh-CN': (p) => ({ title: '未找到', detail: p.params?.unitId ? `方案中没有单位“${String(p.params.unitId)}”。` : '方案中没有这个单位。' }),
    'en-US': (p) => ({ title: 'Not found', detail: p.detail }),
  },
  'plan-not-found': {
    'zh-CN': () => ({ title: '未找到', detail: '该绩效方案尚未发布（或当时尚未发布）。' }),
    'en-US': (p) => ({ title: 'Not found', detail: p.detail }),
  },
  'invalid-credentials': {
    'zh-CN': () => ({ title: '登录失败', detail: '用户名或密码不正确。' }),
    'en-US': () => ({ title: 'Sign-in failed', detail: 'the username or password is not correct' }),
  },
  unauthenticated: {
    'zh-CN': () => ({ title: '需要登录', detail: '请先登录：此接口需要会话。' }),
    'en-US': (p) => ({ title: 'Sign-in required', detail: p.detail }),
  },
  'not-found': {
    'zh-CN': () => ({ title: '未找到', detail: '请求的地址不存在。' }),
    'en-US': (p) => ({ title: 'Not found', detail: p.detail }),
  },
  'precondition-failed': {
    'zh-CN': (p) => ({
      title: '版本已变化',
      detail: `内容在您读取之后已被修改（请求基于版本 ${String(p.params?.expectedRevision)}，当前为 ${String(p.params?.actualRevision)}）；请重新读取后再试，未写入任何内容。`,
    }),
    'en-US': (p) => ({ title: 'Precondition failed', detail: p.detail }),
  },
  'metrics-token-required': {
    'zh-CN': () => ({ title: '需要监控令牌', detail: '指标接口只回应带监控令牌（Authorization: Bearer <JIXIAO_METRICS_TOKEN>）的请求。' }),
    'en-US': () => ({
      title: 'Metrics token required',
      detail: 'the metrics endpoint answers only requests carrying the metrics token (Authorization: Bearer <JIXIAO_METRICS_TOKEN>).',
    }),
  },
};

/** The codes the pipeline's own wording (above) covers, in both languages. */
export const PIPELINE_WORDED_CODES: readonly string[] = Object.keys(WORDING);

/** Field errors' messages by code, for the validation problems (class-validator writes English). */
const FIELD_WORDING: Record<string, Record<Language, (params: Record<string, unknown>) => string>> = {
  required: { 'zh-CN': () => '必填', 'en-US': () => 'required' },
  'not-text': { 'zh-CN': () => '须为文本', 'en-US': () => 'must be text' },
  'not-integer': { 'zh-CN': () => '须为整数', 'en-US': () => 'must be a whole number' },
  'not-number': { 'zh-CN': () => '须为数字', 'en-US': () => 'must be a number' },
  'not-boolean': { 'zh-CN': () => '须为 true 或 false', 'en-US': () => 'must be true or false' },
  'not-list': { 'zh-CN': () => '须为列表', 'en-US': () => 'must be a list' },
  'not-object': { 'zh-CN': () => '须为对象', 'en-US': () => 'must be an object' },
  'too-small': { 'zh-CN': (p) => `不得小于 ${String(p.limit)}`, 'en-US': (p) => `must not be less than ${String(p.limit)}` },
  'too-large': { 'zh-CN': (p) => `不得大于 ${String(p.limit)}`, 'en-US': (p) => `must not be greater than ${String(p.limit)}` },
  'too-short': { 'zh-CN': (p) => `至少 ${String(p.limit)} 个字符`, 'en-US': (p) => `must be at least ${String(p.limit)} characters` },
  'too-long': { 'zh-CN': (p) => `最多 ${String(p.limit)} 个字符`, 'en-US': (p) => `must be at most ${String(p.limit)} characters` },
  'too-few': { 'zh-CN': (p) => `至少 ${String(p.limit)} 项`, 'en-US': (p) => `must have at least ${String(p.limit)} items` },
  'too-many': { 'zh-CN': (p) => `最多 ${String(p.limit)} 项`, 'en-US': (p) => `must have at most ${String(p.limit)} items` },
  'not-allowed-value': {
    'zh-CN': (p) => `须为以下之一：${(p.allowed as string[] | undefined)?.join('、') ?? ''}`,
    'en-US': (p) => `must be one of: ${(p.allowed as string[] | undefined)?.join(', ') ?? ''}`,
  },
  'bad-format': { 'zh-CN': () => '格式不正确', 'en-US': () => 'is not in the expected format' },
  'not-date-time': { 'zh-CN': () => '须为 ISO-8601 日期时间', 'en-US': () => 'must be an ISO-8601 date-time' },
  'unknown-field': { 'zh-CN': () => '不接受此字段', 'en-US': () => 'is not a field this request takes' },
};

/** Titles in Chinese for the problems without wording of their own, by the English title, else by status. */
const TITLE_ZH: Record<string, string> = {
  'Invalid request': '请求无效',
  'The request is not valid': '请求无效',
  'Invalid event': '事件无效',
  Forbidden: '无权操作',
  'Precondition failed': '版本已变化',
  'Concurrent change': '并发修改冲突',
  'Event id conflict': '事件编号冲突',
  'Unknown command': '未知命令',
  'The event store refuses writes': '事件存储暂停写入',
  'Not up to date yet': '数据尚未更新',
  'Not found': '未找到',
  'The command was refused': '命令被拒绝',
  'The request was refused': '请求被拒绝',
  'Internal error': '内部错误',
};
const STATUS_TITLE_ZH: Record<number, string> = {
  400: '请求无效',
  401: '需要登录',
  403: '无权操作',
  404: '未找到',
  405: '不支持的方法',
  409: '请求被拒绝',
  412: '版本已变化',
  413: '请求体过大',
  415: '不支持的内容类型',
  422: '请求无法处理',
  429: '请求过于频繁',
  500: '内部错误',
  503: '暂不可用',
};

/**
 * Every problem carries `params`: its extension members (the values it is about), so a client can
 * word it by `code` without knowing which members each code has.
 */
export function withParams(body: ProblemDetails): ProblemDetails {
  if (body.params) return body;
  const standard = new Set(['type', 'title', 'status', 'detail', 'code', 'instance', 'errors', 'params']);
  return { ...body, params: Object.fromEntries(Object.entries(body).filter(([k]) => !standard.has(k))) };
}

/**
 * The problem in the client's language: its code's wording where it has some; else, in Chinese,
 * the title translated (the detail of a workflow's own refusal stays as written: `code` and
 * `params` let the UI word it). Validation errors' messages are worded by their codes.
 */
export function localize(body: ProblemDetails, language: Language): ProblemDetails {
  let out = body;
  const fieldMessage = (e: FieldError) => (e.code === undefined ? undefined : (FIELD_WORDING[e.code]?.[language](e.params ?? {}) ?? wordField(e.code, e.params, language)));
  if (out.errors?.some((e) => fieldMessage(e) !== undefined)) {
    out = { ...out, errors: out.errors.map((e) => ({ ...e, message: fieldMessage(e) ?? e.message })) };
  }
  const wording = WORDING[out.code]?.[language];
  if (wording) return { ...out, ...wording(out) };
  // A workflow's refusal (or `forbidden`): its detail from the catalogue; its field errors without a
  // code of their own said generically in Chinese (the detail names what is wrong).
  const detail = wordProblem(out.code, out.params, language);
  if (detail !== undefined) {
    out = { ...out, detail };
    if (language === 'zh-CN' && out.errors?.some((e) => !e.code)) out = { ...out, errors: out.errors.map((e) => (e.code ? e : { ...e, message: '此项不符合要求' })) };
  }
  if (language === 'zh-CN') return { ...out, title: TITLE_ZH[out.title] ?? STATUS_TITLE_ZH[out.status] ?? out.title };
  return out;
}

/** Every error leaves the API as problem details; an unexpected one is logged with an id the body names. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  readonly #log = new Logger('HTTP');

  catch(err: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const req = http.getRequest<Request>();
    let body = toProblem(err, req.method);
    if (!body) {
      const id = randomUUID();
      this.#log.error(`unexpected error ${id} on ${req.method} ${req.originalUrl}`, err instanceof Error ? err.stack : String(err));
      body = problem(500, 'internal', 'Internal error', `An unexpected error occurred; it was logged as ${id}. Nothing was written.`, { errorId: id });
    }
    const language = languageOf(req.header('accept-language'));
    body = { ...localize(withParams(body), language), instance: req.originalUrl };
    res.setHeader('Content-Language', language);
    if (body.status === 503) res.setHeader('Retry-After', '1');
    else if (body.status === 429 && typeof body.retryAfterSeconds === 'number') res.setHeader('Retry-After', String(body.retryAfterSeconds));
    res.status(body.status).type('application/problem+json').send(JSON.stringify(body));
  }
}
