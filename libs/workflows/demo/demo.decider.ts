import { assertNever, DomainError, type Command, type Decider } from '../../engine/commands/command.js';
import { authorize } from '../access/access.js';
import type { DemoEvent, DemoYearPlayed, DemoYearRef } from './demo.events.js';

/**
 * The demo's own record, decided like any workflow: it starts once per store (a second start is
 * refused, whoever tries, however many at once: the stream can be created only once) and completes
 * once, after it started. Whether the store holds real data is checked by the handler before
 * starting (demo-store.ts); this decides only the demo stream.
 */
export type DemoCommand = Command<'demo.Start', DemoYearRef> | Command<'demo.Complete', Pick<DemoYearPlayed['data'], 'simulated' | 'counts' | 'commands' | 'durationMs'>>;

export const DEMO_COMMANDS = ['demo.Start', 'demo.Complete'] as const satisfies readonly DemoCommand['type'][];

export type DemoState = { status: 'none' } | { status: 'started' | 'played'; ref: DemoYearRef; startedAt: string; playedAt?: string };

export function evolveDemo(s: DemoState, e: DemoEvent): DemoState {
  switch (e.type) {
    case 'DemoYearStarted': {
      const { synthetic: _s, startedAt, ...ref } = e.data;
      return { status: 'started', ref, startedAt };
    }
    case 'DemoYearPlayed':
      return s.status === 'none' ? s : { ...s, status: 'played', playedAt: e.data.playedAt };
    default:
      return assertNever(e, 'demo event');
  }
}

export const demoDecider: Decider<DemoCommand, DemoEvent, DemoState> = {
  initialState: () => ({ status: 'none' }),
  evolve: evolveDemo,
  authorize: (c) => authorize(c.meta.actor, 'demo.play'),
  decide(c, s) {
    switch (c.type) {
      case 'demo.Start': {
        if (s.status !== 'none') {
          throw new DomainError(
            'demo-already-played',
            s.status === 'played'
              ? `the demo year was played on this store already (seed ${s.ref.seed}, ${s.playedAt}); it plays once, on a store without real data`
              : `a demo run started on this store at ${s.startedAt} and did not finish; play the demo on a new, empty store`,
          );
        }
        const { planId, year, seed, months } = c.data;
        if (!Number.isInteger(seed) || seed < 0) throw invalid('seed', 'a whole number from 0');
        if (!Number.isInteger(months) || months < 1 || months > 12) throw invalid('months', 'a whole number from 1 to 12');
        if (!planId || !Number.isInteger(year)) throw invalid('planId', 'the plan and its year');
        return [{ type: 'DemoYearStarted', data: { planId, year, seed, months, synthetic: true, startedAt: c.meta.now } }];
      }
      case 'demo.Complete':
        if (s.status === 'none') throw new DomainError('demo-not-started', 'no demo run has started on this store');
        if (s.status === 'played') return [];
        return [{ type: 'DemoYearPlayed', data: { ...s.ref, synthetic: true, playedAt: c.meta.now, ...c.data } }];
      default:
        return assertNever(c, 'demo command');
    }
  },
};

function invalid(field: string, message: string): DomainError {
  return new DomainError('invalid-demo', `${field}: ${message}`, { params: { field }, status: 422, fields: [{ field, message }] });
}
