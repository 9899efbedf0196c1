// Builds only what changed since the last build, so `npm start`, `npm run cli` and `npx jixiao`
// on an unchanged tree start at once. A stamp per part (server, web) records the newest source
// time it was built from; the build tools themselves (nest build, vite) do the building.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SKIP = new Set(['node_modules', 'dist', '.git', 'data', 'test-output', 'coverage']);

function newest(paths) {
  let latest = 0;
  const walk = (p) => {
    if (!existsSync(p)) return;
    const s = statSync(p);
    if (s.isDirectory()) {
      for (const name of readdirSync(p)) if (!SKIP.has(name)) walk(join(p, name));
    } else latest = Math.max(latest, s.mtimeMs);
  };
  for (const p of paths) walk(join(root, p));
  return latest;
}

const PARTS = {
  server: {
    sources: ['apps/api', 'apps/worker', 'libs', 'bench', 'test', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json', 'package.json'],
    output: 'dist/apps/api/src/main.js',
    build: ['npx', ['nest', 'build', 'api']],
  },
  web: {
    sources: [
      'apps/web/src',
      'apps/web/index.html',
      'apps/web/vite.config.ts',
      'apps/web/antd-css.ts',
      'apps/web/tsconfig.json',
      'libs/workflows/ranking/rules.ts',
      'libs/workflows/plan/period.ts',
      'package.json',
    ],
    output: 'apps/web/dist/index.html',
    build: ['npm', ['run', '-s', 'build:web']],
  },
};

export function ensureBuilt(parts = Object.keys(PARTS), { quiet = false } = {}) {
  for (const name of parts) {
    const part = PARTS[name];
    const stampFile = join(root, 'dist', `.built-${name}`);
    const latest = newest(part.sources);
    const stamp = existsSync(stampFile) ? Number(readFileSync(stampFile, 'utf8')) : 0;
    if (stamp >= latest && existsSync(join(root, part.output))) continue;
    if (!quiet) console.error(`building ${name} (sources changed since the last build)…`);
    const [cmd, args] = part.build;
    const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'] });
    if (r.status !== 0) process.exit(r.status ?? 1);
    mkdirSync(join(root, 'dist'), { recursive: true });
    writeFileSync(stampFile, String(latest));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureBuilt(process.argv.slice(2).length ? process.argv.slice(2) : undefined);
