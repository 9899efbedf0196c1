import type { Command } from '../../engine/commands/command.js';
import type { CommandResult } from '../../engine/commands/command-executor.js';
import { RecordedEvent } from '../../engine/event-store/event-store.js';
import { MemoryDocs } from '../../engine/projections/docs.js';
import type { ReactorOutcome } from '../../engine/reactors/reactor.js';
import { REACTOR_OUTCOMES, reactorProjection } from '../../engine/reactors/reactor-projection.js';
import { SYSTEM_PRINCIPAL } from '../../engine/timers/timer-scheduler.js';
import { ruleChangeReactor } from './rule-change.reactor.js';

let position = 0;
const event = (streamId: string, type: string, data: object, reason?: string) =>
  new RecordedEvent(
    streamId,
    0,
    String(++position),
    `event-${position}`,
    type,
    data,
    JSON.stringify({
      actor: { userId: 'office-1', role: 'office' },
      commandId: `c${position}`,
      correlationId: `corr-${position}`,
      causationId: `c${position}`,
      recordedAt: '2023-07-01T00:00:00.000Z',
      ...(reason ? { reason } : {}),
    }),
  );
const recorded = (planId: string, indicatorNo: number, period: string) =>
  event(`figures-${planId}-${indicatorNo}-${period}`, 'PeerFiguresRecorded', { planId, indicatorNo, period, figures: [], source: { kind: 'manual' }, revised: [] });

const NOW = '2023-07-20T02:00:00.000Z';
/** The reactor as the engine runs it, its commands caught instead of sent. */
const running = (sent: Command[]) =>
  reactorProjection(
    ruleChangeReactor,
    async (c): Promise<CommandResult> => {
      sent.push(c);
      return { streamId: 'x', revision: 0, events: [] };
    },
    () => NOW,
  );

describe('the rule-change reaction', () => {
  it('sends ApplyRuleChange to every figures stream of the plan when its warning tiers are revised, with ids derived from the plan event and the stream', async () => {
    const sent: Command[] = [];
    const docs = new MemoryDocs();
    const monthly = event('plan-p', 'PlanRuleRevised', { planId: 'p', rule: 'monthlyReport', value: {}, previous: {} });
    const revision = event('plan-p', 'PlanRuleRevised', { planId: 'p', rule: 'warningTiers', value: [], previous: [] }, '市里调整预警档次');
    await docs.fold([recorded('p', 7, '2023-Q2'), recorded('p', 7, '2023-Q2'), recorded('p', 28, '2023-08'), recorded('other', 7, '2023-Q2'), monthly, revision], running(sent));
    expect(sent.map((c) => [c.type, c.data])).toEqual([
      ['ranking.ApplyRuleChange', { planId: 'p', indicatorNo: 28, period: '2023-08' }],
      ['ranking.ApplyRuleChange', { planId: 'p', indicatorNo: 7, period: '2023-Q2' }],
    ]);
    expect(sent[1]!.meta).toEqual({
      commandId: `rule-change-${revision.id}-figures-p-7-2023-Q2`,
      causationId: revision.id,
      correlationId: revision.metadata.correlationId,
      reason: 'warning tiers revised: 市里调整预警档次',
      actor: SYSTEM_PRINCIPAL,
      now: NOW,
    });
    // Every output is recorded with its outcome, the revision of another rule as ignored with its reason.
    const outcomes = (await docs.list<ReactorOutcome>(REACTOR_OUTCOMES)).map((r) => r.doc);
    expect(
      outcomes
        .filter((o) => o.kind === 'send')
        .map((o) => [o.commandId, o.result?.outcome])
        .sort(),
    ).toEqual(sent.map((c) => [c.meta.commandId, 'nothing-to-do']).sort());
    expect(outcomes.filter((o) => o.kind === 'ignore')).toEqual([expect.objectContaining({ eventId: monthly.id, reason: expect.stringContaining('monthlyReport') })]);
    // Delivered again (a crash before the checkpoint, a rebuild): the same commands, so the store answers them once.
    const again: Command[] = [];
    await new MemoryDocs().fold([recorded('p', 28, '2023-08'), recorded('p', 7, '2023-Q2'), revision], running(again));
    expect(again.map((c) => c.meta.commandId).sort()).toEqual(sent.map((c) => c.meta.commandId).sort());
  });
});
