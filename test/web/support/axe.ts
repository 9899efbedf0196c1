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
  counts: Record<Impact, number>;
  violations: AxeViolation[];
}

export async function runAxe(page: Page, state: string): Promise<AxeState> {
  // Animations (Ant Design's fades and slides) end before axe reads the colours.
  await page.waitForTimeout(400);
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(
    `window.axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(TAGS)} }, resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length, targets: v.nodes.slice(0, 4).map((n) => n.target.join(' ')) })))`,
  )) as AxeViolation[];
  const counts = Object.fromEntries(IMPACTS.map((i) => [i, violations.filter((v) => v.impact === i).reduce((sum, v) => sum + v.nodes, 0)])) as Record<Impact, number>;
  return { state, counts, violations };
}

/** Every state a journey visited, its axe counts, and the assertion that none is critical or serious. */
export class AxeLedger {
  readonly states: AxeState[] = [];

  constructor(readonly journey: string) {}

  async check(page: Page, state: string): Promise<AxeState> {
    const result = await runAxe(page, state);
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
        `${s.state.padEnd(44)} ${String(s.counts.critical).padStart(8)} ${String(s.counts.serious).padStart(8)} ${String(s.counts.moderate).padStart(8)} ${String(s.counts.minor).padStart(6)}  ${s.violations.map((v) => `${v.id}(${v.impact[0]})×${v.nodes}`).join(' ')}`,
    );
    return [`axe-core ${TAGS.join(',')} — ${this.journey}`, `${'page state'.padEnd(44)} critical  serious moderate  minor  rules`, ...rows].join('\n');
  }

  print(): void {
    if (this.states.length) process.stdout.write(`\n${this.report()}\n`);
  }
}
