import type { Projection } from '../../engine/projections/docs.js';
import type { PlanRuleRevised } from '../plan/plan.events.js';
import type { FiguresRef } from './ranking.decider.js';
import { figuresStream, type PeerFiguresRecorded } from './ranking.events.js';

/**
 * When the plan's warning tiers are revised, every figures stream of that plan must recompute its
 * warning, whoever revised them and however (HTTP, CLI, an import of a plan file). This consumer
 * follows the global order like a projection: it learns which figures streams exist from
 * PeerFiguresRecorded, and on PlanRuleRevised (warningTiers) sends ranking.ApplyRuleChange to each.
 *
 * Each command's id is derived from the plan event's id and the stream, so a redelivery (a crash
 * before the checkpoint committed, a rebuild, two API instances) is answered, not repeated; and
 * ApplyRuleChange is itself a no-op when the warning already follows the tiers in force.
 * It keeps no view anyone reads, and is never folded "as of" a moment.
 */
export const RULE_CHANGE_REACTOR = 'ranking-rule-change-reactor';

export interface RuleChangeTrigger {
  commandId: string;
  causationId: string;
  correlationId: string;
  reason: string;
}

export function ruleChangeReactor(send: (ref: FiguresRef, trigger: RuleChangeTrigger) => Promise<unknown>): Projection {
  return {
    name: RULE_CHANGE_REACTOR,
    version: 1,
    eventTypes: ['PlanRuleRevised', 'PeerFiguresRecorded'],
    async apply(e, docs) {
      if (e.type === 'PeerFiguresRecorded') {
        const d = e.data as PeerFiguresRecorded['data'];
        const key = `${d.planId}/${figuresStream(d.planId, d.indicatorNo, d.period)}`;
        if (!(await docs.get('streams', key))) docs.put('streams', key, { planId: d.planId, indicatorNo: d.indicatorNo, period: d.period } satisfies FiguresRef);
        return;
      }
      const d = e.data as PlanRuleRevised['data'];
      if (d.rule !== 'warningTiers') return;
      const why = e.metadata.reason ? `warning tiers revised: ${e.metadata.reason}` : 'warning tiers revised';
      for (const { doc } of await docs.list<FiguresRef>('streams', `${d.planId}/`)) {
        await send(doc, {
          commandId: `rule-change-${e.id}-${figuresStream(doc.planId, doc.indicatorNo, doc.period)}`,
          causationId: e.id,
          correlationId: e.metadata.correlationId,
          reason: why,
        });
      }
    },
  };
}
