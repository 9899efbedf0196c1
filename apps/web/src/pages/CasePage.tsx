import { App, Button, Card, Col, DatePicker, Descriptions, Form, Input, Modal, Radio, Row, Space, Steps, Table, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useDomainNow } from '../lib/domainClock';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { attachments, supervision } from '../api/endpoints';
import { AttachmentsCard } from '../components/Attachments';
import type { CaseView } from '../api/models';
import { usePlan } from '../app/plan';
import { hasRole, useSession } from '../app/session';
import { AsOfBanner, PageTitle, WarningTag, Who } from '../components/common';
import { HistoryTimeline } from '../components/HistoryTimeline';
import { ProblemAlert, useProblemNotice } from '../components/problems';
import { IssuedDocuments } from '../components/IssuedDocuments';
import { Provenance } from '../components/Provenance';
import { DeadlineLight, EscalationTag, lightOf } from '../components/status';
import { fmtDate, fmtDateTime, fmtPeriod } from '../lib/format';
import { useAsync } from '../lib/useAsync';

const STEPS = ['acknowledge', 'plan', 'feedback', 'review', 'close'] as const;
type Action = 'acknowledge' | 'plan' | 'feedback' | 'review' | 'escalations' | 'leader-reports' | 'close';

/** One supervision case: its warnings, steps and deadlines, escalations (通报 / 约谈), reports to leaders and history. */
export default function CasePage() {
  const { t } = useTranslation();
  const plan = usePlan();
  const { user } = useSession();
  const params = useParams();
  const [search] = useSearchParams();
  const asOf = search.get('asOf');
  const ref = { unitId: params.unitId ?? '', indicatorNo: Number(params.indicatorNo), caseNo: Number(params.caseNo) };
  const view = useAsync(() => supervision.case(plan.id, ref.unitId, ref.indicatorNo, ref.caseNo, asOf), [plan.id, ref.unitId, ref.indicatorNo, ref.caseNo, asOf]);
  const [action, setAction] = useState<Action | null>(null);
  const c = view.data;
  const isUnit = hasRole(user, 'head', 'reporter') && user?.unitId === ref.unitId;
  const isBureau = hasRole(user, 'supervisor');
  const open = c?.status === 'open' && !asOf;
  const now = useDomainNow().toISOString();

  return (
    <div data-testid="case-page">
      <PageTitle
        title={c ? `${c.unitName} · ${c.indicatorNo}. ${c.indicatorName} · ${t('supervision.caseNo', { n: c.caseNo })}` : t('supervision.case')}
        extra={<Link to="/supervision">{t('supervision.backToBoard')}</Link>}
      />
      <AsOfBanner asOf={asOf} />
      <ProblemAlert error={view.error} />
      {c && (
        <>
          <IssuedDocuments
            planId={plan.id}
            kind="supervision-notice"
            subject={ref}
            subjectKey={`supervision-notice/${ref.unitId}/${ref.indicatorNo}/${ref.caseNo}`}
            canIssue={isBureau}
          />
          <IssuedDocuments planId={plan.id} kind="talk-notice" subject={ref} subjectKey={`talk-notice/${ref.unitId}/${ref.indicatorNo}/${ref.caseNo}`} canIssue={isBureau} />
        </>
      )}
      {c && (
        <>
          <Card size="small" style={{ marginBottom: 16 }}>
            <Space wrap style={{ marginBottom: 12 }}>
              <Tag color={c.status === 'open' ? 'red' : 'default'} data-testid="case-status" data-status={c.status}>
                {t(`supervision.status.${c.status}`)}
              </Tag>
              <DeadlineLight light={lightOf({ status: c.status, overdue: c.deadlines.some((d) => d.doneAt === null && d.overdueAt !== null), nextDeadline: c.next }, now)} />
              {c.next && (
                <span>
                  {t('supervision.nextDeadline')}: {t(`caseStep.${c.next.step}`)} · {fmtDate(c.next.lastDay)}
                </span>
              )}
              <span>
                {t('supervision.openedAt')}: {fmtDateTime(c.openedAt)}
              </span>
            </Space>
            <Steps
              size="small"
              current={c.status === 'closed' ? STEPS.length : STEPS.indexOf(c.step)}
              items={STEPS.map((s) => ({ title: t(`caseStep.${s}`) }))}
              data-testid="case-steps"
            />
          </Card>
          {open && (isUnit || isBureau) && (
            <Card size="small" style={{ marginBottom: 16 }} title={t('supervision.actions')}>
              <Space wrap>
                {isUnit && c.step === 'acknowledge' && (
                  <Button type="primary" onClick={() => setAction('acknowledge')} data-testid="act-acknowledge">
                    {t('caseAction.acknowledge')}
                  </Button>
                )}
                {isUnit && (c.step === 'plan' || c.step === 'acknowledge') && (
                  <Button onClick={() => setAction('plan')} data-testid="act-plan">
                    {t('caseAction.plan')}
                  </Button>
                )}
                {isUnit && c.step === 'feedback' && (
                  <Button type="primary" onClick={() => setAction('feedback')} data-testid="act-feedback">
                    {t('caseAction.feedback')}
                  </Button>
                )}
                {isBureau && c.step === 'review' && (
                  <Button type="primary" onClick={() => setAction('review')} data-testid="act-review">
                    {t('caseAction.review')}
                  </Button>
                )}
                {isBureau && (
                  <Button danger onClick={() => setAction('escalations')} data-testid="act-escalate">
                    {t('caseAction.escalate')}
                  </Button>
                )}
                {isBureau && (
                  <Button onClick={() => setAction('leader-reports')} data-testid="act-report">
                    {t('caseAction.report')}
                  </Button>
                )}
                {isBureau && closeReasonsFor(c).length > 0 && (
                  <Button onClick={() => setAction('close')} data-testid="act-close">
                    {t('caseAction.close')}
                  </Button>
                )}
              </Space>
            </Card>
          )}
          <Row gutter={[16, 16]}>
            <Col xs={24} lg={14}>
              {c.ground && (
                <Card size="small" title={t('rules12.ground.title')} style={{ marginBottom: 16 }} data-testid="case-ground">
                  <Tag>{t(`rules12.ground.${c.ground.ground}`)}</Tag> {fmtPeriod(c.ground.period)} · {c.ground.note}
                </Card>
              )}
              <Card size="small" title={t('supervision.warnings')} style={{ marginBottom: 16 }}>
                <Table
                  size="small"
                  rowKey={(w) => `${w.quarter}-${w.linkedAt}`}
                  pagination={false}
                  dataSource={c.warnings}
                  columns={[
                    { title: t('supervision.period'), key: 'q', render: (_, w) => `${fmtPeriod(w.quarter)} (${fmtPeriod(w.figuresPeriod)})` },
                    {
                      title: t('annex2.rank'),
                      key: 'rank',
                      render: (_, w) => (
                        <Provenance source={{ kind: 'standing', planId: plan.id, indicatorNo: c.indicatorNo, period: w.figuresPeriod, asOf }}>{w.rank ?? '—'}</Provenance>
                      ),
                    },
                    { title: t('annex2.warning'), key: 'w', render: (_, w) => <WarningTag tier={w.warning} /> },
                    { title: t('supervision.linkedAt'), dataIndex: 'linkedAt', render: fmtDateTime },
                  ]}
                />
              </Card>
              <Card size="small" title={t('supervision.deadlines')} style={{ marginBottom: 16 }}>
                <Table
                  size="small"
                  rowKey="seq"
                  pagination={false}
                  dataSource={c.deadlines}
                  columns={[
                    { title: t('supervision.step'), dataIndex: 'step', render: (s: string) => t(`caseStep.${s}`) },
                    { title: t('supervision.lastDay'), dataIndex: 'lastDay', render: fmtDate },
                    { title: t('supervision.doneAt'), dataIndex: 'doneAt', render: (d: string | null) => (d ? fmtDateTime(d) : '—') },
                    { title: t('supervision.overdueAt'), dataIndex: 'overdueAt', render: (d: string | null) => (d ? <span className="step-overdue">{fmtDateTime(d)}</span> : '—') },
                  ]}
                />
              </Card>
              <CaseRecords c={c} />
              <AttachmentsCard target={attachments.target('cases', plan.id, ref.unitId, ref.indicatorNo, ref.caseNo)} canUpload={!asOf && (isUnit || isBureau)} steps />
            </Col>
            <Col xs={24} lg={10}>
              <Card size="small" title={t('unit.history')} data-testid="case-history">
                <HistoryTimeline steps={c.history} hideTimers reasonOnOwnLine />
              </Card>
            </Col>
          </Row>
          {action && (
            <ActionModal
              action={action}
              c={c}
              onClose={() => setAction(null)}
              onDone={() => {
                setAction(null);
                view.reload();
              }}
            />
          )}
        </>
      )}
    </div>
  );
}

function CaseRecords({ c }: { c: CaseView }) {
  const { t } = useTranslation();
  const items = [
    ...(c.acknowledged
      ? [
          {
            key: 'ack',
            label: t('caseAction.acknowledge'),
            children: (
              <>
                {c.acknowledged.note || '—'} · <Who by={c.acknowledged.by} /> · {fmtDateTime(c.acknowledged.at)}
              </>
            ),
          },
        ]
      : []),
    ...c.plans.map((p, i) => ({
      key: `plan${i}`,
      label: t('caseAction.plan'),
      children: (
        <>
          {p.text} ({t('supervision.rectifyBy')} {fmtDate(p.rectifyBy)}) · <Who by={p.by} />
          {p.review && (
            <div>
              {t(`review.${p.review.decision}`)}: {p.review.comment}
            </div>
          )}
        </>
      ),
    })),
    ...c.feedbacks.map((f, i) => ({
      key: `fb${i}`,
      label: t('caseAction.feedback'),
      children: (
        <>
          {f.text} · <Who by={f.by} />
          {f.review && (
            <div>
              {t(`review.${f.review.decision}`)}: {f.review.comment}
            </div>
          )}
        </>
      ),
    })),
    ...c.escalations.map((e, i) => ({
      key: `esc${i}`,
      label: <EscalationTag kind={e.kind} />,
      children: (
        <span data-testid="escalation">
          {e.reason} · <Who by={e.by} /> · {fmtDateTime(e.at)}
        </span>
      ),
    })),
    ...c.leaderReports.map((r, i) => ({
      key: `lr${i}`,
      label: t('caseAction.report'),
      children: (
        <>
          {r.summary} · <Who by={r.by} /> · {fmtDateTime(r.at)}
        </>
      ),
    })),
    ...(c.closure
      ? [
          {
            key: 'close',
            label: t('caseAction.close'),
            children: (
              <>
                {t(`closeReason.${c.closure.reason}`)}: {c.closure.text} · <Who by={c.closure.by} />
              </>
            ),
          },
        ]
      : []),
  ];
  if (!items.length) return null;
  return (
    <Card size="small" title={t('supervision.records')}>
      <Descriptions size="small" column={1} bordered items={items} />
    </Card>
  );
}

/**
 * The reasons a case may close for, as far as the page knows (supervision.decider.ts decides):
 * "rectification accepted" only once the unit's last feedback was accepted; "cleared by
 * correction" only for a case opened on a red warning (not on a ground); "warning improved" needs
 * the latest standing, which the server checks. 结案 is offered only when one of them may hold.
 */
function closeReasonsFor(c: CaseView): ('warning-improved' | 'rectification-accepted' | 'cleared-by-correction')[] {
  const out: ('warning-improved' | 'rectification-accepted' | 'cleared-by-correction')[] = [];
  if (c.warnings.length > 0) out.push('warning-improved', 'cleared-by-correction');
  if (c.feedbacks.at(-1)?.review?.decision === 'accepted') out.push('rectification-accepted');
  return out;
}

function ActionModal({ action, c, onClose, onDone }: { action: Action; c: CaseView; onClose: () => void; onDone: () => void }) {
  const { t } = useTranslation();
  // The plan's zone (Asia/Shanghai), as the server reads "today".
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(useDomainNow());
  const plan = usePlan();
  const notice = useProblemNotice();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    let v: Record<string, unknown>;
    try {
      v = (await form.validateFields()) as Record<string, unknown>;
    } catch {
      return; // the form shows what is missing (no uncaught rejection)
    }
    const body = action === 'plan' ? { plan: v.plan, rectifyBy: (v.rectifyBy as dayjs.Dayjs).format('YYYY-MM-DD') } : v;
    setBusy(true);
    try {
      await supervision.act(plan.id, c, action, body, c.revision);
      message.success(t('supervision.done'));
      onDone();
    } catch (err) {
      notice(err, form);
    } finally {
      setBusy(false);
    }
  };
  const text = (name: string, label: string, required = true) => (
    <Form.Item name={name} label={label} rules={required ? [{ required: true, min: 2, message: t('form.reasonRequired') }] : []}>
      <Input.TextArea rows={3} data-testid={`case-${name}`} />
    </Form.Item>
  );
  return (
    <Modal
      open
      title={t(`caseAction.${action === 'escalations' ? 'escalate' : action === 'leader-reports' ? 'report' : action}`)}
      onCancel={onClose}
      onOk={() => void submit()}
      okButtonProps={{ loading: busy, 'data-testid': 'case-action-ok' }}
    >
      <Form form={form} layout="vertical" initialValues={action === 'escalations' ? { kind: 'public-notice' } : action === 'review' ? { decision: 'accept' } : {}}>
        {action === 'acknowledge' && text('note', t('supervision.note'), false)}
        {action === 'plan' && (
          <>
            {text('plan', t('caseAction.plan'))}
            <Form.Item name="rectifyBy" label={t('supervision.rectifyBy')} rules={[{ required: true, message: t('form.required') }]}>
              {/* The server refuses a date that is not after today (its today: the demo's, on a demo store). */}
              <DatePicker disabledDate={(d) => d.format('YYYY-MM-DD') <= today} data-testid="case-rectifyBy" />
            </Form.Item>
          </>
        )}
        {action === 'feedback' && text('feedback', t('caseAction.feedback'))}
        {action === 'review' && (
          <>
            <Form.Item name="decision">
              <Radio.Group
                options={[
                  { value: 'accept', label: t('review.accepted') },
                  { value: 'request-more', label: t('review.more-requested') },
                ]}
              />
            </Form.Item>
            {text('comment', t('supervision.comment'), false)}
          </>
        )}
        {action === 'escalations' && (
          <>
            <Form.Item name="kind">
              <Radio.Group
                data-testid="escalation-kind"
                options={[
                  { value: 'public-notice', label: t('escalation.public-notice') },
                  { value: 'admonitory-talk', label: t('escalation.admonitory-talk') },
                ]}
              />
            </Form.Item>
            {text('reason', t('form.reason'))}
          </>
        )}
        {action === 'leader-reports' && text('summary', t('supervision.summary'))}
        {action === 'close' && (
          <>
            <Form.Item name="reason" label={t('supervision.closeReason')} rules={[{ required: true, message: t('form.required') }]}>
              <Radio.Group
                options={(['warning-improved', 'rectification-accepted', 'cleared-by-correction'] as const).map((r) => ({
                  value: r,
                  label: t(`closeReason.${r}`),
                  disabled: !closeReasonsFor(c).includes(r),
                }))}
              />
            </Form.Item>
            {text('text', t('supervision.closeText'))}
          </>
        )}
      </Form>
      <Typography.Text type="secondary">{t('supervision.recorded')}</Typography.Text>
    </Modal>
  );
}
