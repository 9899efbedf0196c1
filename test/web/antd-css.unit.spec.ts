import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { trimAntdCss, usedPrefixes } from '../../apps/web/antd-css.js';

/**
 * Ant Design's static stylesheet trimmed to the components the app renders (apps/web/antd-css.ts, issue 15):
 * what the app shows keeps its rules, what it never renders loses them, and nothing that belongs to no
 * component is dropped.
 */
describe('the trimmed antd.css', () => {
  const antdEs = join(process.cwd(), 'node_modules', 'antd', 'es');
  const full = readFileSync(join(process.cwd(), 'node_modules', 'antd', 'dist', 'antd.css'), 'utf8');
  const { used, known } = usedPrefixes(join(process.cwd(), 'apps', 'web', 'src'), antdEs);
  const trimmed = trimAntdCss(full, used, known);

  it('reaches the components the app imports and those they render inside them', () => {
    // Imported by name (Button, Table, Menu …) and rendered by others (Table's Pagination, Select's Tooltip-free dropdown).
    for (const p of ['btn', 'table', 'menu', 'tag', 'select', 'pagination', 'checkbox', 'form', 'input-number', 'picker']) expect(used).toContain(p);
    for (const p of ['tour', 'cascader', 'color-picker', 'transfer', 'qrcode']) expect(used).not.toContain(p);
  });

  it('keeps the rules the theme’s colours reach, drops the components nothing renders', () => {
    expect(trimmed.length).toBeLessThan(full.length * 0.85);
    // The WCAG choices of src/app/theme.ts reach the page through these rules' variables.
    for (const rule of ['.ant-btn-color-primary', '.ant-menu-dark', '.ant-typography-secondary', '.ant-tag', '.ant-table-wrapper', '.ant-modal']) expect(trimmed).toContain(rule);
    expect(trimmed).toMatch(/(^|})a\{color:var\(--ant-color-link\)/);
    for (const gone of ['.ant-tour', '.ant-cascader', '.ant-color-picker', '.ant-transfer']) {
      expect(full).toContain(gone);
      expect(trimmed).not.toContain(`${gone}{`);
    }
  });

  it('drops the variable defaults of antd’s own theme keys, which could outrank ours', () => {
    expect(full).toContain('.css-var-_R_0_');
    expect(trimmed).not.toContain('.css-var-_R_');
  });

  it('keeps motion classes and the keyframes a kept rule names, and the file still parses as balanced blocks', () => {
    expect(trimmed).toContain('.ant-zoom-big-enter');
    const kept = [...trimmed.matchAll(/@keyframes ([\w-]+)\{/g)].map((m) => m[1]);
    expect(kept.length).toBeGreaterThan(0);
    for (const name of kept) expect(trimmed.replace(new RegExp(`@keyframes ${name}\\{`, 'g'), '')).toContain(name);
    let depth = 0;
    for (const c of trimmed)
      if (c === '{') depth++;
      else if (c === '}') expect(--depth).toBeGreaterThanOrEqual(0);
    expect(depth).toBe(0);
  });
});
