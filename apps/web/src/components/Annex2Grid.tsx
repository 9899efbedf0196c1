import { Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useTranslation } from 'react-i18next';
import type { Annex2Row, Annex2Table } from '../api/models';
import { fmtNumber, fmtValue } from '../lib/format';
import { BehindTarget, FlagTags, RankCell, rankSource, resultSource } from './Annex2View';
import { TIER_COLOURS } from './common';
import { Provenance } from './Provenance';
import { FIGURES_SHOWN, useFirstShownMark } from '../lib/marks';

/*
 * Annex 2 as a wide table, for a screen from 768 px up. Its own chunk (issue 15): Ant Design's Table
 * (with the tree, pagination and filter menus it brings) is 44 KB of gzip that a phone, which shows
 * Annex2List instead, never needs; DashboardPage loads it lazily and only where it is shown.
 */

type Line = { line: 'section'; key: string; title: string } | ({ line: 'row'; key: string } & Annex2Row);

function baselineText(row: Annex2Row): string {
  const v = row.baseline.value === null ? '—' : fmtValue(row.baseline.value, row.unitOfMeasure.symbol);
  return row.baseline.rank === null ? v : `${v}（${row.baseline.rank}）`;
}

/** Annex 2 (一览表) with the seed's columns; warning cells coloured; every figure, rank and colour opens its provenance. */
export default function Annex2Grid({ table, asOf }: { table: Annex2Table; asOf?: string | null }) {
  const { t } = useTranslation();
  useFirstShownMark(FIGURES_SHOWN);
  const lines: Line[] = table.sections.flatMap((s) => [
    { line: 'section' as const, key: `s${s.id}`, title: `${s.numeral}、${s.title}` },
    ...s.rows.map((r) => ({ ...r, line: 'row' as const, key: `r${r.no}` })),
  ]);
  const span = (l: Line, first = false) => (l.line === 'section' ? { colSpan: first ? 9 : 0 } : {});
  const year = Number(table.period.slice(0, 4));
  const columns: ColumnsType<Line> = [
    { title: t('annex2.no'), key: 'no', width: 56, align: 'center', onCell: (l) => span(l, true), render: (_, l) => (l.line === 'section' ? <strong>{l.title}</strong> : l.no) },
    {
      title: t('annex2.indicator'),
      key: 'name',
      onCell: (l) => span(l),
      render: (_, l) =>
        l.line === 'row' ? (
          <>
            <span title={l.alias}>{l.name}</span>
            <FlagTags row={l} />
          </>
        ) : null,
    },
    {
      title: t('annex2.points', { total: fmtNumber(table.totalPoints) }),
      key: 'points',
      width: 84,
      align: 'center',
      onCell: (l) => span(l),
      render: (_, l) => (l.line === 'row' ? fmtNumber(l.points) : null),
    },
    { title: t('annex2.unit'), key: 'unit', width: 120, onCell: (l) => span(l), render: (_, l) => (l.line === 'row' ? l.units.map((u) => u.shortName).join(' ') : null) },
    {
      title: t('annex2.baseline', { year: year - 1 }),
      key: 'baseline',
      width: 130,
      align: 'center',
      onCell: (l) => span(l),
      render: (_, l) => (l.line === 'row' ? baselineText(l) : null),
    },
    {
      title: t('annex2.target', { year }),
      key: 'target',
      width: 110,
      align: 'center',
      onCell: (l) => span(l),
      render: (_, l) => (l.line === 'row' ? <span data-testid={`target-${l.no}`}>{fmtValue(l.target, l.unitOfMeasure.symbol)}</span> : null),
    },
    {
      title: t('annex2.result'),
      key: 'result',
      width: 140,
      align: 'center',
      onCell: (l) => span(l),
      render: (_, l) =>
        l.line === 'row' ? (
          l.result === null ? (
            '—'
          ) : (
            <>
              <Provenance source={resultSource(table, l, asOf)}>
                <span data-testid={`result-${l.no}`}>{fmtValue(l.result, l.unitOfMeasure.symbol)}</span>
                {l.byUnit.some((u) => u.corrected.value) && <Tag style={{ marginLeft: 4 }}>{t('annex2.corrected')}</Tag>}
              </Provenance>
              <BehindTarget row={l} />
            </>
          )
        ) : null,
    },
    {
      title: t('annex2.rank'),
      key: 'rank',
      width: 100,
      align: 'center',
      onCell: (l) => span(l),
      render: (_, l) => (l.line === 'row' ? <RankCell table={table} row={l} asOf={asOf} /> : null),
    },
    {
      title: t('annex2.warning'),
      key: 'warning',
      width: 90,
      align: 'center',
      onCell: (l) => (l.line === 'section' ? { colSpan: 0 } : l.warning ? ({ style: { background: TIER_COLOURS[l.warning].bg }, 'data-warning-cell': l.warning } as object) : {}),
      render: (_, l) =>
        l.line === 'row' && l.warning ? (
          <Provenance source={rankSource(table, l, asOf, 'warning')}>
            <span data-testid={`warning-${l.no}`} data-warning={l.warning} style={{ color: TIER_COLOURS[l.warning].fg, fontWeight: 600 }}>
              {t(`tier.${l.warning}`)}
            </span>
          </Provenance>
        ) : null,
    },
  ];
  return (
    <Table<Line>
      className="annex2-table"
      data-testid="annex2-table"
      size="small"
      bordered
      pagination={false}
      rowKey="key"
      columns={columns}
      dataSource={lines}
      rowClassName={(l) => (l.line === 'section' ? 'section-row' : '')}
      scroll={{ x: 1000 }}
      sticky
    />
  );
}
