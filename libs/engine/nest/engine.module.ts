import { Global, Module, type DynamicModule } from '@nestjs/common';
import { systemClock, type Clock } from '../clock.js';
import type { Upcasters } from '../event-store/envelope.js';
import { EventStore } from '../event-store/event-store.js';
import { openEventStore } from '../event-store/open-event-store.js';
import { openReadModelStore } from '../projections/read-model-store.js';
import { CLOCK, Engine, ENGINE_CONFIG, READ_MODELS, type EngineOptions } from './engine.js';

@Global()
@Module({})
export class EngineModule {
  static forRoot(options: EngineOptions & { clock?: Clock; upcasters?: Upcasters }): DynamicModule {
    return {
      module: EngineModule,
      providers: [
        { provide: ENGINE_CONFIG, useValue: options },
        { provide: CLOCK, useValue: options.clock ?? systemClock },
        { provide: EventStore, useFactory: () => openEventStore(options.config.eventStoreUrl, { upcasters: options.upcasters ?? {} }) },
        { provide: READ_MODELS, useFactory: () => openReadModelStore(options.config.readModelUrl) },
        Engine,
      ],
      exports: [Engine, EventStore, CLOCK, READ_MODELS, ENGINE_CONFIG],
    };
  }
}
