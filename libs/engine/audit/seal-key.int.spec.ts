import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MODULE = join(process.cwd(), 'dist/libs/engine/audit/seal-key.js');

/** Starts a process that loads (or generates) the development seal key beside `store`, and prints its public half. */
function loadIn(store: string): Promise<{ code: number | null; out: string; err: string }> {
  const script = `import(${JSON.stringify(MODULE)}).then((m) => { const k = m.loadSealKey({ env: {}, storeUrl: ${JSON.stringify(store)}, production: false }); console.log(k.signer.publicKey); })`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // 'close', not 'exit': on a loaded machine 'exit' can come before the child's stdout is read.
    child.on('close', (code) => resolve({ code, out: out.trim(), err }));
  });
}

describe('the development seal key, generated on first start beside the store', () => {
  it('is one key when many processes start at once on a fresh directory: none reads a half-written file', async () => {
    if (!existsSync(MODULE)) throw new Error(`${MODULE} is missing: run "npm run build" first (npm test does).`);
    for (let round = 0; round < 3; round++) {
      const dir = mkdtempSync(join(tmpdir(), 'jx-seal-key-'));
      try {
        const store = `sqlite:${join(dir, 'jixiao.db')}`;
        const results = await Promise.all(Array.from({ length: 8 }, () => loadIn(store)));
        expect(results.map((r) => r.code)).toEqual(Array(8).fill(0));
        expect(results.map((r) => r.err).join('')).toBe('');
        expect(results.every((r) => /^ed25519:[A-Za-z0-9_-]{40,}$/.test(r.out))).toBe(true);
        expect(new Set(results.map((r) => r.out)).size).toBe(1);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }, 120_000);
});
