import { DEFAULT_EVENT_STORE_URL } from './event-store/open-event-store.js';

export interface JixiaoConfig {
  eventStoreUrl: string;
  /** Where projections live; defaults to the event store's database (required for EventStoreDB). */
  readModelUrl: string;
  /** Timers and jobs go through BullMQ when set; otherwise they run in-process. */
  redisUrl?: string;
  /**
   * Whether this process works BullMQ jobs (timers, the daily seal). True by default; API replicas
   * beside a worker set JIXIAO_PROCESS_JOBS=false and only enqueue.
   */
  processJobs: boolean;
  port: number;
  production: boolean;
  /** JIXIAO_METRICS_TOKEN: the bearer token GET /api/v1/metrics requires; without one it answers nobody. */
  metricsToken?: string;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): JixiaoConfig {
  const eventStoreUrl = env.EVENT_STORE_URL || DEFAULT_EVENT_STORE_URL;
  const readModelUrl = env.READ_MODEL_URL || eventStoreUrl;
  if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(readModelUrl)) {
    throw new Error('READ_MODEL_URL must be set to sqlite:PATH or postgres://… when EVENT_STORE_URL is not a SQL store');
  }
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT "${env.PORT}" is not a port number`);
  return {
    eventStoreUrl,
    readModelUrl,
    ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
    port,
    processJobs: env.JIXIAO_PROCESS_JOBS !== 'false',
    production: env.NODE_ENV === 'production',
    ...(env.JIXIAO_METRICS_TOKEN ? { metricsToken: env.JIXIAO_METRICS_TOKEN } : {}),
  };
}
