import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { enUS } from '../../apps/web/src/i18n/en-US.js';
import { zhCN } from '../../apps/web/src/i18n/zh-CN.js';

/**
 * Every UI string goes through the i18n layer: both languages have exactly the same keys, and every
 * key the code asks for literally (t('a.b')) exists. Keys built at run time (t(`tier.${x}`)) are
 * checked by their prefix having entries.
 */
type Tree = { [k: string]: string | Tree };

function keys(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [`${prefix}${k}`] : keys(v, `${prefix}${k}.`)));
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : /\.tsx?$/.test(f) && !p.includes(`${join('src', 'i18n')}`) ? [p] : [];
  });
}

const zh = new Set([...keys(zhCN.translation as Tree), ...keys(zhCN.problems as Tree).map((k) => `problems:${k}`)]);
const en = new Set([...keys(enUS.translation as Tree), ...keys(enUS.problems as Tree).map((k) => `problems:${k}`)]);
const code = sources(join(process.cwd(), 'apps', 'web', 'src'))
  .map((f) => readFileSync(f, 'utf8'))
  .join('\n');

describe('the web UI’s strings', () => {
  it('zh-CN and en-US have the same keys, none empty', () => {
    expect([...zh].filter((k) => !en.has(k))).toEqual([]);
    expect([...en].filter((k) => !zh.has(k))).toEqual([]);
    const empty = (tree: Tree): string[] => keys(tree).filter((k) => k.split('.').reduce<string | Tree>((t, p) => (t as Tree)[p]!, tree) === '');
    expect(empty(zhCN.translation as Tree)).toEqual([]);
    expect(empty(enUS.translation as Tree)).toEqual([]);
  });

  it('every literal key the code uses exists', () => {
    const used = new Set<string>();
    for (const m of code.matchAll(/\bt\(\s*'([a-zA-Z0-9_.:-]+)'/g)) used.add(m[1]!);
    for (const m of code.matchAll(/key: '((?:nav)\.[a-zA-Z]+)'/g)) used.add(m[1]!);
    const missing = [...used].filter((k) => !zh.has(k));
    expect(missing).toEqual([]);
    expect(used.size).toBeGreaterThan(100);
  });

  it('every dynamic key family the code builds has entries', () => {
    const families = new Set<string>();
    for (const m of code.matchAll(/\bt\(\s*`([a-zA-Z0-9_.]+)\.\$\{/g)) families.add(m[1]!);
    const empty = [...families].filter((f) => ![...zh].some((k) => k.startsWith(`${f}.`)));
    expect(empty).toEqual([]);
    expect(families.size).toBeGreaterThan(5);
  });
});
