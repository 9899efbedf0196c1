import { Collapse, List, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Annex2Row, Annex2Table } from '../api/models';
import { currentLanguage } from '../i18n';
import { behindTarget } from '../../../../libs/workflows/ranking/rules.js';
import { fmtNumber, fmtPeriod, fmtValue } from '../lib/format';
import { FIGURES_SHOWN, useFirstShownMark } from '../lib/marks';
import { TIER_COLOURS, WarningTag } from './common';
import { Provenance, type ProvenanceSource } from './Provenance';

/** Annex 2's cells ask the audit API where they come from; the workflows' own records stand in where it is absent. */
export function resultSource(table: Annex2Table, row: Annex2Row, asOf?: string | null): ProvenanceSource | null {
  const lead = row.byUnit.find((u) => u.value !== null) ?? row.byUnit[0];
  const fallback: ProvenanceSource | null = lead
    ? { kind: 'report-figure', planId: table.planId, unitId: lead.unitId, period: table.period, indicatorNo: row.no, field: 'value', asOf: asOf ?? null }
    : null;
  return { kind: 'annex2', planId: table.planId, period: table.period, indicatorNo: row.no, field: 'result', asOf: asOf ?? null, fallback };
}

export function rankSource(table: Annex2Table, row: Annex2Row, asOf?: string | null, field: 'rank' | 'warning' = 'rank'): ProvenanceSource | null {
  let fallback: ProvenanceSource | null = null;
  if (row.rankSource === 'official' && row.rankPeriod) fallback = { kind: 'standing', planId: table.planId, indicatorNo: row.no, period: row.rankPeriod, asOf: asOf ?? null };
  else if (row.rankSource === 'reported') {
    const lead = row.byUnit.find((u) => u.rank !== null) ?? row.byUnit[0];
    if (lead) fallback = { kind: 'report-figure', planId: table.planId, unitId: lead.unitId, period: table.period, indicatorNo: row.no, field: 'rank', asOf: asOf ?? null };
  }
  return { kind: 'annex2', planId: table.planId, period: table.period, indicatorNo: row.no, field, asOf: asOf ?? null, fallback };
}

export function RankCell({ table, row, asOf }: { table: Annex2Table; row: Annex2Row; asOf?: string | null }) {
  const { t } = useTranslation();
  if (row.rank === null) return <>—</>;
  return (
    <Provenance source={rankSource(table, row, asOf)}>
      <span data-testid={`rank-${row.no}`}>{row.rank}</span>
      {row.rankSource === 'reported' && (
        <Typography.Text type="secondary" className="rank-source">
          {' '}
          {t('annex2.reported')}
        </Typography.Text>
      )}
      {row.rankSource === 'official' && row.rankPeriod && row.rankPeriod !== table.period && (
        <Typography.Text type="secondary" className="rank-source">
          {' '}
          ({fmtPeriod(row.rankPeriod)})
        </Typography.Text>
      )}
    </Provenance>
  );
}

/**
 * A row's flags (issue 12): a provisional figure or rank, a reported figure differing from the
 * official one. The label is visible; the reason is written beside it for screen readers and on hover.
 */
const VISUALLY_HIDDEN = { position: 'absolute', width: 1, height: 1, overflow: 'hidden', clip: 'rect(0 0 0 0)', whiteSpace: 'nowrap' } as const;

export function FlagTags({ row }: { row: Annex2Row }) {
  const { t } = useTranslation();
  const flags = row.flags ?? [];
  if (!flags.length) return null;
  const lang = currentLanguage() === 'zh-CN' ? 'zh' : 'en';
  return (
    <span data-testid={`flags-${row.no}`}>
      {flags.map((f) => (
        <Tag key={f.kind} color={f.kind === 'discrepancy' ? 'orange' : 'default'} title={f.reason[lang]} style={{ marginLeft: 4 }}>
          {t(`rules12.flag.${f.kind}`)}
          <span style={VISUALLY_HIDDEN}>：{f.reason[lang]}</span>
        </Tag>
      ))}
    </span>
  );
}

/** "Behind the county target" (the plan's lagging rule, shared with the reports): a word and a shape, not colour alone. */
export function BehindTarget({ row }: { row: Annex2Row }) {
  const { t } = useTranslation();
  if (!behindTarget(row.result, row.target, row.direction)) return null;
  return (
    <Tag color="orange" style={{ marginLeft: 4, color: '#873800' }} title={t('planPage.behindTargetHint')} data-testid={`behind-${row.no}`}>
      <span aria-hidden="true">↓ </span>
      {t('planPage.behindTarget')}
    </Tag>
  );
}

/** The same table for a phone: one card per indicator, grouped by section. */
export function Annex2List({ table, asOf }: { table: Annex2Table; asOf?: string | null }) {
  const { t } = useTranslation();
  useFirstShownMark(FIGURES_SHOWN);
  return (
    <Collapse
      data-testid="annex2-list"
      defaultActiveKey={table.sections.map((s) => String(s.id))}
      items={table.sections.map((s) => ({
        key: String(s.id),
        label: `${s.numeral}、${s.title}`,
        children: (
          <List
            size="small"
            dataSource={s.rows}
            renderItem={(r) => (
              <List.Item key={r.no} style={r.warning ? { borderLeft: `4px solid ${TIER_COLOURS[r.warning].fg}`, paddingLeft: 8 } : undefined}>
                {/* Plain elements laid out by styles.css (.annex2-item), not Space and Typography (issue 15): a phone's
                    first render has one card per indicator, and their five Ant Design wrappers each were a good part of it. */}
                <div className="annex2-item">
                  <strong className="annex2-item-name">
                    {r.no}. {r.name}
                  </strong>
                  <FlagTags row={r} />
                  <div className="annex2-item-line text-secondary">
                    {r.units.map((u) => u.shortName).join(' ')} · {t('annex2.pointsShort', { points: fmtNumber(r.points) })}
                  </div>
                  <div className="annex2-item-line">
                    <span>
                      {t('annex2.resultShort')}:{' '}
                      <Provenance source={resultSource(table, r, asOf)}>
                        <span data-testid={`result-${r.no}`}>{fmtValue(r.result, r.unitOfMeasure.symbol)}</span>
                      </Provenance>
                    </span>
                    <span>
                      {t('annex2.rankShort')}: <RankCell table={table} row={r} asOf={asOf} />
                    </span>
                    <BehindTarget row={r} />
                    {r.warning && (
                      <Provenance source={rankSource(table, r, asOf)}>
                        <WarningTag tier={r.warning} />
                      </Provenance>
                    )}
                  </div>
                </div>
              </List.Item>
            )}
          />
        ),
      }))}
    />
  );
}
