import createClient from 'openapi-fetch';
import { currentLanguage } from '../i18n';
import { dropPreloads, peekArrived, takeArrived, takePreload } from '../preload';
import type { AtHand } from '../lib/useAsync';
import type { Problem } from './models';
import type { paths } from './schema.js';

/**
 * The one way the UI talks to the API: same-origin fetch with the session cookie, JSON in and out,
 * and every error turned into an ApiProblem carrying the RFC 9457 body (code, detail, errors[]).
 * Calls go through `api`, an openapi-fetch client typed by the generated `paths` (schema.d.ts): the
 * path, method, parameters, body and answer of every call are the OpenAPI document's.
 *
 * Read-your-writes: every command answers with the global position of what it wrote; later reads
 * pass the highest position seen as ?minPosition=, so a page never shows the state before its own
 * change.
 */

/** A problem as the document declares it (every field but the status may be missing from a failure that is not the API's). */
export type ProblemBody = Partial<Problem> & { status: number };

export class ApiProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly errors: { field: string; message: string }[];

  constructor(readonly body: ProblemBody) {
    super(body.detail ?? body.title ?? `HTTP ${body.status}`);
    this.status = body.status;
    this.code = body.code ?? `http-${body.status}`;
    this.detail = body.detail ?? body.title ?? '';
    this.errors = body.errors ?? [];
  }
}

export const API_BASE = '/api/v1';

let lastPosition: string | undefined;

/**
 * Positions are opaque to clients, but every store writes them as runs of digits (SQLite "42",
 * PostgreSQL "<transaction>:<sequence>", EventStoreDB commit/prepare pairs), ordered segment by
 * segment. A retried command may answer with an older position; it must not replace a newer one.
 */
function later(a: string, b: string): boolean {
  const sa = a.match(/\d+/g) ?? [];
  const sb = b.match(/\d+/g) ?? [];
  if (sa.length === 0 || sa.length !== sb.length) return a !== b;
  for (let i = 0; i < sa.length; i++) {
    const x = BigInt(sa[i]!);
    const y = BigInt(sb[i]!);
    if (x !== y) return x > y;
  }
  return false;
}

export function notePosition(position: string | null | undefined): void {
  if (!position) return;
  if (lastPosition === undefined || later(position, lastPosition)) lastPosition = position;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export function url(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return `${API_BASE}${path}${qs ? `?${qs}` : ''}`;
}

let unauthenticatedHandler: ((p: ApiProblem) => void) | undefined;
/** The session layer hears every 401 and 403 password-change-required, wherever it happens. */
export function onSessionProblem(handler: (p: ApiProblem) => void): void {
  unauthenticatedHandler = handler;
}

/** The problem of a failed answer: its body as the server wrote it, and the session layer told of a 401. */
function problemOf(status: number, statusText: string, parsed: unknown): ApiProblem {
  const problem = new ApiProblem(
    parsed && typeof parsed === 'object'
      ? ({ status, ...(parsed as object) } as ProblemBody)
      : { status, detail: typeof parsed === 'string' && parsed ? parsed.slice(0, 500) : statusText },
  );
  if (problem.status === 401 || problem.code === 'password-change-required') unauthenticatedHandler?.(problem);
  return problem;
}

/**
 * The generated client. Its paths carry the /api/v1 prefix, so the base is the page's origin.
 * Middleware: the Accept and Accept-Language headers (problem details in the reader's language),
 * read-your-writes (?minPosition= on GETs not asked "as of" a moment), and every X-Position noted.
 */
export const api = createClient<paths>({ credentials: 'same-origin' });
api.use({
  onRequest({ request: req }) {
    req.headers.set('accept', 'application/json, application/problem+json');
    req.headers.set('accept-language', currentLanguage());
    if (req.method !== 'GET' || !lastPosition) return req;
    const target = new URL(req.url, globalThis.location?.href);
    if (target.searchParams.has('asOf') || target.searchParams.has('minPosition')) return req;
    target.searchParams.set('minPosition', lastPosition);
    return new Request(target, req);
  },
  onResponse({ response }) {
    notePosition(response.headers.get('x-position'));
    return response;
  },
});

/** Headers of a command: If-Match with the revision it was based on, an Idempotency-Key. */
export function commandHeaders(o: { ifMatch?: number | undefined; idempotencyKey?: string | undefined }): { 'If-Match'?: string; 'Idempotency-Key'?: string } {
  return {
    ...(o.ifMatch !== undefined ? { 'If-Match': `"${o.ifMatch}"` } : {}),
    ...(o.idempotencyKey ? { 'Idempotency-Key': o.idempotencyKey } : {}),
  };
}

/**
 * An openapi-fetch call's answer: its data, or an ApiProblem thrown (a network failure too). A
 * command's answer notes its position, so later reads wait for it.
 */
export async function answer<D>(call: Promise<{ data?: D; error?: unknown; response: Response }>): Promise<D> {
  let r: { data?: D; error?: unknown; response: Response };
  try {
    r = await call;
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiProblem({ status: 0, code: 'network-error', detail: (err as Error).message });
  }
  if (!r.response.ok) throw problemOf(r.response.status, r.response.statusText, r.error);
  const data = r.data;
  if (data && typeof data === 'object' && 'position' in data) {
    notePosition((data as { position?: string }).position);
    // A command was answered: what the first load fetched ahead may no longer be so.
    dropPreloads();
  }
  return data as D;
}

/**
 * The answer the first load fetched ahead under `key` (src/preload.ts), else `fresh()`: also when
 * the early request failed, so errors and the session's problems come from an ordinary request.
 */
export function preloaded<T>(key: string, fresh: () => Promise<T>): Promise<T> {
  const early = takePreload(key);
  if (!early) return fresh();
  return early.then(
    (a) => {
      notePosition(a.position);
      return a.data as T;
    },
    () => fresh(),
  );
}

/** The answer fetched ahead under `key`, if it has already arrived, for a page's first render (lib/useAsync.ts). */
export function atHand<T>(key: string): AtHand<T> {
  return {
    value: () => peekArrived(key) as T | undefined,
    taken: () => notePosition(takeArrived(key)?.position),
  };
}

/** A download (xlsx, exports) as a Blob, with the same error handling; `headers` e.g. another Accept-Language. */
export async function download(path: string, query: Query = {}, headers: Record<string, string> = {}): Promise<Blob> {
  const res = await fetch(url(path, query), { credentials: 'same-origin', headers: { 'accept-language': currentLanguage(), ...headers } });
  if (!res.ok) {
    const parsed = await res.json().catch(() => ({ detail: res.statusText }));
    throw new ApiProblem({ status: res.status, ...(parsed as object) });
  }
  return res.blob();
}

export function saveBlob(blob: Blob, fileName: string): void {
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

/** An Idempotency-Key. crypto.randomUUID needs a secure context, which a county intranet on plain HTTP is not. */
export function newCommandId(): string {
  if (typeof crypto.randomUUID === 'function' && window.isSecureContext) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * A multipart upload with progress (fetch cannot report upload progress); errors become
 * ApiProblems like every other request.
 */
export function upload<T>(path: string, form: FormData, onProgress: (fraction: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url(path));
    xhr.withCredentials = true;
    xhr.setRequestHeader('accept', 'application/json, application/problem+json');
    xhr.setRequestHeader('accept-language', currentLanguage());
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () => reject(new ApiProblem({ status: 0, code: 'network-error', detail: 'upload failed' }));
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = { detail: xhr.responseText.slice(0, 500) };
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        notePosition((body as { position?: string }).position);
        resolve(body as T);
      } else reject(new ApiProblem({ status: xhr.status, ...(body as object) }));
    };
    xhr.send(form);
  });
}
