#!/usr/bin/env node
/**
 * The JavaScript a page's first load needs, in bytes as sent (issue 15: the dashboard's budget is
 * ≤ 450 KB of gzip). Builds the web UI with a Vite manifest into a scratch directory (apps/web/dist,
 * which the API serves, is left alone), then follows the manifest: index.html's entry and its static
 * imports, the page's chunk and its static imports, plus any lazy chunk the page fetches where it is
 * shown (--with). Each file is compressed as the API sends it: gzip level 6 (zlib's default, the
 * `compression` middleware's), and brotli at quality 5 (apps/api/src/setup.ts) and 11 for reference.
 *
 *   node bin/first-load-js.mjs                       the dashboard on a phone, then on a wide screen
 *   node bin/first-load-js.mjs --page AuditPage      another page
 *   node bin/first-load-js.mjs --with components/Annex2Grid.tsx --list
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, brotliCompressSync, gzipSync } from 'node:zlib';

const args = process.argv.slice(2);
const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const out = mkdtempSync(join(tmpdir(), 'jixiao-first-load-'));
try {
  execFileSync('npx', ['vite', 'build', 'apps/web', '--manifest', '--outDir', out, '--emptyOutDir', '--logLevel', 'error'], { stdio: 'inherit' });
  const manifest = JSON.parse(readFileSync(join(out, '.vite/manifest.json'), 'utf8'));
  const keyOf = (suffix) => {
    const key = Object.keys(manifest).find((k) => k.endsWith(suffix));
    if (!key) throw new Error(`no chunk for ${suffix} in the manifest`);
    return key;
  };
  const measure = (label, extra) => {
    const seen = new Set();
    const walk = (k) => {
      if (seen.has(k)) return;
      seen.add(k);
      for (const i of manifest[k].imports ?? []) walk(i);
    };
    walk('index.html');
    walk(keyOf(`pages/${opt('--page') ?? 'DashboardPage'}.tsx`));
    for (const e of extra) walk(keyOf(e));
    const rows = [...seen]
      .map((k) => manifest[k].file)
      .filter((f) => f.endsWith('.js'))
      .map((f) => {
        const b = readFileSync(join(out, f));
        const br = (q) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: q } }).length;
        return { f, raw: b.length, gzip: gzipSync(b, { level: 6 }).length, br5: br(5), br11: br(11) };
      })
      .sort((a, b) => b.gzip - a.gzip);
    const sum = (k, of = rows) => of.reduce((s, r) => s + r[k], 0);
    const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
    if (args.includes('--list')) for (const r of rows) console.log(`${String(r.gzip).padStart(8)}  ${r.f}`);
    console.log(`${label}: ${rows.length} scripts, ${kib(sum('raw'))} raw, ${kib(sum('gzip'))} gzip -6, ${kib(sum('br5'))} brotli q5, ${kib(sum('br11'))} brotli q11`);
    // The stylesheets the same chunks link (Ant Design's static rules since zero-runtime: apps/web/antd-css.ts), not in the JS budget.
    const css = [...new Set([...seen].flatMap((k) => manifest[k].css ?? []))].map((f) => {
      const b = readFileSync(join(out, f));
      return { raw: b.length, gzip: gzipSync(b, { level: 6 }).length, br5: brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }).length };
    });
    console.log(`  and ${css.length} stylesheet${css.length === 1 ? '' : 's'}: ${kib(sum('raw', css))} raw, ${kib(sum('gzip', css))} gzip -6, ${kib(sum('br5', css))} brotli q5`);
  };
  const extra = args.flatMap((a, i) => (args[i - 1] === '--with' ? [a] : []));
  if (opt('--page') || extra.length) measure(`${opt('--page') ?? 'DashboardPage'}${extra.length ? ` + ${extra.join(' + ')}` : ''}`, extra);
  else {
    measure('dashboard on a phone (Annex2List)', []);
    measure('dashboard on a wide screen (+ Annex2Grid)', ['components/Annex2Grid.tsx']);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
