import { CheckCircleOutlined, CloseCircleOutlined, DownloadOutlined, SafetyOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, DatePicker, Input, List, Row, Select, Space, Table, Tabs, Tag, Timeline, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { audit } from '../api/endpoints';
import { saveBlob } from '../api/http';
import type { SealInfo, TimelineEntry, VerifyReport, ViewDiff } from '../api/models';
import { unitOptions, usePlan } from '../app/plan';
import { hasRole, useSession } from '../app/session';
import { PageTitle, PeriodSelect, WarningTag, Who } from '../components/common';
import { ProblemAlert, useProblemNotice } from '../components/problems';
import { StreamSubject, useStreamSubject } from '../components/StreamSubject';
import { EmptyState, TableToolbar, useTableView, type TableView } from '../components/TableTools';
import { fmtDateTime, fmtPeriod, localized } from '../lib/format';
import { defaultMonth, monthsOf, quarterOf, quartersOf } from '../lib/periods';
import { useAsync } from '../lib/useAsync';
import { useSearchParam } from '../lib/useSearchParam';
import { entryMatches, type EntryWords } from '../lib/timeline-search';

/** Auditors: a unit's timeline, two moments side by side with their differences and causes, seals and verification, exports. */
export default function AuditPage() {
  const { t } = useTranslation();
  const [params, set] = useSearchParam();
  const tab = params.get('tab') ?? 'timeline';
  return (
    <div data-testid="audit">
      <PageTitle title={t('audit.title')} />
      <Tabs
        activeKey={tab}
        onChange={(k) => set('tab', k)}
        items={[
          { key: 'timeline', label: t('audit.timeline'), children: <UnitTimeline /> },
          { key: 'diff', label: t('audit.diff'), children: <TwoMoments /> },
          { key: 'seals', label: t('audit.seals'), children: <Seals /> },
        ]}
      />
    </div>
  );
}

function StatusAfter({ e }: { e: TimelineEntry }) {
  const { t } = useTranslation();
  const s = e.status;
  if (!s) return null;
  const counts = Object.values(s.warnings).reduce<Record<string, number>>((acc, w) => ({ ...acc, [w.warning ?? 'none']: (acc[w.warning ?? 'none'] ?? 0) + 1 }), {});
  // Nothing to say (no coloured line, no open case): no "after:" standing alone.
  if (!(['red', 'yellow', 'green'] as const).some((c) => counts[c]) && s.openCases.length === 0) return null;
  return (
    <Space size={4} wrap className="status-after">
      <Typography.Text type="secondary">{t('audit.after')}:</Typography.Text>
      {(['red', 'yellow', 'green'] as const)
        .filter((c) => counts[c])
        .map((c) => (
          <span key={c}>
            <WarningTag tier={c} />×{counts[c]}
          </span>
        ))}
      {s.openCases.length > 0 && <Tag color="red">{t('audit.openCases', { n: s.openCases.length })}</Tag>}
    </Space>
  );
}

function UnitTimeline() {
  const { t } = useTranslation();
  const plan = usePlan();
  const notice = useProblemNotice();
  const [params, set] = useSearchParam();
  const unitId = params.get('unit') ?? plan.units[0]?.id ?? '';
  const [indicator, setIndicator] = useState<number | null>(null);
  const [types, setTypes] = useState<string[]>([]);
  const [causes, setCauses] = useState<string[]>([]);
  const [exporting, setExporting] = useState<string | null>(null);
  const exportAs = async (format: 'jsonl' | 'xlsx') => {
    setExporting(format);
    try {
      saveBlob(await audit.exportUnit(plan.id, unitId, format), `jixiao-${plan.id}-${unitId}.${format}`);
    } catch (err) {
      notice(err);
    } finally {
      setExporting(null);
    }
  };
  const unit = plan.units.find((u) => u.id === unitId);
  // The search is in the address like the other tables' (`?timeline.q=退回`), and filters the entries loaded.
  const search = useTableView('timeline');
  return (
    <>
      <TableToolbar view={search} testId="timeline" placeholder={t('audit.searchTimeline')} searchWidth={320} />
      <Space wrap style={{ marginBottom: 12 }}>
        <Select
          showSearch
          optionFilterProp="label"
          value={unitId}
          style={{ minWidth: 180 }}
          data-testid="audit-unit"
          aria-label={t('a11y.unitFilter')}
          onChange={(u) => set('unit', u)}
          options={unitOptions(plan)}
        />
        <Select
          allowClear
          placeholder={t('audit.allIndicators')}
          aria-label={t('a11y.indicatorFilter')}
          value={indicator}
          style={{ minWidth: 220 }}
          onChange={(v) => setIndicator(v ?? null)}
          options={plan.indicators.filter((i) => i.units.includes(unitId)).map((i) => ({ value: i.no, label: `${i.no}. ${i.name}` }))}
        />
        <Select
          mode="multiple"
          allowClear
          placeholder={t('rules12.timeline.allTypes')}
          aria-label={t('rules12.timeline.type')}
          value={types}
          style={{ minWidth: 200 }}
          onChange={setTypes}
          data-testid="audit-type"
          options={TIMELINE_TYPES.map((type) => ({ value: type, label: t(`event.${type}`, { defaultValue: t('event.unknown') }) }))}
        />
        <Select
          mode="multiple"
          allowClear
          placeholder={t('rules12.timeline.allCauses')}
          aria-label={t('rules12.timeline.cause')}
          value={causes}
          style={{ minWidth: 180 }}
          onChange={setCauses}
          data-testid="audit-cause"
          options={CAUSES.map((c) => ({ value: c, label: t(`rules12.timeline.causes.${c}`) }))}
        />
        <Button icon={<DownloadOutlined />} loading={exporting === 'xlsx'} onClick={() => void exportAs('xlsx')}>
          {t('audit.exportXlsx')}
        </Button>
        <Button icon={<DownloadOutlined />} loading={exporting === 'jsonl'} onClick={() => void exportAs('jsonl')}>
          {t('audit.exportJsonl')}
        </Button>
      </Space>
      {/* Keyed by what is asked: another unit or indicator starts from its own first page, and a page of "more" still on its way for the old one is dropped. */}
      <TimelineEntries
        key={`${plan.id}/${unitId}/${indicator ?? ''}/${types.join(',')}/${causes.join(',')}`}
        unitId={unitId}
        indicator={indicator}
        types={types}
        causes={causes}
        search={search}
        title={t('audit.timelineOf', { unit: unit?.name ?? unitId })}
      />
    </>
  );
}

/** The event types a unit's timeline can be filtered by (issue 12), and the causes of a standing change. */
const TIMELINE_TYPES = [
  'ReportSubmitted',
  'ReportSigned',
  'ReportReceived',
  'ReportReturned',
  'ReportOverdue',
  'FigureCorrected',
  'PeerFiguresRecorded',
  'PeerFigureCorrected',
  'StandingChanged',
  'CaseOpened',
  'CaseEscalated',
  'CaseClosed',
  'ProposalApproved',
] as const;
const CAUSES = ['first-figures', 'own-figure', 'peer-revision', 'correction', 'rule-change'] as const;

/** One unit's timeline (optionally one indicator's), page by page: the first as loaded, the further ones as "more" fetches them. */
function TimelineEntries({
  unitId,
  indicator,
  types,
  causes,
  search,
  title,
}: {
  unitId: string;
  indicator: number | null;
  types: string[];
  causes: string[];
  search: TableView;
  title: string;
}) {
  const { t } = useTranslation();
  const plan = usePlan();
  const subject = useStreamSubject();
  const words: EntryWords = {
    type: (type) => t(`event.${type}`, { defaultValue: t('event.unknown') }),
    subject,
    role: (role) => (role === 'system' ? t('who.system') : t(`role.${role}`, { defaultValue: role })),
    period: fmtPeriod,
    summary: localized,
  };
  const filter = { ...(indicator ? { indicator } : {}), ...(types.length ? { type: types.join(',') } : {}), ...(causes.length ? { cause: causes.join(',') } : {}) };
  const first = useAsync(() => audit.unitTimeline(plan.id, unitId, filter), [plan.id, unitId, indicator, types.join(','), causes.join(',')]);
  const [more, setMore] = useState<{ entries: TimelineEntry[]; next: string | null } | null>(null);
  const entries = first.data ? [...first.data.entries, ...(more?.entries ?? [])] : [];
  const next = more ? more.next : (first.data?.next ?? null);
  const shown = entries.filter((e) => entryMatches(search.q, e, words));
  const loadMore = async () => {
    if (!next) return;
    const p = await audit.unitTimeline(plan.id, unitId, { ...filter, after: next });
    setMore((m) => ({ entries: [...(m?.entries ?? []), ...p.entries], next: p.next }));
  };
  return (
    <>
      <ProblemAlert error={first.error} />
      <Card size="small" title={title} data-testid="unit-timeline" loading={first.loading && !first.data}>
        {search.narrowed && first.data && (
          <Typography.Paragraph type="secondary" data-testid="timeline-matches">
            {t(next ? 'audit.matchesLoaded' : 'audit.matches', { n: shown.length, of: entries.length })}
          </Typography.Paragraph>
        )}
        {first.data && shown.length === 0 ? (
          <EmptyState view={search} description={t('provenance.none')} />
        ) : (
          <Timeline
            items={shown.map((e) => ({
              key: `${e.seq}`,
              color: e.type === 'StandingChanged' ? 'red' : e.why ? 'orange' : 'blue',
              title: (
                <>
                  <strong>{t(`event.${e.type}`, { defaultValue: t('event.unknown') })}</strong> · {fmtDateTime(e.at)}
                  {e.period ? ` · ${fmtPeriod(e.period)}` : ''}
                </>
              ),
              content: (
                <div className="timeline-entry" data-testid="timeline-entry">
                  <div>{localized(e.summary)}</div>
                  <div>
                    <Who by={e.who} />
                    {e.onBehalfOf ? ` (${t('audit.onBehalfOf', { who: e.onBehalfOf })})` : ''}
                  </div>
                  {e.why && (
                    <div>
                      {t('provenance.why')}: {e.why}
                    </div>
                  )}
                  <StatusAfter e={e} />
                  <div>
                    <Typography.Text type="secondary" style={{ fontSize: 11 }}>
                      <StreamSubject streamId={e.streamId} /> · {t('provenance.position')} {e.position}
                    </Typography.Text>
                  </div>
                </div>
              ),
            }))}
          />
        )}
        {next && <Button onClick={() => void loadMore()}>{t('audit.more')}</Button>}
      </Card>
    </>
  );
}

const VIEW_PARAMS: Record<string, 'period' | 'quarter' | 'year' | null> = { annex2: 'period', compliance: null, warnings: 'quarter', supervision: null, proposal: 'year' };

function show(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** A compared value as a reader says it: a warning as its tag (红/黄/绿 with its mark), a status in words, never `yellow` or `submitted`. */
function DiffValue({ field, value }: { field: string; value: unknown }) {
  const { t } = useTranslation();
  if (value === 'red' || value === 'yellow' || value === 'green') return <WarningTag tier={value} />;
  if (field === 'status' && typeof value === 'string') return <>{t(`reportStatus.${value}`, { defaultValue: value })}</>;
  return <>{show(value)}</>;
}

/** Two moments of one view; the choice lives in the address, so a comparison can be sent to a colleague and opens computed. */
function TwoMoments() {
  const { t } = useTranslation();
  const plan = usePlan();
  const [params, set] = useSearchParam();
  const view = params.get('view') && params.get('view')! in VIEW_PARAMS ? params.get('view')! : 'annex2';
  const period = params.get('period') ?? defaultMonth(plan.year);
  const quarter = params.get('quarter') ?? quarterOf(defaultMonth(plan.year));
  const from = params.get('from');
  const to = params.get('to');
  const setView = (v: string) => set('view', v);
  const setPeriod = (v: string) => set('period', v);
  const setQuarter = (v: string) => set('quarter', v);
  const setFrom = (v: string | null) => set('from', v);
  const setTo = (v: string | null) => set('to', v);
  const param = VIEW_PARAMS[view];
  const diff = useAsync(
    () =>
      from
        ? audit.diff(plan.id, view, from, to, param === 'period' ? { period } : param === 'quarter' ? { quarter } : param === 'year' ? { year: String(plan.year) } : {})
        : Promise.resolve(null),
    [plan.id, view, from, to, period, quarter],
  );
  const result: ViewDiff | null = diff.data ?? null;
  const error = diff.error;
  const busy = diff.loading && !!from;
  const compare = async () => diff.reload();
  return (
    <>
      <Card size="small" style={{ marginBottom: 16 }}>
        <Space wrap>
          <Select
            value={view}
            onChange={setView}
            style={{ minWidth: 160 }}
            data-testid="diff-view"
            aria-label={t('audit.viewLabel')}
            options={Object.keys(VIEW_PARAMS).map((v) => ({ value: v, label: t(`audit.view.${v}`) }))}
          />
          {param === 'period' && <PeriodSelect value={period} periods={monthsOf(plan.year)} onChange={setPeriod} style={{}} />}
          {param === 'quarter' && <PeriodSelect value={quarter} periods={quartersOf(plan.year)} onChange={setQuarter} style={{}} />}
          <span id="diff-from-label">{t('audit.from')}</span>
          <DatePicker
            aria-labelledby="diff-from-label"
            showTime
            format="YYYY-MM-DD HH:mm"
            value={from ? dayjs(from) : null}
            onChange={(d) => setFrom(d ? d.toDate().toISOString() : null)}
            data-testid="diff-from"
          />
          <span id="diff-to-label">{t('audit.to')}</span>
          <DatePicker
            aria-labelledby="diff-to-label"
            showTime
            format="YYYY-MM-DD HH:mm"
            placeholder={t('asOf.now')}
            value={to ? dayjs(to) : null}
            onChange={(d) => setTo(d ? d.toDate().toISOString() : null)}
            data-testid="diff-to"
          />
          <Button type="primary" disabled={!from} loading={busy} onClick={() => void compare()} data-testid="diff-compare">
            {t('audit.compare')}
          </Button>
        </Space>
      </Card>
      <ProblemAlert error={error} />
      {result && (
        <Card size="small" data-testid="diff-result" title={t('audit.diffTitle', { n: result.differences.length, from: fmtDateTime(result.from), to: fmtDateTime(result.to) })}>
          {result.differences.length === 0 ? (
            <Typography.Text type="secondary">{t('assessment.noDifferences')}</Typography.Text>
          ) : (
            <Table
              size="small"
              rowKey="key"
              pagination={false}
              dataSource={result.differences}
              scroll={{ x: 900 }}
              columns={[
                {
                  title: t('audit.row'),
                  key: 'l',
                  width: 220,
                  render: (_, d) => (
                    <>
                      {d.label} <Tag>{t(`audit.change.${d.change}`)}</Tag>
                    </>
                  ),
                },
                {
                  title: t('audit.before', { at: fmtDateTime(result.from) }),
                  key: 'b',
                  render: (_, d) =>
                    d.fields.map((f) => (
                      <div key={f.field} data-testid="diff-before">
                        {t(`diffField.${f.field}`, { defaultValue: f.field })}: <DiffValue field={f.field} value={f.before} />
                      </div>
                    )),
                },
                {
                  title: t('audit.afterAt', { at: fmtDateTime(result.to) }),
                  key: 'a',
                  render: (_, d) =>
                    d.fields.map((f) => (
                      <div key={f.field} data-testid="diff-after">
                        <strong>
                          {t(`diffField.${f.field}`, { defaultValue: f.field })}: <DiffValue field={f.field} value={f.after} />
                        </strong>
                      </div>
                    )),
                },
                {
                  title: t('assessment.causes'),
                  key: 'c',
                  render: (_, d) =>
                    d.causes.map((c) => (
                      <div key={c.position + c.type} data-testid="diff-cause">
                        {t(`event.${c.type}`, { defaultValue: t('event.unknown') })} · <Who by={c.who} /> · {fmtDateTime(c.at)}
                        {c.why ? ` — ${c.why}` : ''}
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

function Seals() {
  const { t } = useTranslation();
  const { user } = useSession();
  // Newest first, a page at a time (a seal is made every few minutes): "load more" asks for the next page.
  const seals = useAsync(() => audit.seals({ limit: 20 }), []);
  const [older, setOlder] = useState<{ items: SealInfo[]; next: string | null } | null>(null);
  const shownSeals = [...(seals.data?.items ?? []), ...(older?.items ?? [])];
  const nextSeals = older ? older.next : (seals.data?.next ?? null);
  const moreSeals = async () => {
    if (!nextSeals) return;
    setBusy('more');
    try {
      const page = await audit.seals({ after: nextSeals, limit: 20 });
      setOlder((o) => ({ items: [...(o?.items ?? []), ...page.items], next: page.next }));
    } catch (err) {
      notice(err);
    } finally {
      setBusy(null);
    }
  };
  const notice = useProblemNotice();
  const { message } = App.useApp();
  const [report, setReport] = useState<VerifyReport | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [exported, setExported] = useState('');
  const verify = async (seal?: string) => {
    setBusy(seal ? 'exported' : 'verify');
    try {
      setReport(await audit.verify(seal));
    } catch (err) {
      notice(err);
    } finally {
      setBusy(null);
    }
  };
  const sealNow = async () => {
    setBusy('seal');
    try {
      await audit.seal(t('audit.sealOccasion'));
      message.success(t('audit.sealed'));
      setOlder(null);
      seals.reload();
    } catch (err) {
      notice(err);
    } finally {
      setBusy(null);
    }
  };
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} lg={12}>
        <Card size="small" title={t('audit.verify')}>
          <Space wrap>
            <Button type="primary" icon={<SafetyOutlined />} loading={busy === 'verify'} onClick={() => void verify()} data-testid="verify">
              {t('audit.verifyAll')}
            </Button>
            {hasRole(user, 'admin', 'office') && (
              <Button loading={busy === 'seal'} onClick={() => void sealNow()}>
                {t('audit.sealNow')}
              </Button>
            )}
          </Space>
          {report && (
            <Alert
              style={{ marginTop: 12 }}
              type={report.ok ? 'success' : 'error'}
              icon={report.ok ? <CheckCircleOutlined /> : <CloseCircleOutlined />}
              showIcon
              data-testid="verify-result"
              data-ok={report.ok}
              title={report.ok ? t('audit.intact', { events: report.events, streams: report.streams, seals: report.seals }) : t('audit.broken')}
              description={
                <>
                  {[...report.chainProblems.map((p) => `${p.streamId ?? ''} ${p.detail ?? JSON.stringify(p)}`), ...report.sealProblems.map((p) => `${p.sealId}: ${p.detail}`)].map(
                    (x, i) => (
                      <div key={i}>{x}</div>
                    ),
                  )}
                  {report.exported && (
                    <div>
                      {t('audit.exportedSeal', { id: report.exported.sealId })}: {report.exported.ok ? '✓' : '✗'}
                    </div>
                  )}
                </>
              }
            />
          )}
          <Typography.Paragraph style={{ marginTop: 16 }}>{t('audit.checkExported')}</Typography.Paragraph>
          <Input.TextArea rows={4} value={exported} onChange={(e) => setExported(e.target.value)} placeholder={t('audit.pasteSeal')} />
          <Button style={{ marginTop: 8 }} disabled={exported.trim().length < 20} loading={busy === 'exported'} onClick={() => void verify(exported.trim())}>
            {t('audit.verifyExported')}
          </Button>
        </Card>
      </Col>
      <Col xs={24} lg={12}>
        <Card size="small" title={t('audit.sealList')}>
          <ProblemAlert error={seals.error} />
          <List
            size="small"
            dataSource={shownSeals}
            locale={{ emptyText: t('audit.noSeals') }}
            renderItem={(s) => (
              <List.Item key={s.sealId}>
                <Space orientation="vertical" size={0} style={{ width: '100%' }}>
                  <span>
                    {fmtDateTime(s.sealedAt)} · {t('audit.sealCovers', { events: s.events, streams: s.streams })}
                  </span>
                  <Typography.Text code copyable={{ text: s.text }} style={{ fontSize: 11 }}>
                    {s.root.slice(0, 24)}…
                  </Typography.Text>
                </Space>
              </List.Item>
            )}
          />
          {nextSeals && (
            <Button style={{ marginTop: 8 }} loading={busy === 'more'} onClick={() => void moreSeals()} data-testid="seals-more">
              {t('audit.more')}
            </Button>
          )}
        </Card>
      </Col>
    </Row>
  );
}
