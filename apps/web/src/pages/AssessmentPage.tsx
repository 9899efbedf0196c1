import { App, Button, Card, Col, DatePicker, Descriptions, Empty, Form, Input, Modal, Row, Select, Space, Statistic, Table, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { assessment } from '../api/endpoints';
import { ApiProblem } from '../api/http';
import type { QuarterSnapshot, QuarterView, SnapshotDiff, SnapshotRow } from '../api/models';
import { usePlan } from '../app/plan';
import { hasRole, useSession } from '../app/session';
import { PageTitle, PeriodSelect, WarningTag, Who } from '../components/common';
import { HistoryTimeline } from '../components/HistoryTimeline';
import { IssuedDocuments } from '../components/IssuedDocuments';
import { ProblemAlert, useProblemNotice } from '../components/problems';
import { Provenance } from '../components/Provenance';
import { ReasonModal } from '../components/ReasonModal';
import { fmtDate, fmtDateTime, fmtNumber } from '../lib/format';
import { quarterOf, quartersOf, defaultMonth } from '../lib/periods';
import { useAsync } from '../lib/useAsync';

const notFound = (err: unknown) => err instanceof ApiProblem && err.status === 404;

/** The quarterly assessment: prepare the figures, record the leading group's meeting, publish; the published snapshot beside "as known now". */
export default function AssessmentPage() {
  const { t } = useTranslation();
  const plan = usePlan();
  const { user } = useSession();
  const isOffice = hasRole(user, 'office');
  const [params, setParams] = useSearchParams();
  const quarter = quartersOf(plan.year).includes(params.get('quarter') ?? '') ? params.get('quarter')! : quarterOf(defaultMonth(plan.year));
  const view = useAsync(() => assessment.view(plan.id, quarter).catch((e) => (notFound(e) ? null : Promise.reject(e))), [plan.id, quarter]);
  const v = view.data;
  const compare = useAsync(
    () => (v?.published ? Promise.all([assessment.known(plan.id, quarter), assessment.diff(plan.id, quarter)]) : Promise.resolve(undefined)),
    [plan.id, quarter, v?.published?.position],
  );
  const notice = useProblemNotice();
  const { message, modal } = App.useApp();
  const [meeting, setMeeting] = useState(false);
  const [busy, setBusy] = useState(false);

  const run = async (fn: () => Promise<unknown>, done: string) => {
    setBusy(true);
    try {
      await fn();
      message.success(done);
      view.reload();
    } catch (err) {
      notice(err);
    } finally {
      setBusy(false);
    }
  };
  const prepare = () => {
    if (v?.meeting) {
      let reason = '';
      modal.confirm({
        title: t('assessment.prepareAgain'),
        content: <Input.TextArea rows={2} onChange={(e) => (reason = e.target.value)} placeholder={t('form.reason')} />,
        onOk: () => run(() => assessment.prepare(plan.id, quarter, reason, v.revision), t('assessment.prepared')),
      });
    } else void run(() => assessment.prepare(plan.id, quarter, undefined, v?.revision), t('assessment.prepared'));
  };
  // Publishing is asked for, with a reason recorded with the event (issue 15).
  const [publishing, setPublishing] = useState(false);
  const publish = () => setPublishing(true);

  return (
    <div data-testid="assessment">
      {publishing && (
        <ReasonModal
          testId="publish-dialog"
          okTestId="publish-confirm"
          title={t('assessment.publishTitle')}
          description={t('assessment.publishText')}
          okText={t('assessment.publish')}
          onConfirm={(reason) => run(() => assessment.publish(plan.id, quarter, v?.revision, reason), t('assessment.published'))}
          onClose={() => setPublishing(false)}
        />
      )}
      <PageTitle
        title={t('assessment.title')}
        extra={
          <Space wrap>
            <PeriodSelect value={quarter} periods={quartersOf(plan.year)} onChange={(q) => setParams({ quarter: q }, { replace: true })} style={{ minWidth: 140 }} />
            {isOffice && !v?.published && (
              <>
                <Button onClick={prepare} loading={busy} data-testid="prepare">
                  {t('assessment.prepare')}
                </Button>
                <Button onClick={() => setMeeting(true)} disabled={!v?.prepared} data-testid="record-meeting">
                  {t('assessment.recordMeeting')}
                </Button>
                <Button type="primary" onClick={publish} disabled={!v?.prepared || !v.meeting} data-testid="publish">
                  {t('assessment.publish')}
                </Button>
              </>
            )}
          </Space>
        }
      />
      <ProblemAlert error={view.error} />
      {v === null && <Empty description={t('assessment.nothingYet')} />}
      {v && (
        <>
          <Space wrap style={{ marginBottom: 12 }}>
            <Tag color={v.published ? 'green' : 'blue'} data-testid="quarter-status">
              {t(`assessment.status.${v.status}`, { defaultValue: v.status })}
            </Tag>
            {v.published && <span>{t('assessment.publishedAt', { at: fmtDateTime(v.published.at) })}</span>}
          </Space>
          {v.meeting && (
            <Card size="small" title={t('assessment.meeting')} style={{ marginBottom: 16 }}>
              <Descriptions
                size="small"
                column={{ xs: 1, md: 2 }}
                items={[
                  { key: 'date', label: t('assessment.date'), children: fmtDate(v.meeting.date) },
                  { key: 'att', label: t('assessment.attendees'), children: v.meeting.attendees.join('、') },
                  { key: 'c', label: t('assessment.conclusions'), children: v.meeting.conclusions },
                  { key: 'n', label: t('assessment.nextSteps'), children: v.meeting.nextSteps },
                  { key: 's', label: t('assessment.suggestions'), children: v.meeting.suggestions || '—' },
                  ...(!v.meeting.heardLatestPreparation ? [{ key: 'w', label: '⚠', children: t('assessment.preparedAfterMeeting') }] : []),
                ]}
              />
            </Card>
          )}
          {v.published ? (
            <Compare presented={v.published.snapshot} now={compare.data?.[0]} diff={compare.data?.[1]} error={compare.error} />
          ) : v.prepared ? (
            <Card size="small" title={t('assessment.preparedSnapshot', { at: fmtDateTime(v.prepared.preparedAt) })}>
              <SnapshotTable snapshot={v.prepared} testId="prepared-snapshot" />
            </Card>
          ) : null}
          <Card size="small" title={t('unit.history')} style={{ marginTop: 16 }}>
            <HistoryTimeline steps={v.steps} />
          </Card>
          {v.published && <IssuedDocuments planId={plan.id} kind="quarterly-notice" subject={{ quarter }} subjectKey={`quarterly-notice/${quarter}`} canIssue={isOffice} />}
        </>
      )}
      {meeting && v && (
        <MeetingModal
          view={v}
          onClose={() => setMeeting(false)}
          onSaved={() => {
            setMeeting(false);
            view.reload();
          }}
        />
      )}
    </div>
  );
}

function Counts({ s }: { s: QuarterSnapshot }) {
  const { t } = useTranslation();
  return (
    <Space size="large" wrap>
      <Statistic title={t('dashboard.score')} value={fmtNumber(s.totalScore)} suffix={`/ ${fmtNumber(s.maxScore)}`} />
      {(['red', 'yellow', 'green'] as const).map((tier) => (
        <Statistic key={tier} title={<WarningTag tier={tier} />} value={s.counts[tier]} />
      ))}
    </Space>
  );
}

function SnapshotTable({ snapshot, changed, testId }: { snapshot: QuarterSnapshot; changed?: Set<number>; testId?: string }) {
  const { t } = useTranslation();
  const plan = usePlan();
  return (
    <>
      <Counts s={snapshot} />
      <Table<SnapshotRow>
        size="small"
        data-testid={testId}
        rowKey="indicatorNo"
        pagination={false}
        dataSource={snapshot.rows}
        scroll={{ x: 560, y: 520 }}
        rowClassName={(r) => (changed?.has(r.indicatorNo) ? 'diff-changed' : '')}
        columns={[
          { title: t('annex2.no'), dataIndex: 'indicatorNo', width: 50 },
          { title: t('annex2.indicator'), dataIndex: 'name' },
          {
            title: t('annex2.rank'),
            key: 'rank',
            width: 70,
            render: (_, r) =>
              r.rank !== null && r.period ? (
                <Provenance source={{ kind: 'standing', planId: plan.id, indicatorNo: r.indicatorNo, period: r.period }}>{r.rank}</Provenance>
              ) : (
                (r.rank ?? '—')
              ),
          },
          { title: t('annex2.warning'), key: 'w', width: 80, render: (_, r) => <WarningTag tier={r.warning} /> },
          { title: t('assessment.score'), dataIndex: 'score', width: 70, render: (s: number | null) => fmtNumber(s) },
        ]}
      />
    </>
  );
}

function Compare({ presented, now, diff, error }: { presented: QuarterSnapshot; now?: QuarterSnapshot; diff?: SnapshotDiff; error: unknown }) {
  const { t } = useTranslation();
  const changed = new Set(diff?.rows.map((r) => r.indicatorNo) ?? []);
  return (
    <>
      <ProblemAlert error={error} />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card size="small" title={t('assessment.presented')}>
            <SnapshotTable snapshot={presented} changed={changed} testId="published-snapshot" />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card size="small" title={t('assessment.knownNow')}>
            {now ? <SnapshotTable snapshot={now} changed={changed} testId="known-snapshot" /> : null}
          </Card>
        </Col>
      </Row>
      {diff && (
        <Card size="small" title={t('assessment.differences', { n: diff.rows.length })} style={{ marginTop: 16 }} data-testid="snapshot-diff">
          {diff.rows.length === 0 ? (
            <Typography.Text type="secondary">{t('assessment.noDifferences')}</Typography.Text>
          ) : (
            <Table
              size="small"
              rowKey="indicatorNo"
              pagination={false}
              dataSource={diff.rows}
              columns={[
                { title: t('annex2.indicator'), key: 'i', render: (_, r) => `${r.indicatorNo}. ${r.name}` },
                { title: t('assessment.changed'), key: 'c', render: (_, r) => r.changed.map((f) => t(`assessment.field.${f}`)).join('、') },
                {
                  title: t('assessment.presentedShort'),
                  key: 'p',
                  render: (_, r) => (
                    <>
                      #{r.presented.rank ?? '—'} <WarningTag tier={r.presented.warning} /> {fmtNumber(r.presented.score)}
                    </>
                  ),
                },
                {
                  title: t('assessment.nowShort'),
                  key: 'n',
                  render: (_, r) => (
                    <>
                      #{r.now.rank ?? '—'} <WarningTag tier={r.now.warning} /> {fmtNumber(r.now.score)}
                    </>
                  ),
                },
                {
                  title: t('assessment.causes'),
                  key: 'e',
                  render: (_, r) =>
                    r.events.map((e, i) => (
                      <div key={i}>
                        {t(`event.${e.type}`, { defaultValue: e.type })} · <Who by={e.who} /> · {fmtDateTime(e.at)}
                        {e.reason ? ` — ${e.reason}` : ''}
                      </div>
                    )),
                },
              ]}
            />
          )}
        </Card>
      )}
    </>
  );
}

function MeetingModal({ view, onClose, onSaved }: { view: QuarterView; onClose: () => void; onSaved: () => void }) {
  const { t } = useTranslation();
  const plan = usePlan();
  const notice = useProblemNotice();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const m = view.meeting;
  const leaders = plan.leadingGroup?.members.map((x) => x.name) ?? [];
  return (
    <Modal
      open
      width={640}
      title={t('assessment.recordMeeting')}
      onCancel={onClose}
      okButtonProps={{ loading: busy, 'data-testid': 'meeting-save' }}
      onOk={
        () =>
          form.validateFields().then(
            async (v: { date: dayjs.Dayjs; attendees: string[]; conclusions: string; nextSteps: string; suggestions?: string; reason?: string }) => {
              setBusy(true);
              try {
                await assessment.meeting(
                  plan.id,
                  view.quarter,
                  {
                    date: v.date.format('YYYY-MM-DD'),
                    attendees: v.attendees,
                    conclusions: v.conclusions,
                    nextSteps: v.nextSteps,
                    suggestions: v.suggestions ?? '',
                    ...(v.reason ? { reason: v.reason } : {}),
                  },
                  view.revision,
                );
                onSaved();
              } catch (err) {
                notice(err, form);
              } finally {
                setBusy(false);
              }
            },
            () => undefined,
          ) // the form shows what is missing
      }
    >
      <Form form={form} layout="vertical" initialValues={m ? { ...m, date: dayjs(m.date) } : { attendees: leaders.slice(0, 2), date: dayjs() }}>
        <Form.Item name="date" label={t('assessment.date')} rules={[{ required: true, message: t('form.required') }]}>
          <DatePicker data-testid="meeting-date" />
        </Form.Item>
        <Form.Item name="attendees" label={t('assessment.attendees')} rules={[{ required: true, message: t('form.required') }]}>
          <Select mode="tags" options={leaders.map((n) => ({ value: n, label: n }))} />
        </Form.Item>
        <Form.Item name="conclusions" label={t('assessment.conclusions')} rules={[{ required: true, message: t('form.required') }]}>
          <Input.TextArea rows={3} data-testid="meeting-conclusions" />
        </Form.Item>
        <Form.Item name="nextSteps" label={t('assessment.nextSteps')} rules={[{ required: true, message: t('form.required') }]}>
          <Input.TextArea rows={2} data-testid="meeting-next-steps" />
        </Form.Item>
        <Form.Item name="suggestions" label={t('assessment.suggestions')}>
          <Input.TextArea rows={2} />
        </Form.Item>
        {m && (
          <Form.Item name="reason" label={t('form.reason')} rules={[{ required: true, min: 2, message: t('form.reasonRequired') }]}>
            <Input.TextArea rows={2} />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
