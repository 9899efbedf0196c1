import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

/**
 * axe-core (WCAG 2.1 A and AA rules) on a page state: GB/T 37668 follows WCAG 2.1 AA. Every browser
 * journey runs it on every state it visits and fails on any critical or serious violation; the
 * ledger prints the counts per state, so a run on an older UI measures the "before".
 */
const AXE_SOURCE = readFileSync(join(process.cwd(), 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const IMPACTS = ['critical', 'serious', 'moderate', 'minor'] as const;
type Impact = (typeof IMPACTS)[number];

export interface AxeViolation {
  id: string;
  impact: Impact;
  help: string;
  nodes: number;
  /** A few of the offending elements (CSS selectors), to find them. */
  targets: string[];
}

export interface AxeState {
  state: string;
  /** How long the check took (the settle wait, injecting axe, the run): where a walk spends its time. */
  ms: number;
  counts: Record<Impact, number>;
  violations: AxeViolation[];
}

/**
 * Waits until the page's finite animations and transitions (Ant Design's fades, slides, button
 * colour transitions) have ended, at most 5 s: axe reads colours, and a colour caught half-way
 * through a transition is a false contrast failure (seen on a loaded machine after a fixed 400 ms).
 * Ant Design's motions go through classes first (`…-enter`, `…-appear-prepare`, `…-leave-active`)
 * and start their transition a frame or two later, so an element still wearing one is waited for
 * too. Endless ones (spinners) are not waited for.
 */
const SETTLE = `(async () => {
  const deadline = Date.now() + 5000;
  const frame = () => new Promise((r) => requestAnimationFrame(() => r(undefined)));
  const moving = () => document.querySelector('[class*="-appear"], [class*="-enter"], [class*="-leave"]') !== null;
  do {
    await Promise.race([
      Promise.all(document.getAnimations().filter((a) => a.effect && a.effect.getComputedTiming().iterations !== Infinity).map((a) => a.finished.catch(() => undefined))),
      new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now()))),
    ]);
    await frame();
  } while (moving() && Date.now() < deadline);
})()`;

/** A message toast (“已保存”): shown for 3 s, then fading out on its own — checked on its own. */
const TOAST = '.ant-message';

/**
 * axe on a page state. `include`: a CSS selector to check only that part — a popup or dialog opened
 * over a page whose own state was checked just before (the rest of the page has not changed).
 * `skipContrast`: every rule but colour contrast, for a page whose same elements, in the same
 * colours, were checked in the other language (contrast is most of axe's time on a big table).
 */
export async function runAxe(page: Page, state: string, include?: string, skipContrast = false): Promise<AxeState> {
  const started = Date.now();
  await page.evaluate(SETTLE);
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(AXE_SOURCE);
  const options = `{ runOnly: { type: 'tag', values: ${JSON.stringify(TAGS)} }, resultTypes: ['violations']${skipContrast ? ", rules: { 'color-contrast': { enabled: false } }" : ''} }`;
  const found = `(r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length, targets: v.nodes.slice(0, 4).map((n) => n.target.join(' ')) }))`;
  // A toast is checked at once, settled, while it shows; the page without it, since the toast may
  // start fading out during the page's longer run (a half-faded title is a false contrast failure).
  // Found and checked in one step: it may go between two. One gone during its own check was not
  // shown to anyone whole: that check says nothing and is dropped.
  const toast = include
    ? []
    : ((await page.evaluate(
        `(() => { const t = document.querySelector(${JSON.stringify(TOAST)}); if (!t || !t.querySelector('.ant-message-notice')) return []; return window.axe.run(t, ${options}).then((r) => (t.isConnected ? (${found})(r) : []), (e) => (t.isConnected ? Promise.reject(e) : [])); })()`,
      )) as AxeViolation[]);
  const context = include ? `{ include: [${JSON.stringify(include)}] }` : `{ exclude: [${JSON.stringify(TOAST)}] }`;
  const violations = [...toast, ...((await page.evaluate(`window.axe.run(${context}, ${options}).then(${found})`)) as AxeViolation[])];
  const counts = Object.fromEntries(IMPACTS.map((i) => [i, violations.filter((v) => v.impact === i).reduce((sum, v) => sum + v.nodes, 0)])) as Record<Impact, number>;
  return { state, ms: Date.now() - started, counts, violations };
}

/** Every state a journey visited, its axe counts, and the assertion that none is critical or serious. */
export class AxeLedger {
  readonly states: AxeState[] = [];

  constructor(readonly journey: string) {}

  async check(page: Page, state: string, include?: string, options: { skipContrast?: boolean } = {}): Promise<AxeState> {
    const result = await runAxe(page, state, include, options.skipContrast);
    this.states.push(result);
    return result;
  }

  /** Fails on any critical or serious violation of a state checked so far (from the `from`th), naming rule, count and elements. */
  expectClean(from = 0): void {
    const bad = this.states
      .slice(from)
      .flatMap((s) =>
        s.violations
          .filter((v) => v.impact === 'critical' || v.impact === 'serious')
          .map((v) => `${s.state}: ${v.impact} ${v.id} ×${v.nodes} (${v.help}) e.g. ${v.targets.join(' | ')}`),
      );
    expect(bad).toEqual([]);
  }

  report(): string {
    const rows = this.states.map(
      (s) =>
        `${s.state.padEnd(44)} ${String(s.ms).padStart(6)} ${String(s.counts.critical).padStart(8)} ${String(s.counts.serious).padStart(8)} ${String(s.counts.moderate).padStart(8)} ${String(s.counts.minor).padStart(6)}  ${s.violations.map((v) => `${v.id}(${v.impact[0]})×${v.nodes}`).join(' ')}`,
    );
    return [`axe-core ${TAGS.join(',')} — ${this.journey}`, `${'page state'.padEnd(44)}     ms critical  serious moderate  minor  rules`, ...rows].join('\n');
  }

  print(): void {
    if (this.states.length) process.stdout.write(`\n${this.report()}\n`);
  }
}
