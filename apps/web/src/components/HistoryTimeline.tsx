import { Timeline } from 'antd';
import { useTranslation } from 'react-i18next';
import { fmtDateTime } from '../lib/format';
import { Who, type WhoBy } from './common';

export interface HistoryStep {
  type: string;
  at: string;
  by: WhoBy;
  reason?: string;
  position: string;
}

/**
 * How a record got where it is: each step's event, when, who, and the reason given. `hideTimers`
 * leaves out the scheduler's own steps (deadlines set and fired); `reasonOnOwnLine` puts the
 * reason under the person instead of after a dash.
 */
export function HistoryTimeline({ steps, hideTimers = false, reasonOnOwnLine = false }: { steps: readonly HistoryStep[]; hideTimers?: boolean; reasonOnOwnLine?: boolean }) {
  const { t } = useTranslation();
  return (
    <Timeline
      items={(hideTimers ? steps.filter((s) => !s.type.startsWith('Timer')) : steps).map((s) => ({
        key: s.position,
        title: `${t(`event.${s.type}`, { defaultValue: t('event.unknown') })} · ${fmtDateTime(s.at)}`,
        content: (
          <>
            <Who by={s.by} />
            {reasonOnOwnLine ? s.reason ? <div>{s.reason}</div> : null : s.reason ? ` — ${s.reason}` : ''}
          </>
        ),
      }))}
    />
  );
}
