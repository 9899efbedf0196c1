// Loaded when a workbook is read or written, not at start (exceljs costs ~0.4 s of start-up).
import type ExcelJS from 'exceljs';
import type { PlanDefinition } from './plan-file.js';

/**
 * The office's workbook of targets and baselines (issue 15): one sheet, 目标与基数, with a row per
 * indicator: 序号 | 指标 | 计量单位 | <year-1>年完成值 | <year-1>年位次 | <year>年县定目标. The
 * template comes filled with the plan as it stands, so a downloaded, edited and uploaded file
 * changes only what was edited: an empty cell clears its value, a row left out leaves its
 * indicator as it is.
 *
 * The whole file is checked before anything is recorded; every bad cell is reported by row and
 * column, in the reader's language (zh-CN first, en-US).
 */
export const TARGETS_SHEET = '目标与基数';
export const INSTRUCTIONS_SHEET = '说明';
export const HEADERS = ['序号', '指标', '计量单位'] as const;
export const headerBaselineValue = (year: number) => `${year - 1}年完成值`;
export const headerBaselineRank = (year: number) => `${year - 1}年位次`;
export const headerTarget = (year: number) => `${year}年县定目标`;

export type ImportLanguage = 'zh-CN' | 'en-US';

export interface TargetCellProblem {
  sheet: string;
  /** 1-based; null for a problem with the sheet or the file as a whole. */
  row: number | null;
  column: string | null;
  cell: string | null;
  /** Stable, for clients that translate themselves. */
  code: string;
  params: Record<string, string | number>;
  /** In the requested language. */
  message: string;
}

export interface TargetRow {
  row: number;
  indicatorNo: number;
  target: number | null;
  baseline: { value: number | null; rank: number | null };
}

export interface ParsedTargets {
  rows: TargetRow[];
  problems: TargetCellProblem[];
}

type Params = Record<string, string | number>;
/** Every message in both languages, by code. */
const MESSAGES: Record<string, Record<ImportLanguage, (p: Params) => string>> = {
  'unreadable-file': {
    'zh-CN': (p) => `文件不是可读取的 .xlsx 工作簿（${p.error}）`,
    'en-US': (p) => `the file is not a readable .xlsx workbook (${p.error})`,
  },
  'no-sheet': {
    'zh-CN': () => `工作簿中没有名为“${TARGETS_SHEET}”的工作表：请使用下载的模板`,
    'en-US': () => `the workbook has no sheet named "${TARGETS_SHEET}": start from the template`,
  },
  'bad-header': {
    'zh-CN': (p) => `表头应为“${p.expected}”，而不是“${p.found}”`,
    'en-US': (p) => `the header must read "${p.expected}", not "${p.found}"`,
  },
  'no-number': {
    'zh-CN': () => '该行有数据但没有指标序号',
    'en-US': () => 'the row has values but no indicator number',
  },
  'bad-number': {
    'zh-CN': (p) => `“${p.found}”不是指标序号`,
    'en-US': (p) => `"${p.found}" is not an indicator number`,
  },
  'unknown-indicator': {
    'zh-CN': (p) => `方案中没有第 ${p.no} 项指标（1–${p.count}）`,
    'en-US': (p) => `the plan has no indicator ${p.no} (1–${p.count})`,
  },
  'duplicate-indicator': {
    'zh-CN': (p) => `第 ${p.no} 项指标重复出现（另见第 ${p.other} 行）`,
    'en-US': (p) => `indicator ${p.no} appears twice (also row ${p.other})`,
  },
  'wrong-name': {
    'zh-CN': (p) => `“${p.found}”不是第 ${p.no} 项指标的名称（${p.name}）：是否错行？`,
    'en-US': (p) => `"${p.found}" is not the name of indicator ${p.no} (${p.name}): is the row out of place?`,
  },
  'not-a-number': {
    'zh-CN': (p) => `“${p.found}”不是数值：请填写数字，或留空`,
    'en-US': (p) => `"${p.found}" is not a number: write a number, or leave the cell empty`,
  },
  'bad-cell': {
    'zh-CN': () => '单元格内容不是数值（日期、逻辑值、错误值或无计算结果的公式）',
    'en-US': () => 'the cell holds something that is not a number (a date, TRUE/FALSE, an error, or a formula without a calculated result)',
  },
  'percent-not-allowed': {
    'zh-CN': (p) => `该单元格为百分比格式，但第 ${p.no} 项指标不以 % 计量`,
    'en-US': (p) => `the cell is formatted as a percentage, but indicator ${p.no} is not measured in percent`,
  },
  'bad-rank': {
    'zh-CN': (p) => `位次 ${p.found} 应为 1 到 ${p.size} 的整数`,
    'en-US': (p) => `rank ${p.found} must be a whole number from 1 to ${p.size}`,
  },
  'no-rows': {
    'zh-CN': () => '工作表中没有任何指标行',
    'en-US': () => 'the sheet has no indicator rows',
  },
};

export function columnLetter(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

type Content = { kind: 'empty' } | { kind: 'number'; n: number; percent: boolean } | { kind: 'text'; s: string } | { kind: 'bad' };

function contentOf(cell: ExcelJS.Cell): Content {
  const numFmt = typeof cell.numFmt === 'string' ? cell.numFmt : '';
  const read = (v: ExcelJS.CellValue): Content => {
    if (v === null || v === undefined) return { kind: 'empty' };
    if (typeof v === 'number') return Number.isFinite(v) ? { kind: 'number', n: v, percent: numFmt.includes('%') } : { kind: 'bad' };
    if (typeof v === 'string') return v.trim() === '' ? { kind: 'empty' } : { kind: 'text', s: v.trim() };
    if (typeof v === 'boolean' || v instanceof Date) return { kind: 'bad' };
    if ('error' in v) return { kind: 'bad' };
    if ('richText' in v) return read(v.richText.map((t) => t.text).join(''));
    if ('hyperlink' in v) return read(v.text);
    if ('formula' in v || 'sharedFormula' in v) {
      const result = (v as ExcelJS.CellFormulaValue).result;
      return result === undefined ? { kind: 'bad' } : read(result as ExcelJS.CellValue);
    }
    return { kind: 'bad' };
  };
  return read(cell.value);
}

const textOf = (c: Content) => (c.kind === 'text' ? c.s : c.kind === 'number' ? String(c.n) : '');
const norm = (s: string) => s.replace(/\s+/g, '').replace(/（/g, '(').replace(/）/g, ')');
/** Excel shows 5.2% for 0.052: a percent-formatted cell is read as shown. */
const asShown = (n: number) => Number((n * 100).toPrecision(12));
const NUMBER_TEXT = /^([-+]?\d+(?:\.\d+)?)\s*(%?)$/;
/** "Not known" as people write it: read as empty. */
const NOTHING = new Set(['-', '—', '－', '/', '／', '无']);

/** Reads and checks the office's workbook against the plan; records nothing. */
export async function parseTargetsWorkbook(data: Uint8Array, plan: PlanDefinition, language: ImportLanguage = 'zh-CN'): Promise<ParsedTargets> {
  const problems: TargetCellProblem[] = [];
  const rows: TargetRow[] = [];
  const report = (sheet: string, row: number | null, col: number | null, code: string, params: Params = {}) =>
    problems.push({
      sheet,
      row,
      column: col === null ? null : columnLetter(col),
      cell: row !== null && col !== null ? `${columnLetter(col)}${row}` : null,
      code,
      params,
      message: MESSAGES[code]![language](params),
    });
  const wb = new (await import('exceljs')).default.Workbook();
  try {
    await wb.xlsx.load(data as unknown as ExcelJS.Buffer);
  } catch (err) {
    report('', null, null, 'unreadable-file', { error: err instanceof Error ? err.message : String(err) });
    return { rows, problems };
  }
  const ws = wb.worksheets.find((w) => w.name.trim() === TARGETS_SHEET);
  if (!ws) {
    report('', null, null, 'no-sheet');
    return { rows, problems };
  }
  const sheet = ws.name;
  const expected = [...HEADERS, headerBaselineValue(plan.year), headerBaselineRank(plan.year), headerTarget(plan.year)];
  expected.forEach((h, i) => {
    const found = textOf(contentOf(ws.getRow(1).getCell(i + 1)));
    if (norm(found) !== norm(h)) report(sheet, 1, i + 1, 'bad-header', { expected: h, found });
  });
  if (problems.length) return { rows, problems };

  const percentUnits = new Set(plan.unitsOfMeasure.filter((u) => u.id === 'percent' || u.symbol === '%').map((u) => u.id));
  const size = plan.peerGroup.size;
  const seen = new Map<number, number>();
  for (let r = 2; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    const cells = Array.from({ length: 6 }, (_, i) => contentOf(row.getCell(i + 1)));
    if (cells.every((c) => c.kind === 'empty')) continue;
    const noCell = cells[0]!;
    const noText = textOf(noCell);
    const no = noCell.kind === 'number' ? noCell.n : /^\d+$/.test(noText) ? Number(noText) : NaN;
    let indicator: PlanDefinition['indicators'][number] | undefined;
    if (noCell.kind === 'empty') report(sheet, r, 1, 'no-number');
    else if (!Number.isInteger(no)) report(sheet, r, 1, 'bad-number', { found: noText });
    else if (!(indicator = plan.indicators.find((i) => i.no === no))) report(sheet, r, 1, 'unknown-indicator', { no, count: plan.indicators.length });
    else if (seen.has(no)) {
      report(sheet, r, 1, 'duplicate-indicator', { no, other: seen.get(no)! });
      indicator = undefined;
    }
    if (indicator) seen.set(indicator.no, r);
    const name = textOf(cells[1]!);
    if (indicator && name && norm(name) !== norm(indicator.name) && !(indicator.alias && norm(name) === norm(indicator.alias))) {
      report(sheet, r, 2, 'wrong-name', { found: name, no: indicator.no, name: indicator.name });
    }
    const percent = indicator ? percentUnits.has(indicator.unitOfMeasure) : true;
    const numberAt = (col: number): number | null | undefined => {
      const c = cells[col - 1]!;
      switch (c.kind) {
        case 'empty':
          return null;
        case 'bad':
          report(sheet, r, col, 'bad-cell');
          return undefined;
        case 'number':
          if (c.percent && !percent) {
            report(sheet, r, col, 'percent-not-allowed', { no });
            return undefined;
          }
          return c.percent ? asShown(c.n) : c.n;
        case 'text': {
          if (NOTHING.has(c.s)) return null;
          const m = NUMBER_TEXT.exec(c.s);
          if (!m) {
            report(sheet, r, col, 'not-a-number', { found: c.s });
            return undefined;
          }
          if (m[2] && !percent) {
            report(sheet, r, col, 'percent-not-allowed', { no });
            return undefined;
          }
          return Number(m[1]);
        }
      }
    };
    const value = numberAt(4);
    const rank = numberAt(5);
    if (rank !== null && rank !== undefined && !(Number.isInteger(rank) && rank >= 1 && rank <= size)) report(sheet, r, 5, 'bad-rank', { found: rank, size });
    const target = numberAt(6);
    if (!indicator || value === undefined || rank === undefined || target === undefined) continue;
    rows.push({ row: r, indicatorNo: indicator.no, target, baseline: { value, rank } });
  }
  if (rows.length === 0 && problems.length === 0) report(sheet, null, null, 'no-rows');
  return { rows: problems.length ? [] : rows, problems };
}

/** The workbook to fill in: the plan's indicators with their targets and baselines as they stand, and the instructions. */
export async function targetsTemplate(plan: PlanDefinition): Promise<Buffer> {
  const wb = new (await import('exceljs')).default.Workbook();
  wb.creator = 'Jixiao 绩效';
  const ws = wb.addWorksheet(TARGETS_SHEET, { views: [{ state: 'frozen', xSplit: 2, ySplit: 1 }] });
  ws.columns = [
    { header: HEADERS[0], width: 6 },
    { header: HEADERS[1], width: 48 },
    { header: HEADERS[2], width: 10 },
    { header: headerBaselineValue(plan.year), width: 16 },
    { header: headerBaselineRank(plan.year), width: 12 },
    { header: headerTarget(plan.year), width: 16 },
  ];
  ws.getRow(1).font = { bold: true };
  const symbol = new Map(plan.unitsOfMeasure.map((u) => [u.id, u.symbol]));
  // Numbers as numbers (a percent is written as shown, 6.5 for 6.5%): Excel sums and sorts them.
  for (const i of plan.indicators) ws.addRow([i.no, i.name, symbol.get(i.unitOfMeasure) ?? '', i.baseline.value, i.baseline.rank, i.target]);
  const help = wb.addWorksheet(INSTRUCTIONS_SHEET);
  help.getColumn(1).width = 110;
  for (const line of [
    `${plan.title}：县定目标和上年（${plan.year - 1}年）完成情况、六县市位次。`,
    `只读取工作表“${TARGETS_SHEET}”。模板按方案现状填好：修改需要改的单元格后上传即可。`,
    `数值按指标计量单位填写（百分比指标填 6.5 表示 6.5%；设为百分比格式的单元格按显示值读取）；位次填 1–${plan.peerGroup.size} 的整数。`,
    '单元格留空（或填 —）表示清除该值；删去的行对应的指标保持不变。',
    '上传时须填写理由；每项变化单独记入方案变更记录。任何单元格有误，列出全部问题，且不记录任何数据。',
    '',
    `${plan.title}: the county's targets and the previous year's (${plan.year - 1}) results and ranks among the peer counties.`,
    `Only the sheet "${TARGETS_SHEET}" is read. The template comes filled with the plan as it stands: edit what changes and upload it.`,
    `Values in the indicator's unit (6.5 for 6.5%; a cell formatted as a percentage is read as shown); ranks are whole numbers 1–${plan.peerGroup.size}.`,
    'An empty cell (or —) clears its value; an indicator whose row is deleted stays as it is.',
    'An upload needs a reason; each change is recorded in the plan’s history on its own. If any cell is wrong, every problem is listed and nothing is recorded.',
  ]) {
    help.addRow([line]);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** What an upload of targets and baselines did. */
export interface TargetsImportOutcome {
  file: string;
  rows: number;
  /** Events recorded now, by kind. */
  targets: number;
  baselines: number;
  /** Rows whose values the plan already held. */
  unchanged: number;
  position?: string;
}
