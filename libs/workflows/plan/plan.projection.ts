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
    const planId = event.type === 'PlanPublished' ? event.data.plan.id : event.data.planId;
    const current = await docs.get<PlanDoc>('plan', planId);
    const state = evolvePlan(current ? { status: 'published', plan: current.plan } : { status: 'none' }, event);
    if (state.status !== 'published') return;
    const m = e.metadata;
    docs.put('plan', planId, {
      plan: state.plan,
      revision: e.revision,
      publishedAt: current?.publishedAt ?? m.recordedAt,
      updatedAt: m.recordedAt,
    } satisfies PlanDoc);
    const change: PlanChangeDoc = {
      planId,
      revision: e.revision,
      type: event.type,
      summary: summarize(event),
      data: event.type === 'PlanPublished' ? { source: event.data.source } : event.data,
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
  const planId = event.type === 'PlanPublished' ? event.data.plan.id : event.data.planId;
  const current = await docs.get<PlanDefinition>('plan', planId);
  const state = evolvePlan(current ? { status: 'published', plan: current } : { status: 'none' }, event);
  if (state.status === 'published') docs.put('plan', planId, state.plan);
}

function summarize(e: PlanEvent): string {
  switch (e.type) {
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
