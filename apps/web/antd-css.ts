import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Plugin } from 'vite';

/**
 * Ant Design's static stylesheet (antd/dist/antd.css, zero-runtime mode: src/app/theme.ts), trimmed to the
 * components the app can render (issue 15). The whole file is 1 MB (110 KB gzip): every component's rules,
 * plus the CSS-variable defaults of antd's own theme keys (`.css-var-_R_0_ …`), which never match ours.
 *
 * Which components: every antd module reachable from the app's own imports of 'antd' (its named exports,
 * through antd/es/index.js) by following antd's relative imports. That is what the bundle can contain or
 * more (tree-shaking only removes), never less, and it is read from the sources, so the stylesheet's
 * content hash changes whenever the set does. Each reachable module's `getPrefixCls('…')` names the class
 * prefixes it renders (`btn` → .ant-btn, .ant-btn-primary …).
 *
 * What is dropped: a rule whose every selector names a class of a component that antd has but nothing
 * reachable renders (the longest known prefix decides: .ant-input-number-… is input-number's, not input's);
 * the `.css-var-_R_…` blocks; keyframes no kept rule names. Everything else stays: resets, motion classes
 * (.ant-zoom-…, made from the root prefix, not a component's), and any class whose prefix antd does not
 * declare literally. Trimming errs towards keeping.
 */
const ANT = 'ant';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

const PREFIX_CALL = /getPrefixCls\(\s*['"]([a-z-]+)['"]/g;
const RELATIVE_IMPORT = /(?:from|import)\s*['"](\.{1,2}\/[^'"]+)['"]/g;

function resolveModule(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec);
  return [base, `${base}.js`, join(base, 'index.js')].find((p) => existsSync(p) && statSync(p).isFile());
}

/** The antd modules the app's sources reach, and the class prefixes they render. */
export function usedPrefixes(appSrc: string, antdEs: string): { used: Set<string>; known: Set<string>; modules: number } {
  const index = readFileSync(join(antdEs, 'index.js'), 'utf8');
  const exportsByName = new Map<string, string>();
  for (const m of index.matchAll(/export \{ default as (\w+) \} from '(\.\/[^']+)'/g)) exportsByName.set(m[1], m[2]);
  const roots: string[] = [];
  for (const file of filesUnder(appSrc).filter((f) => /\.tsx?$/.test(f))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s+from\s+'antd'/g)) {
      if (m[1]) continue;
      for (const spec of m[2].split(',')) {
        const name = spec.trim().split(/\s+as\s+/)[0];
        if (!name || name.startsWith('type ')) continue;
        const target = exportsByName.get(name);
        if (!target) throw new Error(`antd-css: ${file} imports ${name} from 'antd', which antd/es/index.js does not export as a default`);
        roots.push(resolveModule(join(antdEs, 'index.js'), target)!);
      }
    }
    for (const m of text.matchAll(/import\s+(?!type\b)[^'"]*'antd\/es\/([^']+)'/g)) roots.push(resolveModule(join(antdEs, 'x.js'), `./${m[1]}`)!);
  }
  const seen = new Set<string>();
  const used = new Set<string>();
  const stack = roots.filter(Boolean);
  while (stack.length) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(PREFIX_CALL)) used.add(m[1]);
    for (const m of text.matchAll(RELATIVE_IMPORT)) {
      const next = resolveModule(file, m[1]);
      if (next?.startsWith(antdEs)) stack.push(next);
    }
  }
  const known = new Set<string>();
  for (const file of filesUnder(antdEs).filter((f) => f.endsWith('.js'))) for (const m of readFileSync(file, 'utf8').matchAll(PREFIX_CALL)) known.add(m[1]);
  return { used, known, modules: seen.size };
}

interface Block {
  /** The selector or at-rule prelude. */
  head: string;
  /** Declarations (a rule) or nested blocks (@media, @supports). */
  body: string | Block[];
}

/** Minified CSS (antd.css) into rules and at-rule blocks; quotes respected, no comments expected. */
function parse(css: string, start = 0, end = css.length): Block[] {
  const blocks: Block[] = [];
  let i = start;
  while (i < end) {
    const open = findOutsideQuotes(css, '{', i, end);
    if (open < 0) break;
    const head = css.slice(i, open).trim();
    let depth = 1;
    let j = open + 1;
    let quote = '';
    for (; j < end && depth > 0; j++) {
      const c = css[j];
      if (quote) {
        if (c === '\\') j++;
        else if (c === quote) quote = '';
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '{') depth++;
      else if (c === '}') depth--;
    }
    const close = j - 1;
    const nested = head.startsWith('@media') || head.startsWith('@supports') || head.startsWith('@layer') || head.startsWith('@container');
    blocks.push({ head, body: nested ? parse(css, open + 1, close) : css.slice(open + 1, close) });
    i = close + 1;
  }
  return blocks;
}

function findOutsideQuotes(css: string, ch: string, from: number, end: number): number {
  let quote = '';
  for (let i = from; i < end; i++) {
    const c = css[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === ch) return i;
  }
  return -1;
}

function print(blocks: Block[]): string {
  return blocks.map((b) => `${b.head}{${typeof b.body === 'string' ? b.body : print(b.body)}}`).join('');
}

/** antd.css without the rules of components nothing renders (see the file's comment). */
export function trimAntdCss(css: string, used: Set<string>, known: Set<string>): string {
  // Longest first, so that input-number wins over input for .ant-input-number-….
  const prefixes = [...known].sort((a, b) => b.length - a.length);
  const componentOf = (cls: string): string | undefined => prefixes.find((p) => cls === p || cls.startsWith(`${p}-`));
  const unusedOnly = (selector: string): boolean => {
    if (/\.css-var-_R_/.test(selector)) return true;
    const classes = [...selector.matchAll(new RegExp(`\\.${ANT}-([a-zA-Z0-9_-]+)`, 'g'))].map((m) => componentOf(m[1]));
    return classes.length > 0 && classes.every((c) => c !== undefined && !used.has(c));
  };
  const keep = (blocks: Block[]): Block[] =>
    blocks.flatMap((b) => {
      if (typeof b.body !== 'string') {
        const inner = keep(b.body);
        return inner.length ? [{ ...b, body: inner }] : [];
      }
      if (b.head.startsWith('@')) return [b];
      return splitSelectors(b.head).every(unusedOnly) ? [] : [b];
    });
  const kept = keep(parse(css));
  // Keyframes no kept rule names (the rules of dropped components animated with them).
  const text = print(kept.filter((b) => !b.head.startsWith('@keyframes')));
  return print(
    kept.filter((b) => {
      const name = /^@(?:-webkit-)?keyframes\s+(.+)$/.exec(b.head)?.[1]?.trim();
      return !name || text.includes(name);
    }),
  );
}

function splitSelectors(head: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < head.length; i++) {
    const c = head[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      out.push(head.slice(from, i));
      from = i + 1;
    }
  }
  out.push(head.slice(from));
  return out;
}

/** The Vite plugin: rewrites antd/dist/antd.css as it is loaded, before Vite's CSS pipeline sees it. */
export function antdCss(appSrc: string): Plugin {
  return {
    name: 'jixiao:antd-css',
    enforce: 'pre',
    transform(code, id) {
      if (!/[\\/]antd[\\/]dist[\\/]antd\.css$/.test(id.split('?')[0])) return null;
      const antdEs = resolve(dirname(id.split('?')[0]), '..', 'es');
      const { used, known } = usedPrefixes(appSrc, antdEs);
      return { code: trimAntdCss(code, used, known), map: null };
    },
  };
}
