import type { RecordedEvent } from '../../engine/event-store/event-store.js';
import type { DocWriter, Projection } from '../../engine/projections/docs.js';
import type { PlanDefinition } from './plan-file.js';
import { evolvePlan } from './plan.decider.js';
import { PLAN_EVENT_TYPES, type PlanEvent } from './plan.events.js';

export const PLANS_PROJECTION = 'plans';

export interface PlanDoc {
  plan: PlanDefinition;
  revision: number;
  publishedAt: string;
  updatedAt: string;
}

/** Next year's plan while it is prepared (issue 15): not a plan yet, so not under 'plan'. */
export interface DraftDoc {
  plan: PlanDefinition;
  revision: number;
  from: { planId: string; revision: number };
  draftedAt: string;
  updatedAt: string;
}

export interface PlanChangeDoc {
  planId: string;
  revision: number;
  type: PlanEvent['type'];
  summary: string;
  data: unknown;
  actor: { userId: string; role: string; name?: string };
  reason?: string;
  recordedAt: string;
  position: string;
}

/** The current plans, and the history of every change to them with who and why. */
export const plansProjection: Projection = {
  name: PLANS_PROJECTION,
  version: 1,
  eventTypes: PLAN_EVENT_TYPES,
  async apply(e, docs) {
    const event = { type: e.type, data: e.data } as PlanEvent;
    const planId = planIdOf(event);
    const current = await docs.get<PlanDoc>('plan', planId);
    const draft = current ? undefined : await docs.get<DraftDoc>('draft', planId);
    const state = evolvePlan(current ? { status: 'published', plan: current.plan } : draft ? { status: 'draft', plan: draft.plan } : { status: 'none' }, event);
    if (state.status === 'none') return;
    const m = e.metadata;
    if (state.status === 'draft') {
      docs.put('draft', planId, {
        plan: state.plan,
        revision: e.revision,
        from: draft?.from ?? (event.type === 'PlanDrafted' ? event.data.from : { planId: '', revision: 0 }),
        draftedAt: draft?.draftedAt ?? m.recordedAt,
        updatedAt: m.recordedAt,
      } satisfies DraftDoc);
    } else {
      // A published draft is a plan like any other: the draft document goes.
      if (draft) docs.delete('draft', planId);
      docs.put('plan', planId, {
        plan: state.plan,
        revision: e.revision,
        publishedAt: current?.publishedAt ?? m.recordedAt,
        updatedAt: m.recordedAt,
      } satisfies PlanDoc);
    }
    const change: PlanChangeDoc = {
      planId,
      revision: e.revision,
      type: event.type,
      summary: summarize(event),
      data: event.type === 'PlanPublished' ? { source: event.data.source } : event.type === 'PlanDrafted' ? { from: event.data.from, year: event.data.plan.year } : event.data,
      actor: { userId: m.actor.userId, role: m.actor.role, ...(m.actor.name ? { name: m.actor.name } : {}) },
      ...(m.reason ? { reason: m.reason } : {}),
      recordedAt: m.recordedAt,
      position: e.position,
    };
    docs.put('changes', `${planId}/${String(e.revision).padStart(6, '0')}`, change);
  },
};

/**
 * For a projection that reads the plan with its own documents: folds a plan event into the plan as
 * it stands, kept under ('plan', plan id).
 */
export async function applyPlanEvent(e: RecordedEvent, docs: DocWriter): Promise<void> {
  const event = { type: e.type, data: e.data } as PlanEvent;
  // Drafts are not plans: their events pass by until the PlanPublished that carries the whole plan.
  if (event.type === 'PlanDrafted') return;
  const planId = planIdOf(event);
  // Peeked, not copied: evolvePlan is pure (it spreads), and the plan is the largest document.
  const current = await docs.peek<PlanDefinition>('plan', planId);
  const state = evolvePlan(current ? { status: 'published', plan: current } : { status: 'none' }, event);
  if (state.status === 'published') docs.put('plan', planId, state.plan);
}

export function planIdOf(event: PlanEvent): string {
  return event.type === 'PlanPublished' || event.type === 'PlanDrafted' ? event.data.plan.id : event.data.planId;
}

function summarize(e: PlanEvent): string {
  switch (e.type) {
    case 'PlanDrafted':
      return `drafted ${e.data.plan.year} from ${e.data.from.planId}`;
    case 'PlanPublished':
      return `published ${e.data.plan.documentNumber} (${e.data.plan.indicators.length} indicators, ${e.data.plan.totalPoints} points) from ${e.data.source.file}`;
    case 'PlanTargetSet':
      return `indicator ${e.data.indicatorNo}: target ${e.data.previous ?? '—'} → ${e.data.target ?? '—'}`;
    case 'PlanBaselineSet':
      return `indicator ${e.data.indicatorNo}: 2022 result ${e.data.previous.value ?? '—'} (rank ${e.data.previous.rank ?? '—'}) → ${e.data.value ?? '—'} (rank ${e.data.rank ?? '—'})`;
    case 'PlanRuleRevised':
      return `rule ${e.data.rule} revised`;
  }
}
