import { randomBytes } from 'node:crypto';
import { BullmqJobQueue, InProcessJobQueue, type JobQueue } from './job-queue.js';

/**
 * Both job queues (in-process, and BullMQ on the machine's real Redis, under a queue of its own):
 * a job that fails twice is tried a third time after growing delays and then stops; adding the same
 * id while it is queued or waiting to retry does not run it twice.
 */
const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const targets: { name: string; open(): JobQueue<{ n: number }> }[] = [
  { name: 'in-process', open: () => new InProcessJobQueue({ name: 'test', attempts: 5, backoffMs: 100 }) },
  {
    name: 'BullMQ on Redis',
    open: () =>
      new BullmqJobQueue({ url: REDIS, maxRetriesPerRequest: null } as never, { name: `jixiao-test-jobs-${randomBytes(4).toString('hex')}`, attempts: 5, backoffMs: 100 }),
  },
];

describe.each(targets)('the $name job queue', ({ open }) => {
  it('retries a failing job with exponential backoff until it succeeds, once per id', async () => {
    const queue = open();
    const calls: { attempt: number; at: number }[] = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    try {
      await queue.start(async (data, attempt) => {
        calls.push({ attempt, at: Date.now() });
        if (calls.length <= 2) throw new Error(`failure ${calls.length} of job ${data.n}`);
        done();
      });
      await queue.add('delivery-1', { n: 1 });
      await queue.add('delivery-1', { n: 1 });
      await finished;
      await new Promise((r) => setTimeout(r, 600));
      await queue.add('delivery-1', { n: 1 }); // completed: kept, so not run again
      await new Promise((r) => setTimeout(r, 300));
      expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
      const gaps = [calls[1]!.at - calls[0]!.at, calls[2]!.at - calls[1]!.at];
      console.log(`retry delays: ${gaps.join(' ms, ')} ms (base 100 ms, doubling)`);
      expect(gaps[0]).toBeGreaterThanOrEqual(90);
      expect(gaps[1]).toBeGreaterThanOrEqual(190);
    } finally {
      await queue.stop();
      if (queue instanceof BullmqJobQueue) {
        await queue.queue.obliterate({ force: true }).catch(() => undefined);
      }
    }
  });
});
