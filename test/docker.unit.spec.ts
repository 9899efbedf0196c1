import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * Static checks of docker/: the compose file and the Dockerfile, read as text. Nothing is built or
 * started here (this tier does no I/O beyond reading files and asking for `docker compose version`).
 * When the compose plugin is installed, `docker compose config` (which needs no engine) also
 * validates the file against the Compose specification and resolves anchors and interpolation.
 */
const root = process.cwd();
const composePath = join(root, 'docker/compose.yml');
const composeText = readFileSync(composePath, 'utf8');
const dockerfileText = readFileSync(join(root, 'docker/Dockerfile'), 'utf8');
const envExampleText = readFileSync(join(root, 'docker/.env.example'), 'utf8');

const composePlugin = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
const hasComposePlugin = composePlugin.status === 0;

type Service = {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string | null> | string[];
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  depends_on?: Record<string, { condition?: string; required?: boolean }> | string[];
  deploy?: { replicas?: number };
  profiles?: string[];
  ports?: unknown[];
};
type Compose = { services: Record<string, Service>; volumes?: Record<string, unknown>; configs?: Record<string, { content?: string }> };

/** The raw file, with YAML merge keys (`<<: *app`) resolved as Compose resolves them. */
const raw = parse(composeText, { merge: true }) as Compose;

/** Placeholder secrets for `docker compose config` only; they never leave this process. */
const configEnv = { ...process.env, POSTGRES_PASSWORD: 'placeholder-pg', REDIS_PASSWORD: 'placeholder-redis' };

function env(service: Service): Record<string, string> {
  const e = service.environment ?? {};
  if (Array.isArray(e)) return Object.fromEntries(e.map((kv) => [kv.split('=')[0]!, kv.slice(kv.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, v ?? '']));
}
const words = (c: string[] | string | undefined) => (Array.isArray(c) ? c.join(' ') : (c ?? ''));
const volumeSource = (v: string | { source?: string }) => (typeof v === 'string' ? v.split(':')[0]! : (v.source ?? ''));
const volumeTarget = (v: string | { target?: string }) => (typeof v === 'string' ? v.split(':')[1]! : (v.target ?? ''));

/** Dockerfile instructions with line continuations joined, comments dropped. */
function instructions(text: string): { op: string; args: string }[] {
  const joined = text
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op!.toUpperCase(), args: rest.join(' ') };
    });
}

describe('docker/ (static checks: no image is built and no container is started here)', () => {
  beforeAll(() => {
    console.log(
      [
        'docker/: static checks only. The images were NOT built and no container was started: this machine has no Docker engine.',
        hasComposePlugin
          ? `The compose plugin is present (${composePlugin.stdout.trim()}), so "docker compose config" validated the file too.`
          : 'The docker compose plugin is not installed here either, so compose.yml was checked by parsing its YAML, not by "docker compose config".',
      ].join('\n'),
    );
  });

  describe('compose.yml', () => {
    const services = raw.services;

    (hasComposePlugin ? it : it.skip)('is valid for "docker compose config" (with and without the eventstoredb profile)', () => {
      for (const args of [[], ['--profile', 'eventstoredb']]) {
        const r = spawnSync('docker', ['compose', '-f', composePath, ...args, 'config', '--quiet'], { encoding: 'utf8', env: configEnv });
        expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
      }
    });

    it('has the api, worker, postgres, redis and eventstoredb services, and a proxy in front of the API', () => {
      expect(Object.keys(services).sort()).toEqual(['api', 'eventstoredb', 'postgres', 'proxy', 'redis', 'worker']);
    });

    it('runs two API replicas and one worker from one image', () => {
      const { api, worker } = services;
      expect(api!.deploy?.replicas).toBe(2);
      expect(worker!.deploy?.replicas ?? 1).toBe(1);
      expect(api!.image).toBe(worker!.image);
      expect(api!.build).toEqual(worker!.build);
      expect(api!.build).toEqual({ context: '..', dockerfile: 'docker/Dockerfile' });
      expect(words(api!.command)).toBe('node dist/apps/api/src/main.js');
      expect(words(worker!.command)).toBe('node dist/apps/worker/src/main.js');
      // Two replicas cannot publish one host port; only the proxy publishes one.
      expect(api!.ports).toBeUndefined();
      expect(services.proxy!.ports).toHaveLength(1);
      expect(raw.configs?.caddyfile?.content).toMatch(/dynamic a \{\s*name api\s*port 3000/);
    });

    it('gives both apps their configuration from the environment', () => {
      for (const name of ['api', 'worker']) {
        const e = env(services[name]!);
        // The API replicas only enqueue timers and jobs; the worker works them.
        const apiOnly = name === 'api' ? ['JIXIAO_PROCESS_JOBS'] : [];
        const behindProxy = name === 'api' ? ['TRUST_PROXY'] : [];
        expect(Object.keys(e).sort()).toEqual(['EVENT_STORE_URL', ...apiOnly, 'NODE_ENV', 'PORT', 'READ_MODEL_URL', 'REDIS_URL', ...behindProxy]);
        expect(e.JIXIAO_PROCESS_JOBS).toBe(name === 'api' ? 'false' : undefined);
        expect(e.NODE_ENV).toBe('production');
        expect(e.EVENT_STORE_URL).toMatch(/^\$\{EVENT_STORE_URL:-postgres:\/\//);
        expect(e.READ_MODEL_URL).toMatch(/^\$\{READ_MODEL_URL:-postgres:\/\//);
        expect(e.REDIS_URL).toMatch(/^redis:\/\/:\$\{REDIS_PASSWORD:\?[^}]+\}@redis:6379$/);
      }
    });

    it('holds no literal secret: passwords are required variables, URLs carry them by reference', () => {
      for (const [name, service] of Object.entries(services)) {
        for (const [key, value] of Object.entries(env(service))) {
          if (/PASSWORD|SECRET|TOKEN|_KEY$/.test(key))
            expect({ service: name, key, value }).toEqual({ service: name, key, value: expect.stringMatching(/^\$\{[A-Z_]+:\?[^}]+\}$/) });
        }
      }
      // Any user:password@ in the file must take the password from a variable.
      for (const m of composeText.matchAll(/\/\/([^/\s:@]*):([^@\s]*)@/g)) {
        expect(m[2]).toMatch(/^\$\{[A-Z_]+(:[?-][^}]*)?\}$/);
      }
      expect(composeText).not.toMatch(/changeit|password123|secret:/i);
    });

    it('documents every variable it reads in .env.example, with the secrets left empty', () => {
      const used = new Set([...composeText.matchAll(/(?<!\$)\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!));
      const documented = new Set([...envExampleText.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!));
      expect([...used].filter((v) => !documented.has(v))).toEqual([]);
      expect(envExampleText).toMatch(/^POSTGRES_PASSWORD=$/m);
      expect(envExampleText).toMatch(/^REDIS_PASSWORD=$/m);
    });

    it('runs PostgreSQL 15 and Redis 7 with persistence, EventStoreDB only with its profile', () => {
      const { postgres, redis, eventstoredb } = services;
      expect(postgres!.image).toBe('postgres:15');
      expect(env(postgres!).POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?/);
      expect(redis!.image).toBe('redis:7');
      const redisCommand = words(redis!.command);
      expect(redisCommand).toMatch(/--appendonly yes/);
      expect(redisCommand).toMatch(/--maxmemory-policy noeviction/);
      expect(redisCommand).toMatch(/--requirepass "\$\$REDIS_PASSWORD"/);
      expect(eventstoredb!.profiles).toEqual(['eventstoredb']);
      expect(eventstoredb!.image).toMatch(/^\$\{EVENTSTORE_IMAGE:-(eventstore\/eventstore:24\.10|.*kurrentdb.*)\}$/);
      expect(env(eventstoredb!).EVENTSTORE_INSECURE).toBe('true');
      expect(eventstoredb!.ports).toEqual([expect.stringMatching(/^127\.0\.0\.1:/)]);
      for (const name of ['api', 'worker', 'proxy', 'postgres', 'redis']) expect(services[name]!.profiles).toBeUndefined();
    });

    it('keeps every piece of state in a declared named volume', () => {
      const declared = Object.keys(raw.volumes ?? {});
      const mounts: Record<string, string> = { postgres: '/var/lib/postgresql/data', redis: '/data', eventstoredb: '/var/lib/eventstore', proxy: '/data' };
      for (const [name, target] of Object.entries(mounts)) {
        const volume = services[name]!.volumes?.find((v) => volumeTarget(v) === target);
        expect({ service: name, volume: volume && volumeSource(volume) }).toEqual({ service: name, volume: expect.any(String) });
        expect(declared).toContain(volumeSource(volume!));
      }
      for (const service of Object.values(services)) {
        for (const v of service.volumes ?? []) expect(declared).toContain(volumeSource(v));
      }
      expect(services.api!.volumes).toBeUndefined();
      expect(services.worker!.volumes).toBeUndefined();
    });

    it('has a health check on every service, the API’s on GET /api/v1/health with node, and starts the apps after healthy stores', () => {
      for (const [name, service] of Object.entries(services)) {
        expect({ service: name, disabled: service.healthcheck?.disable ?? false, test: words(service.healthcheck?.test).length > 0 }).toEqual({
          service: name,
          disabled: false,
          test: true,
        });
      }
      const apiCheck = words(services.api!.healthcheck!.test);
      expect(apiCheck).toMatch(/^CMD node -e .*fetch\(.*\/api\/v1\/health/);
      expect(apiCheck).not.toMatch(/curl|wget/);
      for (const name of ['api', 'worker']) {
        const deps = services[name]!.depends_on as Record<string, { condition?: string; required?: boolean }>;
        expect(deps.postgres?.condition).toBe('service_healthy');
        expect(deps.redis?.condition).toBe('service_healthy');
        expect(deps.eventstoredb).toEqual({ condition: 'service_healthy', required: false });
      }
    });
  });

  describe('Dockerfile', () => {
    const all = instructions(dockerfileText);
    const stages = all.reduce<{ from: string; steps: { op: string; args: string }[] }[]>((acc, i) => {
      if (i.op === 'FROM') acc.push({ from: i.args, steps: [] });
      else acc.at(-1)?.steps.push(i);
      return acc;
    }, []);
    const runtime = stages.at(-1)!;
    const build = stages.find((s) => / AS build$/i.test(s.from))!;

    it('is multi-stage: a build stage with the native toolchain, and a separate runtime', () => {
      expect(stages.length).toBeGreaterThanOrEqual(2);
      expect(build).toBeDefined();
      const buildRuns = build.steps
        .filter((s) => s.op === 'RUN')
        .map((s) => s.args)
        .join('\n');
      expect(buildRuns).toMatch(/apt-get install[^\n]*python3[^\n]*make[^\n]*g\+\+/);
      expect(buildRuns).toMatch(/(^|\s)npm ci(\s|$)/m);
      expect(buildRuns).toMatch(/npm run build/);
      const runtimeRuns = runtime.steps
        .filter((s) => s.op === 'RUN')
        .map((s) => s.args)
        .join('\n');
      expect(runtimeRuns).not.toMatch(/g\+\+|npm (ci|install)/);
    });

    it('installs production dependencies only with npm ci --omit=dev', () => {
      expect(dockerfileText).toMatch(/RUN npm ci --omit=dev/);
      const copied = runtime.steps.filter((s) => s.op === 'COPY').map((s) => s.args);
      expect(copied.some((c) => /--from=prod-deps \/app\/node_modules/.test(c))).toBe(true);
      expect(copied.some((c) => /--from=build \/app\/node_modules/.test(c))).toBe(false);
    });

    it('runs as a non-root user', () => {
      const user = runtime.steps.filter((s) => s.op === 'USER').at(-1);
      expect(user?.args).toBeDefined();
      expect(user!.args).not.toMatch(/^(root|0)(:|$)/);
    });

    it('checks health with node’s fetch on GET /api/v1/health, not curl', () => {
      const check = runtime.steps.find((s) => s.op === 'HEALTHCHECK');
      expect(check?.args).toMatch(/CMD \["node", "-e", ".*fetch\(.*\/api\/v1\/health/);
      expect(check!.args).not.toMatch(/curl|wget/);
    });

    it('starts the API by default; the worker is the same image with another command', () => {
      const cmd = runtime.steps.filter((s) => s.op === 'CMD').at(-1);
      expect(JSON.parse(cmd!.args)).toEqual(['node', 'dist/apps/api/src/main.js']);
      expect(runtime.steps.some((s) => s.op === 'COPY' && /\/app\/dist \.\/dist/.test(s.args))).toBe(true);
      expect(runtime.steps.some((s) => s.op === 'COPY' && /apps\/web\/dist/.test(s.args))).toBe(true);
    });

    it('bakes in no secret and copies no .env', () => {
      for (const s of all.filter((i) => i.op === 'ENV' || i.op === 'ARG')) expect(s.args).not.toMatch(/PASSWORD|SECRET|TOKEN|_URL/i);
      expect(all.filter((i) => i.op === 'COPY' || i.op === 'ADD').map((i) => i.args)).not.toContainEqual(expect.stringMatching(/(^|\s)\.(\s|$)|\.env/));
    });
  });
});
