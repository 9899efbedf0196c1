import type { Reactor, ReactorOutput } from '../../engine/reactors/reactor.js';
import { SYSTEM_PRINCIPAL } from '../../engine/timers/timer-scheduler.js';
import type { PlanRuleRevised } from '../plan/plan.events.js';
import type { FiguresRef } from './ranking.decider.js';
import { figuresStream, type PeerFiguresRecorded } from './ranking.events.js';

/**
 * When the plan's warning tiers are revised, every figures stream of that plan must recompute its
 * warning, whoever revised them and however (HTTP, CLI, an import of a plan file). This reactor
 * follows the global order on its own checkpoint: it learns which figures streams exist from
 * PeerFiguresRecorded (its memory, `streams`), and on PlanRuleRevised (warningTiers) its outputs
 * send ranking.ApplyRuleChange to each; the engine records each output's outcome.
 *
 * Each command's id is derived from the plan event's id and the stream, so a redelivery (a crash
 * before the checkpoint committed, a rebuild, two API instances) is answered, not repeated; and
 * ApplyRuleChange is itself a no-op when the warning already follows the tiers in force.
 */
export const RULE_CHANGE_REACTOR = 'ranking-rule-change-reactor';

/** Why the system recomputes a stream's warning: the ids and reason its command carries. */
export interface RuleChangeTrigger {
  commandId: string;
  causationId: string;
  correlationId: string;
  reason: string;
}

/** The system's ranking.ApplyRuleChange for one figures stream. */
export function applyRuleChange(ref: FiguresRef, trigger: RuleChangeTrigger, now: string) {
  return {
    type: 'ranking.ApplyRuleChange' as const,
    data: { planId: ref.planId, indicatorNo: ref.indicatorNo, period: ref.period },
    meta: {
      commandId: trigger.commandId,
      causationId: trigger.causationId,
      correlationId: trigger.correlationId,
      actor: SYSTEM_PRINCIPAL,
      now,
      reason: trigger.reason,
    },
  };
}

export const ruleChangeReactor: Reactor = {
  name: RULE_CHANGE_REACTOR,
  version: 1,
  eventTypes: ['PlanRuleRevised', 'PeerFiguresRecorded'],
  async react(e, { memory, now }): Promise<ReactorOutput[]> {
    if (e.type === 'PeerFiguresRecorded') {
      const d = e.data as PeerFiguresRecorded['data'];
      const key = `${d.planId}/${figuresStream(d.planId, d.indicatorNo, d.period)}`;
      if (!(await memory.get('streams', key))) memory.put('streams', key, { planId: d.planId, indicatorNo: d.indicatorNo, period: d.period } satisfies FiguresRef);
      return [];
    }
    const d = e.data as PlanRuleRevised['data'];
    if (d.rule !== 'warningTiers') return [{ kind: 'ignore', reason: `plan ${d.planId}: ${d.rule} revised, not the warning tiers` }];
    const streams = await memory.list<FiguresRef>('streams', `${d.planId}/`);
    if (streams.length === 0) return [{ kind: 'ignore', reason: `plan ${d.planId}: warning tiers revised before any figures were recorded` }];
    const why = e.metadata.reason ? `warning tiers revised: ${e.metadata.reason}` : 'warning tiers revised';
    return streams.map(({ doc }) => ({
      kind: 'send',
      command: applyRuleChange(
        doc,
        {
          commandId: `rule-change-${e.id}-${figuresStream(doc.planId, doc.indicatorNo, doc.period)}`,
          causationId: e.id,
          correlationId: e.metadata.correlationId,
          reason: why,
        },
        now,
      ),
    }));
  },
};
