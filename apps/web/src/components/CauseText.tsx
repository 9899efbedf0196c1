import { useTranslation } from 'react-i18next';
import { countyName, usePlan } from '../app/plan';
import type { StandingChange } from '../api/models';

type Figure = { value?: number | null; rank?: number | null };

/**
 * Why a standing changed, in the reader's language. The API also sends an English `explanation`
 * (for the CLI and exports); the screen builds its own from the structured cause instead.
 */
export function CauseText({ cause }: { cause: StandingChange['cause'] }) {
  const { t } = useTranslation();
  const plan = usePlan();
  const county = (id: unknown) => countyName(plan, String(id));
  // A rank-only indicator has no value: show the rank instead, as the office would.
  const figure = ({ value, rank }: Figure) => (value === null || value === undefined ? (rank === null || rank === undefined ? '—' : t('cause.rank', { rank })) : String(value));
  const c = cause as Record<string, unknown> & { kind: string };
  const before = figure({ value: c.previous as number | null, rank: c.previousRank as number | null });
  const after = figure({ value: c.value as number | null, rank: c.rank as number | null });
  const along =
    Array.isArray(c.alongWith) && c.alongWith.length
      ? t('cause.alongWith', { counties: (c.alongWith as { countyId: string }[]).map((a) => county(a.countyId)).join(t('cause.listSeparator')) })
      : '';
  switch (c.kind) {
    case 'first-figures':
      return <>{t('cause.firstFigures')}</>;
    case 'own-figure':
      return <>{t('cause.ownFigure', { county: plan.county, before, after }) + along}</>;
    case 'peer-revision':
      return <>{t('cause.peerRevision', { county: county(c.countyId), before, after }) + along}</>;
    case 'correction':
      return <>{t('cause.correction', { county: county(c.countyId), reason: String(c.reason ?? '') })}</>;
    case 'rule-change':
      return <>{t('cause.ruleChange', { revision: c.planRevision })}</>;
    default:
      return <>{t('event.unknown')}</>; // a cause this screen does not know: never its raw code
  }
}
