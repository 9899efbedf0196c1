import { EditOutlined, SearchOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Descriptions, Form, Input, InputNumber, Modal, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import { cloneElement, useMemo, useState, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { coefficientFor, roundScore } from '../../../../libs/workflows/ranking/rules.js';
import { plans, ranking } from '../api/endpoints';
import { ApiProblem, saveBlob } from '../api/http';
import type { Plan, PlanChange, PlanIndicator, TargetsImportOutcome } from '../api/models';
import { currentLanguage } from '../i18n';
import { nextYearId } from '../../../../libs/workflows/plan/next-year.js';
import { uomSymbol, usePlan } from '../app/plan';
import { hasRole, useSession } from '../app/session';
import { PageTitle, Who, WarningTag } from '../components/common';
import { ProblemAlert, useProblemNotice } from '../components/problems';
import { ReasonField, ReasonModal, useReason } from '../components/ReasonModal';
import { UploadCard } from '../components/UploadCard';
import { fmtDate, fmtDateTime, fmtNumber, fmtPeriod, fmtValue, localized } from '../lib/format';
import { quartersOf } from '../lib/periods';
import { useAsync } from '../lib/useAsync';
import { useSearchParam } from '../lib/useSearchParam';
const TABS = ['indicators', 'tiers', 'scoring', 'calendar', 'changes', 'next'] as const;
type TabKey = (typeof TABS)[number];

/**
 * The plan maintained on screen (issue 15): targets and baselines, warning tiers, the scoring rule,
 * the monthly deadline; every change with a reason, and the plan's history below. The office
 * changes; administrators read (plan.revise is the office's: the API refuses others).
 */
export default function PlanPage() {
  const { t } = useTranslation();
  const base = usePlan();
  const { user } = useSession();
  const canRevise = hasRole(user, 'office');
  const [params, set] = useSearchParam();
  const tab: TabKey = (TABS as readonly string[]).includes(params.get('tab') ?? '') ? (params.get('tab') as TabKey) : 'indicators';
  // The plan as it stands now (the shell's copy was read at sign-in and does not follow our changes).
  const plan = useAsync(() => plans.get(base.id), [base.id]);
  const changes = useAsync(() => plans.changes(base.id), [base.id]);
  const reload = () => {
    plan.reload();
    changes.reload();
  };
  const current = plan.data ?? base;

  return (
    <div data-testid="plan-page">
      <PageTitle title={t('planPage.title')} extra={<Typography.Text type="secondary">{`${current.documentNumber} · ${current.year}`}</Typography.Text>} />
      {!canRevise && <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t('planPage.readOnly')} data-testid="plan-read-only" />}
      <ProblemAlert error={plan.error} />
      <Tabs
        activeKey={tab}
        onChange={(k) => set('tab', k)}
        items={[
          { key: 'indicators', label: t('planPage.tab.indicators'), children: <IndicatorsTab plan={current} canRevise={canRevise} onChanged={reload} /> },
          { key: 'tiers', label: t('planPage.tab.tiers'), children: <TiersTab plan={current} canRevise={canRevise} onChanged={reload} /> },
          { key: 'scoring', label: t('planPage.tab.scoring'), children: <ScoringTab plan={current} canRevise={canRevise} onChanged={reload} /> },
          { key: 'calendar', label: t('planPage.tab.calendar'), children: <CalendarTab plan={current} canRevise={canRevise} onChanged={reload} /> },
          {
            key: 'changes',
            label: t('planPage.tab.changes'),
            children: <ChangesTab plan={current} changes={changes.data ?? []} loading={changes.loading} error={changes.error} />,
          },
          { key: 'next', label: t('planPage.tab.next', { year: current.year + 1 }), children: <NextYearTab plan={current} canRevise={canRevise} onChanged={reload} /> },
        ]}
      />
    </div>
  );
}

interface TabProps {
  plan: Plan;
  canRevise: boolean;
  onChanged: () => void;
}

function baselineText(plan: Plan, i: PlanIndicator): string {
  const v = i.baseline.value === null ? '—' : fmtValue(i.baseline.value, uomSymbol(plan, i.unitOfMeasure));
  return i.baseline.rank === null ? v : `${v}（${i.baseline.rank}）`;
}

function IndicatorsTab({ plan, canRevise, onChanged, draft = false }: TabProps & { draft?: boolean }) {
  const { t } = useTranslation();
  const [editing, setEditing] = useState<PlanIndicator | null>(null);
  const [query, setQuery] = useState('');
  const [missing, setMissing] = useState<'all' | 'target' | 'baseline'>('all');
  const rows = plan.indicators.filter(
    (i) =>
      (!query.trim() || i.name.includes(query.trim()) || String(i.no) === query.trim()) &&
      (missing === 'all' || (missing === 'target' ? i.target === null : i.baseline.value === null && i.baseline.rank === null)),
  );
  const filled = plan.indicators.filter((i) => i.target !== null).length;
  return (
    <>
      {canRevise && !draft && <ImportCard plan={plan} onImported={onChanged} />}
      <Space wrap style={{ marginBottom: 12 }}>
        <Input
          allowClear
          prefix={<SearchOutlined aria-hidden="true" />}
          placeholder={t('planPage.search')}
          aria-label={t('planPage.search')}
          onChange={(e) => setQuery(e.target.value)}
          style={{ width: 240 }}
        />
        <Select
          value={missing}
          onChange={setMissing}
          aria-label={t('planPage.filter')}
          style={{ width: 180 }}
          options={[
            { value: 'all', label: t('planPage.filterAll') },
            { value: 'target', label: t('planPage.filterNoTarget') },
            { value: 'baseline', label: t('planPage.filterNoBaseline') },
          ]}
        />
        <Typography.Text type="secondary" data-testid="targets-filled">
          {t('planPage.filled', { n: filled, total: plan.indicators.length })}
        </Typography.Text>
      </Space>
      <Table<PlanIndicator>
        size="small"
        bordered
        rowKey="no"
        data-testid="plan-indicators"
        pagination={false}
        dataSource={rows}
        scroll={{ x: 900 }}
        sticky
        locale={{ emptyText: t('planPage.noMatch') }}
        columns={[
          { title: t('annex2.no'), dataIndex: 'no', width: 56, align: 'center' },
          { title: t('annex2.indicator'), dataIndex: 'name', render: (name: string, i) => <span title={i.alias}>{name}</span> },
          { title: t('planPage.uom'), key: 'uom', width: 80, align: 'center', render: (_, i) => uomSymbol(plan, i.unitOfMeasure) || '—' },
          { title: t('planPage.direction'), key: 'direction', width: 100, render: (_, i) => t(`direction.${i.direction}`) },
          {
            title: t('annex2.baseline', { year: plan.year - 1 }),
            key: 'baseline',
            width: 140,
            align: 'center',
            render: (_, i) => <span data-testid={`plan-baseline-${i.no}`}>{baselineText(plan, i)}</span>,
          },
          {
            title: t('annex2.target', { year: plan.year }),
            key: 'target',
            width: 120,
            align: 'center',
            render: (_, i) => <span data-testid={`plan-target-${i.no}`}>{fmtValue(i.target, uomSymbol(plan, i.unitOfMeasure))}</span>,
          },
          ...(canRevise
            ? [
                {
                  title: t('office.actions'),
                  key: 'edit',
                  width: 90,
                  fixed: 'right' as const,
                  render: (_: unknown, i: PlanIndicator) => (
                    <Button
                      size="small"
                      icon={<EditOutlined />}
                      onClick={() => setEditing(i)}
                      data-testid={`plan-edit-${i.no}`}
                      aria-label={t('planPage.editOf', { no: i.no, name: i.name })}
                    >
                      {t('planPage.edit')}
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
      {editing && (
        <IndicatorModal
          plan={plan}
          indicator={editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            onChanged();
          }}
        />
      )}
    </>
  );
}

/** Targets and baselines from the office's workbook: the template comes filled with the plan as it stands; a reason first, then the file. */
function ImportCard({ plan, onImported }: { plan: Plan; onImported: () => void }) {
  const { t } = useTranslation();
  const reason = useReason('import-reason');
  return (
    <UploadCard<TargetsImportOutcome>
      title={t('planPage.import')}
      testId="import-targets"
      chooseTestId="import-targets"
      chooseLabel={t('planPage.chooseFile')}
      templateLabel={t('planPage.template')}
      onTemplate={() => plans.targetsTemplate(plan.id).then((b) => saveBlob(b, `targets-${plan.id}.xlsx`))}
      before={<ReasonField reason={reason} testId="import-reason" />}
      ready={() => reason.check() !== null}
      upload={(file, progress) => plans.importTargets(plan.id, file, reason.value.trim(), currentLanguage(), progress)}
      onUploaded={onImported}
      describe={(o) => ({ title: t('planPage.imported', { file: o.file, rows: o.rows, targets: o.targets, baselines: o.baselines, unchanged: o.unchanged }) })}
      fixAndRetry={(n) => t('planPage.fixAndRetry', { n })}
    />
  );
}

interface IndicatorForm {
  target: number | null;
  baselineValue: number | null;
  baselineRank: number | null;
  reason: string;
}

function IndicatorModal({ plan, indicator, onClose, onSaved }: { plan: Plan; indicator: PlanIndicator; onClose: () => void; onSaved: () => void }) {
  const { t } = useTranslation();
  const notice = useProblemNotice();
  const { message } = App.useApp();
  const [form] = Form.useForm<IndicatorForm>();
  const [busy, setBusy] = useState(false);
  const symbol = uomSymbol(plan, indicator.unitOfMeasure);
  const save = async () => {
    let v: IndicatorForm;
    try {
      v = await form.validateFields();
    } catch {
      return; // the form shows what is missing
    }
    const target = v.target ?? null;
    const value = v.baselineValue ?? null;
    const rank = v.baselineRank ?? null;
    const targetChanged = target !== indicator.target;
    const baselineChanged = value !== indicator.baseline.value || rank !== indicator.baseline.rank;
    if (!targetChanged && !baselineChanged) {
      message.info(t('planPage.nothingChanged'));
      return;
    }
    setBusy(true);
    try {
      // Two commands, two events, one reason: each change stands on its own in the history.
      if (targetChanged) await plans.setTarget(plan.id, indicator.no, target, v.reason.trim());
      if (baselineChanged) await plans.setBaseline(plan.id, indicator.no, value, rank, v.reason.trim());
      message.success(t('planPage.saved'));
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
      width={560}
      title={t('planPage.editTitle', { no: indicator.no, name: indicator.name })}
      onCancel={onClose}
      onOk={() => void save()}
      okText={t('form.save')}
      okButtonProps={{ loading: busy, 'data-testid': 'plan-edit-save' }}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t('planPage.editHint', { unit: symbol || '—', direction: t(`direction.${indicator.direction}`) })}</Typography.Paragraph>
      <Form<IndicatorForm>
        form={form}
        layout="vertical"
        initialValues={{ target: indicator.target, baselineValue: indicator.baseline.value, baselineRank: indicator.baseline.rank, reason: '' }}
      >
        <Form.Item name="target" label={t('annex2.target', { year: plan.year })} extra={t('planPage.emptyClears')}>
          <InputNumber style={{ width: 200 }} addonAfter={symbol || undefined} data-testid="plan-target-input" />
        </Form.Item>
        <Space wrap>
          <Form.Item name="baselineValue" label={t('planPage.baselineValue', { year: plan.year - 1 })}>
            <InputNumber style={{ width: 200 }} addonAfter={symbol || undefined} data-testid="plan-baseline-value-input" />
          </Form.Item>
          <Form.Item name="baselineRank" label={t('planPage.baselineRank', { year: plan.year - 1 })}>
            <InputNumber min={1} max={plan.peerGroup.size} precision={0} style={{ width: 120 }} data-testid="plan-baseline-rank-input" />
          </Form.Item>
        </Space>
        <ReasonField rows={2} testId="plan-reason-input" />
      </Form>
    </Modal>
  );
}

type TierRow = Plan['warningTiers'][number];

/** The first way the tiers fail the server's check (plan.decider's checkRankCover, complete cover), or null. */
function rankCoverProblem(tiers: { fromRank: number; toRank: number }[], size: number): { index: number; kind: 'order' | 'twice' | 'none'; rank: number } | null {
  for (const [index, x] of tiers.entries()) if (x.fromRank > x.toRank) return { index, kind: 'order', rank: x.fromRank };
  for (let rank = 1; rank <= size; rank++) {
    const holders = tiers.flatMap((x, i) => (x.fromRank <= rank && rank <= x.toRank ? [i] : []));
    if (holders.length > 1) return { index: holders[1]!, kind: 'twice', rank };
    if (holders.length === 0) return { index: tiers.findIndex((x) => x.fromRank > rank) >= 0 ? tiers.findIndex((x) => x.fromRank > rank) : tiers.length - 1, kind: 'none', rank };
  }
  return null;
}

function TiersTab({ plan, canRevise, onChanged }: TabProps) {
  const { t } = useTranslation();
  const notice = useProblemNotice();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ tiers: { fromRank: number; toRank: number }[]; reason: string }>();
  const [busy, setBusy] = useState(false);
  const save = async () => {
    let v: { tiers: { fromRank: number; toRank: number }[]; reason: string };
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    // What the server checks (every rank 1…size in exactly one tier, from ≤ to), said on the field before anything is sent.
    const problem = rankCoverProblem(v.tiers, plan.peerGroup.size);
    if (problem) {
      form.setFields([{ name: ['tiers', problem.index, 'toRank'], errors: [t(`planPage.tierProblem.${problem.kind}`, { rank: problem.rank, size: plan.peerGroup.size })] }]);
      return;
    }
    const tiers: TierRow[] = plan.warningTiers.map((tier, i) => ({ ...tier, fromRank: v.tiers[i]!.fromRank, toRank: v.tiers[i]!.toRank }));
    setBusy(true);
    try {
      await plans.reviseWarningTiers(plan.id, tiers, v.reason.trim());
      message.success(t('planPage.saved'));
      form.setFieldValue('reason', '');
      onChanged();
    } catch (err) {
      notice(err, form);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card size="small" title={t('planPage.tiersTitle', { size: plan.peerGroup.size })}>
      <Form
        form={form}
        layout="vertical"
        key={JSON.stringify(plan.warningTiers)}
        initialValues={{ tiers: plan.warningTiers.map((x) => ({ fromRank: x.fromRank, toRank: x.toRank })), reason: '' }}
        disabled={!canRevise}
      >
        {plan.warningTiers.map((tier, i) => (
          <Space key={tier.tier} align="baseline" wrap data-testid={`tier-${tier.tier}`}>
            <span style={{ display: 'inline-block', width: 90 }}>
              <WarningTag tier={tier.tier} />
            </span>
            <Form.Item name={['tiers', i, 'fromRank']} label={t('planPage.fromRank')} rules={[{ required: true, message: t('form.required') }]}>
              <InputNumber min={1} max={plan.peerGroup.size} precision={0} />
            </Form.Item>
            <Form.Item name={['tiers', i, 'toRank']} label={t('planPage.toRank')} rules={[{ required: true, message: t('form.required') }]}>
              <InputNumber min={1} max={plan.peerGroup.size} precision={0} />
            </Form.Item>
            <Typography.Text type="secondary">{localized(tier.label)}</Typography.Text>
          </Space>
        ))}
        {canRevise && (
          <>
            <ReasonField rows={2} testId="tiers-reason" />
            <Button type="primary" loading={busy} onClick={() => void save()} data-testid="tiers-save">
              {t('form.save')}
            </Button>
          </>
        )}
      </Form>
    </Card>
  );
}

interface RuleForm {
  coefficients: number[];
  missingRankCoefficient: number;
  note: string;
  reason?: string;
}

function ScoringTab({ plan, canRevise, onChanged }: TabProps) {
  const { t } = useTranslation();
  const notice = useProblemNotice();
  const { message } = App.useApp();
  const rules = useAsync(() => ranking.scoringRules(plan.id), [plan.id]);
  const quarters = [...quartersOf(plan.year), String(plan.year)];
  const [period, setPeriod] = useState(quarters[0]!);
  const score = useAsync(() => ranking.score(plan.id, period).catch(() => null), [plan.id, period, rules.data?.current?.version]);
  const [form] = Form.useForm<RuleForm>();
  const draft = Form.useWatch([], form) as RuleForm | undefined;
  const [busy, setBusy] = useState(false);
  const current = rules.data?.current ?? null;
  const ranks = Array.from({ length: plan.peerGroup.size }, (_, i) => i + 1);
  const initial: RuleForm = {
    coefficients: ranks.map((r) => current?.coefficients.find((c) => c.rank === r)?.coefficient ?? Math.max(0, 1 - (r - 1) * 0.1)),
    missingRankCoefficient: current?.missingRankCoefficient ?? 0,
    note: current?.note ?? '',
    reason: '',
  };
  // What-if for a rule: every line's rank as it stands for the period, scored under the rule in force and the draft, with the shared rule module.
  const preview = useMemo(() => {
    const sheet = score.data;
    if (!sheet || !draft?.coefficients) return null;
    const next = { coefficients: ranks.map((rank, i) => ({ rank, coefficient: draft.coefficients[i] ?? 0 })), missingRankCoefficient: draft.missingRankCoefficient ?? 0 };
    const lines = sheet.lines.map((l) => {
      const from = l.score;
      const to = roundScore(l.points * coefficientFor(next, l.rank));
      return { ...l, from, to, delta: from === null ? null : roundScore(to - from) };
    });
    const total = roundScore(lines.reduce((s, l) => s + l.to, 0));
    return { lines: lines.filter((l) => l.delta !== 0), baseTotal: sheet.totalScore, total, maxScore: sheet.maxScore };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [score.data, JSON.stringify(draft)]);
  const save = async () => {
    let v: RuleForm;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setBusy(true);
    try {
      await ranking.publishScoringRule(plan.id, {
        coefficients: ranks.map((rank, i) => ({ rank, coefficient: v.coefficients[i]! })),
        missingRankCoefficient: v.missingRankCoefficient,
        note: v.note,
        ...(v.reason?.trim() ? { reason: v.reason.trim() } : {}),
      });
      message.success(t('planPage.ruleSaved'));
      rules.reload();
      onChanged();
    } catch (err) {
      notice(err, form);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      <ProblemAlert error={rules.error} />
      <Card size="small" title={current ? t('planPage.ruleInForce', { version: current.version, at: fmtDateTime(current.at) }) : t('planPage.noRule')} loading={rules.loading}>
        {current && (
          <Typography.Paragraph>
            {current.note} · <Who by={current.by} />
          </Typography.Paragraph>
        )}
        {!rules.loading && (
          <Form<RuleForm> form={form} layout="inline" initialValues={initial} key={current?.version ?? 0} disabled={!canRevise}>
            {ranks.map((r, i) => (
              <Form.Item key={r} name={['coefficients', i]} label={t('planPage.rankN', { rank: r })} rules={[{ required: true, message: t('form.required') }]}>
                <InputNumber min={0} max={1} step={0.05} style={{ width: 90 }} data-testid={`coefficient-${r}`} />
              </Form.Item>
            ))}
            <Form.Item name="missingRankCoefficient" label={t('planPage.missingRank')} rules={[{ required: true, message: t('form.required') }]}>
              <InputNumber min={0} max={1} step={0.05} style={{ width: 90 }} />
            </Form.Item>
            <Form.Item
              name="note"
              label={t('planPage.ruleNote')}
              style={{ width: '100%', marginTop: 8 }}
              rules={[{ required: true, whitespace: true, message: t('form.required') }]}
            >
              <Input maxLength={2000} />
            </Form.Item>
            {canRevise && (
              <Form.Item
                name="reason"
                label={t('form.reason')}
                style={{ width: '100%', marginTop: 8 }}
                rules={current ? [{ required: true, whitespace: true, min: 2, message: t('form.reasonRequired') }] : []}
              >
                <Input.TextArea rows={2} maxLength={2000} data-testid="rule-reason" />
              </Form.Item>
            )}
          </Form>
        )}
      </Card>
      <Card
        size="small"
        title={t('planPage.whatIf')}
        extra={
          <Select value={period} onChange={setPeriod} aria-label={t('a11y.period')} style={{ width: 140 }} options={quarters.map((p) => ({ value: p, label: fmtPeriod(p) }))} />
        }
      >
        {!score.data && !score.loading && <Typography.Text type="secondary">{t('planPage.whatIfNoScore')}</Typography.Text>}
        {preview && (
          <div data-testid="rule-preview">
            <Descriptions size="small" column={3}>
              <Descriptions.Item label={t('planPage.totalNow')}>{preview.baseTotal === null ? '—' : fmtNumber(preview.baseTotal)}</Descriptions.Item>
              <Descriptions.Item label={t('planPage.totalDraft')}>
                <strong data-testid="rule-preview-total">{fmtNumber(preview.total)}</strong> / {fmtNumber(preview.maxScore)}
              </Descriptions.Item>
              <Descriptions.Item label={t('planPage.delta')}>{preview.baseTotal === null ? '—' : signed(roundScore(preview.total - preview.baseTotal))}</Descriptions.Item>
            </Descriptions>
            {preview.lines.length === 0 && <Typography.Paragraph>{t('planPage.noLineChanges')}</Typography.Paragraph>}
            {preview.lines.length > 0 && (
              <Table
                size="small"
                rowKey="indicatorNo"
                pagination={false}
                scroll={{ y: 360 }}
                dataSource={preview.lines}
                columns={[
                  { title: t('annex2.no'), dataIndex: 'indicatorNo', width: 56 },
                  { title: t('annex2.indicator'), dataIndex: 'name' },
                  { title: t('annex2.rank'), dataIndex: 'rank', width: 70, render: (r: number | null) => r ?? '—' },
                  { title: t('planPage.scoreNow'), dataIndex: 'from', width: 90, render: (v: number | null) => (v === null ? '—' : fmtNumber(v)) },
                  { title: t('planPage.scoreDraft'), dataIndex: 'to', width: 90, render: (v: number) => fmtNumber(v) },
                ]}
              />
            )}
          </div>
        )}
        {canRevise && (
          <Button type="primary" style={{ marginTop: 12 }} loading={busy} onClick={() => void save()} data-testid="rule-save">
            {t('planPage.publishRule')}
          </Button>
        )}
      </Card>
    </Space>
  );
}

/** A time zone's long name in the reader's language ("中国标准时间"), or '' where the browser does not know it. */
function zoneName(timeZone: string): string {
  try {
    return new Intl.DateTimeFormat(currentLanguage(), { timeZone, timeZoneName: 'long' }).formatToParts(new Date()).find((p) => p.type === 'timeZoneName')?.value ?? '';
  } catch {
    return '';
  }
}

const signed = (x: number) => (x > 0 ? `+${fmtNumber(x)}` : fmtNumber(x));

interface DeadlineForm {
  dueBeforeDayOfNextMonth: number;
  reminderWorkingDaysBefore: number;
}

function CalendarTab({ plan, canRevise, onChanged }: TabProps) {
  const { t } = useTranslation();
  const notice = useProblemNotice();
  const { message } = App.useApp();
  const [form] = Form.useForm<DeadlineForm>();
  // The change asked for, once the numbers pass their checks: the dialog names it and takes the reason (issue 15).
  const [asking, setAsking] = useState<DeadlineForm | null>(null);
  const rule = plan.monthlyReport;
  const d = plan.supervisionDeadlines;
  const ask = async () => {
    let v: DeadlineForm;
    try {
      v = await form.validateFields();
    } catch {
      return; // the form shows what is missing
    }
    if (v.dueBeforeDayOfNextMonth === rule.dueBeforeDayOfNextMonth && v.reminderWorkingDaysBefore === rule.reminderWorkingDaysBefore) {
      message.info(t('planPage.nothingChanged'));
      return;
    }
    setAsking(v);
  };
  const save = async (v: DeadlineForm, reason: string) => {
    try {
      await plans.reviseMonthlyReport(plan.id, { dueBeforeDayOfNextMonth: v.dueBeforeDayOfNextMonth, reminderWorkingDaysBefore: v.reminderWorkingDaysBefore }, reason);
      message.success(t('planPage.saved'));
      onChanged();
    } catch (err) {
      notice(err, form);
      throw err; // the dialog stays open
    }
  };
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      <Card size="small" title={t('planPage.deadline')}>
        <Form
          form={form}
          layout="inline"
          key={`${rule.dueBeforeDayOfNextMonth}/${rule.reminderWorkingDaysBefore}`}
          initialValues={{ dueBeforeDayOfNextMonth: rule.dueBeforeDayOfNextMonth, reminderWorkingDaysBefore: rule.reminderWorkingDaysBefore }}
          disabled={!canRevise}
        >
          <Form.Item name="dueBeforeDayOfNextMonth" label={t('planPage.dueBefore')} rules={[{ required: true, message: t('form.required') }]}>
            <InputNumber min={2} max={28} precision={0} data-testid="deadline-due" />
          </Form.Item>
          <Form.Item name="reminderWorkingDaysBefore" label={t('planPage.reminder')} rules={[{ required: true, message: t('form.required') }]}>
            <InputNumber min={0} max={20} precision={0} data-testid="deadline-reminder" />
          </Form.Item>
          {canRevise && (
            <Button type="primary" onClick={() => void ask()} data-testid="deadline-save">
              {t('form.save')}
            </Button>
          )}
        </Form>
        {asking && (
          <ReasonModal
            testId="deadline-dialog"
            title={t('planPage.deadlineAsk')}
            description={
              <span data-testid="deadline-change">
                {[
                  asking.dueBeforeDayOfNextMonth !== rule.dueBeforeDayOfNextMonth &&
                    t('planPage.deadlineChange.due', { from: rule.dueBeforeDayOfNextMonth, to: asking.dueBeforeDayOfNextMonth }),
                  asking.reminderWorkingDaysBefore !== rule.reminderWorkingDaysBefore &&
                    t('planPage.deadlineChange.reminder', { from: rule.reminderWorkingDaysBefore, to: asking.reminderWorkingDaysBefore }),
                ]
                  .filter(Boolean)
                  .join('；')}
                {t('planPage.deadlineChange.recorded')}
              </span>
            }
            okText={t('form.save')}
            onConfirm={(reason) => save(asking, reason)}
            onClose={() => setAsking(null)}
          />
        )}
        <Descriptions size="small" column={2} style={{ marginTop: 12 }}>
          <Descriptions.Item label={t('planPage.holidayPolicy')}>{t(`planPage.policy.${rule.holidayPolicy ?? 'stays'}`)}</Descriptions.Item>
          <Descriptions.Item label={t('planPage.timeZone')}>
            {/* The zone said in the reader's language (中国标准时间), its IANA id beside it as an identifier. */}
            {zoneName(rule.timeZone)}{' '}
            <Typography.Text code translate="no">
              {rule.timeZone}
            </Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label={t('planPage.signedByHead')}>{rule.signedByHead ? t('planPage.yes') : t('planPage.no')}</Descriptions.Item>
          <Descriptions.Item label={t('planPage.paperCopies')}>{rule.paperCopies}</Descriptions.Item>
        </Descriptions>
      </Card>
      {d && (
        <Card size="small" title={t('planPage.supervisionDeadlines')}>
          <Typography.Paragraph type="secondary">{t('planPage.readOnlyHint')}</Typography.Paragraph>
          <Descriptions size="small" column={2}>
            <Descriptions.Item label={t('planPage.acknowledge')}>{t('planPage.workingDays', { n: d.acknowledgeWorkingDays })}</Descriptions.Item>
            <Descriptions.Item label={t('planPage.planDays')}>{t('planPage.workingDays', { n: d.planWorkingDays })}</Descriptions.Item>
            <Descriptions.Item label={t('planPage.review')}>{t('planPage.workingDays', { n: d.reviewWorkingDays })}</Descriptions.Item>
            <Descriptions.Item label={t('planPage.resubmit')}>{t('planPage.workingDays', { n: d.resubmitWorkingDays })}</Descriptions.Item>
          </Descriptions>
        </Card>
      )}
      <Card size="small" title={t('planPage.calendar', { from: fmtDate(plan.calendar.covers.from), to: fmtDate(plan.calendar.covers.to) })}>
        <Typography.Paragraph type="secondary">{t('planPage.readOnlyHint')}</Typography.Paragraph>
        <Table
          size="small"
          rowKey={(h) => `${h.name}/${h.from}`}
          pagination={false}
          dataSource={[...plan.calendar.holidays]}
          columns={[
            { title: t('planPage.holiday'), dataIndex: 'name' },
            { title: t('planPage.from'), dataIndex: 'from', render: (v: string) => fmtDate(v) },
            { title: t('planPage.to'), dataIndex: 'to', render: (v: string) => fmtDate(v) },
          ]}
        />
        {plan.calendar.workingWeekendDays.length > 0 && (
          <Typography.Paragraph style={{ marginTop: 8 }}>
            {t('planPage.workingWeekends')}：{plan.calendar.workingWeekendDays.map((w) => fmtDate(w.date)).join('、')}
          </Typography.Paragraph>
        )}
      </Card>
    </Space>
  );
}

/** A change in the reader's language, from the event's data (the projection's summary is English). */
function describe(plan: Plan, c: PlanChange, t: (k: string, o?: Record<string, unknown>) => string): string {
  const d = c.data as Record<string, unknown>;
  const ind = (no: unknown) => plan.indicators.find((i) => i.no === no);
  const val = (no: unknown, v: unknown) => (v === null || v === undefined ? '—' : fmtValue(v as number, uomSymbol(plan, ind(no)?.unitOfMeasure ?? '')));
  switch (c.type) {
    case 'PlanPublished':
      return t('planPage.change.published');
    case 'PlanTargetSet':
      return t('planPage.change.target', { no: d.indicatorNo, name: ind(d.indicatorNo)?.name ?? '', from: val(d.indicatorNo, d.previous), to: val(d.indicatorNo, d.target) });
    case 'PlanBaselineSet': {
      const prev = d.previous as { value: number | null; rank: number | null };
      return t('planPage.change.baseline', {
        no: d.indicatorNo,
        name: ind(d.indicatorNo)?.name ?? '',
        from: `${val(d.indicatorNo, prev.value)}（${prev.rank ?? '—'}）`,
        to: `${val(d.indicatorNo, d.value)}（${(d.rank as number | null) ?? '—'}）`,
      });
    }
    case 'PlanRuleRevised':
      return t(`planPage.change.rule.${String(d.rule)}`);
    case 'PlanDrafted':
      return t('planPage.change.drafted', { year: d.year as number });
    default:
      return c.summary;
  }
}

function ChangesTab({ plan, changes, loading, error }: { plan: Plan; changes: PlanChange[]; loading: boolean; error: unknown }) {
  const { t } = useTranslation();
  const rows = [...changes].reverse();
  return (
    <>
      <ProblemAlert error={error} />
      <Table<PlanChange>
        size="small"
        rowKey="revision"
        data-testid="plan-changes"
        loading={loading}
        dataSource={rows}
        pagination={{
          pageSize: 20,
          hideOnSinglePage: true,
          showSizeChanger: false,
          // antd's previous/next buttons are icons only: give them names (WCAG 4.1.2).
          itemRender: (_, type, element) =>
            type === 'prev' || type === 'next' ? cloneElement(element as ReactElement<{ 'aria-label'?: string }>, { 'aria-label': t(`planPage.${type}Page`) }) : element,
        }}
        locale={{ emptyText: t('planPage.noChanges') }}
        columns={[
          { title: t('planPage.when'), dataIndex: 'recordedAt', width: 170, render: (v: string) => fmtDateTime(v) },
          // The system (the plan shipped with the deployment) is named by its role, not its internal id.
          { title: t('planPage.who'), key: 'who', width: 160, render: (_, c) => (c.actor.role === 'system' ? t('role.system') : <Who by={c.actor} />) },
          { title: t('planPage.kind'), key: 'type', width: 120, render: (_, c) => <Tag>{t(`planPage.type.${c.type}`)}</Tag> },
          {
            title: t('planPage.what'),
            key: 'what',
            render: (_, c) => (
              <span data-testid={`change-${c.revision}`}>
                {describe(plan, c, t)}
                {c.type === 'PlanPublished' && (
                  // A file name is an identifier, not text to translate.
                  <code translate="no" style={{ marginLeft: 4 }}>
                    {(c.data as { source?: { file?: string } }).source?.file}
                  </code>
                )}
              </span>
            ),
          },
          {
            title: t('form.reason'),
            key: 'reason',
            // People write reasons in Chinese; the system's own (the shipped plan's publication) are recorded in English: marked as such (WCAG 3.1.2).
            render: (_, c) =>
              !c.reason ? (
                '—'
              ) : c.actor.role === 'system' ? (
                <span lang="en" translate="no">
                  {c.reason}
                </span>
              ) : (
                c.reason
              ),
          },
        ]}
      />
    </>
  );
}

/**
 * Next year's plan drafted from this year's (issue 15): drafted with a reason, its targets and
 * baselines edited like this year's, then published once. Until then no workflow sees it.
 */
function NextYearTab({ plan, canRevise, onChanged }: TabProps) {
  const { t } = useTranslation();
  const notice = useProblemNotice();
  const { message, modal } = App.useApp();
  const nextId = nextYearId(plan);
  const draft = useAsync(() => plans.draft(nextId).catch((err: unknown) => (err instanceof ApiProblem && err.status === 404 ? null : Promise.reject(err))), [nextId]);
  const published = useAsync(() => plans.list().then((l) => l.some((p) => p.id === nextId)), [nextId, draft.data?.revision]);
  const reason = useReason('next-year-reason');
  const [busy, setBusy] = useState(false);
  const withReason = async (run: (reason: string) => Promise<unknown>, done: string) => {
    const why = reason.check();
    if (!why) return;
    setBusy(true);
    try {
      await run(why);
      message.success(done);
      reason.set('');
      draft.reload();
      published.reload();
      onChanged();
    } catch (err) {
      notice(err);
    } finally {
      setBusy(false);
    }
  };
  const reasonField = <ReasonField reason={reason} testId="next-year-reason" width={360} />;
  if (draft.loading && !draft.data) return <Card size="small" loading />;
  if (draft.error) return <ProblemAlert error={draft.error} />;
  if (!draft.data) {
    return (
      <Card size="small" title={t('planPage.nextTitle', { year: plan.year + 1 })} data-testid="next-year">
        {published.data ? (
          <Alert type="success" showIcon title={t('planPage.nextPublished', { year: plan.year + 1, id: nextId })} />
        ) : (
          <>
            <Typography.Paragraph>{t('planPage.nextHint', { year: plan.year, next: plan.year + 1 })}</Typography.Paragraph>
            {canRevise && (
              <Space wrap align="start">
                {reasonField}
                <Button type="primary" loading={busy} onClick={() => void withReason((r) => plans.draftNextYear(plan.id, r), t('planPage.drafted'))} data-testid="draft-next-year">
                  {t('planPage.draftNext', { year: plan.year + 1 })}
                </Button>
              </Space>
            )}
          </>
        )}
      </Card>
    );
  }
  const d = draft.data;
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle" data-testid="next-year">
      <Card size="small" title={t('planPage.draftTitle', { year: d.plan.year })}>
        <Typography.Paragraph>
          {t('planPage.draftState', { at: fmtDateTime(d.draftedAt), n: d.plan.indicators.filter((i) => i.target !== null).length, total: d.plan.indicators.length })}
        </Typography.Paragraph>
        {canRevise && (
          <Space wrap align="start">
            {reasonField}
            <Button
              type="primary"
              loading={busy}
              data-testid="publish-draft"
              onClick={() =>
                modal.confirm({
                  title: t('planPage.publishConfirm', { year: d.plan.year }),
                  content: t('planPage.publishConfirmHint'),
                  okText: t('planPage.publish'),
                  onOk: () => withReason((r) => plans.publishDraft(d.plan.id, r), t('planPage.draftPublished')),
                })
              }
            >
              {t('planPage.publish')}
            </Button>
          </Space>
        )}
      </Card>
      <IndicatorsTab plan={d.plan} canRevise={canRevise} onChanged={draft.reload} draft />
    </Space>
  );
}
