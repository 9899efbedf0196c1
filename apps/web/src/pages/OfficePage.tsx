import { CheckOutlined, DownloadOutlined, RollbackOutlined, UnlockOutlined } from '@ant-design/icons';
import { App, Button, Card, Drawer, Form, Grid, Input, InputNumber, List, Modal, Radio, Select, Space, Table, Tabs, Tag, Tooltip, Typography } from 'antd';
import { useMemo, useState } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { attachments, plans, ranking, reporting, supervision } from '../api/endpoints';
import { AttachmentsCard } from '../components/Attachments';
import { newCommandId, url } from '../api/http';
import type { ComplianceBoard, ComplianceCell, ReportView } from '../api/models';
import { unitOptions, uomSymbol, usePlan } from '../app/plan';
import { AsOfBanner, AsOfPicker, DRAWER_SIZE, PageTitle, PeriodSelect } from '../components/common';
import { ImpactPreview } from '../components/ImpactPreview';
import { ProblemAlert, useProblemNotice } from '../components/problems';
import { ReportStatusTag } from '../components/status';
import { fmtDateTime, fmtDuration, fmtPeriod, fmtValue } from '../lib/format';
import { reportCorrectionImpact } from '../lib/impact';
import { complianceRates, onTimeOf, type Rate } from '../lib/compliance-rates';
import { defaultMonth, monthsOf } from '../lib/periods';
import { currentLanguage } from '../i18n';
import { EmptyState, matchesSearch, TableToolbar, useTableView } from '../components/TableTools';
import { useAsync } from '../lib/useAsync';

/** The advancement office: reports to receive or return, the compliance board, and corrections. */
export default function OfficePage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'inbox';
  return (
    <div data-testid="office">
      <PageTitle title={t('office.title')} />
      <Tabs
        activeKey={tab}
        onChange={(k) => setParams({ tab: k }, { replace: true })}
        items={[
          { key: 'inbox', label: t('office.inbox'), children: <Inbox /> },
          { key: 'compliance', label: t('office.compliance'), children: <Compliance /> },
          { key: 'corrections', label: t('office.corrections'), children: <Corrections /> },
        ]}
      />
    </div>
  );
}

function Inbox() {
  const { t } = useTranslation();
  const plan = usePlan();
  const board = useAsync(() => reporting.compliance(plan.id), [plan.id]);
  const { message } = App.useApp();
  const notice = useProblemNotice();
  const [month, setMonth] = useState(defaultMonth(plan.year));
  const [opening, setOpening] = useState(false);
  const [viewing, setViewing] = useState<ComplianceCell | null>(null);
  const waiting = useMemo(() => {
    const cells = (board.data?.units ?? []).flatMap((u) => Object.values(u.cells).filter((c): c is ComplianceCell => !!c));
    return cells
      .filter((c) => c.status === 'signed' || c.status === 'submitted')
      .sort((a, b) => (a.status === b.status ? a.period.localeCompare(b.period) : a.status === 'signed' ? -1 : 1));
  }, [board.data]);

  const narrow = !Grid.useBreakpoint().md;
  const timeliness = (c: ComplianceCell) =>
    c.onTime === false ? <Tag color="orange">{t('unit.lateBy', { d: fmtDuration(c.lateByMinutes ?? 0) })}</Tag> : <Tag color="green">{t('unit.onTime')}</Tag>;
  const review = (c: ComplianceCell) => (
    <Button size="small" onClick={() => setViewing(c)} data-testid={`open-${c.unitId}-${c.period}`}>
      {t('office.review')}
    </Button>
  );

  const openMonth = async () => {
    setOpening(true);
    try {
      const r = await reporting.openPeriod(plan.id, month, newCommandId());
      message.success(t('office.opened', { period: fmtPeriod(month), opened: r.opened.length, already: r.alreadyOpen.length }));
      board.reload();
    } catch (err) {
      notice(err);
    } finally {
      setOpening(false);
    }
  };

  return (
    <>
      <Card size="small" style={{ marginBottom: 16 }}>
        <Space wrap>
          <span>{t('office.openMonth')}</span>
          <PeriodSelect value={month} periods={monthsOf(plan.year)} onChange={setMonth} testId="open-month" />
          <Button icon={<UnlockOutlined />} onClick={() => void openMonth()} loading={opening} data-testid="open-month-button">
            {t('office.openMonthButton')}
          </Button>
        </Space>
      </Card>
      <ProblemAlert error={board.error} />
      {narrow ? (
        // A phone (issue 15): one item per report, read down the screen, not a table scrolled sideways.
        <List<ComplianceCell>
          size="small"
          data-testid="inbox"
          loading={board.loading}
          dataSource={waiting}
          locale={{ emptyText: <EmptyState description={t('tables.nothingWaiting')} /> }}
          renderItem={(c) => (
            <List.Item key={`${c.unitId}/${c.period}`}>
              <Space orientation="vertical" size={4} style={{ width: '100%' }}>
                <Typography.Text strong>
                  {c.unitName} · {fmtPeriod(c.period)}
                </Typography.Text>
                <Space wrap size="small">
                  <ReportStatusTag status={c.status} />
                  {timeliness(c)}
                  {c.returned ? (
                    <Typography.Text type="secondary">
                      {t('unit.returns')}: {c.returned}
                    </Typography.Text>
                  ) : null}
                </Space>
                {review(c)}
              </Space>
            </List.Item>
          )}
        />
      ) : (
        <Table<ComplianceCell>
          size="small"
          data-testid="inbox"
          rowKey={(c) => `${c.unitId}/${c.period}`}
          loading={board.loading}
          dataSource={waiting}
          pagination={false}
          locale={{ emptyText: <EmptyState description={t('tables.nothingWaiting')} /> }}
          scroll={{ x: 720 }}
          columns={[
            { title: t('office.unit'), dataIndex: 'unitName' },
            { title: t('unit.period'), dataIndex: 'period', render: fmtPeriod },
            { title: t('unit.status'), dataIndex: 'status', render: (s: string) => <ReportStatusTag status={s} /> },
            {
              title: t('unit.timeliness'),
              key: 'late',
              render: (_, c) => timeliness(c),
            },
            { title: t('unit.returns'), dataIndex: 'returned', render: (n: number) => n || '—' },
            {
              title: t('office.actions'),
              key: 'actions',
              render: (_, c) => review(c),
            },
          ]}
        />
      )}
      <ReportDrawer
        cell={viewing}
        onClose={() => setViewing(null)}
        onDone={() => {
          setViewing(null);
          board.reload();
        }}
      />
    </>
  );
}

/** The report as the office reads it before receiving or returning it. */
function ReportDrawer({ cell, onClose, onDone }: { cell: ComplianceCell | null; onClose: () => void; onDone: () => void }) {
  const { t } = useTranslation();
  const plan = usePlan();
  const { message } = App.useApp();
  const notice = useProblemNotice();
  const report = useAsync(() => (cell ? reporting.report(plan.id, cell.unitId, cell.period) : Promise.resolve(undefined)), [plan.id, cell?.unitId, cell?.period]);
  const [returning, setReturning] = useState(false);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ reason: string }>();
  const r = report.data;

  const act = async (fn: () => Promise<unknown>, done: string) => {
    setBusy(true);
    try {
      await fn();
      message.success(done);
      onDone();
    } catch (err) {
      notice(err, form);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Drawer open={!!cell} onClose={onClose} size={DRAWER_SIZE} title={cell ? `${cell.unitName} · ${fmtPeriod(cell.period)}` : ''} data-testid="report-drawer" destroyOnHidden>
      <ProblemAlert error={report.error} />
      {r && (
        <>
          <Space wrap style={{ marginBottom: 12 }}>
            <ReportStatusTag status={r.status} />
            {r.signature ? <Tag color="cyan">{t('office.signedBy', { name: r.signature.name, at: fmtDateTime(r.signature.at) })}</Tag> : <Tag>{t('unit.awaitingSignature')}</Tag>}
          </Space>
          <ReportLines report={r} />
          <AttachmentsCard target={attachments.target('reports', plan.id, r.unitId, r.period)} canUpload />
          <Space style={{ marginTop: 16 }}>
            <Tooltip title={r.status !== 'signed' ? t('office.receiveNeedsSignature') : undefined}>
              <Button
                type="primary"
                icon={<CheckOutlined />}
                disabled={r.status !== 'signed'}
                loading={busy}
                data-testid="receive-report"
                onClick={() => void act(() => reporting.receive(plan.id, r.unitId, r.period), t('office.received'))}
              >
                {t('office.receive')}
              </Button>
            </Tooltip>
            <Button danger icon={<RollbackOutlined />} onClick={() => setReturning(true)} data-testid="return-report">
              {t('office.return')}
            </Button>
          </Space>
          <Modal
            open={returning}
            title={t('office.returnTitle')}
            onCancel={() => setReturning(false)}
            okButtonProps={{ danger: true, loading: busy, 'data-testid': 'return-confirm' }}
            okText={t('office.return')}
            onOk={() =>
              form.validateFields().then(
                (v) => act(() => reporting.return(plan.id, r.unitId, r.period, v.reason), t('office.returned')).then(() => setReturning(false)),
                () => undefined, // the form shows what is missing
              )
            }
          >
            <Form form={form} layout="vertical">
              <Form.Item name="reason" label={t('form.reason')} rules={[{ required: true, min: 2, message: t('form.reasonRequired') }]}>
                <Input.TextArea rows={3} data-testid="return-reason-input" />
              </Form.Item>
            </Form>
          </Modal>
        </>
      )}
    </Drawer>
  );
}

export function ReportLines({ report }: { report: ReportView }) {
  const { t } = useTranslation();
  const plan = usePlan();
  const lagging = new Set(report.submitted?.lagging ?? []);
  return (
    <Table
      size="small"
      rowKey="no"
      pagination={false}
      dataSource={report.indicators}
      // No horizontal scroll: the drawer is at most the screen wide and the lines wrap within it (issue 15: nothing cut off; a scrolling region with nothing to focus is out of reach of the keyboard).
      tableLayout="fixed"
      columns={[
        { title: t('annex2.no'), dataIndex: 'no', width: 50 },
        {
          title: t('annex2.indicator'),
          dataIndex: 'name',
          render: (n: string, i) => (
            <>
              {n} {lagging.has(i.no) && <Tag color="volcano">{t('unit.lagging')}</Tag>}
            </>
          ),
        },
        { title: t('annex2.result'), key: 'value', render: (_, i) => fmtValue(report.lines.find((l) => l.indicatorNo === i.no)?.value, uomSymbol(plan, i.unitOfMeasure)) },
        {
          title: t('annex2.rank'),
          key: 'rank',
          render: (_, i) => {
            // A rank without official peer figures is the unit's own: shown as such (issue 12).
            const l = report.lines.find((x) => x.indicatorNo === i.no);
            return (
              <>
                {l?.rank ?? '—'} {l?.rankSource === 'self-reported' && <Tag>{t('unit.selfReported')}</Tag>}
              </>
            );
          },
        },
        {
          title: t('unit.problems'),
          key: 'text',
          render: (_, i) => {
            const l = report.lines.find((x) => x.indicatorNo === i.no);
            return (
              <div className="line-text">
                {l?.problems && (
                  <div>
                    {t('unit.problems')}: {l.problems}
                  </div>
                )}
                {l?.nextSteps && (
                  <div>
                    {t('unit.nextSteps')}: {l.nextSteps}
                  </div>
                )}
                {l?.analysis && (
                  <div>
                    {t('unit.analysis')}: {l.analysis}
                  </div>
                )}
                {l?.countermeasures && (
                  <div>
                    {t('unit.countermeasures')}: {l.countermeasures}
                  </div>
                )}
              </div>
            );
          },
        },
      ]}
    />
  );
}

function cellView(c: ComplianceCell | null, t: TFunction) {
  if (!c) return { label: '·', colour: undefined as string | undefined, title: t('office.cell.notOpened') };
  const parts = [t(`reportStatus.${c.status}`)];
  if (c.overdue && !c.onTime) parts.push(t('unit.overdue'));
  if (c.onTime === false) parts.push(t('unit.lateBy', { d: fmtDuration(c.lateByMinutes ?? 0) }));
  if (c.returned) parts.push(t('office.cell.returned', { n: c.returned }));
  if (c.corrections) parts.push(t('office.cell.corrected', { n: c.corrections }));
  const colour =
    c.status === 'received'
      ? c.onTime === false
        ? 'orange'
        : 'green'
      : c.status === 'returned' || (c.overdue && c.onTime === null)
        ? 'red'
        : c.status === 'signed'
          ? 'cyan'
          : c.status === 'submitted'
            ? 'gold'
            : c.status === 'draft'
              ? 'blue'
              : 'default';
  const label =
    c.status === 'received'
      ? '✓'
      : c.status === 'signed'
        ? t('office.cell.s')
        : c.status === 'submitted'
          ? t('office.cell.u')
          : c.overdue
            ? '!'
            : c.status === 'returned'
              ? '↩'
              : c.status === 'draft'
                ? t('office.cell.d')
                : '○';
  return { label, colour, title: parts.join(' · ') };
}

/** An on-time rate as the board shows it: a percentage, its counts on hover and for screen readers; "—" when nothing is judged yet. */
function RateCell({ rate, testId }: { rate: Rate; testId: string }) {
  const { t } = useTranslation();
  const text = rate.rate === null ? '—' : new Intl.NumberFormat(currentLanguage(), { style: 'percent', maximumFractionDigits: 1 }).format(rate.rate);
  const counts = t('tables.rateCounts', { onTime: rate.onTime, judged: rate.judged });
  return (
    <Tooltip title={counts} trigger={['hover', 'focus']}>
      <span tabIndex={0} aria-label={`${text} · ${counts}`} data-testid={testId} data-rate={rate.rate ?? ''} className="compliance-rate">
        {text}
      </span>
    </Tooltip>
  );
}

type BoardUnit = ComplianceBoard['units'][number];

function Compliance() {
  const { t } = useTranslation();
  const plan = usePlan();
  const [asOf, setAsOf] = useState<string | null>(null);
  const board = useAsync(() => reporting.compliance(plan.id, asOf), [plan.id, asOf]);
  const data: ComplianceBoard | undefined = board.data;
  const view = useTableView('compliance', { filters: ['show'] });
  const show = view.filter('show');
  const units = (data?.units ?? []).filter((u) => {
    if (!matchesSearch(view.q, u.unitName, u.shortName)) return false;
    const cells = Object.values(u.cells).filter((c): c is ComplianceCell => !!c);
    if (show === 'late') return cells.some((c) => onTimeOf(c) === false);
    if (show === 'waiting') return cells.some((c) => c.status === 'signed' || c.status === 'submitted');
    return true;
  });
  // The totals count what the board shows: with no search or filter, exactly the workbook's (the same pure function).
  const rates = data ? complianceRates({ periods: data.periods, units }) : null;
  const unitRate = new Map(rates?.units.map((r) => [r.unitId, r]));
  return (
    <>
      <Space wrap style={{ marginBottom: 12 }}>
        <AsOfPicker value={asOf} onChange={setAsOf} />
        <Typography.Text type="secondary">{t('office.legend')}</Typography.Text>
        <Button icon={<DownloadOutlined />} href={url(`/plans/${encodeURIComponent(plan.id)}/reporting/compliance.xlsx`, asOf ? { asOf } : {})} data-testid="compliance-xlsx">
          {t('exports.compliance')}
        </Button>
      </Space>
      <TableToolbar
        view={view}
        testId="compliance"
        placeholder={t('tables.searchUnits')}
        filters={[
          {
            name: 'show',
            label: t('tables.allUnits'),
            width: 180,
            options: [
              { value: 'late', label: t('tables.showLate') },
              { value: 'waiting', label: t('tables.showWaiting') },
            ],
          },
        ]}
      />
      <AsOfBanner asOf={asOf} />
      <ProblemAlert error={board.error} />
      <Table<BoardUnit>
        size="small"
        bordered
        data-testid="compliance-board"
        loading={board.loading}
        rowKey="unitId"
        pagination={view.pagination}
        dataSource={units}
        locale={{ emptyText: <EmptyState view={view} description={t('tables.noBoard')} /> }}
        scroll={{ x: 1200 }}
        columns={[
          { title: t('office.unit'), dataIndex: 'shortName', fixed: 'left', width: 120 },
          ...(data?.periods ?? []).map((p) => ({
            title: String(Number(p.slice(5))),
            key: p,
            align: 'center' as const,
            width: 64,
            render: (_: unknown, u: BoardUnit) => {
              const v = cellView(u.cells[p] ?? null, t);
              return (
                // Each cell takes focus, and its details show on focus as on hover (and are its name for screen readers).
                <Tooltip title={v.title} trigger={['hover', 'focus']}>
                  <Tag
                    color={v.colour}
                    className="compliance-cell"
                    tabIndex={0}
                    role="img"
                    aria-label={`${u.shortName} ${fmtPeriod(p)}: ${v.title || v.label}`}
                    style={{ marginInlineEnd: 0 }}
                    data-testid={`cell-${u.unitId}-${p}`}
                    data-status={u.cells[p]?.status ?? 'none'}
                  >
                    {v.label}
                  </Tag>
                </Tooltip>
              );
            },
          })),
          {
            title: t('tables.onTimeRate'),
            key: 'rate',
            align: 'center' as const,
            fixed: 'right' as const,
            width: 90,
            render: (_: unknown, u: BoardUnit) => {
              const r = unitRate.get(u.unitId);
              return r ? <RateCell rate={r} testId={`rate-${u.unitId}`} /> : '—';
            },
          },
        ]}
        summary={() =>
          rates && units.length ? (
            <Table.Summary fixed>
              <Table.Summary.Row data-testid="compliance-totals">
                <Table.Summary.Cell index={0}>
                  <strong>{t('tables.monthRate')}</strong>
                </Table.Summary.Cell>
                {rates.months.map((m, i) => (
                  <Table.Summary.Cell key={m.period} index={i + 1} align="center">
                    <RateCell rate={m} testId={`rate-${m.period}`} />
                  </Table.Summary.Cell>
                ))}
                <Table.Summary.Cell index={rates.months.length + 1} align="center">
                  <strong>
                    <RateCell rate={rates.total} testId="rate-total" />
                  </strong>
                </Table.Summary.Cell>
              </Table.Summary.Row>
            </Table.Summary>
          ) : null
        }
      />
    </>
  );
}

function Corrections() {
  const { t } = useTranslation();
  const plan = usePlan();
  const { message, modal } = App.useApp();
  const notice = useProblemNotice();
  const [form] = Form.useForm<{ unitId?: string; period: string; indicatorNo?: number; field: 'value' | 'rank'; corrected: number | null; reason: string }>();
  const unitId = Form.useWatch('unitId', form);
  const period = Form.useWatch('period', form) ?? defaultMonth(plan.year);
  const indicatorNo = Form.useWatch('indicatorNo', form);
  const field = Form.useWatch('field', form) ?? 'value';
  const corrected = Form.useWatch('corrected', form);
  const report = useAsync(() => (unitId ? reporting.report(plan.id, unitId, period) : Promise.resolve(undefined)), [plan.id, unitId, period]);
  // What the preview needs besides the report: Annex 2 of the month and the unit's open cases, whichever
  // indicator is picked; the scoring rules are the plan's, loaded once.
  const context = useAsync(
    () => (unitId ? Promise.all([plans.annex2(plan.id, period), supervision.board(plan.id, { unitId, status: 'open' }).catch(() => ({ cases: [] }))]) : Promise.resolve(undefined)),
    [plan.id, period, unitId],
  );
  const rules = useAsync(() => ranking.scoringRules(plan.id).catch(() => null), [plan.id]);
  const r = report.data;
  const line = r?.lines.find((l) => l.indicatorNo === indicatorNo);
  const previous = (() => {
    if (!r || !line) return null;
    const last = [...r.corrections].reverse().find((c) => c.indicatorNo === indicatorNo && c.field === field);
    return last ? last.corrected : line[field];
  })();
  const impact = useMemo(() => {
    if (!context.data || rules.data === undefined || !indicatorNo || !unitId || corrected === undefined) return undefined;
    const [table, cases] = context.data;
    const row = table.sections.flatMap((s) => s.rows).find((x) => x.no === indicatorNo);
    if (!row) return undefined;
    return reportCorrectionImpact({
      plan,
      row,
      totalScore: table.totalScore,
      rules: rules.data,
      field,
      unitId,
      previous,
      corrected: corrected ?? null,
      openCases: cases.cases.filter((c) => c.indicatorNo === indicatorNo),
    });
  }, [context.data, rules.data, indicatorNo, unitId, corrected, field, previous, plan]);

  const submit = async () => {
    let v: Awaited<ReturnType<typeof form.validateFields>>;
    try {
      v = await form.validateFields();
    } catch {
      return; // the form shows what is missing (no uncaught rejection)
    }
    if (!r) return;
    modal.confirm({
      title: t('correct.confirmTitle'),
      content: t('correct.confirmText', { indicator: indicatorNo, from: previous ?? '—', to: v.corrected ?? '—' }),
      okButtonProps: { 'data-testid': 'correct-confirm' },
      onOk: async () => {
        try {
          await reporting.correct(plan.id, r.unitId, r.period, { indicatorNo: v.indicatorNo!, field: v.field, corrected: v.corrected ?? null, reason: v.reason });
          message.success(t('correct.done'));
          form.resetFields(['corrected', 'reason']);
          report.reload();
          context.reload();
        } catch (err) {
          notice(err, form);
        }
      },
    });
  };

  return (
    <div style={{ display: 'grid', gap: 16, gridTemplateColumns: 'repeat(auto-fit, minmax(320px, 1fr))' }}>
      <Card size="small" title={t('correct.title')}>
        <Form form={form} layout="vertical" initialValues={{ period: defaultMonth(plan.year), field: 'value' }}>
          <Form.Item name="unitId" label={t('office.unit')} rules={[{ required: true, message: t('form.required') }]}>
            <Select showSearch optionFilterProp="label" options={unitOptions(plan)} data-testid="correct-unit" />
          </Form.Item>
          <Form.Item name="period" label={t('unit.period')}>
            <Select options={monthsOf(plan.year).map((p) => ({ value: p, label: fmtPeriod(p) }))} data-testid="correct-period" />
          </Form.Item>
          {report.error ? <ProblemAlert error={report.error} /> : null}
          {r && r.status !== 'received' && <ProblemAlert error={new Error(t('correct.notReceived', { status: t(`reportStatus.${r.status}`) }))} />}
          <Form.Item name="indicatorNo" label={t('annex2.indicator')} rules={[{ required: true, message: t('form.required') }]}>
            <Select options={(r?.indicators ?? []).map((i) => ({ value: i.no, label: `${i.no}. ${i.name}` }))} data-testid="correct-indicator" />
          </Form.Item>
          <Form.Item name="field" label={t('correct.field')}>
            <Radio.Group
              options={[
                { value: 'value', label: t('field.value') },
                { value: 'rank', label: t('field.rank') },
              ]}
            />
          </Form.Item>
          <Form.Item label={t('correct.previous')}>
            <Typography.Text data-testid="correct-previous">{previous ?? '—'}</Typography.Text>
          </Form.Item>
          {/* The corrected value is required, and must change something (issue 15). */}
          <Form.Item
            name="corrected"
            label={t('correct.corrected')}
            rules={[
              { required: true, message: t('journeys.correctedRequired') },
              {
                validator: (_, v: number | null | undefined) =>
                  v != null && previous != null && Number(v) === Number(previous) ? Promise.reject(new Error(t('journeys.sameValue'))) : Promise.resolve(),
              },
            ]}
          >
            <InputNumber style={{ width: '100%' }} {...(field === 'rank' ? { min: 1, max: plan.peerGroup.size, precision: 0 } : {})} data-testid="correct-value" />
          </Form.Item>
          <Form.Item name="reason" label={t('form.reason')} rules={[{ required: true, min: 2, message: t('form.reasonRequired') }]}>
            <Input.TextArea rows={2} data-testid="correct-reason" />
          </Form.Item>
          <Button type="primary" onClick={() => void submit()} disabled={!r || r.status !== 'received'} data-testid="correct-submit">
            {t('correct.submit')}
          </Button>
        </Form>
      </Card>
      <Card size="small" title={t('correct.preview')}>
        <ProblemAlert error={context.error} />
        {impact ? <ImpactPreview impact={impact} /> : <Typography.Text type="secondary">{t('correct.previewHint')}</Typography.Text>}
      </Card>
    </div>
  );
}
