import { EditOutlined } from '@ant-design/icons';
import { Alert, App, Button, Form, InputNumber, Modal, Space, Table, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { plans, ranking, supervision } from '../api/endpoints';
import { newCommandId, saveBlob } from '../api/http';
import type { CountyStanding, ImportOutcome, PeriodStandings } from '../api/models';
import { countyName, uomSymbol, usePlan } from '../app/plan';
import { hasRole, useSession } from '../app/session';
import { AsOfBanner, AsOfPicker, PageTitle, PeriodSelect, WarningTag } from '../components/common';
import { ImpactPreview } from '../components/ImpactPreview';
import { ProblemAlert, useProblemNotice } from '../components/problems';
import { Provenance } from '../components/Provenance';
import { UploadCard } from '../components/UploadCard';
import { ReasonField } from '../components/ReasonModal';
import { EmptyState, matchesSearch, TableToolbar, useTableView } from '../components/TableTools';
import { fmtPeriod, fmtValue } from '../lib/format';
import { figureCorrectionImpact } from '../lib/impact';
import { entryProblems, type EntryProblem } from '../lib/peer-entry';
import { defaultMonth, monthsOf, quartersOf } from '../lib/periods';
import { useAsync } from '../lib/useAsync';
import { useSearchParam } from '../lib/useSearchParam';
type Row = PeriodStandings['indicators'][number];

/** The six counties' figures per indicator and period, as the city publishes them; entry, import and correction by the office. */
export default function PeerFiguresPage() {
  const { t } = useTranslation();
  const plan = usePlan();
  const { user } = useSession();
  const isOffice = hasRole(user, 'office');
  const [params, set] = useSearchParam();
  const periods = [...monthsOf(plan.year), ...quartersOf(plan.year), String(plan.year)];
  const period = params.get('period') && periods.includes(params.get('period')!) ? params.get('period')! : defaultMonth(plan.year);
  const asOf = params.get('asOf');
  const data = useAsync(() => ranking.standings(plan.id, period, asOf), [plan.id, period, asOf]);
  const [editing, setEditing] = useState<Row | null>(null);
  const [correcting, setCorrecting] = useState<{ row: Row; county: CountyStanding } | null>(null);
  const indicators = useMemo(() => new Map(plan.indicators.map((i) => [i.no, i])), [plan]);
  // Search (number, name) and filters (our warning, figures recorded or missing), in the address (issue 15).
  const view = useTableView('peer', { filters: ['warning', 'recorded'] });
  const warning = view.filter('warning');
  const recorded = view.filter('recorded');
  const rows = (data.data?.indicators ?? []).filter(
    (r) => matchesSearch(view.q, r.indicatorNo, r.name) && (!warning || (r.ours?.warning ?? 'none') === warning) && (!recorded || (recorded === 'yes') === r.recorded),
  );

  return (
    <div data-testid="peer-figures">
      <PageTitle
        title={t('peer.title')}
        extra={
          <Space wrap>
            <PeriodSelect value={period} periods={periods} onChange={(p) => set('period', p)} style={{ minWidth: 140 }} testId="peer-period" />
            <AsOfPicker value={asOf} onChange={(v) => set('asOf', v)} />
          </Space>
        }
      />
      {isOffice && !asOf && <ImportCard period={period} onImported={data.reload} />}
      <AsOfBanner asOf={asOf} />
      <ProblemAlert error={data.error} />
      <TableToolbar
        view={view}
        testId="peer"
        placeholder={t('tables.searchIndicators')}
        filters={[
          {
            name: 'warning',
            label: t('tables.allWarnings'),
            options: [...(['red', 'yellow', 'green'] as const).map((w) => ({ value: w, label: t(`tier.${w}`) })), { value: 'none', label: t('tables.noWarning') }],
          },
          {
            name: 'recorded',
            label: t('tables.allFigures'),
            width: 160,
            options: [
              { value: 'yes', label: t('tables.recorded') },
              { value: 'no', label: t('tables.missing') },
            ],
          },
        ]}
      />
      <Table<Row>
        size="small"
        bordered
        data-testid="peer-grid"
        loading={data.loading}
        rowKey="indicatorNo"
        pagination={view.pagination}
        dataSource={rows}
        locale={{ emptyText: <EmptyState view={view} description={isOffice ? t('tables.noFiguresOffice') : t('tables.noFigures')} /> }}
        scroll={{ x: 1200 }}
        sticky
        columns={[
          { title: t('annex2.no'), dataIndex: 'indicatorNo', width: 50, fixed: 'left' },
          { title: t('annex2.indicator'), dataIndex: 'name', width: 220, fixed: 'left' },
          ...plan.peerGroup.counties.map((c) => ({
            title: c.ours ? <strong>{c.name}</strong> : c.name,
            key: c.id,
            width: 110,
            align: 'center' as const,
            render: (_: unknown, r: Row) => {
              const s = r.counties.find((x) => x.countyId === c.id);
              if (!s || (s.value === null && s.rank === null)) return '—';
              const symbol = uomSymbol(plan, indicators.get(r.indicatorNo)?.unitOfMeasure ?? '');
              const text = (
                <span data-testid={`fig-${r.indicatorNo}-${c.id}`}>
                  {s.value !== null ? fmtValue(s.value, symbol) : ''}
                  {s.rank !== null && <Typography.Text type="secondary"> #{s.rank}</Typography.Text>}
                </span>
              );
              return (
                <Space size={2}>
                  <Provenance source={{ kind: 'standing', planId: plan.id, indicatorNo: r.indicatorNo, period, asOf }}>{text}</Provenance>
                  {isOffice && !asOf && (
                    <Button
                      size="small"
                      type="text"
                      icon={<EditOutlined />}
                      aria-label={t('peer.correct')}
                      onClick={() => setCorrecting({ row: r, county: s })}
                      data-testid={`correct-${r.indicatorNo}-${c.id}`}
                    />
                  )}
                </Space>
              );
            },
          })),
          {
            title: t('peer.ourRank'),
            key: 'rank',
            width: 90,
            align: 'center',
            render: (_, r) =>
              r.ours?.rank ? (
                <Provenance source={{ kind: 'standing', planId: plan.id, indicatorNo: r.indicatorNo, period, asOf }}>
                  <span data-testid={`our-rank-${r.indicatorNo}`}>{r.ours.rank}</span>
                </Provenance>
              ) : (
                '—'
              ),
          },
          {
            title: t('annex2.warning'),
            key: 'warning',
            width: 80,
            align: 'center',
            render: (_, r) => (
              <span data-testid={`peer-warning-${r.indicatorNo}`}>
                <WarningTag tier={r.ours?.warning ?? null} />
              </span>
            ),
          },
          ...(isOffice && !asOf
            ? [
                {
                  title: t('office.actions'),
                  key: 'edit',
                  width: 90,
                  fixed: 'right' as const,
                  render: (_: unknown, r: Row) => (
                    <Button size="small" onClick={() => setEditing(r)} data-testid={`enter-${r.indicatorNo}`}>
                      {t('peer.enter')}
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
      {editing && (
        <EntryModal
          row={editing}
          period={period}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            data.reload();
          }}
        />
      )}
      {correcting && (
        <CorrectionModal
          target={correcting}
          period={period}
          onClose={() => setCorrecting(null)}
          onSaved={() => {
            setCorrecting(null);
            data.reload();
          }}
        />
      )}
    </div>
  );
}

function EntryModal({ row, period, onClose, onSaved }: { row: Row; period: string; onClose: () => void; onSaved: () => void }) {
  const { t } = useTranslation();
  const plan = usePlan();
  const notice = useProblemNotice();
  const { message } = App.useApp();
  const [form] = Form.useForm<Record<string, { value?: number | null; rank?: number | null }>>();
  const [busy, setBusy] = useState(false);
  const [key] = useState(newCommandId);
  const indicator = plan.indicators.find((i) => i.no === row.indicatorNo);
  const initial = Object.fromEntries(
    plan.peerGroup.counties.map((c) => {
      const s = row.counties.find((x) => x.countyId === c.id);
      return [c.id, { value: s?.value ?? null, rank: s?.publishedRank ?? null }];
    }),
  );
  const figuresOf = (v: typeof initial | undefined) =>
    plan.peerGroup.counties.map((c) => ({ countyId: c.id, value: v?.[c.id]?.value ?? null, rank: v?.[c.id]?.rank ?? null })).filter((f) => f.value !== null || f.rank !== null);
  // Checked as typed: what the server or the city's own ranking would refuse keeps "save" shut (lib/peer-entry.ts).
  const watched = Form.useWatch([], form) as typeof initial | undefined;
  const check = useMemo(
    () => entryProblems(figuresOf(watched ?? initial), { kind: indicator?.kind, direction: indicator?.direction ?? 'higher-is-better' }, plan.peerGroup.size),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [JSON.stringify(watched)],
  );
  const name = (id: string) => countyName(plan, id);
  const problemText = (p: EntryProblem) => t(`peer.entryProblem.${p.kind}`, { ...p, county: name(p.countyId), other: 'with' in p ? name(p.with) : '' });
  const problemsOf = (countyId: string) => check.problems.filter((p) => p.countyId === countyId);
  const save = async () => {
    const figures = figuresOf(form.getFieldsValue(true) as typeof initial);
    if (!figures.length) {
      message.warning(t('peer.nothingEntered'));
      return;
    }
    if (check.problems.length) return; // each is shown on its field; save is shut meanwhile
    setBusy(true);
    try {
      await ranking.record(plan.id, { indicatorNo: row.indicatorNo, period, figures }, key);
      message.success(t('peer.saved'));
      onSaved();
    } catch (err) {
      notice(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={`${row.indicatorNo}. ${row.name} · ${fmtPeriod(period)}`}
      onCancel={onClose}
      onOk={() => void save()}
      okButtonProps={{ loading: busy, disabled: check.problems.length > 0, 'data-testid': 'entry-save' }}
      okText={t('form.save')}
      width={560}
    >
      <Typography.Paragraph type="secondary">
        {t('peer.entryHint', { unit: uomSymbol(plan, indicator?.unitOfMeasure ?? '') || '—', direction: t(`direction.${indicator?.direction ?? 'higher-is-better'}`) })}
      </Typography.Paragraph>
      <Form form={form} layout="horizontal" initialValues={initial} labelCol={{ span: 6 }}>
        {plan.peerGroup.counties.map((c) => {
          const problems = problemsOf(c.id);
          return (
            <Form.Item
              key={c.id}
              label={c.ours ? <strong>{c.name}</strong> : c.name}
              style={{ marginBottom: 8 }}
              validateStatus={problems.length ? 'error' : undefined}
              help={problems.length ? <span data-testid={`entry-problem-${c.id}`}>{problems.map(problemText).join('；')}</span> : undefined}
            >
              <Space.Compact>
                <Form.Item name={[c.id, 'value']} noStyle>
                  <InputNumber
                    placeholder={t('field.value')}
                    aria-label={`${c.name} ${t('field.value')}`}
                    status={problems.some((p) => p.field === 'value') ? 'error' : undefined}
                    style={{ width: 160 }}
                    data-testid={`entry-value-${c.id}`}
                  />
                </Form.Item>
                <Form.Item name={[c.id, 'rank']} noStyle>
                  <InputNumber
                    placeholder={t('peer.publishedRank')}
                    aria-label={`${c.name} ${t('peer.publishedRank')}`}
                    status={problems.some((p) => p.field === 'rank') ? 'error' : undefined}
                    precision={0}
                    style={{ width: 140 }}
                    data-testid={`entry-rank-${c.id}`}
                  />
                </Form.Item>
              </Space.Compact>
            </Form.Item>
          );
        })}
      </Form>
      {check.warnings.length > 0 && (
        <Alert
          type="warning"
          showIcon
          data-testid="entry-warnings"
          title={t('peer.orderWarning')}
          description={check.warnings.map((w) => t('peer.orderWarningLine', { county: name(w.countyId), other: name(w.other) })).join('；')}
        />
      )}
    </Modal>
  );
}

function CorrectionModal({ target, period, onClose, onSaved }: { target: { row: Row; county: CountyStanding }; period: string; onClose: () => void; onSaved: () => void }) {
  const { t } = useTranslation();
  const plan = usePlan();
  const notice = useProblemNotice();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ value: number | null; rank: number | null; reason: string }>();
  const value = Form.useWatch('value', form);
  const rank = Form.useWatch('rank', form);
  const [busy, setBusy] = useState(false);
  const { row, county } = target;
  const indicator = plan.indicators.find((i) => i.no === row.indicatorNo)!;
  const context = useAsync(
    () =>
      Promise.all([
        ranking.standing(plan.id, row.indicatorNo, period),
        ranking.scoringRules(plan.id).catch(() => null),
        supervision.board(plan.id, { status: 'open' }).catch(() => ({ cases: [] })),
        /^\d{4}-\d{2}$/.test(period) ? plans.annex2(plan.id, period).catch(() => null) : Promise.resolve(null),
      ]),
    [plan.id, row.indicatorNo, period],
  );
  const impact = useMemo(() => {
    if (!context.data) return undefined;
    const [standing, rules, cases, table] = context.data;
    const annexRow = table?.sections.flatMap((s) => s.rows).find((r) => r.no === row.indicatorNo);
    return figureCorrectionImpact({
      plan,
      indicator,
      counties: standing.counties,
      ours: standing.ours,
      rules,
      countyId: county.countyId,
      corrected: { value: value ?? null, rank: rank ?? null },
      totalScore: table?.totalScore ?? null,
      rowScore: annexRow?.rankPeriod === period ? annexRow.score : null,
      openCases: cases.cases.filter((c) => c.indicatorNo === row.indicatorNo),
    });
  }, [context.data, value, rank, plan, indicator, county.countyId, row.indicatorNo, period]);
  const save = async () => {
    let v: Awaited<ReturnType<typeof form.validateFields>>;
    try {
      v = await form.validateFields();
    } catch {
      return; // the form shows what is missing (no uncaught rejection)
    }
    setBusy(true);
    try {
      await ranking.correct(
        plan.id,
        row.indicatorNo,
        period,
        { countyId: county.countyId, value: v.value ?? null, rank: v.rank ?? null, reason: v.reason },
        context.data![0].revision,
      );
      message.success(t('correct.done'));
      onSaved();
    } catch (err) {
      notice(err, form);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      width={640}
      title={t('peer.correctTitle', { county: county.name, indicator: `${row.indicatorNo}. ${row.name}` })}
      onCancel={onClose}
      onOk={() => void save()}
      okButtonProps={{ loading: busy, disabled: !context.data, 'data-testid': 'figure-correct-save' }}
      okText={t('correct.submit')}
    >
      <Form form={form} layout="vertical" initialValues={{ value: county.value, rank: county.publishedRank }}>
        <Space>
          {/* What the server checks: a value or a rank, and a change (an unchanged figure records nothing). */}
          <Form.Item
            name="value"
            label={t('field.value')}
            dependencies={['rank']}
            rules={[
              {
                validator: (_, v: number | null | undefined) => {
                  const r = form.getFieldValue('rank') as number | null | undefined;
                  if (v == null && r == null) return Promise.reject(new Error(t('journeys.correctedRequired')));
                  if ((v ?? null) === county.value && (r ?? null) === county.publishedRank) return Promise.reject(new Error(t('journeys.sameValue')));
                  return Promise.resolve();
                },
              },
            ]}
          >
            <InputNumber style={{ width: 160 }} data-testid="figure-correct-value" />
          </Form.Item>
          <Form.Item name="rank" label={t('peer.publishedRank')}>
            <InputNumber min={1} max={plan.peerGroup.size} precision={0} style={{ width: 120 }} />
          </Form.Item>
        </Space>
        <ReasonField rows={2} testId="figure-correct-reason" />
      </Form>
      <ProblemAlert error={context.error} />
      <Typography.Title level={5}>{t('correct.preview')}</Typography.Title>
      {impact && <ImpactPreview impact={impact} countyName={(id) => countyName(plan, id)} />}
    </Modal>
  );
}

/** Import of the city's workbook, with upload progress and, if it is refused, every bad cell listed. */
function ImportCard({ period, onImported }: { period: string; onImported: () => void }) {
  const { t } = useTranslation();
  const plan = usePlan();
  return (
    <UploadCard<ImportOutcome>
      title={t('peer.import')}
      testId="import"
      chooseTestId="import-button"
      chooseLabel={t('peer.chooseFile')}
      templateLabel={t('peer.template', { period: fmtPeriod(period) })}
      onTemplate={() => ranking.template(plan.id, period).then((b) => saveBlob(b, `peer-figures-${plan.id}-${period}.xlsx`))}
      upload={(file, progress) => ranking.import(plan.id, file, progress)}
      onUploaded={onImported}
      describe={(o) => ({
        title: t('peer.imported', { file: o.file, recorded: o.recorded, unchanged: o.unchanged, replayed: o.replayed, skipped: o.skipped.length }),
        description: o.sheets.map((s) => `${s.sheet} (${fmtPeriod(s.period)}): ${s.rows}`).join('；'),
      })}
      fixAndRetry={(n) => t('peer.fixAndRetry', { n })}
    />
  );
}
