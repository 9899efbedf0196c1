import { DomainError, ForbiddenError, type Principal } from '../../engine/commands/command.js';
import type { CommandResult } from '../../engine/commands/command-executor.js';
import type { RecordedEvent } from '../../engine/event-store/event-store.js';
import type { Projection } from '../../engine/projections/docs.js';
import type { QuarterPublished } from '../assessment/assessment.events.js';
import type { CaseLineRef, RedWarning } from './supervision.events.js';

/** Automatic openings act as the system, on behalf of the rule "every red warning is supervised". */
export const SUPERVISION_SYSTEM: Principal = { userId: 'system', name: '系统 (红色预警自动立案)', roles: ['system'] };

export interface Opening extends CaseLineRef {
  /** Derived from the published event and the unit and indicator: a redelivered event opens nothing twice. */
  commandId: string;
  warning: RedWarning;
}

/**
 * Pure: the supervision.Open commands a published quarter calls for, one per red row and
 * responsible unit (an indicator with two units, like no. 15, opens two cases).
 */
export function openingsFor(e: RecordedEvent): Opening[] {
  if (e.type !== 'QuarterPublished') return [];
  const { planId, quarter, snapshot } = e.data as QuarterPublished['data'];
  return snapshot.rows
    .filter((r) => r.warning === 'red')
    .flatMap((r) =>
      r.units.map((unitId) => ({
        planId,
        unitId,
        indicatorNo: r.indicatorNo,
        commandId: `supervision-open-${e.id}-${unitId}-${r.indicatorNo}`,
        warning: {
          quarter,
          figuresPeriod: r.period ?? snapshot.figuresPeriod,
          value: r.value,
          rank: r.rank,
          warning: 'red' as const,
          source: { kind: 'quarter-published' as const, eventId: e.id, position: e.position },
        },
      })),
    );
}

export type Outcome = 'opened' | 'linked' | 'already-covered' | 'refused';

/** What each automatic opening came to, kept so nothing is dropped silently. */
export interface ReactionRecord extends CaseLineRef {
  eventId: string;
  quarter: string;
  outcome: Outcome;
  caseNo: number | null;
  refusal?: { code: string; message: string };
}

export const SUPERVISION_REACTOR = 'supervision-reactor';

/**
 * A reactor: registered with the engine like a projection, fed QuarterPublished in the global order,
 * and answering each red row with a command. The projection runner's exactly-once checkpoint plus
 * command ids derived from the event make a replay (a crash, a rebuild) harmless. A refusal by the
 * rules is recorded with its reason and not retried; any other failure is retried by the runner.
 */
export function supervisionReactor(open: (o: Opening, cause: RecordedEvent) => Promise<CommandResult>): Projection {
  return {
    name: SUPERVISION_REACTOR,
    version: 1,
    eventTypes: ['QuarterPublished'],
    async apply(e, docs) {
      for (const o of openingsFor(e)) {
        const base = { planId: o.planId, unitId: o.unitId, indicatorNo: o.indicatorNo, eventId: e.id, quarter: o.warning.quarter };
        let record: ReactionRecord;
        try {
          const r = await open(o, e);
          const first = r.events[0] as { type: string; data: { caseNo?: number } } | undefined;
          const outcome: Outcome = first?.type === 'CaseOpened' ? 'opened' : first?.type === 'CaseWarningLinked' ? 'linked' : 'already-covered';
          record = { ...base, outcome, caseNo: first?.data.caseNo ?? null };
        } catch (err) {
          if (!(err instanceof DomainError || err instanceof ForbiddenError)) throw err;
          record = { ...base, outcome: 'refused', caseNo: null, refusal: { code: err.code, message: err.message } };
        }
        docs.put('reactions', `${o.planId}/${e.id}/${o.unitId}/${o.indicatorNo}`, record);
      }
    },
  };
}
