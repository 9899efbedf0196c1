import { DownloadOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Form, Input, Modal, Segmented, Select, Space, Table, Tag, Tooltip } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { supervision } from '../api/endpoints';
import { newCommandId, url } from '../api/http';
import type { BoardRow, CaseGround } from '../api/models';
import { unitOptions, usePlan } from '../app/plan';
import { hasRole, useSession } from '../app/session';
import { AsOfBanner, AsOfPicker, PageTitle } from '../components/common';
import { EmptyState, matchesSearch, TableToolbar, useTableView } from '../components/TableTools';
import { ProblemAlert, useProblemNotice } from '../components/problems';
import { DeadlineLight, EscalationTag, lightOf, type Light } from '../components/status';
import { fmtDate, fmtDateTime, fmtPeriod } from '../lib/format';
import { useAsync } from '../lib/useAsync';
import { useSearchParam } from '../lib/useSearchParam';
import { PERIOD_PATTERN } from '../../../../libs/workflows/plan/period.js';
import { monthsOf, quartersOf } from '../lib/periods';

const CASE_STEPS = ['acknowledge', 'plan', 'feedback', 'review', 'close'] as const;
const LIGHTS: Light[] = ['overdue', 'due-soon', 'on-track', 'closed'];

/** The supervision bureau's board: every case, its step, its next deadline as a light, and its escalations. */
export default function SupervisionPage() {
  const { t } = useTranslation();
  const plan = usePlan();
  const { user } = useSession();
  const [params, set] = useSearchParam();
  const status = (params.get('status') ?? 'open') as 'open' | 'closed' | 'all';
  const asOf = params.get('asOf');
  const unitId = params.get('unit') ?? undefined;
  const board = useAsync(() => supervision.board(plan.id, { status, asOf, ...(unitId ? { unitId } : {}) }), [plan.id, status, asOf, unitId]);
  const countyWide = hasRole(user, 'office', 'supervisor', 'leader', 'auditor', 'admin');
  const [opening, setOpening] = useState(false);
  const now = board.data?.asOf ?? new Date().toISOString();
  // Search (unit, indicator, case number) and the step, in the address with the page (issue 15).
  const view = useTableView('cases', { filters: ['step', 'light'] });
  const step = view.filter('step');
  const light = view.filter('light');
  const cases = (board.data?.cases ?? []).filter(
    (c) => matchesSearch(view.q, c.unitName, c.indicatorNo, c.indicatorName, `#${c.caseNo}`) && (!step || c.step === step) && (!light || lightOf(c, now) === light),
  );
  return (
    <div data-testid="supervision">
      <PageTitle
        title={t('supervision.title')}
        extra={
          <Space wrap>
            <Button
              icon={<DownloadOutlined />}
              href={url(`/plans/${encodeURIComponent(plan.id)}/supervision/cases.xlsx`, { status, ...(unitId ? { unitId } : {}) })}
              data-testid="cases-xlsx"
            >
              {t('exports.cases')}
            </Button>
            <Segmented
              aria-label={t('a11y.statusFilter')}
              value={status}
              onChange={(v) => set('status', String(v))}
              options={['open', 'closed', 'all'].map((s) => ({ value: s, label: t(`supervision.status.${s}`) }))}
            />
            {countyWide && (
              <Select
                allowClear
                placeholder={t('supervision.allUnits')}
                aria-label={t('a11y.unitFilter')}
                value={unitId}
                onChange={(v) => set('unit', v)}
                style={{ minWidth: 140 }}
                options={unitOptions(plan)}
              />
            )}
            <AsOfPicker value={asOf} onChange={(v) => set('asOf', v)} />
            {hasRole(user, 'supervisor') && !asOf && (
              <Button icon={<PlusOutlined />} onClick={() => setOpening(true)}>
                {t('supervision.openByHand')}
              </Button>
            )}
          </Space>
        }
      />
      <AsOfBanner asOf={asOf} />
      <ProblemAlert error={board.error} />
      <TableToolbar
        view={view}
        testId="cases"
        placeholder={t('tables.searchCases')}
        filters={[
          { name: 'step', label: t('tables.allSteps'), options: CASE_STEPS.map((s) => ({ value: s, label: t(`caseStep.${s}`) })) },
          { name: 'light', label: t('tables.allLights'), options: LIGHTS.map((l) => ({ value: l, label: t(`light.${l}`) })) },
        ]}
      />
      <Table<BoardRow>
        size="small"
        data-testid="case-board"
        loading={board.loading}
        rowKey={(c) => `${c.unitId}-${c.indicatorNo}-${c.caseNo}`}
        dataSource={cases}
        pagination={view.pagination}
        locale={{ emptyText: <EmptyState view={view} description={status === 'open' ? t('tables.noOpenCases') : t('tables.noCases')} /> }}
        scroll={{ x: 960 }}
        columns={[
          { title: t('supervision.light'), key: 'light', width: 110, render: (_, c) => <DeadlineLight light={lightOf(c, now)} /> },
          {
            title: t('supervision.case'),
            key: 'case',
            render: (_, c) => (
              <Link
                to={`/supervision/cases/${c.unitId}/${c.indicatorNo}/${c.caseNo}${asOf ? `?asOf=${encodeURIComponent(asOf)}` : ''}`}
                data-testid={`case-${c.unitId}-${c.indicatorNo}-${c.caseNo}`}
              >
                {c.unitName} · {c.indicatorNo}. {c.indicatorName} #{c.caseNo}
              </Link>
            ),
          },
          { title: t('supervision.step'), dataIndex: 'step', width: 110, render: (s: string) => t(`caseStep.${s}`) },
          {
            title: t('supervision.nextDeadline'),
            key: 'deadline',
            width: 170,
            render: (_, c) =>
              c.nextDeadline ? (
                <Tooltip title={fmtDateTime(c.nextDeadline.dueAt)}>
                  {t(`caseStep.${c.nextDeadline.step}`)} · {fmtDate(c.nextDeadline.lastDay)}
                </Tooltip>
              ) : (
                '—'
              ),
          },
          { title: t('supervision.age'), dataIndex: 'ageDays', width: 80, render: (d: number) => t('supervision.days', { n: d }) },
          { title: t('supervision.warnings'), key: 'warnings', render: (_, c) => c.warnings.map((w) => fmtPeriod(w)).join('、') },
          // Issue 12: a case the bureau opened on a ground (行动不力、工作滞后、成效不明显) rather than a red warning.
          { title: t('rules12.ground.title'), key: 'ground', render: (_, c) => (c.ground ? <Tag>{t(`rules12.ground.${c.ground}`)}</Tag> : t('rules12.ground.none')) },
          {
            title: t('supervision.escalations'),
            key: 'esc',
            render: (_, c) => c.escalations.map((e, i) => <EscalationTag key={i} kind={e.kind} />),
          },
          {
            title: t('supervision.overdueSteps'),
            key: 'overdue',
            render: (_, c) =>
              c.overdueSteps.map((s, i) => (
                <Tag key={i} color="red">
                  {t(`caseStep.${s}`)}
                </Tag>
              )),
          },
        ]}
      />
      {opening && (
        <OpenCaseModal
          onClose={() => setOpening(false)}
          onOpened={() => {
            setOpening(false);
            board.reload();
          }}
        />
      )}
    </div>
  );
}

function OpenCaseModal({ onClose, onOpened }: { onClose: () => void; onOpened: () => void }) {
  const { t } = useTranslation();
  const plan = usePlan();
  const notice = useProblemNotice();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ ground: string; unitId: string; indicatorNo: number; period: string; note: string }>();
  const [key] = useState(newCommandId);
  const unitId = Form.useWatch('unitId', form);
  return (
    <Modal
      open
      title={t('supervision.openByHand')}
      onCancel={onClose}
      onOk={
        () =>
          form.validateFields().then(
            async (v) => {
              try {
                const { ground, ...line } = v;
                // A red warning's case, or one on a ground of 四（四） whatever the colour.
                if (ground && ground !== 'red') await supervision.openOnGround(plan.id, { ...line, ground: ground as CaseGround }, key);
                else await supervision.open(plan.id, line, key);
                message.success(t('supervision.opened'));
                onOpened();
              } catch (err) {
                notice(err, form);
              }
            },
            () => undefined,
          ) // the form shows what is missing
      }
    >
      <Form form={form} layout="vertical" initialValues={{ ground: 'red' }}>
        <Form.Item name="ground" label={t('rules12.ground.title')}>
          <Select
            data-testid="case-ground-select"
            options={[
              { value: 'red', label: t('rules12.ground.none') },
              ...(['ineffective-action', 'lagging-work', 'little-effect'] as const).map((g) => ({ value: g, label: t(`rules12.ground.${g}`) })),
            ]}
          />
        </Form.Item>
        <Form.Item name="unitId" label={t('office.unit')} rules={[{ required: true, message: t('form.required') }]}>
          <Select showSearch optionFilterProp="label" options={unitOptions(plan)} />
        </Form.Item>
        <Form.Item name="indicatorNo" label={t('annex2.indicator')} rules={[{ required: true, message: t('form.required') }]}>
          <Select options={plan.indicators.filter((i) => !unitId || i.units.includes(unitId)).map((i) => ({ value: i.no, label: `${i.no}. ${i.name}` }))} />
        </Form.Item>
        {/* Chosen, not typed: the plan year's quarters and months, as the server accepts them. */}
        <Form.Item name="period" label={t('supervision.period')} rules={[{ required: true, pattern: PERIOD_PATTERN, message: t('form.required') }]}>
          <Select showSearch data-testid="case-period-select" options={[...quartersOf(plan.year), ...monthsOf(plan.year)].map((p) => ({ value: p, label: p }))} />
        </Form.Item>
        <Form.Item name="note" label={t('form.reason')} rules={[{ required: true, min: 2, message: t('form.reasonRequired') }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
