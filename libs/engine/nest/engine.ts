import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Clock } from '../clock.js';
import type { Command, Decider, DomainEvent } from '../commands/command.js';
import { decideOnFacts, executeCommand, type CommandResult, type ExecuteOptions, type FactsReader } from '../commands/command-executor.js';
import { CommandRouter } from '../commands/command-router.js';
import { EventStore } from '../event-store/event-store.js';
import { foldAsOf } from '../projections/as-of.js';
import type { DocReader, Projection } from '../projections/docs.js';
import { ProjectionRunner } from '../projections/projection-runner.js';
import type { ReadModelStore } from '../projections/read-model-store.js';
import { reactorProjection } from '../reactors/reactor-projection.js';
import { BullmqTimerScheduler, InProcessTimerScheduler, type TimerScheduler } from '../timers/timer-scheduler.js';
import { timersProjection } from '../timers/timers.projection.js';
import type { JixiaoConfig } from '../config.js';
import type { ReadAt, WorkflowDefinition } from './cqrs.js';

export const CLOCK = Symbol('Clock');
export const READ_MODELS = Symbol('ReadModelStore');
export const ENGINE_CONFIG = Symbol('EngineConfig');
export const WORKFLOWS = Symbol('Workflows');

/** Live answers kept by `Engine.answer` (a table each: a few hundred KB at most in all). */
const MAX_KEPT_ANSWERS = 256;

export interface EngineOptions {
  config: JixiaoConfig;
  /** Follow the store with projections and reactors, and deliver timers (off for one-shot CLI commands). */
  background: boolean;
}

/**
 * The engine as the application sees it: the store, the one command executor, projections,
 * reactors and timers. What it runs comes from the workflows' declarations (WORKFLOWS), read once
 * here; commands reach their workflow's @CommandHandler through @nestjs/cqrs's CommandBus.
 */
@Injectable()
export class Engine implements OnApplicationBootstrap, OnApplicationShutdown {
  /** Command type → the workflow's command class on the bus: for commands stored as data (timers) or sent by reactors and the CLI. */
  readonly router = new CommandRouter();
  readonly #projections: Projection[];
  #runner: ProjectionRunner | undefined;
  #timers: TimerScheduler | undefined;
  readonly #log = new Logger('Engine');
  readonly #answers = new Map<string, { stamp: string; answer: Promise<unknown> }>();

  constructor(
    readonly store: EventStore,
    @Inject(READ_MODELS) readonly readModels: ReadModelStore,
    @Inject(CLOCK) readonly clock: Clock,
    @Inject(ENGINE_CONFIG) readonly options: EngineOptions,
    @Inject(WORKFLOWS) readonly workflows: readonly WorkflowDefinition[],
    private readonly commandBus: CommandBus,
  ) {
    for (const w of workflows) {
      if (w.commands) {
        const Message = w.commands.message;
        // async: a handler that throws before its first await still answers with a rejected promise.
        this.router.register(w.commands.types, async (c, o) => this.commandBus.execute(new Message(c, o)));
      }
    }
    const send = (c: Command) => this.execute(c);
    const now = () => this.clock.now().toISOString();
    this.#projections = [
      timersProjection,
      ...workflows.flatMap((w) => w.projections ?? []),
      ...workflows.flatMap((w) => (w.reactors ?? []).map((r) => reactorProjection(r, send, now))),
    ];
  }

  /** Sends a command, given as data, through the CommandBus to its workflow's handler. */
  execute(command: Command, options?: ExecuteOptions): Promise<CommandResult> {
    return this.router.execute(command, options);
  }

  /**
   * The one executor every command handler calls: load the stream, authorise, decide, append with
   * the expected revision, retry on a concurrent write (see executeCommand).
   */
  decide<C extends Command, E extends DomainEvent, S>(decider: Decider<C, E, S>, streamId: string, command: C, options?: ExecuteOptions): Promise<CommandResult> {
    return executeCommand(this.store, decider, streamId, command, options);
  }

  /**
   * decide() for a command whose facts (the plan, the standings) come from other streams: `prepare`
   * reads them through the FactsReader, the append checks that they have not moved since, and the
   * command is prepared again from the store if they have (see decideOnFacts).
   */
  decideOnFacts<C extends Command, E extends DomainEvent, S>(
    decider: Decider<C, E, S>,
    streamId: string,
    prepare: (facts: FactsReader) => Promise<C>,
    options?: ExecuteOptions,
  ): Promise<CommandResult> {
    return decideOnFacts(this.store, decider, streamId, prepare, options);
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
   * The documents a query answers from, the same way for every query: as known at `at.asOf`, the
   * projection folded with its own code from `streams` (the whole log without them); otherwise the
   * stored documents, once the projection has applied `at.minPosition`. `streams` is asked for only
   * when folding.
   */
  async docs(projection: Projection, at: ReadAt = {}, streams?: () => readonly string[] | Promise<readonly string[]>): Promise<DocReader> {
    if (at.asOf) return foldAsOf(this.store, projection, at.asOf, streams && (await streams()));
    await this.waitFor(at.minPosition, [projection.name]);
    return this.query(projection.name);
  }

  /**
   * A query's answer computed from a projection's documents (`compute`), as `docs` gives them.
   * Live answers are kept per `key` until the projection applies another event: the dashboard's
   * tables are read far more often than they change, and recomputing one reads dozens of documents.
   * The stamp is taken before computing, so an answer is never filed under a newer stamp than the
   * documents it was computed from. Callers must not mutate what they get.
   */
  async answer<T>(
    projection: Projection,
    key: string,
    at: ReadAt,
    streams: (() => readonly string[] | Promise<readonly string[]>) | undefined,
    compute: (docs: DocReader) => Promise<T>,
  ): Promise<T> {
    if (at.asOf) return compute(await this.docs(projection, at, streams));
    await this.waitFor(at.minPosition, [projection.name]);
    const stamp = this.runner.stamp(projection.name);
    if (stamp === undefined) return compute(this.query(projection.name));
    const id = `${projection.name}\u0000${key}`;
    const kept = this.#answers.get(id);
    if (kept?.stamp === stamp) return kept.answer as Promise<T>;
    const answer = compute(this.query(projection.name));
    this.#answers.delete(id); // re-inserted last: the oldest entry is the first in the Map
    this.#answers.set(id, { stamp, answer });
    if (this.#answers.size > MAX_KEPT_ANSWERS) this.#answers.delete(this.#answers.keys().next().value!);
    answer.catch(() => this.#answers.get(id)?.answer === answer && this.#answers.delete(id));
    return answer;
  }

  /** Read-your-writes: wait until projections have applied `position` (from a command's answer). */
  async waitFor(position: string | undefined, projections?: string[]): Promise<void> {
    if (position) await this.runner.waitFor(position, projections ? { projections } : {});
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.background) return;
    await this.runner.start();
    await this.timers.start();
    this.#log.log(`projections, reactors and ${this.options.config.redisUrl ? 'BullMQ' : 'in-process'} timers running on ${this.store.kind}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.#timers?.stop();
    await this.#runner?.stop();
    await this.store.close();
    await this.readModels.close();
  }
}
