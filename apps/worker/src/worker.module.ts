import { BullModule, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Module, type DynamicModule } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { Clock } from '../../../libs/engine/clock.js';
import type { JixiaoConfig } from '../../../libs/engine/config.js';
import { EngineModule } from '../../../libs/engine/nest/engine.module.js';
import { CLOCK, Engine } from '../../../libs/engine/nest/engine.js';
import { fireTimerJob, TIMER_QUEUE } from '../../../libs/engine/timers/timer-scheduler.js';
import type { PendingTimer } from '../../../libs/engine/timers/timers.projection.js';
import { WORKFLOWS } from '../../../libs/workflows/workflows.js';

/**
 * Works the timer queue: each job is a durable timer (deadlines, reminders, case steps, seals)
 * whose command goes through the CommandBus like any other. The engine's scheduler in this process
 * (and in every API replica) only keeps the queue in step with the record; this processor works it.
 */
@Processor(TIMER_QUEUE, { concurrency: 4 })
export class TimerProcessor extends WorkerHost {
  constructor(
    private readonly engine: Engine,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    super();
  }

  process(job: Job<PendingTimer>): Promise<{ position: string | null }> {
    return fireTimerJob(this.engine.router, this.clock, job.data);
  }
}

/**
 * The worker application: the engine and every workflow (command handlers, projections, reactors),
 * no HTTP controllers, and the BullMQ processors.
 */
@Module({})
export class WorkerModule {
  static forRoot(config: JixiaoConfig & { redisUrl: string }, clock?: Clock): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        // The engine's own scheduler enqueues and reconciles; processing is the @Processor's.
        EngineModule.forRoot({ config: { ...config, processJobs: false }, background: true, workflows: WORKFLOWS, ...(clock ? { clock } : {}) }),
        BullModule.forRoot({ connection: { url: config.redisUrl, maxRetriesPerRequest: null } }),
        BullModule.registerQueue({ name: TIMER_QUEUE }),
      ],
      providers: [TimerProcessor],
    };
  }
}
