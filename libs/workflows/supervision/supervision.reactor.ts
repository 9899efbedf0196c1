import type { Principal } from '../../engine/commands/command.js';
import type { RecordedEvent } from '../../engine/event-store/event-store.js';
import type { Reactor, ReactorOutcome, ReactorOutput } from '../../engine/reactors/reactor.js';
import type { QuarterPublished } from '../assessment/assessment.events.js';
import type { SupervisionRequest } from './supervision.handlers.js';
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
  return (
    snapshot.rows
      // A provisional red (fewer than six counties' figures) opens no case: it may change when the rest arrive.
      .filter((r) => r.warning === 'red' && !r.provisional)
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
      )
  );
}

/** The command an opening sends: as the system, caused by (and correlated with) the published event, at `now`. */
export function openCommandFor(o: Opening, cause: RecordedEvent, now: string): SupervisionRequest {
  return {
    type: 'supervision.Open',
    data: { planId: o.planId, unitId: o.unitId, indicatorNo: o.indicatorNo, warning: o.warning },
    meta: { commandId: o.commandId, actor: SUPERVISION_SYSTEM, now, causationId: cause.id, correlationId: cause.metadata.correlationId },
  };
}

export const SUPERVISION_REACTOR = 'supervision-reactor';

/** Where an opening's outcome is kept in the reactor's `outcomes`: by plan, published event, unit and indicator. */
export const reactionKey = (planId: string, eventId: string, unitId: string, indicatorNo: number) => `${planId}/${eventId}/${unitId}/${indicatorNo}`;

/**
 * The rule "every red warning is supervised", as a reactor the supervision workflow declares: fed
 * QuarterPublished in the global order, it sends supervision.Open for each red row and responsible
 * unit. The engine runs it on its own checkpoint and records what each command came to in its
 * `outcomes` (a refusal by the rules with its reason, not retried), each opening under its
 * reactionKey; a quarter without a red row is recorded as ignored, with the reason, under the
 * engine's default key. Command ids derived from the event make a redelivery (a crash, a rebuild)
 * answered, not repeated.
 */
export const supervisionReactor: Reactor = {
  name: SUPERVISION_REACTOR,
  version: 1,
  eventTypes: ['QuarterPublished'],
  react(e, { now }): ReactorOutput[] {
    const openings = openingsFor(e);
    const { planId, quarter, snapshot } = e.data as QuarterPublished['data'];
    // One ignore output under the engine's default key (reactionOf reads only the openings' keys).
    const provisional = snapshot.rows.filter((r) => r.warning === 'red' && r.provisional).map((r) => r.indicatorNo);
    const ignored: ReactorOutput[] = provisional.length
      ? [{ kind: 'ignore', reason: `plan ${planId}: ${quarter} provisional red (fewer than six counties’ figures), no case opened: indicator ${provisional.join(', ')}` }]
      : [];
    if (openings.length === 0 && ignored.length === 0) return [{ kind: 'ignore', reason: `plan ${planId}: ${quarter} was published without a red warning` }];
    const sends = openings.map((o): ReactorOutput => ({ kind: 'send', command: openCommandFor(o, e, now), key: reactionKey(o.planId, e.id, o.unitId, o.indicatorNo) }));
    return [...ignored, ...sends];
  },
};

export type Outcome = 'opened' | 'linked' | 'already-covered' | 'refused';

/** Pure: what an automatic opening came to, from the outcome the engine recorded for its command (a sent one). */
export function outcomeOf(o: ReactorOutcome): Outcome {
  if (o.result?.outcome === 'refused') return 'refused';
  const first = o.result?.firstEvent?.type;
  return first === 'CaseOpened' ? 'opened' : first === 'CaseWarningLinked' ? 'linked' : 'already-covered';
}

/** One automatic opening as read back from the reactor's `outcomes`. */
export interface Reaction extends CaseLineRef {
  eventId: string;
  outcome: Outcome;
  caseNo: number | null;
  refusal?: { code: string; message: string };
}

/** Pure: a recorded outcome (its key, see reactionKey, and document) as the opening it answered. */
export function reactionOf({ key, doc }: { key: string; doc: ReactorOutcome }): Reaction {
  const parts = key.split('/');
  const indicatorNo = Number(parts.pop());
  const unitId = parts.pop()!;
  const eventId = parts.pop()!;
  const outcome = outcomeOf(doc);
  const caseNo = (doc.result?.firstEvent?.data as { caseNo?: number } | undefined)?.caseNo ?? null;
  return {
    planId: parts.join('/'),
    unitId,
    indicatorNo,
    eventId,
    outcome,
    caseNo: outcome === 'refused' ? null : caseNo,
    ...(outcome === 'refused' ? { refusal: { code: doc.result?.code ?? 'refused', message: doc.result?.message ?? '' } } : {}),
  };
}
