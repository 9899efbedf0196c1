import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { openJobQueue, type JobQueue } from '../../engine/jobs/job-queue.js';
import { Engine } from '../../engine/nest/engine.js';
import { SYSTEM_PRINCIPAL } from '../../engine/timers/timer-scheduler.js';
import { ChannelSender, type ChannelsConfig } from './notices.channels.js';
import { noticesDecider, type NoticesState, type RecordDeliveryAttempt } from './notices.decider.js';
import { noticeStream, type NoticesEvent } from './notices.events.js';
import { NOTICES_PROJECTION, type PendingDelivery } from './notices.projection.js';

export const NOTICES_CHANNELS = Symbol('NoticesChannels');
export const NOTICE_QUEUE = 'jixiao-notices';

/**
 * Sends what notices owe: every pending delivery (the notices projection's `pending`, so nothing is
 * lost across a restart or a Redis flush) becomes a job — BullMQ with REDIS_URL, in-process
 * otherwise — retried with exponential backoff. Each attempt, delivered or failed, is recorded as
 * an event before the job ends; the stream is the authority on whether to try again, so a
 * duplicate job finds the delivery settled and sends nothing.
 */
@Injectable()
export class NoticesService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly sender: ChannelSender;
  readonly queue: JobQueue<PendingDelivery>;
  readonly #log = new Logger('Notices');
  #reconciling: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    private readonly engine: Engine,
    @Inject(NOTICES_CHANNELS) readonly channels: ChannelsConfig,
  ) {
    this.sender = new ChannelSender(channels);
    this.queue = openJobQueue<PendingDelivery>(engine.options.config.redisUrl, {
      name: NOTICE_QUEUE,
      attempts: channels.attempts,
      backoffMs: channels.backoffMs,
      log: (m, d) => this.#log.warn(`${m}${d instanceof Error ? `: ${d.message}` : ''}`),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const { background, config } = this.engine.options;
    if (!background) return;
    if (config.processJobs) await this.queue.start((job) => this.deliver(job));
    const every = config.redisUrl ? 2000 : 250;
    const tick = () => {
      if (this.#stopped) return;
      this.#reconciling = setTimeout(() => void this.reconcile().finally(tick), every);
    };
    tick();
  }

  /** Every pending delivery has a job (adding one twice is a no-op). */
  async reconcile(): Promise<number> {
    try {
      const pending = await this.engine.query(NOTICES_PROJECTION).list<PendingDelivery>('pending');
      for (const { doc } of pending) await this.queue.add(doc.deliveryId, doc);
      return pending.length;
    } catch (err) {
      this.#log.warn(`could not queue the pending deliveries: ${(err as Error).message}`);
      return 0;
    }
  }

  /** One attempt of one delivery: skipped once settled, else sent and recorded; a failure that is not the last throws, so the queue retries. */
  async deliver({ noticeId, deliveryId }: PendingDelivery): Promise<void> {
    const stream = noticeStream(noticeId);
    let state: NoticesState = noticesDecider.initialState();
    for (const e of await this.engine.store.readStream(stream)) state = noticesDecider.evolve(state, { type: e.type, data: e.data } as NoticesEvent);
    const delivery = state.issued?.deliveries.find((d) => d.deliveryId === deliveryId);
    const so = state.attempts[deliveryId];
    if (!state.issued || !delivery || so?.delivered || so?.final) return;
    const sent = await this.sender.send(state.issued, delivery);
    const attempt = (so?.count ?? 0) + 1;
    const command: RecordDeliveryAttempt = {
      type: 'notices.RecordAttempt',
      data: { noticeId, deliveryId, outcome: sent.ok ? 'delivered' : 'failed', detail: sent.detail, maxAttempts: this.channels.attempts },
      meta: { commandId: `attempt-${deliveryId}-${attempt}`, actor: SYSTEM_PRINCIPAL, now: this.engine.clock.now().toISOString(), causationId: noticeId },
    };
    const recorded = await this.engine.execute(command);
    const event = recorded.events[0] as { data?: { final?: boolean } } | undefined;
    if (!sent.ok && !event?.data?.final) throw new Error(`delivery ${deliveryId} attempt ${attempt} failed: ${sent.detail}`);
  }

  async onApplicationShutdown(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#reconciling);
    await this.queue.stop();
    this.sender.close();
  }
}
