import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Clock } from '../clock.js';
import type { Command } from '../commands/command.js';
import type { CommandResult, ExecuteOptions } from '../commands/command-executor.js';
import { CommandRouter } from '../commands/command-router.js';
import { EventStore } from '../event-store/event-store.js';
import { foldAsOf, type AsOf } from '../projections/as-of.js';
import type { DocReader, Projection } from '../projections/docs.js';
import { ProjectionRunner } from '../projections/projection-runner.js';
import type { ReadModelStore } from '../projections/read-model-store.js';
import { BullmqTimerScheduler, InProcessTimerScheduler, type TimerScheduler } from '../timers/timer-scheduler.js';
import { timersProjection } from '../timers/timers.projection.js';
import type { JixiaoConfig } from '../config.js';

export const CLOCK = Symbol('Clock');
export const READ_MODELS = Symbol('ReadModelStore');
export const ENGINE_CONFIG = Symbol('EngineConfig');

export interface EngineOptions {
  config: JixiaoConfig;
  /** Follow the store with projections and deliver timers (off for one-shot CLI commands). */
  background: boolean;
}

/**
 * The engine as the application sees it: the store, commands, projections and timers. Workflow
 * modules register their command handlers and projections while the app starts; the projections
 * and timers start once every module is in.
 */
@Injectable()
export class Engine implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly router = new CommandRouter();
  #projections: Projection[] = [timersProjection];
  #runner: ProjectionRunner | undefined;
  #timers: TimerScheduler | undefined;
  readonly #log = new Logger('Engine');

  constructor(
    readonly store: EventStore,
    @Inject(READ_MODELS) readonly readModels: ReadModelStore,
    @Inject(CLOCK) readonly clock: Clock,
    @Inject(ENGINE_CONFIG) readonly options: EngineOptions,
  ) {}

  registerProjections(...projections: Projection[]): void {
    if (this.#runner) throw new Error('projections must be registered before the application starts');
    this.#projections.push(...projections);
  }

  registerCommands(types: readonly string[], handler: (command: Command, options?: ExecuteOptions) => Promise<CommandResult>): void {
    this.router.register(types, handler);
  }

  execute(command: Command, options?: ExecuteOptions): Promise<CommandResult> {
    return this.router.execute(command, options);
  }

  get runner(): ProjectionRunner {
    return (this.#runner ??= new ProjectionRunner(this.store, this.readModels, this.#projections, {
      log: (m, d) => (d ? this.#log.warn(`${m}: ${d instanceof Error ? d.stack : JSON.stringify(d)}`) : this.#log.log(m)),
    }));
  }

  get timers(): TimerScheduler {
    if (!this.#timers) {
      const log = (m: string, d?: unknown) => this.#log.warn(`${m}${d instanceof Error ? `: ${d.message}` : ''}`);
      const { redisUrl } = this.options.config;
      this.#timers = redisUrl
        ? new BullmqTimerScheduler(this.router, this.runner, this.clock, { url: redisUrl, maxRetriesPerRequest: null }, { log, process: this.options.config.processJobs })
        : new InProcessTimerScheduler(this.router, this.runner, this.clock, { log });
    }
    return this.#timers;
  }

  query(projection: string): DocReader {
    return this.runner.reader(projection);
  }

  /**
   * The documents a read answers from: as known at `asOf`, the projection folded with its own code
   * from `streams` (the whole log without them); otherwise the stored documents, once the projection
   * has applied `minPosition`. `streams` is asked for only when folding.
   */
  async docs(
    projection: Projection,
    { asOf, minPosition, streams }: { asOf?: AsOf | undefined; minPosition?: string | undefined; streams?: () => readonly string[] | Promise<readonly string[]> },
  ): Promise<DocReader> {
    if (asOf) return foldAsOf(this.store, projection, asOf, streams && (await streams()));
    await this.waitFor(minPosition, [projection.name]);
    return this.query(projection.name);
  }

  /** Read-your-writes: wait until projections have applied `position` (from a command's answer). */
  async waitFor(position: string | undefined, projections?: string[]): Promise<void> {
    if (position) await this.runner.waitFor(position, projections ? { projections } : {});
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.background) return;
    await this.runner.start();
    await this.timers.start();
    this.#log.log(`projections and ${this.options.config.redisUrl ? 'BullMQ' : 'in-process'} timers running on ${this.store.kind}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.#timers?.stop();
    await this.#runner?.stop();
    await this.store.close();
    await this.readModels.close();
  }
}
