import { Global, Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { systemClock, type Clock } from '../clock.js';
import type { Upcasters } from '../event-store/envelope.js';
import { EventStore } from '../event-store/event-store.js';
import { openEventStore } from '../event-store/open-event-store.js';
import { openReadModelStore } from '../projections/read-model-store.js';
import type { WorkflowDefinition } from './cqrs.js';
import { CLOCK, Engine, ENGINE_CONFIG, READ_MODELS, WORKFLOWS, type EngineOptions } from './engine.js';

/**
 * The engine for an application (the API, the worker, the CLI, a test), given the workflows it
 * runs. It brings @nestjs/cqrs's buses (CqrsModule.forRoot, global) and each workflow's module.
 */
@Global()
@Module({})
export class EngineModule {
  static forRoot(options: EngineOptions & { clock?: Clock; upcasters?: Upcasters; workflows: readonly WorkflowDefinition[] }): DynamicModule {
    const { workflows, ...engineOptions } = options;
    return {
      module: EngineModule,
      imports: [CqrsModule.forRoot(), ...workflows.map((w) => w.module)],
      providers: [
        { provide: ENGINE_CONFIG, useValue: engineOptions },
        { provide: CLOCK, useValue: options.clock ?? systemClock },
        { provide: WORKFLOWS, useValue: workflows },
        { provide: EventStore, useFactory: () => openEventStore(options.config.eventStoreUrl, { upcasters: upcastersOf(workflows, options.upcasters) }) },
        { provide: READ_MODELS, useFactory: () => openReadModelStore(options.config.readModelUrl) },
        Engine,
      ],
      exports: [Engine, EventStore, CLOCK, READ_MODELS, ENGINE_CONFIG, WORKFLOWS],
    };
  }
}

/** Every workflow's upcasters, then the caller's; two for the same event type is a mistake said at start. */
function upcastersOf(workflows: readonly WorkflowDefinition[], extra: Upcasters | undefined): Upcasters {
  const all: Record<string, Upcasters[string]> = {};
  for (const u of [...workflows.map((w) => w.upcasters ?? {}), extra ?? {}]) {
    for (const [type, chain] of Object.entries(u) as [string, Upcasters[string]][]) {
      if (all[type]) throw new Error(`two upcaster chains for event type ${type}`);
      all[type] = chain;
    }
  }
  return all;
}
