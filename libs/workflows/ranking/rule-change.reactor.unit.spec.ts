import { RecordedEvent } from '../../engine/event-store/event-store.js';
import { MemoryDocs } from '../../engine/projections/docs.js';
import type { FiguresRef } from './ranking.decider.js';
import { ruleChangeReactor, type RuleChangeTrigger } from './rule-change.reactor.js';

let position = 0;
const event = (streamId: string, type: string, data: object, reason?: string) =>
  new RecordedEvent(
    streamId,
    0,
    String(++position),
    `event-${position}`,
    type,
    data,
    JSON.stringify({ actor: { userId: 'office-1', role: 'office' }, commandId: `c${position}`, correlationId: `corr-${position}`, causationId: `c${position}`, recordedAt: '2023-07-01T00:00:00.000Z', ...(reason ? { reason } : {}) }),
  );
const recorded = (planId: string, indicatorNo: number, period: string) =>
  event(`figures-${planId}-${indicatorNo}-${period}`, 'PeerFiguresRecorded', { planId, indicatorNo, period, figures: [], source: { kind: 'manual' }, revised: [] });

describe('the rule-change reaction', () => {
  it('sends ApplyRuleChange to every figures stream of the plan when its warning tiers are revised, with ids derived from the plan event and the stream', async () => {
    const sent: { ref: FiguresRef; trigger: RuleChangeTrigger }[] = [];
    const reactor = ruleChangeReactor(async (ref, trigger) => sent.push({ ref, trigger }));
    const docs = new MemoryDocs();
    const revision = event('plan-p', 'PlanRuleRevised', { planId: 'p', rule: 'warningTiers', value: [], previous: [] }, '市里调整预警档次');
    await docs.fold(
      [
        recorded('p', 7, '2023-Q2'),
        recorded('p', 7, '2023-Q2'),
        recorded('p', 28, '2023-08'),
        recorded('other', 7, '2023-Q2'),
        event('plan-p', 'PlanRuleRevised', { planId: 'p', rule: 'monthlyReport', value: {}, previous: {} }),
        revision,
      ],
      reactor,
    );
    expect(sent.map((s) => s.ref)).toEqual([
      { planId: 'p', indicatorNo: 28, period: '2023-08' },
      { planId: 'p', indicatorNo: 7, period: '2023-Q2' },
    ]);
    expect(sent[1]!.trigger).toEqual({
      commandId: `rule-change-${revision.id}-figures-p-7-2023-Q2`,
      causationId: revision.id,
      correlationId: revision.metadata.correlationId,
      reason: 'warning tiers revised: 市里调整预警档次',
    });
    // Delivered again (a crash before the checkpoint, a rebuild): the same commands, so the store answers them once.
    const again: RuleChangeTrigger[] = [];
    await new MemoryDocs().fold([recorded('p', 28, '2023-08'), recorded('p', 7, '2023-Q2'), revision], ruleChangeReactor(async (_ref, t) => again.push(t)));
    expect(again.map((t) => t.commandId).sort()).toEqual(sent.map((s) => s.trigger.commandId).sort());
  });
});
