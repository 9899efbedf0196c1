import type { DocReader, Projection } from '../../engine/projections/docs.js';
import type { PlanDefinition } from '../plan/plan-file.js';
import { evolvePlan } from '../plan/plan.decider.js';
import { PLAN_EVENT_TYPES, type PlanEvent } from '../plan/plan.events.js';
import { tierOf, type Tier } from '../reporting/report-content.js';
import type { ReportingEvent } from '../reporting/reporting.events.js';

/**
 * Annex 2 (一览表): the monthly table the office compiles, with the seed's columns. A read model
 * over the plan's and the reports' published events; for "as known at" it is folded from those
 * events alone, with this same code.
 */
export const ANNEX2_PROJECTION = 'annex2';

export const ANNEX2_EVENT_TYPES = [...PLAN_EVENT_TYPES, 'ReportSubmitted', 'ReportSigned', 'ReportReceived', 'ReportReturned', 'FigureCorrected'] as const;

export type ResultStatus = 'submitted' | 'signed' | 'received' | 'returned';

export interface UnitResult {
  unitId: string;
  value: number | null;
  rank: number | null;
  status: ResultStatus;
  /** Which figures the office corrected after receipt (the submitted ones stay in the record). */
  corrected: { value?: boolean; rank?: boolean };
  submittedAt: string;
  updatedAt: string;
}

export const resultKey = (planId: string, period: string, no: number, unitId: string) => `${planId}/${period}/${String(no).padStart(3, '0')}/${unitId}`;

export const annex2Projection: Projection = {
  name: ANNEX2_PROJECTION,
  version: 1,
  eventTypes: ANNEX2_EVENT_TYPES,
  async apply(e, docs) {
    if ((PLAN_EVENT_TYPES as readonly string[]).includes(e.type)) {
      const event = { type: e.type, data: e.data } as PlanEvent;
      const planId = event.type === 'PlanPublished' ? event.data.plan.id : event.data.planId;
      const current = await docs.get<PlanDefinition>('plan', planId);
      const state = evolvePlan(current ? { status: 'published', plan: current } : { status: 'none' }, event);
      if (state.status === 'published') docs.put('plan', planId, state.plan);
      return;
    }
    const event = { type: e.type, data: e.data } as ReportingEvent;
    const at = e.metadata.recordedAt;
    switch (event.type) {
      case 'ReportSubmitted': {
        const { planId, period, unitId } = event.data;
        for (const l of event.data.lines) {
          const r: UnitResult = { unitId, value: l.value, rank: l.rank, status: 'submitted', corrected: {}, submittedAt: at, updatedAt: at };
          docs.put('results', resultKey(planId, period, l.indicatorNo, unitId), r);
        }
        return;
      }
      case 'ReportSigned':
      case 'ReportReceived':
      case 'ReportReturned': {
        const { planId, period, unitId } = event.data;
        const status: ResultStatus = event.type === 'ReportSigned' ? 'signed' : event.type === 'ReportReceived' ? 'received' : 'returned';
        for (const { key, doc } of await docs.list<UnitResult>('results', `${planId}/${period}/`)) {
          if (doc.unitId === unitId) docs.put('results', key, { ...doc, status, updatedAt: at });
        }
        return;
      }
      case 'FigureCorrected': {
        const { planId, period, unitId, indicatorNo, field, corrected } = event.data;
        const key = resultKey(planId, period, indicatorNo, unitId);
        const r = await docs.get<UnitResult>('results', key);
        if (r) docs.put('results', key, { ...r, [field]: corrected, corrected: { ...r.corrected, [field]: true }, updatedAt: at });
        return;
      }
      default:
        return;
    }
  },
};

export interface Annex2Row {
  no: number;
  name: string;
  alias?: string;
  points: number;
  units: { id: string; shortName: string }[];
  unitOfMeasure: { id: string; symbol: string };
  direction: PlanDefinition['indicators'][number]['direction'];
  kind: PlanDefinition['indicators'][number]['kind'];
  baseline: { value: number | null; rank: number | null };
  target: number | null;
  /** 截至本月底完成情况: the responsible unit's figure (the first unit's, where two report). */
  result: number | null;
  /** 六县市排名 */
  rank: number | null;
  rankSource: 'reported' | null;
  /** 预警提示 */
  warning: Tier | null;
  byUnit: UnitResult[];
}

export interface Annex2Table {
  planId: string;
  period: string;
  title: string;
  documentNumber: string;
  county: string;
  totalPoints: number;
  sections: { id: number; numeral: string; title: string; rows: Annex2Row[] }[];
  /** Counts for the header: how many rows have a figure, and by warning colour. */
  summary: { rows: number; withResult: number; green: number; yellow: number; red: number };
}

/** The table of one month from the projection's documents (stored, or folded as of a moment). */
export async function annex2Table(docs: DocReader, planId: string, period: string): Promise<Annex2Table | undefined> {
  const plan = await docs.get<PlanDefinition>('plan', planId);
  if (!plan) return undefined;
  const results = new Map<number, UnitResult[]>();
  for (const { key, doc } of await docs.list<UnitResult>('results', `${planId}/${period}/`)) {
    const no = Number(key.split('/')[2]);
    results.set(no, [...(results.get(no) ?? []), doc]);
  }
  const unitName = new Map(plan.units.map((u) => [u.id, u.shortName]));
  const uom = new Map(plan.unitsOfMeasure.map((u) => [u.id, u.symbol]));
  const summary = { rows: 0, withResult: 0, green: 0, yellow: 0, red: 0 };
  const sections = plan.sections.map((s) => ({
    id: s.id,
    numeral: s.numeral,
    title: s.title,
    rows: plan.indicators
      .filter((i) => i.section === s.id)
      .map((i): Annex2Row => {
        const byUnit = (results.get(i.no) ?? []).sort((a, b) => i.units.indexOf(a.unitId) - i.units.indexOf(b.unitId));
        const lead = byUnit.find((r) => r.value !== null) ?? byUnit[0];
        const rank = lead?.rank ?? null;
        const warning = tierOf(rank, plan.warningTiers);
        summary.rows++;
        if (lead?.value !== null && lead?.value !== undefined) summary.withResult++;
        if (warning) summary[warning]++;
        return {
          no: i.no,
          name: i.name,
          ...(i.alias ? { alias: i.alias } : {}),
          points: i.points,
          units: i.units.map((id) => ({ id, shortName: unitName.get(id) ?? id })),
          unitOfMeasure: { id: i.unitOfMeasure, symbol: uom.get(i.unitOfMeasure) ?? '' },
          direction: i.direction,
          kind: i.kind,
          baseline: i.baseline,
          target: i.target,
          result: lead?.value ?? null,
          rank,
          rankSource: rank === null ? null : 'reported',
          warning,
          byUnit,
        };
      }),
  }));
  return { planId, period, title: plan.title, documentNumber: plan.documentNumber, county: plan.county, totalPoints: plan.totalPoints, sections, summary };
}
