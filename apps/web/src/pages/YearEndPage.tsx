import { Alert, App, Button, type ButtonProps, Card, Drawer, Empty, Form, Input, Modal, Radio, Select, Space, Switch, Table, Tag, Timeline, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { rewards } from '../api/endpoints';
import { DownloadOutlined } from '@ant-design/icons';
import { ApiProblem, saveBlob } from '../api/http';
import type { ProposalLine, ProposalView } from '../api/models';
import { usePlan } from '../app/plan';
import { hasRole, useSession } from '../app/session';
import { DRAWER_SIZE, PageTitle, Who } from '../components/common';
import { HistoryTimeline } from '../components/HistoryTimeline';
import { ReasonField, ReasonModal } from '../components/ReasonModal';
import { ProblemAlert, useProblemNotice } from '../components/problems';
import { IssuedDocuments } from '../components/IssuedDocuments';
import { fmtDateTime, fmtPeriod, localized } from '../lib/format';
import { useAsync } from '../lib/useAsync';

type Asking = 'approve' | 'publish' | 'regenerate' | 'sendBack';

/** Year end: the office's proposal of rewards and penalties, amended with reasons, approved or sent back by the county government; the evidence behind each line. */
export default function YearEndPage() {
  const { t, i18n } = useTranslation();
  const plan = usePlan();
  const { user } = useSession();
  const isOffice = hasRole(user, 'office');
  const isLeader = hasRole(user, 'leader');
  const year = plan.year;
  const view = useAsync(() => rewards.proposal(plan.id, year).catch((e) => (e instanceof ApiProblem && e.status === 404 ? null : Promise.reject(e))), [plan.id, year]);
  const p = view.data;
  const notice = useProblemNotice();
  const { message } = App.useApp();
  const [amending, setAmending] = useState<ProposalLine | null>(null);
  const [evidence, setEvidence] = useState<ProposalLine | null>(null);
  const [deciding, setDeciding] = useState<ProposalLine | null>(null);
  const [asking, setAsking] = useState<Asking | null>(null);
  const [exporting, setExporting] = useState<'proposal' | 'decisions' | null>(null);
  const exportXlsx = (which: 'proposal' | 'decisions') => {
    setExporting(which);
    rewards
      .xlsx(plan.id, year, which, i18n.language)
      .then((blob) => saveBlob(blob, `${which === 'proposal' ? t('exports.proposalFile', { year }) : t('exports.decisionsFile', { year })}.xlsx`), notice)
      .finally(() => setExporting(null));
  };

  const run = (fn: () => Promise<unknown>, done: string) =>
    fn().then(
      () => {
        message.success(done);
        view.reload();
      },
      (err) => notice(err),
    );
  return (
    <div data-testid="year-end">
      <PageTitle
        title={t('yearEnd.title', { year })}
        extra={
          <Space wrap>
            {isOffice && (!p || p.status === 'draft') && (
              <Button onClick={() => (p ? setAsking('regenerate') : void run(() => rewards.generate(plan.id, year, undefined), t('yearEnd.generated')))} data-testid="generate">
                {p ? t('yearEnd.regenerate') : t('yearEnd.generate')}
              </Button>
            )}
            {isOffice && p?.status === 'draft' && (
              <Button type="primary" onClick={() => void run(() => rewards.submit(plan.id, year, p.revision), t('yearEnd.submitted'))} data-testid="submit-proposal">
                {t('yearEnd.submit')}
              </Button>
            )}
            {isLeader && p?.status === 'submitted' && p.listHash && (
              <>
                <Button type="primary" onClick={() => setAsking('approve')} data-testid="approve">
                  {t('yearEnd.approve')}
                </Button>
                <Button danger onClick={() => setAsking('sendBack')} data-testid="send-back">
                  {t('yearEnd.sendBack')}
                </Button>
              </>
            )}
            {isOffice && p?.status === 'approved' && (
              <Button type="primary" onClick={() => setAsking('publish')} data-testid="publish-decisions">
                {t('yearEnd.publish')}
              </Button>
            )}
            {p && (
              <Button icon={<DownloadOutlined />} onClick={() => exportXlsx('proposal')} loading={exporting === 'proposal'} data-testid="proposal-xlsx">
                {t('exports.proposal')}
              </Button>
            )}
            {(p?.status === 'approved' || p?.status === 'published') && (
              <Button icon={<DownloadOutlined />} onClick={() => exportXlsx('decisions')} loading={exporting === 'decisions'} data-testid="decisions-xlsx">
                {t('exports.decisions')}
              </Button>
            )}
          </Space>
        }
      />
      <ProblemAlert error={view.error} />
      {/* Every privileged step on the list is asked for, naming what it changes, with a reason recorded with the event (issue 15). */}
      {asking && p && (
        <ReasonModal
          testId={`${asking}-dialog`}
          danger={asking === 'regenerate' || asking === 'sendBack'}
          title={t(`yearEnd.ask.${asking}.title`)}
          description={
            asking === 'approve' ? (
              <>
                {t('yearEnd.approveText')}
                <Typography.Text code>{p.listHash}</Typography.Text>
              </>
            ) : asking === 'publish' ? (
              t('journeys.publishDecisionsHelp')
            ) : (
              t(`yearEnd.ask.${asking}.text`, {
                generation: p.generation,
                next: p.generation + 1,
                lines: p.lines.length,
                amendments: p.lines.reduce((n, l) => n + l.amendments.length, 0),
                decided: p.lines.filter((l) => l.conflict?.decided).length,
              })
            )
          }
          okText={t(`yearEnd.ask.${asking}.ok`)}
          onConfirm={(reason) => {
            const act = {
              approve: () => rewards.approve(plan.id, year, p.listHash!, p.revision, reason),
              publish: () => rewards.publish(plan.id, year, p.revision, reason),
              regenerate: () => rewards.generate(plan.id, year, reason, p.revision),
              sendBack: () => rewards.sendBack(plan.id, year, reason, p.revision),
            }[asking];
            const done = { approve: 'yearEnd.approved', publish: 'yearEnd.published', regenerate: 'yearEnd.generated', sendBack: 'yearEnd.sentBack' }[asking];
            // A refusal keeps the dialog open (ReasonModal) with the problem shown; the reason typed stays.
            return act().then(
              () => {
                message.success(t(done));
                view.reload();
              },
              (err: unknown) => {
                notice(err);
                throw err;
              },
            );
          }}
          onClose={() => setAsking(null)}
        />
      )}
      {/* A document is offered once the server will issue it: the proposal once submitted (not a draft), the decisions once approved. */}
      {p && p.status !== 'draft' && <IssuedDocuments planId={plan.id} kind="reward-proposal" subject={{ year }} subjectKey={`reward-proposal/${year}`} canIssue={isOffice} />}
      {(p?.status === 'approved' || p?.status === 'published') && (
        <IssuedDocuments planId={plan.id} kind="reward-decision" subject={{ year }} subjectKey={`reward-decision/${year}`} canIssue={isOffice} />
      )}
      {p === null && <Empty description={isOffice ? t('tables.noProposalOffice') : t('yearEnd.none')} data-testid="year-end-empty" />}
      {p && (
        <>
          <Space wrap style={{ marginBottom: 12 }}>
            <Tag
              color={{ none: 'default', draft: 'blue', submitted: 'gold', approved: 'green', published: 'purple' }[p.status] ?? 'default'}
              data-testid="proposal-status"
              data-status={p.status}
            >
              {t(`yearEnd.status.${p.status}`, { defaultValue: p.status })}
            </Tag>
            <span>{t('yearEnd.generation', { n: p.generation, at: fmtDateTime(p.generated.at) })}</span>
            {p.sendBacks.length > 0 && <Tag color="red">{t('yearEnd.sentBackTimes', { n: p.sendBacks.length, reason: p.sendBacks.at(-1)!.reason })}</Tag>}
          </Space>
          <Table<ProposalLine>
            size="small"
            rowKey="lineId"
            data-testid="proposal-lines"
            pagination={false}
            dataSource={p.lines}
            scroll={{ x: 1280 }}
            rowClassName={(l) => (l.excluded ? 'excluded-line' : '')}
            columns={[
              { title: t('office.unit'), dataIndex: 'unitName', width: 120 },
              // One line per unit: its indicators and their annual ranks beneath it.
              {
                title: t('annex2.indicator'),
                key: 'i',
                width: 300,
                render: (_, l) =>
                  l.indicators.map((i) => (
                    <div key={i.indicatorNo}>
                      {i.indicatorNo}. {i.indicatorName}
                    </div>
                  )),
              },
              {
                title: t('yearEnd.annualRank'),
                key: 'r',
                // Wide enough that each rank stays on one line (at 1,366 px it wrapped into a column of fragments).
                width: 150,
                render: (_, l) =>
                  l.indicators.map((i) => (
                    <div key={i.indicatorNo} style={{ whiteSpace: 'nowrap' }}>
                      {i.annualRank}{' '}
                      <Typography.Text type="secondary">
                        ({fmtPeriod(i.basis.period)}
                        {i.basis.fallback ? ' ⚠' : ''})
                      </Typography.Text>
                    </div>
                  )),
              },
              {
                title: t('yearEnd.tier'),
                key: 't',
                render: (_, l) => (l.tierLabel ? <Tag color={l.tier === 'first' ? 'green' : 'red'}>{localized(l.tierLabel)}</Tag> : <ConflictTag line={l} tiers={p.tiers} />),
              },
              { title: t('yearEnd.consequences'), key: 'c', render: (_, l) => l.consequences.map((c, i) => <div key={i}>{c.zh}</div>) },
              { title: t('yearEnd.excluded'), key: 'x', render: (_, l) => (l.excluded ? <Tag>{t('yearEnd.excluded')}</Tag> : '—') },
              {
                title: t('yearEnd.amendments'),
                key: 'a',
                render: (_, l) =>
                  l.amendments.map((a, i) => (
                    <div key={i}>
                      {a.reason} · <Who by={a.by} />
                    </div>
                  )),
              },
              {
                title: t('office.actions'),
                key: 'act',
                render: (_, l) => (
                  <Space>
                    <Button size="small" onClick={() => setEvidence(l)}>
                      {t('yearEnd.evidence')}
                    </Button>
                    {isOffice && p.status === 'draft' && (
                      <Button size="small" onClick={() => setAmending(l)} data-testid={`amend-${l.lineId}`}>
                        {t('yearEnd.amend')}
                      </Button>
                    )}
                    {isOffice && p.status === 'draft' && l.conflict && (
                      <Button size="small" type={l.conflict.decided ? 'default' : 'primary'} onClick={() => setDeciding(l)} data-testid={`decide-${l.lineId}`}>
                        {t('rules12.yearEnd.decide')}
                      </Button>
                    )}
                  </Space>
                ),
              },
            ]}
          />
          {(p.untiered.length > 0 || p.unranked.length > 0) && (
            <Card size="small" style={{ marginTop: 16 }} title={t('yearEnd.notInList')}>
              {p.untiered.map((u) => (
                <div key={u.indicatorNo}>
                  {u.indicatorNo}. {u.indicatorName}: {t('yearEnd.rankNoTier', { rank: u.rank, period: fmtPeriod(u.period) })}
                </div>
              ))}
              {p.unranked.map((u) => (
                <div key={u.indicatorNo}>
                  {u.indicatorNo}. {u.indicatorName}: {t('yearEnd.unranked')}
                </div>
              ))}
            </Card>
          )}
          <Card size="small" title={t('unit.history')} style={{ marginTop: 16 }}>
            <HistoryTimeline steps={p.history} />
          </Card>
          {amending && (
            <AmendModal
              p={p}
              line={amending}
              onClose={() => setAmending(null)}
              onDone={() => {
                setAmending(null);
                view.reload();
              }}
            />
          )}
          {deciding && (
            <DecideConflictModal
              p={p}
              line={deciding}
              onClose={() => setDeciding(null)}
              onDone={() => {
                setDeciding(null);
                message.success(t('rules12.yearEnd.decided'));
                view.reload();
              }}
            />
          )}
          <EvidenceDrawer line={evidence} onClose={() => setEvidence(null)} />
        </>
      )}
    </div>
  );
}

type Decision = 'reward' | 'penalty' | 'neither';

/** A conflict's tiers (by the plan's labels) and, once decided, the office's decision. */
function ConflictTag({ line, tiers }: { line: ProposalLine; tiers: ProposalView['tiers'] }) {
  const { t } = useTranslation();
  if (!line.conflict) return <>—</>;
  const label = (tier: string) => {
    const found = tiers.find((x) => x.tier === tier);
    return found ? localized(found.label) : tier;
  };
  const decided = line.conflict.decided;
  return (
    <Space orientation="vertical" size={2}>
      <Tag color="orange">
        {t('rules12.yearEnd.conflict')}：{line.conflict.tiers.map(label).join(' / ')}
        {line.conflict.untiered > 0 ? ` + ${t('rules12.yearEnd.untiered', { n: line.conflict.untiered })}` : ''}
      </Tag>
      {decided ? (
        <Typography.Text>
          → {t(`rules12.yearEnd.${decided.decision}`)}（{decided.reason}）
        </Typography.Text>
      ) : (
        <Typography.Text type="danger">{t('rules12.yearEnd.undecided')}</Typography.Text>
      )}
    </Space>
  );
}

/**
 * The office decides a conflict (a unit with indicators in different tiers): reward, penalty or
 * neither, with a required reason, confirmed before it is recorded — careers and budgets hang on it.
 */
function DecideConflictModal({ p, line, onClose, onDone }: { p: ProposalView; line: ProposalLine; onClose: () => void; onDone: () => void }) {
  const { t } = useTranslation();
  const plan = usePlan();
  const notice = useProblemNotice();
  const { modal } = App.useApp();
  const [form] = Form.useForm<{ decision: Decision; reason: string }>();
  const decide = () =>
    form.validateFields().then(
      (v) =>
        new Promise<void>((resolve) => {
          modal.confirm({
            title: t('rules12.yearEnd.confirmTitle'),
            content: t('rules12.yearEnd.confirmText', { unit: line.unitName, decision: t(`rules12.yearEnd.${v.decision}`), reason: v.reason.trim() }),
            okText: t('rules12.yearEnd.confirm'),
            onOk: () =>
              rewards
                .decideConflict(plan.id, p.year, line.lineId, v.decision, v.reason.trim(), p.revision)
                .then(onDone, (err) => notice(err, form))
                .finally(resolve),
            onCancel: () => resolve(),
          });
        }),
      () => undefined,
    );
  return (
    <Modal
      open
      title={t('rules12.yearEnd.decideTitle', { unit: line.unitName })}
      onCancel={onClose}
      onOk={() => void decide()}
      okText={t('rules12.yearEnd.decide')}
      destroyOnHidden
    >
      <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t('rules12.yearEnd.explain')} />
      <ul style={{ paddingLeft: 20 }}>
        {line.indicators.map((i) => (
          <li key={i.indicatorNo}>
            {i.indicatorNo}. {i.indicatorName}：{t('yearEnd.annualRank')} {i.annualRank}
            {i.tier ? `（${localized(p.tiers.find((x) => x.tier === i.tier)?.label ?? { zh: i.tier, en: i.tier })}）` : ''}
          </li>
        ))}
      </ul>
      <Form form={form} layout="vertical" initialValues={line.conflict?.decided ? { decision: line.conflict.decided.decision } : {}}>
        <Form.Item name="decision" label={t('rules12.yearEnd.decision')} rules={[{ required: true, message: t('rules12.yearEnd.decisionRequired') }]}>
          <Radio.Group>
            <Space orientation="vertical">
              <Radio value="reward" data-testid="decision-reward">
                {t('rules12.yearEnd.reward')}
              </Radio>
              <Radio value="penalty" data-testid="decision-penalty">
                {t('rules12.yearEnd.penalty')}
              </Radio>
              <Radio value="neither" data-testid="decision-neither">
                {t('rules12.yearEnd.neither')}
              </Radio>
            </Space>
          </Radio.Group>
        </Form.Item>
        <Form.Item name="reason" label={t('form.reason')} rules={[{ required: true, whitespace: true, min: 2, message: t('form.reasonRequired') }]}>
          <Input.TextArea rows={3} data-testid="decision-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function AmendModal({ p, line, onClose, onDone }: { p: ProposalView; line: ProposalLine; onClose: () => void; onDone: () => void }) {
  const { t } = useTranslation();
  const plan = usePlan();
  const notice = useProblemNotice();
  const [form] = Form.useForm<{ tier: string; excluded: boolean; reason: string }>();
  return (
    <Modal
      open
      title={`${t('yearEnd.amend')} · ${line.unitName}`}
      onCancel={onClose}
      okButtonProps={{ 'data-testid': 'amend-ok' } as ButtonProps}
      onOk={() =>
        form.validateFields().then(
          (v) =>
            rewards
              .amend(
                plan.id,
                p.year,
                line.lineId,
                { ...(v.tier !== line.tier ? { tier: v.tier } : {}), ...(v.excluded !== line.excluded ? { excluded: v.excluded } : {}), reason: v.reason },
                p.revision,
              )
              .then(onDone, (err) => notice(err, form)),
          () => undefined, // the form shows what is missing
        )
      }
    >
      <Form form={form} layout="vertical" initialValues={{ tier: line.tier, excluded: line.excluded }}>
        <Form.Item name="tier" label={t('yearEnd.tier')}>
          <Select options={p.tiers.map((tier) => ({ value: tier.tier, label: localized(tier.label) }))} data-testid="amend-tier" />
        </Form.Item>
        <Form.Item name="excluded" label={t('yearEnd.excluded')} valuePropName="checked">
          <Switch data-testid="amend-excluded" />
        </Form.Item>
        <ReasonField testId="amend-reason" />
      </Form>
    </Modal>
  );
}

function EvidenceDrawer({ line, onClose }: { line: ProposalLine | null; onClose: () => void }) {
  const { t } = useTranslation();
  const plan = usePlan();
  const ev = useAsync(() => (line ? rewards.evidence(plan.id, plan.year, line.lineId) : Promise.resolve(undefined)), [plan.id, line?.lineId]);
  return (
    <Drawer open={!!line} onClose={onClose} size={DRAWER_SIZE} title={line ? `${t('yearEnd.evidence')} · ${line.unitName}` : ''} destroyOnHidden>
      <ProblemAlert error={ev.error} />
      {/* The evidence runs longer than the drawer: the list takes the focus so the keyboard can scroll it (WCAG 2.1.1). */}
      <div tabIndex={0} role="region" aria-label={line ? `${t('yearEnd.evidence')} · ${line.unitName}` : undefined} data-testid="evidence-list">
        <Timeline
          items={(ev.data ?? []).map((e) => ({
            key: e.position + e.type,
            title: (
              <>
                {t(`event.${e.type}`, { defaultValue: e.type })} · {fmtDateTime(e.when)}
                {e.afterProposal && (
                  <Tag color="orange" style={{ marginLeft: 6 }}>
                    {t('yearEnd.afterProposal')}
                  </Tag>
                )}
              </>
            ),
            content: (
              <>
                <Who by={e.who} />
                {e.why && (
                  <div>
                    {t('provenance.why')}: {e.why}
                  </div>
                )}
                <Typography.Text type="secondary" style={{ fontSize: 11 }}>
                  {e.streamId} · {t('provenance.position')} {e.position}
                </Typography.Text>
              </>
            ),
          }))}
        />
      </div>
    </Drawer>
  );
}
