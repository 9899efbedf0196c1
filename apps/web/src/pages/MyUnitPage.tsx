import { CheckCircleOutlined, EditOutlined, PrinterOutlined, SaveOutlined, SendOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, Descriptions, Form, Input, InputNumber, Row, Space, Table, Tag, Typography } from 'antd';
import { useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { attachments, reporting } from '../api/endpoints';
import { ApiProblem } from '../api/http';
import type { ReportIndicator, ReportLine, ReportView, Tier, UnitReportSummary } from '../api/models';
import { uomSymbol, usePlan } from '../app/plan';
import { hasRole, useSession } from '../app/session';
import { AttachmentsCard } from '../components/Attachments';
import { PageTitle, PeriodSelect, WarningTag } from '../components/common';
import { HistoryTimeline } from '../components/HistoryTimeline';
import { EmptyState } from '../components/TableTools';
import { ProblemAlert, useProblemNotice } from '../components/problems';
import { ReportStatusTag } from '../components/status';
import { fmtDateTime, fmtDuration, fmtPeriod, fmtValue } from '../lib/format';
import { isLagging, tierOf } from '../../../../libs/workflows/ranking/rules.js';
import { defaultMonth, isMonth, monthsOf } from '../lib/periods';
import { useAsync } from '../lib/useAsync';

const EDITABLE = new Set(['none', 'open', 'draft', 'returned']);

function pickPeriod(reports: UnitReportSummary[], year: number): string {
  const pending = reports.filter((r) => r.status !== 'received').sort((a, b) => a.period.localeCompare(b.period))[0];
  if (pending) return pending.period;
  const latest = reports
    .map((r) => r.period)
    .sort()
    .at(-1);
  return latest ?? defaultMonth(year);
}

interface FormLine extends ReportLine {
  indicatorNo: number;
}

/** Reporter and head: this month's report of their unit, its deadline, returns, and past months. */
export default function MyUnitPage() {
  const { t } = useTranslation();
  const plan = usePlan();
  const { user } = useSession();
  const unitId = user?.unitId ?? '';
  const [params, setParams] = useSearchParams();
  const summaries = useAsync(() => reporting.unitReports(plan.id, unitId), [plan.id, unitId]);
  const reports = summaries.data ?? [];
  const period = isMonth(params.get('period')) ? params.get('period')! : summaries.data ? pickPeriod(reports, plan.year) : null;
  const summary = reports.find((r) => r.period === period);

  const report = useAsync(async () => {
    if (!period) return undefined;
    try {
      return await reporting.report(plan.id, unitId, period);
    } catch (err) {
      // Nothing opened or drafted yet: the reporter starts from the plan's lines for the month.
      if (err instanceof ApiProblem && err.code === 'report-not-found') {
        const tpl = await reporting.template(plan.id, unitId, period);
        return {
          ...tpl,
          status: 'none',
          revision: -1,
          lines: [],
          contentHash: null,
          submitted: null,
          signature: null,
          timeliness: null,
          remindedTo: null,
          received: null,
          returns: [],
          overdueAt: null,
          remindedAt: null,
          corrections: [],
          steps: [],
        } as ReportView;
      }
      throw err;
    }
  }, [plan.id, unitId, period]);

  // After a save, submission or signature the editor is drawn again: focus goes to its heading (the new status), not the page body.
  const refocus = useRef(false);
  const reload = () => {
    refocus.current = true;
    summaries.reload();
    report.reload();
  };

  const unit = plan.units.find((u) => u.id === unitId);
  return (
    <div data-testid="my-unit">
      <PageTitle
        title={t('unit.title', { unit: unit?.name ?? unitId })}
        extra={period && <PeriodSelect value={period} periods={monthsOf(plan.year)} onChange={(p) => setParams({ period: p }, { replace: true })} testId="unit-period" />}
      />
      <ProblemAlert error={summaries.error ?? report.error} />
      {report.data && <ReportEditor key={`${report.data.period}/${report.data.revision}`} report={report.data} summary={summary} onChanged={reload} refocus={refocus} />}
      {report.data && report.data.status !== 'none' && <AttachmentsCard target={attachments.target('reports', plan.id, unitId, report.data.period)} canUpload />}
      <Card title={t('unit.pastMonths')} size="small" style={{ marginTop: 16 }}>
        <Table<UnitReportSummary>
          size="small"
          rowKey="period"
          pagination={false}
          dataSource={[...reports].sort((a, b) => b.period.localeCompare(a.period))}
          locale={{ emptyText: <EmptyState description={t('tables.noUnitReports')} /> }}
          scroll={{ x: 640 }}
          columns={[
            {
              title: t('unit.period'),
              dataIndex: 'period',
              render: (p: string) => (
                <a
                  href={`?period=${p}`}
                  onClick={(e) => {
                    e.preventDefault();
                    setParams({ period: p });
                  }}
                >
                  {fmtPeriod(p)}
                </a>
              ),
            },
            { title: t('unit.status'), dataIndex: 'status', render: (s: string) => <ReportStatusTag status={s} /> },
            { title: t('unit.due'), dataIndex: 'dueAt', render: fmtDateTime },
            {
              title: t('unit.timeliness'),
              key: 'late',
              render: (_, r) =>
                r.late ? (
                  <Tag color="orange">{t('unit.lateBy', { d: fmtDuration(r.late.byMinutes) })}</Tag>
                ) : r.overdue ? (
                  <Tag color="red">{t('unit.overdue')}</Tag>
                ) : r.status === 'received' || r.status === 'signed' || r.status === 'submitted' ? (
                  <Tag color="green">{t('unit.onTime')}</Tag>
                ) : (
                  '—'
                ),
            },
            { title: t('unit.returns'), key: 'returns', render: (_, r) => r.returns.length || '—' },
            { title: t('unit.corrections'), dataIndex: 'corrections', render: (n: number) => n || '—' },
          ]}
        />
      </Card>
    </div>
  );
}

function Deadline({ report, summary }: { report: ReportView; summary: UnitReportSummary | undefined }) {
  const { t } = useTranslation();
  const left = summary?.minutesLeft ?? null;
  return (
    <Space wrap data-testid="deadline">
      <span>
        {t('unit.dueBefore')}: <strong>{fmtDateTime(report.dueAt)}</strong>
      </span>
      {left !== null &&
        (left >= 0 ? (
          <Tag color={left < 2 * 1440 ? 'orange' : 'blue'} data-testid="time-left">
            {t('unit.timeLeft', { d: fmtDuration(left) })}
          </Tag>
        ) : (
          <Tag color="red" data-testid="time-left">
            {t('unit.overdueBy', { d: fmtDuration(-left) })}
          </Tag>
        ))}
      {report.submitted?.late && <Tag color="orange">{t('unit.lateBy', { d: fmtDuration(report.submitted.late.byMinutes) })}</Tag>}
    </Space>
  );
}

function ReportEditor({ report, summary, onChanged, refocus }: { report: ReportView; summary: UnitReportSummary | undefined; onChanged: () => void; refocus: RefObject<boolean> }) {
  const { t } = useTranslation();
  const heading = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    if (refocus.current) {
      refocus.current = false;
      heading.current?.focus();
    }
  }, [refocus, report.status, report.revision]);
  const plan = usePlan();
  const { user } = useSession();
  const { message, modal } = App.useApp();
  const notice = useProblemNotice();
  const [form] = Form.useForm<{ lines: FormLine[] }>();
  const [busy, setBusy] = useState<string | null>(null);
  const isReporter = hasRole(user, 'reporter');
  const isHead = hasRole(user, 'head');
  const editable = isReporter && EDITABLE.has(report.status);
  const tiers = plan.warningTiers;

  const initial = useMemo<FormLine[]>(
    () =>
      report.indicators.map((i) => {
        const l = report.lines.find((x) => x.indicatorNo === i.no);
        return {
          indicatorNo: i.no,
          value: l?.value ?? null,
          rank: l?.rank ?? null,
          problems: l?.problems ?? '',
          nextSteps: l?.nextSteps ?? '',
          analysis: l?.analysis ?? '',
          countermeasures: l?.countermeasures ?? '',
        };
      }),
    [report],
  );
  useEffect(() => form.setFieldsValue({ lines: initial }), [form, initial]);
  const watched = Form.useWatch('lines', form) ?? initial;

  const linesOf = (values: FormLine[]): ReportLine[] =>
    values.map((l, i) => {
      const indicator = report.indicators[i]!;
      const lag = isLagging(l, indicator, tiers);
      return {
        indicatorNo: indicator.no,
        value: l.value ?? null,
        rank: l.rank ?? null,
        problems: l.problems ?? '',
        nextSteps: l.nextSteps ?? '',
        ...(lag || l.analysis ? { analysis: l.analysis ?? '' } : {}),
        ...(lag || l.countermeasures ? { countermeasures: l.countermeasures ?? '' } : {}),
      };
    });

  const save = async () => {
    const values = form.getFieldsValue(true) as { lines: FormLine[] };
    return reporting.saveDraft(plan.id, report.unitId, report.period, linesOf(values.lines), report.revision >= 0 ? report.revision : undefined);
  };

  const run = async (what: string, fn: () => Promise<unknown>, done: string) => {
    setBusy(what);
    try {
      await fn();
      message.success(done);
      onChanged();
    } catch (err) {
      notice(err, form);
    } finally {
      setBusy(null);
    }
  };

  const onSave = () => run('save', save, t('unit.saved'));
  const onSubmit = async () => {
    try {
      await form.validateFields();
    } catch (err) {
      message.error(t('unit.fixFields'));
      // Focus to the first field to fix (a lagging line's analysis), not the page body.
      const first = (err as { errorFields?: { name: (string | number)[] }[] }).errorFields?.[0];
      if (first) form.scrollToField(first.name, { focus: true, block: 'center' });
      return;
    }
    await run(
      'submit',
      async () => {
        const saved = await save();
        await reporting.submit(plan.id, report.unitId, report.period, saved.revision);
      },
      t('unit.submitted'),
    );
  };
  const onSign = () =>
    modal.confirm({
      title: t('unit.signTitle'),
      content: (
        <div>
          <p>{t('unit.signText', { unit: report.unitName, period: fmtPeriod(report.period) })}</p>
          <Typography.Text code copyable>
            {report.contentHash}
          </Typography.Text>
        </div>
      ),
      okText: t('unit.signOk'),
      okButtonProps: { 'data-testid': 'sign-confirm' },
      onOk: () => run('sign', () => reporting.sign(plan.id, report.unitId, report.period, report.contentHash!), t('unit.signed')),
    });

  const lastReturn = report.status === 'returned' ? report.returns.at(-1) : undefined;
  return (
    <Card
      data-testid="report-card"
      title={
        <span ref={heading} tabIndex={-1} data-testid="report-heading" className="report-heading">
          <Space wrap>
            {t('unit.reportOf', { period: fmtPeriod(report.period) })}
            <ReportStatusTag status={report.status} />
          </Space>
        </span>
      }
      extra={
        <Link to={`/unit/${report.unitId}/${report.period}/print`} target="_blank">
          <Button icon={<PrinterOutlined />} data-testid="print-report">
            {t('unit.print')}
          </Button>
        </Link>
      }
    >
      <Deadline report={report} summary={summary} />
      {lastReturn && (
        <Alert
          type="error"
          showIcon
          style={{ margin: '12px 0' }}
          data-testid="return-reason"
          title={t('unit.returnedBecause')}
          description={
            <>
              {lastReturn.reason} <Typography.Text type="secondary">· {fmtDateTime(lastReturn.at)}</Typography.Text>
            </>
          }
        />
      )}
      {report.returns.length > 1 && (
        <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
          {t('unit.earlierReturns')}:{' '}
          {report.returns
            .slice(0, -1)
            .map((r) => `${fmtDateTime(r.at)} ${r.reason}`)
            .join('；')}
        </Typography.Paragraph>
      )}
      {report.signature && (
        <Alert
          type="success"
          showIcon
          icon={<CheckCircleOutlined />}
          style={{ margin: '12px 0' }}
          title={t('unit.signedBy', { name: report.signature.name, at: fmtDateTime(report.signature.at), seal: report.signature.seal.unitName })}
        />
      )}
      {report.status === 'submitted' && !isHead && <Alert type="info" showIcon style={{ margin: '12px 0' }} title={t('unit.awaitingSignature')} />}
      {!editable && <ReportReading report={report} />}
      <Form form={form} layout="vertical" hidden={!editable} style={{ marginTop: 16 }} initialValues={{ lines: initial }}>
        {/* A report not editable here reads as text above; the form keeps its values, without its inputs. */}
        {editable && (
          <Form.List name="lines">
            {(fields) =>
              fields.map((field, i) => {
                const indicator = report.indicators[i]!;
                const line = watched[i] ?? initial[i]!;
                const lag = isLagging(line, indicator, tiers);
                return (
                  <LineCard
                    key={field.key}
                    index={i}
                    indicator={indicator}
                    lagging={lag}
                    tier={tierOf(line.rank, tiers)}
                    symbol={uomSymbol(plan, indicator.unitOfMeasure)}
                    corrections={report.corrections.filter((c) => c.indicatorNo === indicator.no)}
                    rankSource={report.lines.find((l) => l.indicatorNo === indicator.no)?.rankSource}
                  />
                );
              })
            }
          </Form.List>
        )}
      </Form>
      <Space wrap style={{ marginTop: 8 }}>
        {editable && (
          <>
            <Button icon={<SaveOutlined />} onClick={() => void onSave()} loading={busy === 'save'} data-testid="save-draft">
              {t('unit.saveDraft')}
            </Button>
            <Button type="primary" icon={<SendOutlined />} onClick={() => void onSubmit()} loading={busy === 'submit'} data-testid="submit-report">
              {t('unit.submit')}
            </Button>
          </>
        )}
        {isHead && report.status === 'submitted' && report.contentHash && (
          <Button type="primary" icon={<EditOutlined />} onClick={onSign} loading={busy === 'sign'} data-testid="sign-report">
            {t('unit.sign')}
          </Button>
        )}
      </Space>
      {report.steps.length > 0 && (
        <Card size="small" type="inner" title={t('unit.history')} style={{ marginTop: 16 }}>
          <HistoryTimeline steps={report.steps} hideTimers />
        </Card>
      )}
    </Card>
  );
}

/**
 * A report no longer editable here (submitted, signed, received; or a draft the head reads) as
 * readable text, not greyed inputs (issue 15): each line's figures and words as written, its
 * colour and lagging mark, and the office's corrections.
 */
function ReportReading({ report }: { report: ReportView }) {
  const { t } = useTranslation();
  const plan = usePlan();
  const lagging = new Set(report.submitted?.lagging ?? []);
  return (
    <div style={{ marginTop: 16 }} data-testid="report-reading">
      {report.indicators.map((indicator) => {
        const l = report.lines.find((x) => x.indicatorNo === indicator.no);
        const symbol = uomSymbol(plan, indicator.unitOfMeasure);
        const tier = tierOf(l?.rank ?? null, plan.warningTiers);
        const lag = lagging.has(indicator.no) || (!!l && isLagging(l, indicator, plan.warningTiers));
        const corrections = report.corrections.filter((c) => c.indicatorNo === indicator.no);
        const text = (v: string | undefined) =>
          v?.trim() ? <span className="line-text">{v}</span> : <Typography.Text type="secondary">{t('reportReading.notWritten')}</Typography.Text>;
        return (
          <Card
            key={indicator.no}
            size="small"
            type="inner"
            className={lag ? 'report-line lagging' : 'report-line'}
            data-testid={`line-${indicator.no}`}
            data-lagging={lag}
            data-readonly="true"
            style={{ marginBottom: 12 }}
            title={
              <Space wrap>
                <span>
                  {indicator.no}. {indicator.name}
                </span>
                {tier && <WarningTag tier={tier} />}
                {lag && <Tag color="volcano">{t('unit.lagging')}</Tag>}
              </Space>
            }
            extra={
              <Typography.Text type="secondary">
                {t('unit.target')}: {fmtValue(indicator.target, symbol)} · {t(`direction.${indicator.direction}`)}
              </Typography.Text>
            }
          >
            <Descriptions
              size="small"
              column={{ xs: 1, md: 2 }}
              items={[
                {
                  key: 'value',
                  label: t('unit.value', { symbol: symbol || '—' }),
                  children: <strong data-testid={`read-value-${indicator.no}`}>{fmtValue(l?.value, symbol)}</strong>,
                },
                {
                  key: 'rank',
                  label: t('unit.rank'),
                  children: (
                    <span data-testid={`read-rank-${indicator.no}`}>
                      {l?.rank ?? '—'} {l?.rankSource === 'self-reported' && <Tag>{t('unit.selfReported')}</Tag>}
                    </span>
                  ),
                },
                { key: 'problems', label: t('unit.problems'), children: text(l?.problems) },
                { key: 'nextSteps', label: t('unit.nextSteps'), children: text(l?.nextSteps) },
                ...(lag || l?.analysis ? [{ key: 'analysis', label: t('unit.analysis'), children: text(l?.analysis) }] : []),
                ...(lag || l?.countermeasures ? [{ key: 'countermeasures', label: t('unit.countermeasures'), children: text(l?.countermeasures) }] : []),
              ]}
            />
            {corrections.length > 0 && (
              <Descriptions
                size="small"
                column={1}
                title={t('unit.correctedByOffice')}
                items={corrections.map((c) => ({
                  key: c.position,
                  label: `${t(`field.${c.field}`)} · ${fmtDateTime(c.at)}`,
                  children: `${String(c.previous ?? '—')} → ${String(c.corrected ?? '—')} (${c.reason})`,
                }))}
              />
            )}
          </Card>
        );
      })}
    </div>
  );
}

function LineCard(props: {
  index: number;
  indicator: ReportIndicator;
  lagging: boolean;
  tier: Tier | null;
  symbol: string;
  corrections: ReportView['corrections'];
  /** Where the saved rank came from: the official rank is the county's and read-only (issue 12). */
  rankSource?: 'official' | 'self-reported' | undefined;
}) {
  const { t } = useTranslation();
  const plan = usePlan();
  const { index: i, indicator, lagging, tier, symbol } = props;
  const required = (msg: string) => [{ required: lagging, whitespace: true, message: msg }];
  return (
    <Card
      size="small"
      type="inner"
      className={lagging ? 'report-line lagging' : 'report-line'}
      data-testid={`line-${indicator.no}`}
      data-lagging={lagging}
      style={{ marginBottom: 12 }}
      title={
        <Space wrap>
          <span>
            {indicator.no}. {indicator.name}
          </span>
          {tier && <WarningTag tier={tier} />}
          {lagging && <Tag color="volcano">{t('unit.lagging')}</Tag>}
        </Space>
      }
      extra={
        <Typography.Text type="secondary">
          {t('unit.target')}: {fmtValue(indicator.target, symbol)} · {t(`direction.${indicator.direction}`)}
        </Typography.Text>
      }
    >
      <Row gutter={12}>
        <Col xs={12} md={6}>
          <Form.Item name={[i, 'value']} label={t('unit.value', { symbol: symbol || '—' })}>
            <InputNumber style={{ width: '100%' }} data-testid={`value-${indicator.no}`} />
          </Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item name={[i, 'rank']} label={props.rankSource === 'self-reported' ? `${t('unit.rank')}（${t('unit.selfReported')}）` : t('unit.rank')}>
            <InputNumber
              min={1}
              max={plan.peerGroup.size}
              precision={0}
              style={{ width: '100%' }}
              disabled={props.rankSource === 'official'}
              data-testid={`rank-${indicator.no}`}
            />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item name={[i, 'problems']} label={t('unit.problems')}>
            <Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} maxLength={4000} data-testid={`problems-${indicator.no}`} />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item name={[i, 'nextSteps']} label={t('unit.nextSteps')}>
            <Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} maxLength={4000} data-testid={`nextSteps-${indicator.no}`} />
          </Form.Item>
        </Col>
        {lagging && (
          <>
            <Col xs={24} md={12}>
              <Form.Item name={[i, 'analysis']} label={t('unit.analysis')} rules={required(t('unit.analysisRequired'))}>
                <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} maxLength={4000} data-testid={`analysis-${indicator.no}`} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name={[i, 'countermeasures']} label={t('unit.countermeasures')} rules={required(t('unit.countermeasuresRequired'))}>
                <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} maxLength={4000} data-testid={`countermeasures-${indicator.no}`} />
              </Form.Item>
            </Col>
          </>
        )}
      </Row>
      {props.corrections.length > 0 && (
        <Descriptions
          size="small"
          column={1}
          title={t('unit.correctedByOffice')}
          items={props.corrections.map((c) => ({
            key: c.position,
            label: `${t(`field.${c.field}`)} · ${fmtDateTime(c.at)}`,
            children: `${String(c.previous ?? '—')} → ${String(c.corrected ?? '—')} (${c.reason})`,
          }))}
        />
      )}
    </Card>
  );
}
