import { InfoCircleOutlined } from '@ant-design/icons';
import { Popover, Spin, Timeline, Typography } from 'antd';
import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { audit, ranking, reporting } from '../api/endpoints';
import { ApiProblem } from '../api/http';
import i18n, { currentLanguage } from '../i18n';
import { fmtDateTime, fmtNumber, fmtPeriod } from '../lib/format';
import { useAsync } from '../lib/useAsync';
import { CauseText } from './CauseText';
import { Who, WarningTag } from './common';
import { ProblemAlert } from './problems';
import { StreamSubject } from './StreamSubject';

/** What a figure, rank or colour on screen came from; each kind names the record that holds its events. */
export type ProvenanceSource =
  | {
      kind: 'annex2';
      planId: string;
      period: string;
      indicatorNo: number;
      field: 'result' | 'rank' | 'warning' | 'score' | 'target' | 'baseline';
      asOf?: string | null;
      fallback?: ProvenanceSource | null;
    }
  | { kind: 'standing'; planId: string; indicatorNo: number; period: string; asOf?: string | null }
  | { kind: 'report-figure'; planId: string; unitId: string; period: string; indicatorNo: number; field: 'value' | 'rank'; asOf?: string | null };

export interface ProvenanceItem {
  type: string;
  at: string;
  by: { userId: string; role?: string; name?: string } | string;
  why?: string | null;
  what?: ReactNode;
  position: string;
}

async function load(source: ProvenanceSource): Promise<{ heading: ReactNode; items: ProvenanceItem[] }> {
  if (source.kind === 'annex2') {
    try {
      const p = await audit.provenance(source.planId, source.period, source.indicatorNo, source.field, source.asOf);
      return {
        heading: (
          <>
            {p.indicatorNo} · {i18n.t(`provenanceField.${p.field}`)} · {fmtPeriod(p.period)}: {typeof p.value === 'object' ? JSON.stringify(p.value) : String(p.value ?? '—')}
            {p.rules.scoringRuleVersion !== null && <> · {i18n.t('provenance.scoringRule', { v: p.rules.scoringRuleVersion })}</>}
            {/* Issue 12: the one event that set the figure shown, and the row's flags. */}
            {p.produced && (
              <div data-testid="provenance-produced">
                {i18n.t('rules12.source.label')}: {i18n.t(`rules12.source.${p.produced.source}`)} · {i18n.t(`event.${p.produced.type}`, { defaultValue: i18n.t('event.unknown') })}{' '}
                · {fmtDateTime(p.produced.at)} · {p.produced.by.name ?? p.produced.by.userId}
                {p.produced.reason ? ` · ${p.produced.reason}` : ''}
              </div>
            )}
            {p.flags.map((f) => (
              <div key={f.kind}>
                <Typography.Text type="warning">{f.reason[currentLanguage() === 'zh-CN' ? 'zh' : 'en']}</Typography.Text>
              </div>
            ))}
          </>
        ),
        items: p.events.map((e) => ({
          type: e.type,
          at: e.at,
          by: e.who,
          why: e.why ?? null,
          position: e.position,
          what: (
            <Typography.Text type="secondary">
              <StreamSubject streamId={e.streamId} />
            </Typography.Text>
          ),
        })),
      };
    } catch (err) {
      // An API without the audit module still has the workflows' own records of the figure.
      if (source.fallback && err instanceof ApiProblem && err.status === 404 && err.code === 'not-found') return load(source.fallback);
      throw err;
    }
  }
  if (source.kind === 'standing') {
    const s = await ranking.standing(source.planId, source.indicatorNo, source.period, source.asOf);
    return {
      heading: (
        <>
          {s.indicatorNo}. {s.name} · {fmtPeriod(s.period)} · <WarningTag tier={s.ours.warning} /> #{s.ours.rank ?? '—'}
        </>
      ),
      items: s.history.map((h) => ({
        type: 'StandingChanged',
        at: h.at,
        by: h.by,
        why: h.reason ?? null,
        position: h.position,
        what: (
          <>
            #{h.rank.from ?? '—'} → #{h.rank.to ?? '—'} <WarningTag tier={h.warning.to} /> <CauseText cause={h.cause} />
          </>
        ),
      })),
    };
  }
  const r = await reporting.report(source.planId, source.unitId, source.period, source.asOf);
  const line = r.lines.find((l) => l.indicatorNo === source.indicatorNo);
  const items: ProvenanceItem[] = r.steps
    .filter((s) => ['ReportDraftSaved', 'ReportSubmitted', 'ReportSigned', 'ReportReceived', 'ReportReturned'].includes(s.type))
    .map((s) => ({ type: s.type, at: s.at, by: s.by, why: s.reason ?? null, position: s.position }));
  for (const c of r.corrections.filter((c) => c.indicatorNo === source.indicatorNo && c.field === source.field)) {
    items.push({
      type: 'FigureCorrected',
      at: c.at,
      by: c.by,
      why: c.reason,
      position: c.position,
      what: (
        <>
          {fmtNumber(c.previous)} → {fmtNumber(c.corrected)}
        </>
      ),
    });
  }
  items.sort((a, b) => a.at.localeCompare(b.at));
  return {
    heading: (
      <>
        {r.unitName} · {fmtPeriod(r.period)} · {source.indicatorNo} · {source.field === 'value' ? fmtNumber(line?.value) : `#${line?.rank ?? '—'}`}
      </>
    ),
    items,
  };
}

function ProvenanceBody({ source, body }: { source: ProvenanceSource; body: RefObject<HTMLDivElement | null> }) {
  const { t } = useTranslation();
  const data = useAsync(() => load(source), [JSON.stringify(source)]);
  const loaded = !!data.data;
  // Opened by keyboard or mouse, the reader lands in the popup: its list scrolls, and Tab goes on from there.
  // Once loaded here, and once shown (Provenance's afterOpenChange): whichever comes last finds both.
  useEffect(() => {
    if (loaded) takeFocus(body.current);
  }, [loaded, body]);
  if (data.loading && !data.data) return <Spin size="small" />;
  if (data.error) return <ProblemAlert error={data.error} />;
  const d = data.data!;
  return (
    <div className="provenance" data-testid="provenance" ref={body} tabIndex={0} role="region" aria-label={t('a11y.provenanceDialog')}>
      <Typography.Text strong>{d.heading}</Typography.Text>
      {d.items.length === 0 ? (
        <Typography.Paragraph type="secondary">{t('provenance.none')}</Typography.Paragraph>
      ) : (
        <Timeline
          style={{ marginTop: 12 }}
          items={d.items.map((i) => ({
            key: i.position + i.type,
            title: (
              <>
                <strong>{t(`event.${i.type}`, { defaultValue: t('event.unknown') })}</strong> · {fmtDateTime(i.at)}
              </>
            ),
            content: (
              <div className="provenance-item">
                <div>
                  <Who by={i.by} />
                </div>
                {i.what && <div>{i.what}</div>}
                {i.why && (
                  <div>
                    {t('provenance.why')}: {i.why}
                  </div>
                )}
                <Typography.Text type="secondary" className="position">
                  {t('provenance.position')} {i.position}
                </Typography.Text>
              </div>
            ),
          }))}
        />
      )}
    </div>
  );
}

/**
 * Focus to the popup's list, tried on each frame for up to 2 s until it takes: a popup's content can
 * mount before the popup is shown (with less motion and quick events), and a hidden element takes no focus.
 */
function takeFocus(el: HTMLElement | null): void {
  if (!el) return;
  const until = Date.now() + 2000;
  const attempt = () => {
    if (!el.isConnected) return;
    el.focus();
    if (el.ownerDocument.activeElement !== el && Date.now() < until) requestAnimationFrame(attempt);
  };
  attempt();
}

/** Wraps any figure, rank or colour: a click shows the events that produced it, with who, when and why. */
export function Provenance({ source, children }: { source: ProvenanceSource | null; children: ReactNode }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  // The popover itself is mounted on the first opening (issue 15): a dashboard shows a hundred figures
  // and ranks, each with one, and their Popovers were a good part of its first render. Until then the
  // same span, with the same role, focus and keys, opens it; once mounted it stays.
  const [armed, setArmed] = useState(false);
  const trigger = useRef<HTMLSpanElement>(null);
  const body = useRef<HTMLDivElement>(null);
  if (!source) return <>{children}</>;
  // A role="button" span: Enter and Space open it as a click does; Escape closes it and returns focus.
  const onTriggerKey = (e: KeyboardEvent) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      setArmed(true);
      setOpen((o) => !o);
    }
  };
  const span = (
    <span
      className="has-provenance"
      role="button"
      tabIndex={0}
      aria-haspopup="dialog"
      aria-expanded={open}
      onKeyDown={onTriggerKey}
      onClick={
        armed
          ? undefined
          : () => {
              setArmed(true);
              setOpen(true);
            }
      }
      ref={trigger}
      data-testid="provenance-trigger"
    >
      {children}
    </span>
  );
  if (!armed) return span;
  const onContentKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      setOpen(false);
      trigger.current?.focus();
    }
  };
  return (
    <Popover
      trigger="click"
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        if (!o && trigger.current?.ownerDocument.activeElement?.closest('.ant-popover')) trigger.current.focus();
      }}
      title={
        <>
          <InfoCircleOutlined /> {t('provenance.title')}
        </>
      }
      content={
        open ? (
          <div onKeyDown={onContentKey}>
            <ProvenanceBody source={source} body={body} />
          </div>
        ) : null
      }
      afterOpenChange={(shown) => {
        if (shown) takeFocus(body.current);
      }}
      styles={{ root: { maxWidth: 460 } }}
      destroyOnHidden
    >
      {span}
    </Popover>
  );
}
