import { DownloadOutlined } from '@ant-design/icons';
import { App, Button, Card, Col, Grid, List, Row, Skeleton, Space, Statistic, Typography } from 'antd';
import { lazy, Suspense, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { assessment, plans, ranking } from '../api/endpoints';
import { atHand, preloaded, saveBlob } from '../api/http';
import { usePlan } from '../app/plan';
import { CauseText } from '../components/CauseText';
import { Annex2List } from '../components/Annex2View';
import { AsOfBanner, AsOfPicker, PageTitle, PeriodSelect, TIER_COLOURS, WarningTag, Who } from '../components/common';
import { ProblemAlert, useProblemNotice } from '../components/problems';
import { Provenance } from '../components/Provenance';
import { fmtDate, fmtDateTime, fmtNumber, fmtPeriod } from '../lib/format';
import { defaultMonth, isMonth, monthsOf, quarterOf } from '../lib/periods';
import { useAsync } from '../lib/useAsync';
import { useSearchParam } from '../lib/useSearchParam';
import { preloadKeys } from '../preload';

const ScoreGauge = lazy(() => import('../components/charts/ScoreGauge'));
// The wide table only where it is shown (issue 15): a phone shows Annex2List and never loads Ant Design's Table.
const loadAnnex2Grid = () => import('../components/Annex2Grid');
const Annex2Grid = lazy(loadAnnex2Grid);

/** Leaders and the office: Annex 2 of a month, the score against the total, and what changed since the last meeting. */
export default function DashboardPage() {
  const { t } = useTranslation();
  const plan = usePlan();
  const screens = Grid.useBreakpoint();
  // On a wide screen the table's chunk is fetched with the figures, not after them.
  useEffect(() => {
    if (screens.md) void loadAnnex2Grid();
  }, [screens.md]);
  const [params, set] = useSearchParam();
  const period = isMonth(params.get('period')) ? params.get('period')! : defaultMonth(plan.year);
  const asOf = params.get('asOf');
  const quarter = quarterOf(period);
  // On the first load both were asked for as the page loaded (src/preload.ts), and have often arrived by the first render.
  const annex2Key = preloadKeys.annex2(plan.id, period, asOf);
  const data = useAsync(() => preloaded(annex2Key, () => plans.annex2(plan.id, period, asOf)), [plan.id, period, asOf], atHand(annex2Key));
  // The warning board is the quarter's: another month of the same quarter does not fetch it again.
  const warningsKey = preloadKeys.warnings(plan.id, quarter, asOf);
  const warnings = useAsync(() => preloaded(warningsKey, () => ranking.warnings(plan.id, quarter, asOf)).catch(() => null), [plan.id, quarter, asOf], atHand(warningsKey));
  const table = data.data;
  const board = warnings.data;
  // A past quarter (before the last published one) had its own meeting: the card names both (issue 15).
  const last = board?.lastMeeting ?? null;
  const past = !!last && quarter < last.quarter;
  const own = useAsync(() => (past ? assessment.view(plan.id, quarter, asOf).catch(() => null) : Promise.resolve(null)), [plan.id, quarter, asOf, past]);
  const ownMeeting = own.data?.meeting?.date ? fmtDate(own.data.meeting.date) : own.data?.published ? fmtDate(own.data.published.at) : null;
  const changesWindow = !last
    ? t('changesWindow.none', { quarter: fmtPeriod(quarter) })
    : past
      ? t(ownMeeting ? 'changesWindow.past' : 'changesWindow.pastUnmet', { quarter: fmtPeriod(quarter), own: ownMeeting, meeting: fmtPeriod(last.quarter), at: fmtDate(last.at) })
      : t('changesWindow.since', { quarter: fmtPeriod(quarter), meeting: fmtPeriod(last.quarter), at: fmtDate(last.at) });
  const notice = useProblemNotice();
  const { message } = App.useApp();
  const [exporting, setExporting] = useState(false);

  const exportXlsx = async () => {
    if (!table) return;
    setExporting(true);
    const hide = message.loading(t('dashboard.exporting'), 0);
    try {
      const { annex2Workbook } = await import('../lib/annex2-xlsx');
      saveBlob(await annex2Workbook(table, asOf ? fmtDateTime(asOf) : null), `annex2-${plan.id}-${period}${asOf ? `-asof-${asOf.slice(0, 16).replace(/:/g, '')}` : ''}.xlsx`);
    } catch (err) {
      notice(err);
    } finally {
      hide();
      setExporting(false);
    }
  };

  return (
    <div data-testid="dashboard">
      <PageTitle
        title={t('dashboard.title')}
        extra={
          <Space wrap>
            <PeriodSelect value={period} periods={monthsOf(plan.year)} onChange={(p) => set('period', p)} testId="period-select" />
            <AsOfPicker value={asOf} onChange={(v) => set('asOf', v)} />
            <Button icon={<DownloadOutlined />} onClick={() => void exportXlsx()} loading={exporting} disabled={!table} data-testid="export-annex2">
              {t('dashboard.exportXlsx')}
            </Button>
          </Space>
        }
      />
      <AsOfBanner asOf={asOf} />
      <ProblemAlert error={data.error} />
      <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
        <Col xs={24} md={8}>
          <Card size="small" title={t('dashboard.score')}>
            {table ? (
              <Suspense fallback={<Skeleton.Node active style={{ width: '100%', height: 200 }} />}>
                <ScoreGauge score={table.totalScore} max={table.maxScore} />
              </Suspense>
            ) : (
              <Skeleton active />
            )}
            <Typography.Text type="secondary" data-testid="score-text">
              {table?.totalScore === null || !table
                ? t('dashboard.noScoringRule')
                : t('dashboard.scoreLine', { score: fmtNumber(table.totalScore), max: fmtNumber(table.maxScore), version: table.scoringRuleVersion })}
            </Typography.Text>
          </Card>
        </Col>
        <Col xs={24} md={6}>
          <Card size="small" title={t('dashboard.warnings', { period: fmtPeriod(period) })}>
            <Space orientation="vertical" style={{ width: '100%' }}>
              {(['red', 'yellow', 'green'] as const).map((tier) => (
                <Statistic
                  key={tier}
                  title={<WarningTag tier={tier} />}
                  value={table?.summary[tier] ?? 0}
                  styles={{ content: { color: TIER_COLOURS[tier].fg, fontSize: 22 } }}
                  data-testid={`count-${tier}`}
                />
              ))}
            </Space>
          </Card>
        </Col>
        <Col xs={24} md={10}>
          <Card size="small" title={<span className="card-title-wrap">{t('dashboard.changes', { quarter: fmtPeriod(quarter) })}</span>}>
            {board && (
              <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }} data-testid="changes-window">
                {changesWindow}
              </Typography.Paragraph>
            )}
            <List
              size="small"
              data-testid="warning-changes"
              locale={{ emptyText: t('dashboard.noChanges') }}
              dataSource={board?.changesSinceLastMeeting.slice().reverse() ?? []}
              style={{ maxHeight: 260, overflow: 'auto' }}
              renderItem={(c) => (
                <List.Item key={c.position}>
                  <Space orientation="vertical" size={0}>
                    <span>
                      <strong>
                        {c.indicatorNo}. {c.name}
                      </strong>{' '}
                      · {fmtPeriod(c.period)}{' '}
                      <Provenance source={{ kind: 'standing', planId: plan.id, indicatorNo: c.indicatorNo, period: c.period, asOf }}>
                        <WarningTag tier={c.warning.from} /> → <WarningTag tier={c.warning.to} />
                      </Provenance>
                    </span>
                    <Typography.Text>
                      <CauseText cause={c.cause} />
                    </Typography.Text>
                    <Typography.Text type="secondary">
                      <Who by={c.by} /> · {fmtDateTime(c.at)}
                      {c.reason ? ` · ${c.reason}` : ''}
                    </Typography.Text>
                  </Space>
                </List.Item>
              )}
            />
          </Card>
        </Col>
      </Row>
      {table ? (
        screens.md ? (
          <Suspense fallback={<Skeleton active paragraph={{ rows: 12 }} />}>
            <Annex2Grid table={table} asOf={asOf} />
          </Suspense>
        ) : (
          <Annex2List table={table} asOf={asOf} />
        )
      ) : (
        !data.error && <Skeleton active paragraph={{ rows: 12 }} />
      )}
    </div>
  );
}
