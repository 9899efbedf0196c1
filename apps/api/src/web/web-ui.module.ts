import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { ServeStaticModule } from '@nestjs/serve-static';
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The web UI (apps/web, built by `npm run build` into apps/web/dist) served at / beside the API.
 * Every path outside /api that is not a file answers index.html, so the single-page app's routes
 * (/dashboard, /unit …) load on refresh. Unit and integration tests build no UI: without a built
 * UI the API runs alone and says so once.
 */
export function webDistDir(): string {
  // This file is apps/api/src/web/; compiled, it is dist/apps/api/src/web/: step out of dist/ too.
  const up = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
  return join(basename(up) === 'dist' ? dirname(up) : up, 'apps', 'web', 'dist');
}

@Module({})
export class WebUiModule {
  static forRoot(dir: string = process.env.JIXIAO_WEB_DIST ?? webDistDir()): DynamicModule {
    if (!existsSync(join(dir, 'index.html'))) {
      new Logger('WebUi').warn(`no web UI at ${dir} (run npm run build): serving the API only`);
      return { module: WebUiModule };
    }
    return {
      module: WebUiModule,
      imports: [
        ServeStaticModule.forRoot({
          rootPath: dir,
          exclude: ['/api/{*path}'],
          serveStaticOptions: {
            index: false,
            // Hashed assets never change; index.html must be re-read so a deployment takes effect.
            setHeaders: (res: { setHeader(k: string, v: string): void }, path: string) =>
              res.setHeader('Cache-Control', path.includes(`${join('assets', '')}`) ? 'public, max-age=31536000, immutable' : 'no-cache'),
          },
        }),
      ],
    };
  }
}
