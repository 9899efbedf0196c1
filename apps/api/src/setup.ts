import { ValidationPipe, type INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import { ProblemDetailsFilter, validationProblem } from '../../../libs/engine/nest/http/problem-details.js';

export const API_PREFIX = 'api/v1';

/** Everything main.ts and the end-to-end tests both need, so tests run the app as it ships. */
export function configureApp(app: INestApplication): void {
  app.setGlobalPrefix(API_PREFIX);
  // Behind a reverse proxy (docker/compose.yml puts Caddy in front), the client's address comes from
  // X-Forwarded-For, which only the named proxies may set: sign-in throttling is per address.
  if (process.env.TRUST_PROXY) (app.getHttpAdapter().getInstance() as { set(k: string, v: string): void }).set('trust proxy', process.env.TRUST_PROXY);
  app.use(cookieParser());
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: validationProblem,
    }),
  );
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Jixiao 绩效 API')
      .setDescription(
        'Event-sourced performance-plan workflows. Commands accept an Idempotency-Key (a retry is answered, not repeated) and If-Match with the ETag revision; errors are RFC 9457 problem details; queries accept ?minPosition= (the X-Position of a command) to read your own writes.',
      )
      .setVersion('1')
      .addCookieAuth('jx_session')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}
