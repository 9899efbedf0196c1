// Loaded when a workbook is read or written, not at start: exceljs alone costs ~0.4 s of start-up.
import type ExcelJS from 'exceljs';
import type { PlanDefinition } from '../plan/plan-file.js';
import type { FigureInput } from './ranking.decider.js';
import { parsePeriod } from './ranking-periods.js';

/**
 * The city's figures as a spreadsheet (docs/peer-figures-import.md): one sheet per ranking period,
 * named after it ('2023-Q3', '2023-08', '2023'); row 1 is the header 序号 | 指标 | one column per
 * peer county by its Chinese name as in the plan; each further row is one indicator.
 *
 * The whole file is checked before anything is recorded, and every bad cell is reported by sheet,
 * row and column, so the office fixes the file once rather than once per error.
 */
export const HEADER_NO = '序号';
export const HEADER_NAME = '指标';
/** Sheets whose name starts with this hold instructions and are not read. */
export const INSTRUCTIONS_SHEET = '说明';

export interface CellProblem {
  sheet: string;
  /** 1-based; null for a problem with the sheet or the file as a whole. */
  row: number | null;
  /** A, B, …; null for a problem with a whole row, sheet or file. */
  column: string | null;
  /** A1 reference, e.g. 'C5'; null when there is no single cell. */
  cell: string | null;
  message: string;
  /** Stable (`cell-…`), with `params`: the server's catalogue and clients word it in their language. */
  code: string;
  params: Record<string, string | number>;
}

export interface ImportedRow {
  sheet: string;
  period: string;
  row: number;
  indicatorNo: number;
  figures: FigureInput[];
}

export interface ParsedWorkbook {
  rows: ImportedRow[];
  /** Rows naming an indicator with no county's figure filled in: nothing to record. */
  skipped: { sheet: string; row: number; indicatorNo: number }[];
  problems: CellProblem[];
}

export function columnLetter(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

type Params = Record<string, string | number>;
/** What is wrong with a cell: in English, and as a stable code with params (for the catalogue). */
type Why = { why: string; code: string; params?: Params };
type Content = { kind: 'empty' } | { kind: 'number'; n: number; percent: boolean } | { kind: 'text'; s: string } | ({ kind: 'bad' } & Why);

/** What a cell holds, formulas by their cached result. */
function contentOf(cell: ExcelJS.Cell): Content {
  const numFmt = typeof cell.numFmt === 'string' ? cell.numFmt : '';
  const read = (v: ExcelJS.CellValue): Content => {
    if (v === null || v === undefined) return { kind: 'empty' };
    if (typeof v === 'number')
      return Number.isFinite(v) ? { kind: 'number', n: v, percent: numFmt.includes('%') } : { kind: 'bad', why: 'is not a finite number', code: 'cell-not-finite' };
    if (typeof v === 'string') return v.trim() === '' ? { kind: 'empty' } : { kind: 'text', s: v.trim() };
    if (typeof v === 'boolean') return { kind: 'bad', why: `holds TRUE/FALSE, not a figure`, code: 'cell-boolean' };
    if (v instanceof Date) return { kind: 'bad', why: 'holds a date, not a figure', code: 'cell-date' };
    if ('error' in v) return { kind: 'bad', why: `holds the error ${v.error}`, code: 'cell-error-value', params: { error: String(v.error) } };
    if ('richText' in v) return read(v.richText.map((t) => t.text).join(''));
    if ('hyperlink' in v) return read(v.text);
    if ('formula' in v || 'sharedFormula' in v) {
      const result = (v as ExcelJS.CellFormulaValue).result;
      return result === undefined
        ? { kind: 'bad', why: 'holds a formula without a calculated result (open and save it in Excel first)', code: 'cell-formula-without-result' }
        : read(result as ExcelJS.CellValue);
    }
    return { kind: 'bad', why: 'holds something that is not a figure', code: 'cell-not-figure' };
  };
  return read(cell.value);
}

const NUMBER = '[-+]?\\d+(?:\\.\\d+)?';
const RANK_ONLY = /^第?\s*(\d+)\s*名$/;
const VALUE_AND_RANK = new RegExp(`^(${NUMBER})\\s*(%?)\\s*[（(]\\s*第?\\s*(\\d+)\\s*名\\s*[)）]$`);
const VALUE_TEXT = new RegExp(`^(${NUMBER})\\s*(%?)$`);
/** How the city marks "not published": the county is left out. */
const NOT_PUBLISHED = new Set(['-', '—', '－', '/', '／', '无']);

/** Excel shows 5.2% for 0.052: a percent-formatted cell is read as shown. */
const asShown = (n: number) => Number((n * 100).toPrecision(12));

function figureOf(content: Content, percentUnit: boolean): { value: number | null; rank: number | null } | { error: Why } | null {
  switch (content.kind) {
    case 'empty':
      return null;
    case 'bad':
      return { error: content };
    case 'number':
      if (content.percent && !percentUnit) return { error: { why: 'is formatted as a percentage, but the indicator is not measured in percent', code: 'cell-percent-format' } };
      return { value: content.percent ? asShown(content.n) : content.n, rank: null };
    case 'text': {
      const s = content.s;
      if (NOT_PUBLISHED.has(s)) return null;
      let m = RANK_ONLY.exec(s);
      if (m) return { value: null, rank: Number(m[1]) };
      m = VALUE_AND_RANK.exec(s);
      if (m) {
        if (m[2] && !percentUnit) return { error: { why: `"${s}" has a % sign, but the indicator is not measured in percent`, code: 'cell-percent-sign', params: { text: s } } };
        return { value: Number(m[1]), rank: Number(m[3]) };
      }
      m = VALUE_TEXT.exec(s);
      if (m) {
        if (m[2] && !percentUnit) return { error: { why: `"${s}" has a % sign, but the indicator is not measured in percent`, code: 'cell-percent-sign', params: { text: s } } };
        return { value: Number(m[1]), rank: null };
      }
      return { error: { why: `"${s}" is not a figure: write a number (5.2), a rank (第2名), or both (5.2（第2名）)`, code: 'cell-not-figure-text', params: { text: s } } };
    }
  }
}

const norm = (s: string) => s.replace(/\s+/g, '').replace(/（/g, '(').replace(/）/g, ')');

function textOf(content: Content): string {
  return content.kind === 'text' ? content.s : content.kind === 'number' ? String(content.n) : '';
}

/** Reads and checks a workbook against the plan; records nothing. */
export async function parsePeerFiguresWorkbook(data: Uint8Array, plan: PlanDefinition): Promise<ParsedWorkbook> {
  const problems: CellProblem[] = [];
  const rows: ImportedRow[] = [];
  const skipped: ParsedWorkbook['skipped'] = [];
  const wb = new (await import('exceljs')).default.Workbook();
  try {
    await wb.xlsx.load(data as unknown as ExcelJS.Buffer);
  } catch (err) {
    problems.push({
      sheet: '',
      row: null,
      column: null,
      cell: null,
      message: `the file is not a readable .xlsx workbook (${err instanceof Error ? err.message : String(err)})`,
      code: 'cell-unreadable-file',
      params: {},
    });
    return { rows, skipped, problems };
  }
  const counties = plan.peerGroup.counties;
  const size = plan.peerGroup.size;
  const uomPercent = new Set(plan.unitsOfMeasure.filter((u) => u.id === 'percent' || u.symbol === '%').map((u) => u.id));
  const periodsSeen = new Map<string, string>();
  let periodSheets = 0;

  for (const ws of wb.worksheets) {
    const sheet = ws.name;
    if (sheet.trim().startsWith(INSTRUCTIONS_SHEET)) continue;
    periodSheets++;
    const at = (row: number | null, col: number | null, message: string, code: string, params: Params = {}) =>
      problems.push({
        sheet,
        row,
        column: col === null ? null : columnLetter(col),
        cell: row !== null && col !== null ? `${columnLetter(col)}${row}` : null,
        message,
        code,
        params,
      });

    const period = sheet.trim();
    const parsed = parsePeriod(period);
    if (!parsed || parsed.year !== plan.year) {
      at(
        null,
        null,
        `the sheet name "${sheet}" is not a ranking period of ${plan.year}: name it like ${plan.year}-Q3, ${plan.year}-08 or ${plan.year} (or start it with ${INSTRUCTIONS_SHEET} to have it ignored)`,
        'cell-bad-sheet-name',
        { sheet, year: plan.year, instructions: INSTRUCTIONS_SHEET },
      );
      continue;
    }
    if (periodsSeen.has(period)) {
      at(null, null, `a second sheet for ${period} (the first is "${periodsSeen.get(period)}")`, 'cell-duplicate-sheet', { period, first: periodsSeen.get(period)! });
      continue;
    }
    periodsSeen.set(period, sheet);

    // Header: 序号 | 指标 | counties by name.
    const header = ws.getRow(1);
    const noHeader = textOf(contentOf(header.getCell(1)));
    const nameHeader = textOf(contentOf(header.getCell(2)));
    if (noHeader !== HEADER_NO) at(1, 1, `the header must read ${HEADER_NO}, not "${noHeader}"`, 'cell-bad-header', { expected: HEADER_NO, found: noHeader });
    if (nameHeader !== HEADER_NAME) at(1, 2, `the header must read ${HEADER_NAME}, not "${nameHeader}"`, 'cell-bad-header', { expected: HEADER_NAME, found: nameHeader });
    const countyColumns = new Map<number, string>();
    const lastColumn = Math.max(ws.columnCount, header.cellCount);
    for (let col = 3; col <= lastColumn; col++) {
      const name = textOf(contentOf(header.getCell(col)));
      if (!name) continue;
      const county = counties.find((c) => norm(c.name) === norm(name));
      if (!county)
        at(1, col, `"${name}" is not a county of ${plan.peerGroup.name} (${counties.map((c) => c.name).join('、')})`, 'cell-unknown-county', {
          name,
          peerGroup: plan.peerGroup.name,
          counties: counties.map((c) => c.name).join('、'),
        });
      else if ([...countyColumns.values()].includes(county.id)) at(1, col, `${county.name} has a second column`, 'cell-duplicate-county', { county: county.name });
      else countyColumns.set(col, county.id);
    }
    if (countyColumns.size === 0 && !problems.some((p) => p.sheet === sheet && p.row === 1 && p.column !== 'A' && p.column !== 'B')) {
      at(1, null, `row 1 names no county: put one column per county (${counties.map((c) => c.name).join('、')}) after ${HEADER_NAME}`, 'cell-no-county', {
        counties: counties.map((c) => c.name).join('、'),
        after: HEADER_NAME,
      });
    }

    const seenNos = new Map<number, number>();
    for (let r = 2; r <= ws.rowCount; r++) {
      const row = ws.getRow(r);
      const cells = Array.from({ length: lastColumn }, (_, i) => contentOf(row.getCell(i + 1)));
      if (cells.every((c) => c.kind === 'empty')) continue;
      const noCell = cells[0]!;
      let indicator: PlanDefinition['indicators'][number] | undefined;
      const noText = textOf(noCell);
      const no = noCell.kind === 'number' ? noCell.n : /^\d+$/.test(noText) ? Number(noText) : NaN;
      if (noCell.kind === 'empty') at(r, 1, `the row has figures but no indicator number (${HEADER_NO})`, 'cell-no-indicator-number', { header: HEADER_NO });
      else if (!Number.isInteger(no)) at(r, 1, `"${noText}" is not an indicator number`, 'cell-not-indicator-number', { text: noText });
      else if (!(indicator = plan.indicators.find((i) => i.no === no)))
        at(r, 1, `the plan has no indicator ${no} (1–${plan.indicators.length})`, 'cell-no-such-indicator', { no, count: plan.indicators.length });
      else if (seenNos.has(no))
        at(r, 1, `indicator ${no} appears twice in this sheet (also row ${seenNos.get(no)})`, 'cell-duplicate-indicator', { no, firstRow: seenNos.get(no)! });
      if (indicator) seenNos.set(indicator.no, seenNos.get(indicator.no) ?? r);

      const nameText = textOf(cells[1]!);
      if (indicator && nameText && norm(nameText) !== norm(indicator.name) && !(indicator.alias && norm(nameText) === norm(indicator.alias))) {
        at(r, 2, `"${nameText}" is not the name of indicator ${indicator.no} (${indicator.name}): is the row out of place?`, 'cell-wrong-indicator-name', {
          text: nameText,
          no: indicator.no,
          name: indicator.name,
        });
      }

      const figures: FigureInput[] = [];
      for (let col = 3; col <= lastColumn; col++) {
        const content = cells[col - 1]!;
        const countyId = countyColumns.get(col);
        if (!countyId) {
          if (content.kind !== 'empty') at(r, col, 'this column has no county in row 1', 'cell-column-without-county');
          continue;
        }
        const f = figureOf(content, indicator ? uomPercent.has(indicator.unitOfMeasure) : true);
        if (f === null) continue;
        if ('error' in f) {
          at(r, col, `the cell ${f.error.why}`, f.error.code, f.error.params);
          continue;
        }
        if (f.rank !== null && !(Number.isInteger(f.rank) && f.rank >= 1 && f.rank <= size)) {
          at(r, col, `rank ${f.rank} is outside 1–${size}`, 'cell-rank-outside', { rank: f.rank, size });
          continue;
        }
        if (indicator?.kind === 'task' && f.value !== null && f.value < 0) {
          at(r, col, `indicator ${indicator.no} is a task the city scores: ${f.value} is not a score`, 'cell-task-not-score', { no: indicator.no, value: f.value });
          continue;
        }
        figures.push({ countyId, value: f.value, rank: f.rank });
      }
      if (!indicator) continue;
      if (figures.length === 0 && !problems.some((p) => p.sheet === sheet && p.row === r)) skipped.push({ sheet, row: r, indicatorNo: indicator.no });
      else if (figures.length > 0) rows.push({ sheet, period, row: r, indicatorNo: indicator.no, figures });
    }
  }
  if (periodSheets === 0 && problems.length === 0) {
    problems.push({
      sheet: '',
      row: null,
      column: null,
      cell: null,
      message: `the workbook has no sheet named after a ranking period (e.g. ${plan.year}-Q3)`,
      code: 'cell-no-period-sheet',
      params: { year: plan.year },
    });
  }
  return { rows, skipped, problems };
}

/** A workbook to fill in for a period: the sheet with the header and every indicator, and the instructions. */
export async function peerFiguresTemplate(plan: PlanDefinition, period: string): Promise<Buffer> {
  const wb = new (await import('exceljs')).default.Workbook();
  wb.creator = 'Jixiao 绩效';
  const ws = wb.addWorksheet(period, { views: [{ state: 'frozen', xSplit: 2, ySplit: 1 }] });
  ws.columns = [{ header: HEADER_NO, width: 6 }, { header: HEADER_NAME, width: 48 }, ...plan.peerGroup.counties.map((c) => ({ header: c.name, width: 14 }))];
  ws.getRow(1).font = { bold: true };
  for (const i of plan.indicators) ws.addRow([i.no, i.name]);
  const help = wb.addWorksheet(INSTRUCTIONS_SHEET);
  help.getColumn(1).width = 110;
  const names = plan.peerGroup.counties.map((c) => c.name).join('、');
  // Chinese first (the county's working language), then the same in English.
  for (const line of [
    `${plan.title}：按市里公布的六县市数据填写（${plan.peerGroup.name}）。`,
    `每个排名期间一个工作表，以期间命名：${plan.year}-08 表示 ${plan.year}年8月（累计），${plan.year}-Q3 表示 ${plan.year}年第3季度，${plan.year} 表示 ${plan.year}年全年。`,
    `第1行：${HEADER_NO} | ${HEADER_NAME} | 每县市一列，以县市名称为列名（${names}），可缺列。`,
    '其后每行：指标序号和名称（与方案一致），然后各县市该指标的数值，按指标计量单位填写。',
    '数值可填数字（5.2；设为百分比格式的单元格按显示值读取）、仅排名（第2名）或两者（5.2（第2名））。任务类指标填市里给出的得分或排名。',
    '市里未公布的留空（或填 —）：按缺失记录，绝不推算。',
    '先检查整个文件：任何单元格有误，按工作表、行、列列出全部问题，且不记录任何数据。',
    `名称以“${INSTRUCTIONS_SHEET}”开头的工作表不读取。`,
    '',
    `${plan.title}: the six counties' figures as the city publishes them (${plan.peerGroup.name}).`,
    `One sheet per ranking period, named after it: ${plan.year}-08 (a month, cumulative), ${plan.year}-Q3 (a quarter) or ${plan.year} (the year).`,
    `Row 1: ${HEADER_NO} | ${HEADER_NAME} | one column per county, by its name (${names}). A county may be left out.`,
    'Each further row: the indicator number and name (as in the plan), then each county’s figure in the indicator’s unit.',
    'A figure is a number (5.2; a cell formatted as a percentage is read as shown), a rank only (第2名), or both (5.2（第2名）). For task indicators, the score or rank the city gave.',
    'Leave a cell empty (or write —) where the city published nothing: it is recorded as missing, never guessed.',
    'The whole file is checked first: if any cell is wrong, every problem is listed by sheet, row and column and nothing is recorded.',
    `Sheets whose name starts with ${INSTRUCTIONS_SHEET} are not read.`,
  ]) {
    help.addRow([line]);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** What an upload of the six counties' figures did, sheet by sheet. */
export interface ImportOutcome {
  importId: string;
  file: string;
  sheets: { sheet: string; period: string; rows: number }[];
  /** Rows whose figures were recorded now. */
  recorded: number;
  /** Rows the store already held exactly (nothing new from the city). */
  unchanged: number;
  /** Rows answered from an earlier upload of the same file. */
  replayed: number;
  skipped: { sheet: string; row: number; indicatorNo: number }[];
  position?: string;
}
