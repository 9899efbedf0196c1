import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { readConfig } from '../../../libs/engine/config.js';
import { redact } from '../../../libs/engine/event-store/open-event-store.js';
import { AppModule } from './app.module.js';
import { configureApp } from './setup.js';

const config = readConfig();
const app = await NestFactory.create(AppModule.forRoot({ config }), { bufferLogs: false });
configureApp(app);
await app.listen(config.port);
new Logger('Jixiao').log(`listening on http://localhost:${config.port} (store ${redact(config.eventStoreUrl)}); API docs at /api/docs`);
