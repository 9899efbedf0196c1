import { ValidationPipe, type INestApplication } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import compression from 'compression';
import cookieParser from 'cookie-parser';
import { constants as zlib } from 'node:zlib';
import helmet from 'helmet';
import { ProblemDetailsFilter, validationProblem } from '../../../libs/engine/nest/http/problem-details.js';
import { BodyDepthPipe, noStore, RequestPolicyGuard } from '../../../libs/engine/nest/http/request-policy.js';
import { keepValidationMetadata } from '../../../libs/engine/nest/http/validation-metadata.js';
import { completeDocument } from './openapi/document.js';

export const API_PREFIX = 'api/v1';

/**
 * Security headers on every answer, the web UI's included: a strict Content-Security-Policy (our
 * own scripts only; inline styles, which Ant Design's CSS-in-JS injects; no framing, no plugins),
 * HSTS, nosniff, no X-Powered-By. The UI runs under it (test/web).
 */
export const HELMET: Parameters<typeof helmet>[0] = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      workerSrc: ["'self'", 'blob:'],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  frameguard: { action: 'deny' },
  strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
  referrerPolicy: { policy: 'no-referrer' },
};

/** Everything main.ts and the end-to-end tests both need, so tests run the app as it ships. */
export function configureApp(app: INestApplication): void {
  app.setGlobalPrefix(API_PREFIX);
  // Behind a reverse proxy (docker/compose.yml puts Caddy in front), the client's address comes from
  // X-Forwarded-For, which only the named proxies may set: sign-in throttling is per address.
  const express = app.getHttpAdapter().getInstance() as { set(k: string, v: string): void; disable(k: string): void };
  if (process.env.TRUST_PROXY) express.set('trust proxy', process.env.TRUST_PROXY);
  express.disable('x-powered-by');
  // An idle kept-alive connection stays open longer than any client or proxy keeps its end (nginx
  // 60 s): with Node's 5 s a client reusing the socket just as the server closes it gets
  // ECONNRESET (seen by the tests' fetch on a loaded machine). Headers must come within it too.
  const server = app.getHttpServer() as { keepAliveTimeout: number; headersTimeout: number };
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  app.use(helmet(HELMET));
  // Answers and the UI's assets compressed, brotli where the client takes it (a phone on a county
  // network loads the dashboard's JavaScript at about a third of its size). Quality 5, not
  // Node's default 11: compressed per request, so fast matters more than the last few per cent.
  app.use(compression({ threshold: 1024, brotli: { params: { [zlib.BROTLI_PARAM_QUALITY]: 5 } } }));
  app.use(`/${API_PREFIX}`, noStore);
  app.use(cookieParser());
  // Cross-site changes and non-JSON command bodies are refused before any handler (issue 13).
  app.useGlobalGuards(new RequestPolicyGuard(app.get(Reflector)));
  keepValidationMetadata();
  app.useGlobalPipes(
    // A body nested deeper than real ones is a 400 before class-transformer recurses into it.
    new BodyDepthPipe(),
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: validationProblem,
    }),
  );
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.enableShutdownHooks();
  // Built on the first request for it, not before the server listens: scanning every controller
  // took about a tenth of a restart's CPU.
  SwaggerModule.setup('api/docs', app, () => buildDocument(app), { jsonDocumentUrl: 'api/docs-json' });
}

/** The OpenAPI 3.1 document: @nestjs/swagger's, completed from the controllers' types (openapi/document.ts). */
export function buildDocument(app: INestApplication) {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Jixiao 绩效 API')
      .setDescription(
        'Event-sourced performance-plan workflows. Commands accept an Idempotency-Key (a retry is answered, not repeated) and If-Match with the ETag revision; errors are RFC 9457 problem details; queries accept ?minPosition= (the X-Position of a command) to read your own writes.',
      )
      .setVersion('1')
      .setOpenAPIVersion('3.1.0')
      .addServer('/', 'this server')
      .addCookieAuth('jx_session')
      .addBearerAuth()
      .build(),
  );
  document.info.license = { name: 'UNLICENSED (package.json): not open source', identifier: 'LicenseRef-UNLICENSED' } as OpenAPIObject['info']['license'];
  return completeDocument(document);
}
