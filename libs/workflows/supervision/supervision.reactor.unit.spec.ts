import { DomainError, type Command } from '../../engine/commands/command.js';
import type { CommandResult } from '../../engine/commands/command-executor.js';
import { RecordedEvent } from '../../engine/event-store/event-store.js';
import { MemoryDocs } from '../../engine/projections/docs.js';
import { REACTOR_OUTCOMES, reactorProjection } from '../../engine/reactors/reactor-projection.js';
import type { ReactorOutcome } from '../../engine/reactors/reactor.js';
import type { QuarterPublished, QuarterSnapshot, SnapshotRow } from '../assessment/assessment.events.js';
import { caseLineStream } from './supervision.events.js';
import type { SupervisionRequest } from './supervision.handlers.js';
import { openingsFor, reactionOf, supervisionReactor } from './supervision.reactor.js';

const planId = 'ye-county-2023';
const row = (no: number, units: string[], warning: SnapshotRow['warning'], period: string | null = '2023-Q3'): SnapshotRow => ({
  indicatorNo: no,
  name: `指标${no}`,
  points: 3,
  units,
  value: 1,
  rank: warning === 'red' ? 6 : 1,
  warning,
  score: 1,
  basedOn: '000001',
  period,
});
const snapshot: QuarterSnapshot = {
  planId,
  quarter: '2023-Q3',
  figuresPeriod: '2023-Q3',
  scoringRuleVersion: 1,
  rows: [row(1, ['fgw'], 'green'), row(15, ['fgw', 'czj'], 'red'), row(28, ['sthjj'], 'red', '2023-09'), row(30, ['zjj'], null, null)],
  totalScore: 4,
  maxScore: 12,
  counts: { green: 1, yellow: 0, red: 2, missing: 1 },
  asOfPosition: '000090',
};
const published = (id = 'e0c4f1f6-0000-4000-8000-000000000001') =>
  new RecordedEvent(
    'assessment-ye-county-2023-2023-Q3',
    3,
    '000100',
    id,
    'QuarterPublished',
    { planId, quarter: '2023-Q3', snapshot, notified: [] } satisfies QuarterPublished['data'],
    JSON.stringify({ actor: { userId: 'office-1', role: 'office' }, commandId: 'p', correlationId: 'corr-1', causationId: 'p', recordedAt: '2023-10-13T02:00:00.000Z' }),
  );

describe('the supervision reactor', () => {
  it('opens a case for every red row and every responsible unit: indicator 15 opens two, one per unit', () => {
    const openings = openingsFor(published());
    expect(openings.map((o) => [o.unitId, o.indicatorNo])).toEqual([
      ['fgw', 15],
      ['czj', 15],
      ['sthjj', 28],
    ]);
    expect(new Set(openings.map((o) => caseLineStream(o))).size).toBe(3);
    expect(openings[2]!.warning).toEqual({
      quarter: '2023-Q3',
      figuresPeriod: '2023-09',
      value: 1,
      rank: 6,
      warning: 'red',
      source: { kind: 'quarter-published', eventId: published().id, position: '000100' },
    });
  });

  it('a provisional red (fewer than six counties’ figures) opens no case, and the reactor says why (issue 12)', async () => {
    const withProvisional = { ...snapshot, rows: [...snapshot.rows, { ...row(7, ['gxj'], 'red'), provisional: true }] };
    const e = new RecordedEvent(
      published().streamId,
      3,
      '000100',
      published().id,
      'QuarterPublished',
      { planId, quarter: '2023-Q3', snapshot: withProvisional, notified: [] } satisfies QuarterPublished['data'],
      JSON.stringify(published().metadata),
    );
    expect(openingsFor(e).map((o) => o.indicatorNo)).toEqual([15, 15, 28]);
    const outputs = await supervisionReactor.react(e, { memory: new MemoryDocs(), now: '2023-10-13T02:00:00.000Z' });
    expect(outputs[0]).toEqual({ kind: 'ignore', reason: expect.stringMatching(/provisional red.*indicator 7$/) });
    expect(outputs.filter((o) => o.kind === 'send')).toHaveLength(3);
  });

  it('derives command ids from the published event, unit and indicator: a redelivery sends the same commands', () => {
    expect(openingsFor(published()).map((o) => o.commandId)).toEqual(openingsFor(published()).map((o) => o.commandId));
    expect(openingsFor(published()).map((o) => o.commandId)).toEqual([
      'supervision-open-e0c4f1f6-0000-4000-8000-000000000001-fgw-15',
      'supervision-open-e0c4f1f6-0000-4000-8000-000000000001-czj-15',
      'supervision-open-e0c4f1f6-0000-4000-8000-000000000001-sthjj-28',
    ]);
  });

  it('records each outcome; a refusal by the rules is recorded with its reason, not retried forever', async () => {
    const sent: Command[] = [];
    const reactor = reactorProjection(
      supervisionReactor,
      async (c) => {
        sent.push(c);
        const o = (c as SupervisionRequest).data;
        if (o.unitId === 'czj') throw new DomainError('unit-not-responsible', '县财政局 is not responsible');
        const type = o.unitId === 'fgw' ? 'CaseOpened' : 'CaseWarningLinked';
        return { streamId: caseLineStream(o), revision: 0, events: [{ type, data: { caseNo: 1 } }] } satisfies CommandResult;
      },
      () => '2023-10-13T02:00:01.000Z',
    );
    const docs = await new MemoryDocs().fold([published()], reactor);
    expect(sent).toHaveLength(3);
    const records = (await docs.list<ReactorOutcome>(REACTOR_OUTCOMES)).map(reactionOf).map((r) => [r.unitId, r.outcome, r.refusal?.code ?? null]);
    expect(records).toEqual(
      expect.arrayContaining([
        ['fgw', 'opened', null],
        ['czj', 'refused', 'unit-not-responsible'],
        ['sthjj', 'linked', null],
      ]),
    );
  });

  it('a quarter published without a red warning sends nothing, and says why', async () => {
    const calm = new RecordedEvent(
      published().streamId,
      3,
      '000100',
      published().id,
      'QuarterPublished',
      { ...published().data, snapshot: { ...snapshot, rows: snapshot.rows.filter((r) => r.warning !== 'red') } },
      JSON.stringify(published().metadata),
    );
    const outputs = await supervisionReactor.react(calm, { memory: new MemoryDocs(), now: '2023-10-13T02:00:01.000Z' });
    expect(outputs).toEqual([{ kind: 'ignore', reason: 'plan ye-county-2023: 2023-Q3 was published without a red warning' }]);
  });

  it('sends each opening as the system, caused by and correlated with the published event', async () => {
    const [first] = await supervisionReactor.react(published(), { memory: new MemoryDocs(), now: '2023-10-13T02:00:01.000Z' });
    expect(first).toMatchObject({
      kind: 'send',
      key: `${planId}/${published().id}/fgw/15`,
      command: {
        type: 'supervision.Open',
        data: { planId, unitId: 'fgw', indicatorNo: 15 },
        meta: {
          commandId: `supervision-open-${published().id}-fgw-15`,
          actor: { userId: 'system' },
          causationId: published().id,
          correlationId: 'corr-1',
          now: '2023-10-13T02:00:01.000Z',
        },
      },
    });
  });

  it('any other failure is thrown, so the runner retries the event', async () => {
    const reactor = reactorProjection(
      supervisionReactor,
      async () => {
        throw new Error('connection lost');
      },
      () => '2023-10-13T02:00:01.000Z',
    );
    await expect(new MemoryDocs().fold([published()], reactor)).rejects.toThrow('connection lost');
  });
});
