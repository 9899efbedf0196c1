import { Alert, Descriptions, List, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import type { Impact } from '../lib/impact';
import { fmtNumber } from '../lib/format';
import { WarningTag } from './common';

const Arrow = ({ from, to }: { from: React.ReactNode; to: React.ReactNode }) => (
  <span>
    {from} → {to}
  </span>
);

/** "What this correction will change", shown before the office confirms it. */
export function ImpactPreview({
  impact,
  countyName,
}: {
  impact: Impact & { ranks?: { countyId: string; from: number | null; to: number | null }[] };
  countyName?: (id: string) => string;
}) {
  const { t } = useTranslation();
  const moved = (a: unknown, b: unknown) => (a !== b ? <Tag color="orange">{t('impact.changes')}</Tag> : <Tag>{t('impact.same')}</Tag>);
  return (
    <div data-testid="impact-preview">
      {impact.unchangedBecause && <Alert type="info" showIcon style={{ marginBottom: 8 }} title={t(`impact.because.${impact.unchangedBecause}`)} />}
      <Descriptions
        size="small"
        bordered
        column={1}
        items={[
          ...(impact.value ? [{ key: 'value', label: t('impact.value'), children: <Arrow from={fmtNumber(impact.value.from)} to={fmtNumber(impact.value.to)} /> }] : []),
          {
            key: 'rank',
            label: t('impact.rank'),
            children: (
              <>
                {<Arrow from={impact.rank.from ?? '—'} to={<strong data-testid="impact-rank">{impact.rank.to ?? '—'}</strong>} />} {moved(impact.rank.from, impact.rank.to)}
              </>
            ),
          },
          {
            key: 'warning',
            label: t('impact.warning'),
            children: (
              <>
                <Arrow
                  from={<WarningTag tier={impact.warning.from} />}
                  to={
                    <span data-testid="impact-warning" data-warning={impact.warning.to ?? ''}>
                      <WarningTag tier={impact.warning.to} />
                    </span>
                  }
                />{' '}
                {moved(impact.warning.from, impact.warning.to)}
              </>
            ),
          },
          { key: 'score', label: t('impact.score'), children: <Arrow from={fmtNumber(impact.score.from)} to={fmtNumber(impact.score.to)} /> },
          { key: 'total', label: t('impact.total'), children: <Arrow from={fmtNumber(impact.total.from)} to={<strong>{fmtNumber(impact.total.to)}</strong>} /> },
          {
            key: 'cases',
            label: t('impact.cases'),
            children: (
              <>
                {impact.openCases.length === 0 ? (
                  <Typography.Text type="secondary">{t('impact.noOpenCases')}</Typography.Text>
                ) : (
                  <List
                    size="small"
                    dataSource={impact.openCases}
                    renderItem={(c) => (
                      <List.Item key={`${c.unitId}-${c.indicatorNo}-${c.caseNo}`}>
                        <Link to={`/supervision/cases/${c.unitId}/${c.indicatorNo}/${c.caseNo}`}>
                          {c.unitName} · {c.indicatorNo}. {c.indicatorName} #{c.caseNo}
                        </Link>
                      </List.Item>
                    )}
                  />
                )}
                {impact.caseEffect !== 'none' && <Alert type="warning" showIcon style={{ marginTop: 8 }} title={t(`impact.caseEffect.${impact.caseEffect}`)} />}
              </>
            ),
          },
          ...(impact.ranks && countyName
            ? [
                {
                  key: 'ranks',
                  label: t('impact.allRanks'),
                  children: impact.ranks.map((r) => (
                    <div key={r.countyId}>
                      {countyName(r.countyId)}: <Arrow from={r.from ?? '—'} to={r.to ?? '—'} />
                    </div>
                  )),
                },
              ]
            : []),
        ]}
      />
    </div>
  );
}
