import ExcelJS from 'exceljs';
import type { Annex2Table } from '../api/models.js';

/**
 * Annex 2 as the county files it: the seed's title and columns, one row per indicator under its
 * section, warning cells filled green / yellow / red. Loaded only when someone exports (exceljs is
 * large), and written in Chinese whatever the UI language, since it is the document of record.
 * A tenth column, 说明, carries each row's flags (issue 12): a provisional rank or figure, and a
 * reported figure that differs from the city's official one, each with its reason; the provisional
 * cells are italic and their values marked （暂定）.
 */
const FILL: Record<string, string> = { green: 'FF92D050', yellow: 'FFFFFF00', red: 'FFFF0000' };
const TIER_ZH: Record<string, string> = { green: '绿色', yellow: '黄色', red: '红色' };
const PROVISIONAL = '（暂定）';

/** Decimal places of a figure as entered (4.6 → 1, 46 → 0, 0.125 → 3), at most 4. */
function decimalsOf(v: number): number {
  const text = String(v);
  const dot = text.indexOf('.');
  return dot < 0 || text.includes('e') ? 0 : Math.min(4, text.length - dot - 1);
}

/** Text shown around a number by its format, quoted so Excel does not read it as format codes. */
const literal = (text: string) => (text ? `"${text.replace(/"/g, '')}"` : '');

/**
 * A figure written as a number: a percentage as the fraction with a `0.0%` format (4.6 → 0.046,
 * shown 4.6%), any other unit with its symbol in the format (`0.00" 亿元"`), as many decimals as
 * the figure has (at least one for a percentage). `suffix` (a rank, （暂定）) and `prefix` are shown, not stored.
 */
export function numberCell(cell: ExcelJS.Cell, v: number, symbol: string, suffix = '', prefix = '', close = ''): void {
  const decimals = decimalsOf(v);
  if (symbol === '%') {
    cell.value = Number((v / 100).toPrecision(12));
    cell.numFmt = `${literal(prefix)}0.${'0'.repeat(Math.max(1, decimals))}%${literal(suffix)}`;
    return;
  }
  cell.value = v;
  const unit = symbol ? ` ${symbol}` : '';
  cell.numFmt = `${literal(prefix)}0${decimals ? `.${'0'.repeat(decimals)}` : ''}${literal(unit + close + suffix)}`;
}

export async function annex2Workbook(table: Annex2Table, asOfLabel: string | null): Promise<Blob> {
  const year = Number(table.period.slice(0, 4));
  const month = Number(table.period.slice(5, 7));
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Jixiao';
  wb.created = new Date();
  const ws = wb.addWorksheet(`${table.period}`, { pageSetup: { orientation: 'landscape', paperSize: 9, fitToPage: true, fitToWidth: 1, fitToHeight: 0 } });
  ws.columns = [
    { key: 'no', width: 6 },
    { key: 'name', width: 40 },
    { key: 'points', width: 9 },
    { key: 'unit', width: 16 },
    { key: 'baseline', width: 16 },
    { key: 'target', width: 14 },
    { key: 'result', width: 16 },
    { key: 'rank', width: 9 },
    { key: 'warning', width: 9 },
    { key: 'notes', width: 48 },
  ];
  ws.mergeCells('A1:J1');
  const title = ws.getCell('A1');
  title.value = `${year} 年高质量发展综合绩效指标完成情况一览表（${month} 月）`;
  title.font = { bold: true, size: 16 };
  title.alignment = { horizontal: 'center' };
  ws.mergeCells('A2:J2');
  ws.getCell('A2').value = `${table.county} · ${table.documentNumber}${asOfLabel ? ` · 截至 ${asOfLabel} 所知` : ''}`;
  ws.getCell('A2').alignment = { horizontal: 'center' };
  const header = ws.addRow([
    '序号',
    '指标内容',
    `总分 ${table.totalPoints} 分`,
    '责任单位',
    `${year - 1} 年度完成情况（位次）`,
    `${year} 年度县定目标`,
    '截至本月底完成情况',
    '六县市排名',
    '预警提示',
    '说明',
  ]);
  header.font = { bold: true };
  header.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
  const border: Partial<ExcelJS.Borders> = { top: { style: 'thin' }, left: { style: 'thin' }, bottom: { style: 'thin' }, right: { style: 'thin' } };
  header.eachCell((c) => (c.border = border));
  for (const s of table.sections) {
    const sr = ws.addRow([`${s.numeral}、${s.title}`]);
    ws.mergeCells(`A${sr.number}:J${sr.number}`);
    sr.font = { bold: true };
    sr.getCell(1).border = border;
    for (const r of s.rows) {
      const flags = r.flags ?? [];
      const provisionalResult = flags.some((f) => f.kind === 'report-not-received');
      const provisionalRank = flags.some((f) => f.kind === 'provisional-rank');
      const symbol = r.unitOfMeasure.symbol;
      const row = ws.addRow([r.no, r.name, r.points, r.units.map((u) => u.shortName).join('、')]);
      // Figures are numbers with a number format, never text like "4.6%": the county's staff sum and
      // sort them. What used to be written beside a figure (its unit, the 2022 rank, （暂定）) is in the format.
      const baselineRank = r.baseline.rank !== null ? `（${r.baseline.rank}）` : '';
      if (r.baseline.value !== null) numberCell(row.getCell(5), r.baseline.value, symbol, baselineRank);
      else if (r.baseline.rank !== null) numberCell(row.getCell(5), r.baseline.rank, '', '', '（', '）');
      if (r.target !== null) numberCell(row.getCell(6), r.target, symbol);
      if (r.result !== null) numberCell(row.getCell(7), r.result, symbol, provisionalResult ? PROVISIONAL : '');
      if (r.rank !== null) numberCell(row.getCell(8), r.rank, '', provisionalRank ? PROVISIONAL : '');
      if (r.warning) row.getCell(9).value = `${TIER_ZH[r.warning]!}${provisionalRank ? PROVISIONAL : ''}`;
      row.getCell(10).value = flags.map((f) => f.reason.zh).join('；');
      row.alignment = { vertical: 'middle', wrapText: true };
      row.eachCell({ includeEmpty: true }, (c) => (c.border = border));
      if (provisionalResult) row.getCell(7).font = { italic: true };
      if (provisionalRank) row.getCell(8).font = { italic: true };
      if (r.warning) {
        const w = row.getCell(9);
        w.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: FILL[r.warning]! } };
        w.alignment = { horizontal: 'center' };
      }
    }
  }
  const note = ws.addRow(['红黄绿预警提示，排名 1-2 名的用绿色标识，排名 3-4 名的用黄色标识，排名 5-6 名的用红色标识。']);
  ws.mergeCells(`A${note.number}:J${note.number}`);
  const flagged = table.flagged;
  if (flagged && (flagged.provisional || flagged.discrepancies)) {
    const marks = ws.addRow([
      `标注“（暂定）”的数据可能变化（报告尚未接收，或六县市数据不全），共 ${flagged.provisional} 项；上报数与市公布数不一致 ${flagged.discrepancies} 项，排名以市公布数为准。`,
    ]);
    ws.mergeCells(`A${marks.number}:J${marks.number}`);
  }
  if (table.totalScore !== null) {
    const total = ws.addRow([`综合得分 ${table.totalScore} / ${table.maxScore}（计分规则第 ${table.scoringRuleVersion} 版）`]);
    ws.mergeCells(`A${total.number}:J${total.number}`);
  }
  ws.views = [{ state: 'frozen', ySplit: 3 }];
  const buffer = await wb.xlsx.writeBuffer();
  return new Blob([buffer], { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
}
