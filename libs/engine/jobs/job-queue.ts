import { createRequire } from 'node:module';
import type { ConnectionOptions, Queue, Worker } from 'bullmq';
import { RedisErrorLog, redisRetryStrategy } from '../redis-connection.js';

/** bullmq, loaded when a Redis-backed queue is opened, not by every start (without REDIS_URL, never). */
const bullmq = (): typeof import('bullmq') => createRequire(import.meta.url)('bullmq') as typeof import('bullmq');

/**
 * Work done outside the request, retried with exponential backoff: BullMQ jobs when Redis is
 * configured, an in-process queue otherwise (the same choice timers make). A job's id makes adding
 * it twice a no-op while it is queued, running or waiting to retry. The work itself must be safe to
 * repeat: a queue delivers at least once (a crash between doing and recording), so the worker
 * checks the record first (see the notices' deliveries).
 */
export interface JobQueue<T> {
  /** Queues `data` under `id` unless a job with that id is queued, running or waiting to retry. */
  add(id: string, data: T): Promise<void>;
  /** Starts working jobs (only where jobs are worked: JIXIAO_PROCESS_JOBS). */
  start(work: JobWork<T>): Promise<void>;
  stop(): Promise<void>;
}

/** Does one job; throwing means "try again later" (exponential backoff), until `attempts` runs out. */
export type JobWork<T> = (data: T, attempt: number) => Promise<void>;

export interface JobQueueOptions {
  name: string;
  attempts: number;
  /** The first retry's delay; each next one doubles it. */
  backoffMs: number;
  log?: (message: string, detail?: unknown) => void;
}

/** BullMQ refuses ':' in custom ids, and a key should read plainly in redis-cli. */
const jobIdOf = (id: string) => id.replace(/[^A-Za-z0-9_.-]/g, '_');

/** How many finished ids the in-process queue remembers (BullMQ keeps completed jobs a day). */
const REMEMBERED = 50_000;

export class InProcessJobQueue<T> implements JobQueue<T> {
  readonly #active = new Set<string>();
  /** Finished ids, oldest first: adding one again is a no-op, as with BullMQ's kept jobs. */
  readonly #finished = new Set<string>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #work: JobWork<T> | undefined;
  #stopped = false;
  readonly #running = new Set<Promise<void>>();

  constructor(readonly options: JobQueueOptions) {}

  async add(id: string, data: T): Promise<void> {
    if (this.#stopped || this.#active.has(id) || this.#finished.has(id)) return;
    this.#active.add(id);
    this.#run(id, data, 1);
  }

  async start(work: JobWork<T>): Promise<void> {
    this.#work = work;
  }

  #run(id: string, data: T, attempt: number): void {
    const work = this.#work;
    if (!work || this.#stopped) {
      this.#active.delete(id);
      return;
    }
    const p = work(data, attempt).then(
      () => this.#finish(id),
      (err: unknown) => {
        if (attempt >= this.options.attempts || this.#stopped) {
          this.options.log?.(`job ${id} failed ${attempt} time(s); giving up`, err);
          this.#finish(id);
          return;
        }
        const delay = this.options.backoffMs * 2 ** (attempt - 1);
        const t = setTimeout(() => {
          this.#timers.delete(t);
          this.#run(id, data, attempt + 1);
        }, delay);
        this.#timers.add(t);
      },
    );
    this.#running.add(p);
    void p.finally(() => this.#running.delete(p));
  }

  #finish(id: string): void {
    this.#active.delete(id);
    this.#finished.add(id);
    if (this.#finished.size > REMEMBERED) this.#finished.delete(this.#finished.values().next().value!);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    await Promise.allSettled([...this.#running]);
  }
}

export class BullmqJobQueue<T> implements JobQueue<T> {
  readonly queue: Queue;
  #worker: Worker | undefined;
  readonly #errors: RedisErrorLog;
  readonly #connection: ConnectionOptions;

  constructor(
    connection: ConnectionOptions,
    readonly options: JobQueueOptions,
  ) {
    this.#connection = { ...(connection as object), retryStrategy: redisRetryStrategy } as ConnectionOptions;
    this.#errors = new RedisErrorLog(options.name, (line) => options.log?.(line));
    this.queue = new (bullmq().Queue)(options.name, { connection: this.#connection });
    this.queue.on('error', (err) => this.#errors.error(err));
  }

  async add(id: string, data: T): Promise<void> {
    // A job with this id, queued, delayed, running, completed (kept a day) or failed, makes this a no-op.
    await this.queue.add('job', data, {
      jobId: jobIdOf(id),
      attempts: this.options.attempts,
      backoff: { type: 'exponential', delay: this.options.backoffMs },
      removeOnComplete: { age: 24 * 3600 },
      removeOnFail: { age: 7 * 24 * 3600 },
    });
  }

  async start(work: JobWork<T>): Promise<void> {
    this.#worker = new (bullmq().Worker)(this.queue.name, (job) => work(job.data as T, job.attemptsMade + 1), { connection: this.#connection, concurrency: 4 });
    this.#worker.on('failed', (job, err) => this.options.log?.(`job ${job?.id} attempt ${job?.attemptsMade} failed`, err));
    this.#worker.on('error', (err) => this.#errors.error(err));
  }

  async stop(): Promise<void> {
    await this.#worker?.close();
    await this.queue.close();
  }
}

export function openJobQueue<T>(redisUrl: string | undefined, options: JobQueueOptions): JobQueue<T> {
  return redisUrl ? new BullmqJobQueue<T>({ url: redisUrl, maxRetriesPerRequest: null } as ConnectionOptions, options) : new InProcessJobQueue<T>(options);
}
