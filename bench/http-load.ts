/**
 * One autocannon run, in a process of its own (bench/http.ts forks it): the load generator does
 * not share an event loop with the server it measures. (Not a worker thread: autocannon takes a
 * worker thread for one of its own workers and returns no latency from it.) Requests are taken round robin from one list
 * shared by every connection, so sixteen connections write sixteen different streams at a time,
 * as sixteen people would, instead of all replaying the list from its start.
 */
import autocannon from 'autocannon';

export interface LoadRequest {
  method: 'GET' | 'PUT' | 'POST';
  path: string;
  body?: string;
  /** Added to the run's headers (e.g. X-On-Behalf-Of: the unit a report is entered for). */
  headers?: Record<string, string>;
}

export interface LoadOptions {
  url: string;
  headers: Record<string, string>;
  requests: LoadRequest[];
  connections: number;
  seconds: number;
  /** Requests per second over all connections; unset: as fast as the server answers. */
  rate?: number;
}

export interface LoadResult {
  requests: number;
  perSec: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

async function run(options: LoadOptions): Promise<LoadResult> {
  let next = 0;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    ...(options.rate ? { overallRate: options.rate } : {}),
    headers: options.headers,
    requests: [
      {
        setupRequest: (req: autocannon.Request): autocannon.Request => {
          const r = options.requests[next++ % options.requests.length]!;
          return {
            ...req,
            method: r.method,
            path: r.path,
            ...(r.body !== undefined ? { body: r.body } : {}),
            ...(r.headers ? { headers: { ...req.headers, ...r.headers } } : {}),
          };
        },
      },
    ],
  });
  return {
    requests: result.requests.total,
    perSec: Math.round(result.requests.total / options.seconds),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

if (process.send) {
  process.once('message', (options: LoadOptions) => {
    run(options).then(
      (r) => process.send!({ ok: r }, () => process.exit(0)),
      (err: Error) => process.send!({ error: err.stack ?? err.message }, () => process.exit(1)),
    );
  });
}
