import { ClockCircleOutlined } from '@ant-design/icons';
import { Button, Select, Space, Tag, Tooltip, Typography } from 'antd';
import { lazy, Suspense, useState, type CSSProperties, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Tier } from '../api/models';
import { fmtDateTime, fmtPeriod } from '../lib/format';

export const TIER_COLOURS: Record<Tier, { bg: string; fg: string; tag: string }> = {
  green: { bg: '#d9f7be', fg: '#135200', tag: 'green' },
  yellow: { bg: '#fff1b8', fg: '#614700', tag: 'gold' },
  red: { bg: '#ffccc7', fg: '#820014', tag: 'red' },
};

export function WarningTag({ tier }: { tier: Tier | null | undefined }) {
  const { t } = useTranslation();
  if (!tier) return <Typography.Text type="secondary">—</Typography.Text>;
  // Colour, word and shape (● ▲ ■) each tell the tier: red against green alone fails colour-blind readers.
  const c = TIER_COLOURS[tier];
  return (
    <Tag className={`warning-tag warning-${tier}`} data-warning={tier} style={{ color: c.fg, background: c.bg, borderColor: c.fg }}>
      <span className="tier-shape" aria-hidden="true">
        {t(`a11y.tierShape.${tier}`)}
      </span>
      {t(`tier.${tier}`)}
    </Tag>
  );
}

export function PageTitle({ title, extra }: { title: ReactNode; extra?: ReactNode }) {
  return (
    <div className="page-title">
      <Typography.Title level={1} style={{ margin: 0 }}>
        {title}
      </Typography.Title>
      {extra && <div className="page-title-extra">{extra}</div>}
    </div>
  );
}

export function PeriodSelect({
  value,
  periods,
  onChange,
  testId,
  style = { minWidth: 130 },
}: {
  value: string;
  periods: string[];
  onChange: (p: string) => void;
  testId?: string;
  style?: CSSProperties;
}) {
  const { t } = useTranslation();
  return (
    <Select value={value} style={style} onChange={onChange} data-testid={testId} options={periods.map((p) => ({ value: p, label: fmtPeriod(p) }))} aria-label={t('a11y.period')} />
  );
}

/**
 * "As known at": a moment in the past re-draws a view from the events recorded up to then. Empty
 * means now. The value is an ISO instant, as the API takes it.
 */
const loadAsOfDatePicker = () => import('./AsOfDatePicker');
const AsOfDatePicker = lazy(loadAsOfDatePicker);

export function AsOfPicker({ value, onChange }: { value: string | null; onChange: (iso: string | null) => void }) {
  const { t } = useTranslation();
  // A button until the reader asks for a moment; then the calendar, fetched on demand (issue 15).
  const [picking, setPicking] = useState(false);
  const shown = value ? fmtDateTime(value) : t('asOf.now');
  const trigger = (
    <Button
      icon={<ClockCircleOutlined />}
      onClick={() => setPicking(true)}
      // Fetched as the pointer or the focus arrives, so the calendar is there by the click.
      onPointerEnter={() => void loadAsOfDatePicker()}
      onFocus={() => void loadAsOfDatePicker()}
      aria-haspopup="dialog"
      aria-label={`${t('asOf.label')}: ${shown}`}
      data-testid="as-of-picker"
    >
      {shown}
    </Button>
  );
  return (
    <Space.Compact>
      <Tooltip title={t('asOf.help')}>
        {picking ? (
          <Suspense fallback={trigger}>
            <AsOfDatePicker value={value} onChange={onChange} />
          </Suspense>
        ) : (
          trigger
        )}
      </Tooltip>
      {value && (
        <Button onClick={() => onChange(null)} data-testid="as-of-now">
          {t('asOf.backToNow')}
        </Button>
      )}
    </Space.Compact>
  );
}

export function AsOfBanner({ asOf }: { asOf: string | null | undefined }) {
  const { t } = useTranslation();
  if (!asOf) return null;
  return (
    <Tag icon={<ClockCircleOutlined />} color="purple" data-testid="as-of-banner" style={{ marginBottom: 12 }}>
      {t('asOf.showing', { at: fmtDateTime(asOf) })}
    </Tag>
  );
}

export type WhoBy = { userId: string; role?: string; name?: string } | string | null | undefined;

export function Who({ by }: { by: WhoBy }) {
  const { t } = useTranslation();
  if (!by) return <>—</>;
  if (typeof by === 'string') return <>{by}</>;
  // The timers act as the system: recorded once as "系统 (timers)", said in the reader's language.
  if (by.userId === 'system' || by.role === 'system') return <span>{t('who.system')}</span>;
  const role = by.role ? t(`role.${by.role}`, { defaultValue: by.role }) : '';
  return (
    <span>
      {by.name ?? by.userId}
      {role ? <Typography.Text type="secondary"> · {role}</Typography.Text> : null}
    </span>
  );
}

/** A side drawer's width: antd's large (736 px) where it fits, the whole screen on a phone (issue 15: nothing cut off at 390 px). */
export const DRAWER_SIZE = 'min(736px, 100vw)';
