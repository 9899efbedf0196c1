import type { Projection } from '../docs.js';

/**
 * Counts events in a read-modify-write: applying an event twice (or not at all) changes the
 * count, so the count proves exactly-once.
 */
export function counterProjection(name = 'counter', version = 1, options: { slow?: boolean } = {}): Projection {
  return {
    name,
    version,
    async apply(e, docs) {
      if (options.slow) await new Promise((r) => setTimeout(r, 1));
      const total = (await docs.get<{ n: number }>('totals', 'all'))?.n ?? 0;
      docs.put('totals', 'all', { n: total + 1, version });
      const perStream = (await docs.get<{ n: number }>('streams', e.streamId))?.n ?? 0;
      docs.put('streams', e.streamId, { n: perStream + 1 });
    },
  };
}
