import type { StandingChanged } from '../ranking/ranking.events.js';
import { annualStanding, candidatePeriods, foldStanding, type RecordedLike } from './annual-standing.js';

let position = 0;
const standing = (period: string, from: number | null, to: number | null, cause: StandingChanged['data']['cause'] = { kind: 'first-figures' }): RecordedLike => ({
  streamId: `figures-ye-county-2023-1-${period}`,
  revision: position % 7,
  position: String(++position),
  type: 'StandingChanged',
  data: { planId: 'ye-county-2023', indicatorNo: 1, period, ranks: [], rank: { from, to }, warning: { from: null, to: null }, cause } satisfies StandingChanged['data'],
});
const figures = (period: string): RecordedLike => ({
  streamId: `figures-ye-county-2023-1-${period}`,
  revision: 0,
  position: String(++position),
  type: 'PeerFiguresRecorded',
  data: {},
});

describe('the annual standing of an indicator, folded from the ranking workflow’s events', () => {
  it('candidate periods run from the year itself back through the months and quarters, latest first', () => {
    const p = candidatePeriods(2023);
    expect(p.slice(0, 5)).toEqual(['2023', '2023-12', '2023-Q4', '2023-11', '2023-10']);
    expect(p.at(-1)).toBe('2023-01');
    expect(p).toHaveLength(17);
  });

  it('the standing in force is the last StandingChanged’s rank, resting on every StandingChanged of the stream', () => {
    const first = standing('2023', null, 3);
    const revised = standing('2023', 3, 2, { kind: 'peer-revision', countyId: 'baofeng', previous: 8, value: 6 });
    const s = foldStanding([figures('2023'), first, figures('2023'), revised]);
    expect(s.rank).toBe(2);
    expect(s.standingEvents.map((e) => [e.position, e.rank, e.cause])).toEqual([
      [first.position, 3, 'first-figures'],
      [revised.position, 2, 'peer-revision'],
    ]);
  });

  it('uses the year’s own standing when there is one', () => {
    const s = annualStanding(
      2023,
      new Map([
        ['2023', [standing('2023', null, 5)]],
        ['2023-12', [standing('2023-12', null, 1)]],
      ]),
    );
    expect(s).toMatchObject({ period: '2023', rank: 5, fallback: false, note: null });
  });

  it('falls back to the latest period of the year with a rank, and says so', () => {
    const s = annualStanding(
      2023,
      new Map([
        ['2023-Q4', [standing('2023-Q4', null, 6)]],
        ['2023-11', [standing('2023-11', null, 1)]],
      ]),
    );
    expect(s).toMatchObject({ period: '2023-Q4', rank: 6, fallback: true });
    expect(s!.note).toBe('no standing for 2023 as a whole has been recorded; this is the rank of 2023-Q4, the latest period of the year with a standing');
  });

  it('skips a period whose standing lost its rank, naming the year’s rankless standing', () => {
    const s = annualStanding(
      2023,
      new Map([
        ['2023', [standing('2023', null, 2), standing('2023', 2, null)]],
        ['2023-12', [standing('2023-12', null, 4)]],
      ]),
    );
    expect(s).toMatchObject({ period: '2023-12', rank: 4, fallback: true, note: expect.stringContaining('the standing for 2023 as a whole has no rank') });
  });

  it('is null when no period of the year has a rank', () => {
    expect(annualStanding(2023, new Map([['2023-06', [figures('2023-06')]]]))).toBeNull();
  });
});
