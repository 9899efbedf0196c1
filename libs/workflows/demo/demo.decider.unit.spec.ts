import { DomainError, ForbiddenError } from '../../engine/commands/command.js';
import { given, meta } from '../../engine/testing/given-when-then.js';
import { demoDecider, type DemoCommand } from './demo.decider.js';
import type { DemoEvent } from './demo.events.js';

const ref = { planId: 'ye-county-2023', year: 2023, seed: 7, months: 12 };
const system = () => meta(['system'], { userId: 'system', now: '2026-01-01T00:00:00.000Z' });
const start = (data: Partial<typeof ref> = {}, m = system()): DemoCommand => ({ type: 'demo.Start', data: { ...ref, ...data }, meta: m });
const complete = (m = system()): DemoCommand => ({
  type: 'demo.Complete',
  data: { simulated: { from: '2022-12-31T16:00:00.000Z', to: '2024-01-31T09:00:00.000Z' }, counts: { ReportOpened: 252 }, commands: 2000, durationMs: 5000 },
  meta: m,
});
const started: DemoEvent = { type: 'DemoYearStarted', data: { ...ref, synthetic: true, startedAt: '2026-01-01T00:00:00.000Z' } };
const played: DemoEvent = {
  type: 'DemoYearPlayed',
  data: { ...ref, synthetic: true, playedAt: '2026-01-01T00:00:05.000Z', simulated: { from: 'a', to: 'b' }, counts: {}, commands: 1, durationMs: 1 },
};

describe('the demo decider', () => {
  it('given an empty demo stream, when the system (first start) starts the demo, then it is recorded as synthetic with its seed and months', () => {
    expect(given(demoDecider).when(start())).toEqual([{ type: 'DemoYearStarted', data: { ...ref, synthetic: true, startedAt: '2026-01-01T00:00:00.000Z' } }]);
  });

  it('an administrator (the command line) may start it; the office, a leader or a reporter may not', () => {
    expect(given(demoDecider).role(start({}, meta(['admin'], { userId: 'cli' })))).toBe('admin');
    for (const roles of [['office'], ['leader'], ['auditor']]) expect(() => given(demoDecider).when(start({}, meta(roles)))).toThrow(ForbiddenError);
    expect(() => given(demoDecider).when(start({}, meta(['reporter'], { unitId: 'fgw' })))).toThrow(ForbiddenError);
  });

  it('given a demo that was played, when it is started again, then it is refused: it plays once per store', () => {
    expect(() => given(demoDecider, [started, played]).when(start())).toThrow(
      expect.objectContaining({ code: 'demo-already-played', message: expect.stringMatching(/already.*seed 7/) }),
    );
  });

  it('given a demo that started and never finished, a new start is refused and says so', () => {
    expect(() => given(demoDecider, [started]).when(start())).toThrow(expect.objectContaining({ code: 'demo-already-played', message: expect.stringMatching(/did not finish/) }));
  });

  it('refuses a seed or a number of months out of range, naming the field', () => {
    for (const [data, field] of [
      [{ seed: -1 }, 'seed'],
      [{ seed: 1.5 }, 'seed'],
      [{ months: 0 }, 'months'],
      [{ months: 13 }, 'months'],
    ] as const) {
      let error: unknown;
      try {
        given(demoDecider).when(start(data));
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).details.fields).toEqual([expect.objectContaining({ field })]);
    }
  });

  it('given a started demo, when it completes, then DemoYearPlayed carries the run and its counts; completing twice records nothing more', () => {
    const events = given(demoDecider, [started]).when(complete());
    expect(events).toEqual([
      {
        type: 'DemoYearPlayed',
        data: {
          ...ref,
          synthetic: true,
          playedAt: '2026-01-01T00:00:00.000Z',
          simulated: { from: '2022-12-31T16:00:00.000Z', to: '2024-01-31T09:00:00.000Z' },
          counts: { ReportOpened: 252 },
          commands: 2000,
          durationMs: 5000,
        },
      },
    ]);
    expect(given(demoDecider, [started, played]).when(complete())).toEqual([]);
  });

  it('completing a demo that never started is refused', () => {
    expect(() => given(demoDecider).when(complete())).toThrow(expect.objectContaining({ code: 'demo-not-started' }));
  });
});
