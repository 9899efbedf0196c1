import { Alert, Spin } from 'antd';
import { createContext, useContext, useEffect, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { plans } from '../api/endpoints';
import { atHand, preloaded } from '../api/http';
import { peekArrived, preloadKeys } from '../preload';
import type { Plan } from '../api/models';
import { setDisplayTimeZone } from '../lib/format';
import { useAsync } from '../lib/useAsync';
import { problemText } from '../components/problems';

const PlanContext = createContext<Plan | undefined>(undefined);

/** The plan every page works on: the first published (the deployment's), with its units and indicators. */
export function PlanProvider({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  // Both asked for as the page loaded (src/preload.ts); the plan is often there before the session has answered.
  const plan = useAsync(
    async () => {
      const list = await preloaded(preloadKeys.plans, () => plans.list());
      const first = list[0];
      if (!first) return null;
      return preloaded(preloadKeys.plan(first.id), () => plans.get(first.id));
    },
    [],
    {
      value: () => {
        const id = firstPlanId();
        return id ? atHand<Plan>(preloadKeys.plan(id)).value() : undefined;
      },
      taken: () => {
        const id = firstPlanId();
        atHand(preloadKeys.plans).taken();
        if (id) atHand(preloadKeys.plan(id)).taken();
      },
    },
  );
  useEffect(() => {
    if (plan.data) setDisplayTimeZone(plan.data.monthlyReport.timeZone);
  }, [plan.data]);
  if (plan.loading && !plan.data) return <Spin style={{ display: 'block', margin: '20vh auto' }} />;
  if (plan.error) return <Alert type="error" showIcon title={t('plan.loadFailed')} description={problemText(plan.error)} />;
  if (!plan.data) return <Alert type="warning" showIcon title={t('plan.none')} />;
  return <PlanContext.Provider value={plan.data}>{children}</PlanContext.Provider>;
}

const firstPlanId = (): string | undefined => (peekArrived(preloadKeys.plans) as { id: string }[] | undefined)?.[0]?.id;

/** The plan when a PlanProvider is above, else undefined (components that also render outside one). */
export function usePlanIfAny(): Plan | undefined {
  return useContext(PlanContext) ?? undefined;
}

export function usePlan(): Plan {
  const p = useContext(PlanContext);
  if (!p) throw new Error('usePlan outside PlanProvider');
  return p;
}

export function unitName(plan: Plan, unitId: string): string {
  return plan.units.find((u) => u.id === unitId)?.shortName ?? unitId;
}

/** The plan's units as choices of a Select, by short name. */
export function unitOptions(plan: Plan): { value: string; label: string }[] {
  return plan.units.map((u) => ({ value: u.id, label: u.shortName }));
}

/** One of the six counties of the peer group, by name. */
export function countyName(plan: Plan, countyId: string): string {
  return plan.peerGroup.counties.find((c) => c.id === countyId)?.name ?? countyId;
}

export function uomSymbol(plan: Plan, id: string): string {
  return plan.unitsOfMeasure.find((u) => u.id === id)?.symbol ?? '';
}
