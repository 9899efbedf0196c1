import { defaultMonth, isMonth, quarterOf } from './lib/periods';

/**
 * The first load's requests, sent as the app's script starts (issue 15: a leader's dashboard on a
 * phone within 1.5 s). Before, each waited for the one before it and for a render: the session
 * (/auth/me) once React had rendered, the plan list once the session had answered, the plan after
 * the list, the dashboard's chunk once the shell had rendered, its figures once the dashboard had
 * rendered — a waterfall of about a second on a quiet machine.
 *
 * Here the session, the plan list and, on /dashboard, the page's chunk start at once; the plan and
 * the dashboard's figures as soon as the list names the plan; all while React renders. The app
 * takes each answer once, the first time it would have asked (api/http.ts `preloaded`); an answer
 * that failed (no session yet, a password to change) is asked again the usual way, so the app's
 * error and session handling are unchanged. Answers are for the first load only: one not taken
 * within FRESH_MS, or once the reader has sent a command, is dropped and asked afresh.
 *
 * main.tsx imports this first. (A separate <script> would not run earlier: Vite joins an HTML
 * page's module scripts into one entry.)
 */

interface Answer {
  data: unknown;
  position: string | null;
  at: number;
}

/** How long a first-load answer may wait to be taken (a slow phone takes a few seconds to run the app). */
const FRESH_MS = 15_000;
const answers = new Map<string, Promise<Answer>>();

const language = (): string => {
  try {
    return localStorage.getItem('jixiao.language') === 'en-US' ? 'en-US' : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
};

function start(key: string, path: string, pick: (body: unknown) => unknown = (b) => b): Promise<Answer> {
  const answer = fetch(`/api/v1${path}`, {
    credentials: 'same-origin',
    headers: { accept: 'application/json, application/problem+json', 'accept-language': language() },
  }).then(async (res) => {
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return { data: pick(await res.json()), position: res.headers.get('x-position'), at: performance.now() };
  });
  answers.set(key, answer);
  // A failed preload is asked again by whoever takes it; nobody may hear of it before.
  answer.catch(() => answers.delete(key));
  return answer;
}

const enc = encodeURIComponent;
export const preloadKeys = {
  plans: 'plans',
  plan: (planId: string) => `plan:${planId}`,
  annex2: (planId: string, period: string, asOf: string | null) => `annex2:${planId}:${period}:${asOf ?? ''}`,
  warnings: (planId: string, quarter: string, asOf: string | null) => `warnings:${planId}:${quarter}:${asOf ?? ''}`,
};

/** The answer preloaded under `key`, taken (a second taker asks the API); undefined if none is usable. */
export function takePreload(key: string): Promise<Answer> | undefined {
  const answer = answers.get(key);
  answers.delete(key);
  return answer?.then((a) => {
    if (performance.now() - a.at > FRESH_MS) throw new Error('stale');
    return a;
  });
}

/** The answer under `key` if it has already arrived (so a page can render with it at once), taken. */
const arrived = new Map<string, Answer>();
export function takeArrived(key: string): Answer | undefined {
  const a = arrived.get(key);
  if (!a || !answers.has(key)) return undefined;
  answers.delete(key);
  arrived.delete(key);
  return performance.now() - a.at > FRESH_MS ? undefined : a;
}

/** The answer under `key` if it has already arrived, left for whoever takes it. */
export function peekArrived(key: string): unknown {
  const a = arrived.get(key);
  return a && answers.has(key) && performance.now() - a.at <= FRESH_MS ? a.data : undefined;
}

/** Every answer not yet taken is forgotten (the reader changed something: they may be out of date). */
export function dropPreloads(): void {
  answers.clear();
  arrived.clear();
}

function preload(key: string, path: string, pick?: (body: unknown) => unknown): Promise<Answer> {
  const answer = start(key, path, pick);
  answer.then(
    (a) => answers.has(key) && arrived.set(key, a),
    () => undefined,
  );
  return answer;
}

interface PlanSummary {
  id: string;
  year: number;
}

const path = location.pathname;
if (path !== '/login') {
  preload('me', '/auth/me');
  const dashboard = path === '/dashboard';
  // The dashboard's chunk and every chunk it imports, fetched now rather than once the shell has rendered.
  if (dashboard) import('./pages/DashboardPage').catch(() => undefined);
  // The plan every page works on: the first of the list (app/plan.tsx), when the list is one page.
  preload(preloadKeys.plans, '/plans?limit=200', (body) => {
    const page = body as { items: PlanSummary[]; next: string | null };
    if (page.next) throw new Error('more than one page');
    return page.items;
  }).then(
    ({ data }) => {
      const first = (data as PlanSummary[])[0];
      if (!first) return;
      const id = first.id;
      preload(preloadKeys.plan(id), `/plans/${enc(id)}`);
      if (!dashboard) return;
      // What DashboardPage asks for, from the same address.
      const q = new URLSearchParams(location.search);
      const asked = q.get('period');
      const period = isMonth(asked) ? asked! : defaultMonth(first.year);
      const asOf = q.get('asOf');
      const asOfQuery = asOf ? `?asOf=${enc(asOf)}` : '';
      preload(preloadKeys.annex2(id, period, asOf), `/plans/${enc(id)}/annex2/${enc(period)}${asOfQuery}`);
      const quarter = quarterOf(period);
      preload(preloadKeys.warnings(id, quarter, asOf), `/plans/${enc(id)}/ranking/warnings?quarter=${enc(quarter)}${asOf ? `&asOf=${enc(asOf)}` : ''}`);
    },
    () => undefined,
  );
}
