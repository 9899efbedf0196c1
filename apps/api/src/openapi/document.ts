import type { OpenAPIObject } from '@nestjs/swagger';
import { OPERATIONS, SCHEMAS } from './operations.generated.js';
import type { GeneratedOperation } from './operations.js';

/**
 * Completes the document @nestjs/swagger builds from the decorators with what only the controllers'
 * TypeScript knows (bin/openapi-operations.mjs): response schemas from the returned types, the
 * headers and query parameters each operation honours, its security and its error answers, all
 * with one problem-details schema. Done once here, over every operation, rather than by decorators
 * on each, so a new endpoint is documented by being written (issue 14).
 */

const PROBLEM = '#/components/schemas/Problem';

/** RFC 9457 problem details as ProblemDetailsFilter sends them. */
export const PROBLEM_SCHEMA = {
  type: 'object',
  description:
    'RFC 9457 problem details. `code` is stable and `params` carries its values, so a client can word the problem in its own language; `title` and `detail` follow Accept-Language (zh-CN by default, en-US).',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string', description: 'urn:jixiao:problem:<code>' },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string' },
    code: { type: 'string', pattern: '^[a-z0-9][a-z0-9.-]*$', description: 'stable, machine-readable' },
    params: { type: 'object', additionalProperties: true, description: 'the values the problem is about, by name (what code-based wording fills in)' },
    instance: { type: 'string', description: 'the request path' },
    errors: {
      type: 'array',
      description: 'what was wrong where: one entry per field and constraint',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: {
          field: { type: 'string', description: 'the field path, e.g. lines[0].value, or a header or query parameter name' },
          message: { type: 'string' },
          code: { type: 'string', description: 'stable: required, invalid-type, too-long, … (validation problems)' },
          params: { type: 'object', additionalProperties: true, description: 'the values the code is worded with (a limit, the allowed values, a cell’s text)' },
        },
      },
    },
    cells: {
      type: 'array',
      description: 'a refused spreadsheet import (`invalid-spreadsheet`): every cell that is wrong, with its sheet, row, column, stable code and params',
      items: { $ref: '#/components/schemas/TargetCellProblem' },
    },
  },
  additionalProperties: true,
};

const STATUS_TEXT: Record<number, string> = {
  400: 'The request is not valid (a field, parameter or header): problem details name each field',
  401: 'No session: sign in first',
  403: 'The session may not do this (or a request that changes something came from another site)',
  404: 'No such resource (plan, unit, report, case, …)',
  409: 'Refused by the workflow’s rules, or a concurrent change',
  412: 'If-Match names an older revision: read again, then retry',
  415: 'The body is not JSON',
  422: 'The Idempotency-Key was used for another request',
  429: 'Too many attempts: wait Retry-After seconds',
  503: 'Not up to date yet (minPosition), or the store refuses writes: retry after Retry-After',
};

/** Statuses an operation answers that its code does not show to the generator. */
const EXTRA_STATUSES: Record<string, number[]> = { AuthController_login: [401, 429], MetricsController_metrics: [401], HealthController_check: [503] };

/** Public to the session guard, yet answering only its own bearer token (JIXIAO_METRICS_TOKEN). */
const OWN_SECURITY: Record<string, Record<string, string[]>[]> = { MetricsController_metrics: [{ metricsToken: [] }] };

const CHANGES = new Set(['post', 'put', 'patch', 'delete']);

type Parameter = { name: string; in: string; required?: boolean; description?: string; schema?: object };
type Operation = {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: unknown;
  responses: Record<string, { description: string; content?: Record<string, { schema: object }>; headers?: Record<string, unknown> }>;
  security?: Record<string, string[]>[];
};

const QUERY_DESCRIPTIONS: Record<string, Omit<Parameter, 'name' | 'in'>> = {
  asOf: { description: 'ISO date-time: the answer as it was known then, re-derived from the events recorded up to then', schema: { type: 'string', format: 'date-time' } },
  minPosition: { description: 'the X-Position of a command’s answer: wait until this read reflects it (read your own writes)', schema: { type: 'string' } },
  after: { description: 'the `next` of the previous page', schema: { type: 'string' } },
  limit: { description: 'page size, 1–200 (default 50)', schema: { type: 'integer', minimum: 1, maximum: 200 } },
  from: { description: 'ISO date-time: recorded at or after', schema: { type: 'string', format: 'date-time' } },
  to: { description: 'ISO date-time: recorded at or before', schema: { type: 'string', format: 'date-time' } },
  period: { description: 'YYYY-MM (a month), or where said YYYY-Qn or YYYY', schema: { type: 'string' } },
  quarter: { description: 'YYYY-Qn', schema: { type: 'string', pattern: '^\\d{4}-Q[1-4]$' } },
  year: { description: 'YYYY', schema: { type: 'string', pattern: '^\\d{4}$' } },
  indicator: { description: 'an indicator number', schema: { type: 'integer', minimum: 1 } },
};

const HEADERS: Record<string, Parameter> = {
  'Accept-Language': {
    name: 'Accept-Language',
    in: 'header',
    required: false,
    description: 'zh-CN (default) or en-US: the language of problem details’ title and detail',
    schema: { type: 'string' },
  },
  'Idempotency-Key': {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description: 'the client’s command id (8–200 of letters, digits, _ . : -; a UUID is best): a retry with the same key is answered, not repeated',
    schema: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{8,200}$' },
  },
  'If-Match': {
    name: 'If-Match',
    in: 'header',
    required: false,
    description: 'the ETag (revision) the change was based on: 412 if the resource has changed since',
    schema: { type: 'string' },
  },
  'X-On-Behalf-Of': {
    name: 'X-On-Behalf-Of',
    in: 'header',
    required: false,
    description: 'the unit the office acts for (its paper report); recorded beside who typed it',
    schema: { type: 'string' },
  },
};

function problemResponse(status: number) {
  return { description: STATUS_TEXT[status] ?? 'Error', content: { 'application/problem+json': { schema: { $ref: PROBLEM } } } };
}

/** OpenAPI 3.0's `nullable` (which @nestjs/swagger writes from @ApiProperty) as 3.1's type lists. */
function to31(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(to31);
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (k !== 'nullable') out[k] = to31(v);
  if ((value as { nullable?: boolean }).nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else if (out.$ref || out.allOf) return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

function upsert(list: Parameter[], p: Parameter): void {
  const i = list.findIndex((q) => q.in === p.in && q.name.toLowerCase() === p.name.toLowerCase());
  if (i < 0) list.push(p);
  else list[i] = { ...p, ...list[i], ...(p.schema && !list[i]!.schema ? { schema: p.schema } : {}), required: p.in === 'path' ? true : (list[i]!.required ?? false) };
}

function complete(path: string, method: string, op: Operation, gen: GeneratedOperation): void {
  const parameters = (op.parameters ??= []);
  for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
    upsert(parameters, { name: name!, in: 'path', required: true, schema: { type: 'string' } });
  }
  if (gen.readAt) {
    upsert(parameters, { name: 'asOf', in: 'query', required: false, ...QUERY_DESCRIPTIONS.asOf });
    upsert(parameters, { name: 'minPosition', in: 'query', required: false, ...QUERY_DESCRIPTIONS.minPosition });
  }
  for (const name of gen.query) upsert(parameters, { name, in: 'query', required: false, ...(QUERY_DESCRIPTIONS[name] ?? { schema: { type: 'string' } }) });
  for (const p of parameters) if (p.in === 'query' && !p.description && QUERY_DESCRIPTIONS[p.name]) Object.assign(p, { ...QUERY_DESCRIPTIONS[p.name], ...p });
  // A page's cursor and size are never required (the first page, 50 items), and the size is a number,
  // whatever @nestjs/swagger made of a `@Query('limit') limit?: string`.
  for (const p of parameters) if (p.in === 'query' && (p.name === 'after' || p.name === 'limit')) Object.assign(p, { required: false, schema: QUERY_DESCRIPTIONS[p.name]!.schema });
  if (gen.headers.idempotencyKey) upsert(parameters, HEADERS['Idempotency-Key']!);
  if (gen.headers.ifMatch) upsert(parameters, HEADERS['If-Match']!);
  if (gen.headers.onBehalfOf) upsert(parameters, HEADERS['X-On-Behalf-Of']!);
  upsert(parameters, HEADERS['Accept-Language']!);
  for (const p of parameters) {
    p.schema ??= { type: 'string' };
    if (p.in === 'header') {
      const known = HEADERS[p.name];
      if (known) Object.assign(p, { ...known, ...p, description: p.description ?? known.description });
    }
  }

  op.security = OWN_SECURITY[op.operationId ?? ''] ?? (gen.public ? [] : [{ cookie: [] }, { bearer: [] }]);

  // The success answer: its schema from the returned type; a file for those that write one.
  const ok = String(gen.status);
  for (const code of Object.keys(op.responses)) if (code !== ok && /^2/.test(code)) delete op.responses[code];
  const success = (op.responses[ok] ??= { description: 'OK' });
  if (gen.status === 204) delete success.content;
  else if (gen.writesItself || gen.produces?.length) {
    const types = gen.produces?.length ? gen.produces : ['application/x-ndjson', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'];
    success.content = Object.fromEntries(types.map((t) => [t, { schema: { type: 'string', contentMediaType: t } }]));
  } else if (gen.response) {
    const type = Object.keys(success.content ?? {}).find((t) => !/json/.test(t)) ?? 'application/json';
    success.content = { [type]: { schema: type === 'application/json' ? gen.response : { type: 'string' } } };
  } else success.content = { 'application/json': { schema: { type: 'object' } } };
  const headers: Record<string, unknown> = {};
  if (gen.responseHeaders.etag) headers.ETag = { description: 'the revision: send it back as If-Match', schema: { type: 'string' } };
  if (gen.responseHeaders.position) headers['X-Position'] = { description: 'pass as ?minPosition= to read this write', schema: { type: 'string' } };
  if (gen.responseHeaders.location) headers.Location = { description: 'where the created resource is read', schema: { type: 'string' } };
  if (!success.description) success.description = 'OK';
  if (Object.keys(headers).length) success.headers = { ...success.headers, ...headers };
  if (gen.unchanged) {
    // The same answer without a Location: nothing was created (a retry, the same again, a regeneration).
    const { Location: _created, ...others } = headers;
    op.responses[String(gen.unchanged)] = {
      description: 'Nothing was created (the same again, or a change to what exists)',
      ...(success.content ? { content: success.content } : {}),
      ...(Object.keys(others).length ? { headers: others } : {}),
    };
  }

  // The problems it can answer.
  const statuses = new Set<number>();
  const changes = CHANGES.has(method);
  if (parameters.some((p) => p.name !== 'Accept-Language') || op.requestBody) statuses.add(400);
  if (!gen.public) [401, 403].forEach((s) => statuses.add(s));
  if (parameters.some((p) => p.in === 'path')) statuses.add(404);
  if (changes) [403, 415].forEach((s) => statuses.add(s));
  if (gen.headers.idempotencyKey) [409, 422, 503].forEach((s) => statuses.add(s));
  if (gen.headers.ifMatch) statuses.add(412);
  if (gen.readAt) statuses.add(503);
  for (const s of EXTRA_STATUSES[op.operationId ?? ''] ?? []) statuses.add(s);
  for (const s of [...statuses].sort()) op.responses[String(s)] = problemResponse(s);
  // Every operation says how its client errors look, even one that no valid request fails (health).
  if (![...statuses].some((s) => s < 500)) op.responses['4XX'] = { ...problemResponse(400), description: 'Any client error (none for a well-formed request), as problem details' };
}

/** The document as @nestjs/swagger built it, completed and made OpenAPI 3.1. Warns of an operation the generator has not seen (run bin/openapi-operations.mjs). */
export function completeDocument(document: OpenAPIObject): OpenAPIObject {
  const doc = to31(document) as OpenAPIObject;
  doc.openapi = '3.1.0';
  const missing: string[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item as Record<string, Operation>)) {
      // One method mounted on several paths (@Post([a, b, c])) gets ids `Class_method[0]`, `[1]`…
      // from @nestjs/swagger: one generated entry describes them all; the ids are made URL-safe.
      const indexed = /^(.*)\[(\d+)\]$/.exec(op.operationId ?? '');
      if (indexed) op.operationId = `${indexed[1]}_${indexed[2]}`;
      const gen = OPERATIONS[indexed ? indexed[1]! : (op.operationId ?? '')];
      if (!gen) missing.push(op.operationId ?? `${method} ${path}`);
      else complete(path, method, op, gen);
    }
  }
  // A stale module is a failing test (test/openapi.e2e.spec.ts), not a server that will not start:
  // the API serves, and its document says less about these operations until the module is rebuilt.
  if (missing.length) console.warn(`OpenAPI: operations unknown to apps/api/src/openapi/operations.generated.ts (run node bin/openapi-operations.mjs): ${missing.join(', ')}`);
  doc.components = {
    ...doc.components,
    securitySchemes: {
      ...doc.components?.securitySchemes,
      metricsToken: { type: 'http', scheme: 'bearer', description: 'the monitoring token JIXIAO_METRICS_TOKEN (not a session)' },
    },
    schemas: { ...doc.components?.schemas, ...(SCHEMAS as Record<string, object>), Problem: PROBLEM_SCHEMA },
  };
  return doc;
}
