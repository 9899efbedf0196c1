import { createRequire } from 'node:module';
import type { ConnectionOptions, Queue, Worker } from 'bullmq';
import type { Clock } from '../clock.js';
import { isManualClock } from '../clock.js';
import type { Command } from '../commands/command.js';
import type { CommandRouter } from '../commands/command-router.js';
import type { ProjectionRunner } from '../projections/projection-runner.js';
import { RedisErrorLog, redisRetryStrategy } from '../redis-connection.js';
import { TIMERS_PROJECTION, type PendingTimer } from './timers.projection.js';

import { SYSTEM_PRINCIPAL } from './system-principal.js';

/** bullmq, loaded when a Redis-backed queue is opened, not by every start (without REDIS_URL, never). */
const bullmq = (): typeof import('bullmq') => createRequire(import.meta.url)('bullmq') as typeof import('bullmq');

export { SYSTEM_PRINCIPAL };

/** The command a due timer sends. Its id comes from the timer: delivering it twice does it once. */
export function timerCommand(t: PendingTimer, now: Date): Command {
  return {
    type: t.command.type,
    data: t.command.data,
    meta: {
      commandId: `timer-${t.timerId}`,
      actor: SYSTEM_PRINCIPAL,
      now: now.toISOString(),
      timerId: t.timerId,
      causationId: t.scheduledBy,
      correlationId: t.correlationId,
    },
  };
}

export interface TimerScheduler {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Deliver what is due now (tests and the demo call it after moving the clock). */
  deliverDue(): Promise<number>;
}

type Log = (message: string, detail?: unknown) => void;

async function pending(runner: ProjectionRunner): Promise<PendingTimer[]> {
  return (await runner.reader(TIMERS_PROJECTION).list<PendingTimer>('pending')).map((r) => r.doc).sort((a, b) => a.dueAt.localeCompare(b.dueAt));
}

/** Embedded mode (no Redis): polls the pending timers and fires the due ones in this process. */
export class InProcessTimerScheduler implements TimerScheduler {
  #interval: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #running: Promise<number> | undefined;
  #queued: Promise<number> | undefined;

  constructor(
    readonly router: CommandRouter,
    readonly runner: ProjectionRunner,
    readonly clock: Clock,
    readonly options: { tickMs?: number; log?: Log } = {},
  ) {}

  async start(): Promise<void> {
    this.#interval = setInterval(() => void this.deliverDue(), this.options.tickMs ?? 1000);
    if (isManualClock(this.clock)) this.#unsubscribe = this.clock.onChange(() => void this.deliverDue());
  }

  async stop(): Promise<void> {
    clearInterval(this.#interval);
    this.#unsubscribe?.();
    await this.#queued;
    await this.#running;
  }

  deliverDue(): Promise<number> {
    // One round at a time. A call during a round queues one more round after it (the clock may have
    // moved since that round read it); calls while a round is queued share it.
    if (this.#queued) return this.#queued;
    const previous = this.#running ?? Promise.resolve(0);
    const round: Promise<number> = previous
      .catch(() => 0)
      .then(() => {
        this.#queued = undefined;
        this.#running = round;
        return this.#deliver();
      })
      .finally(() => {
        if (this.#running === round) this.#running = undefined;
      });
    this.#queued = round;
    return round;
  }

  async #deliver(): Promise<number> {
    const due = this.clock.now();
    let fired = 0;
    for (const t of await pending(this.runner)) {
      if (Date.parse(t.dueAt) > due.getTime()) break;
      try {
        // The clock is read per command, not once per round: each timer's events are stamped when
        // it is delivered, so they never precede what other writers recorded during the round.
        const r = await this.router.execute(timerCommand(t, this.clock.now()), { clock: this.clock });
        if (r.position) await this.runner.waitFor(r.position, { projections: [TIMERS_PROJECTION] });
        fired++;
      } catch (err) {
        this.options.log?.(`timer ${t.timerId} failed; it stays pending and is retried`, err);
      }
    }
    return fired;
  }
}

export const TIMER_QUEUE = 'jixiao-timers';

/** Works one timer job: the timer's command, sent at the clock's time; its id makes a second delivery an answer, not a repeat. */
export async function fireTimerJob(router: Pick<CommandRouter, 'execute'>, clock: Clock, timer: PendingTimer): Promise<{ position: string | null }> {
  const r = await router.execute(timerCommand(timer, clock.now()), { clock });
  return { position: r.position ?? null };
}
/** While a reconcile fails, the next is tried this soon, so timers resume promptly once Redis is back. */
const RECONCILE_RETRY_MS = 250;

/**
 * With Redis: a timer is a BullMQ delayed job whose id is the timer id. Redis may lose data, so
 * the reconciler (at start and then every few seconds) makes sure every pending timer has a job,
 * and promotes the due ones; a job delivered twice is answered once (its command id).
 *
 * When Redis goes away, its connections retry every ≤500 ms (BullMQ's default backs off to 20 s),
 * reconciliation is retried every 250 ms, and connection errors are single rate-limited log lines,
 * so timers resume within about a second of Redis returning, and the log says what happened once.
 */
export class BullmqTimerScheduler implements TimerScheduler {
  readonly queue: Queue;
  readonly connection: ConnectionOptions;
  #worker: Worker | undefined;
  #next: NodeJS.Timeout | undefined;
  #stopped = false;
  #unsubscribe: (() => void) | undefined;
  readonly #errors: RedisErrorLog;

  constructor(
    readonly router: CommandRouter,
    readonly runner: ProjectionRunner,
    readonly clock: Clock,
    connection: ConnectionOptions,
    readonly options: { process?: boolean; reconcileMs?: number; queueName?: string; log?: Log } = {},
  ) {
    this.connection = withPromptReconnection(connection);
    this.#errors = new RedisErrorLog('timers', (line) => options.log?.(line));
    this.queue = new (bullmq().Queue)(options.queueName ?? TIMER_QUEUE, { connection: this.connection });
    this.queue.on('error', (err) => this.#errors.error(err));
  }

  async start(): Promise<void> {
    this.#stopped = false;
    await this.reconcile();
    if (this.options.process !== false) {
      this.#worker = new (bullmq().Worker)(this.queue.name, (job) => fireTimerJob(this.router, this.clock, job.data as PendingTimer), {
        connection: this.connection,
        concurrency: 4,
      });
      this.#worker.on('failed', (job, err) => this.options.log?.(`timer job ${job?.id} failed`, err));
      this.#worker.on('error', (err) => this.#errors.error(err));
    }
    this.#schedule(this.options.reconcileMs ?? 2000);
    if (isManualClock(this.clock)) this.#unsubscribe = this.clock.onChange(() => void this.reconcile().catch(() => undefined));
  }

  /** One reconcile at a time (while Redis is away a call waits for it); sooner again after a failure. */
  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#next = setTimeout(() => {
      this.reconcile().then(
        () => {
          this.#errors.ready();
          this.#schedule(this.options.reconcileMs ?? 2000);
        },
        (err) => {
          this.#errors.error(err);
          this.#schedule(RECONCILE_RETRY_MS);
        },
      );
    }, ms);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#next);
    this.#unsubscribe?.();
    await this.#worker?.close();
    await this.queue.close();
  }

  /** Every pending timer gets a job (the same id: no duplicates); due ones are released now. */
  async reconcile(): Promise<{ added: number; promoted: number }> {
    const now = this.clock.now().getTime();
    let added = 0;
    let promoted = 0;
    for (const t of await pending(this.runner)) {
      const delay = Math.max(0, Date.parse(t.dueAt) - now);
      const job = await this.queue.getJob(t.timerId);
      if (!job) {
        await this.queue.add('fire', t, {
          jobId: t.timerId,
          delay,
          attempts: 10,
          backoff: { type: 'exponential', delay: 1000 },
          removeOnComplete: { age: 7 * 24 * 3600 },
          removeOnFail: false,
        });
        added++;
      } else if (delay === 0 && (await job.isDelayed())) {
        await job.promote();
        promoted++;
      } else if (await job.isFailed()) {
        // Still pending in the record, so not done: try again (its command id makes that safe).
        await job.retry();
        promoted++;
      }
    }
    return { added, promoted };
  }

  async deliverDue(): Promise<number> {
    const { added, promoted } = await this.reconcile();
    return added + promoted;
  }
}

/** Plain connection options get the prompt reconnection (redis-connection.ts) unless they name their own; a client instance is kept as it is. */
function withPromptReconnection(connection: ConnectionOptions): ConnectionOptions {
  if (typeof (connection as { duplicate?: unknown }).duplicate === 'function') return connection;
  const options = connection as { retryStrategy?: unknown };
  return options.retryStrategy ? connection : ({ ...connection, retryStrategy: redisRetryStrategy } as ConnectionOptions);
}
