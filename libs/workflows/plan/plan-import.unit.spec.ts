import ExcelJS from 'exceljs';
import { loadBuiltinPlan } from './plans.js';
import { parseTargetsWorkbook, TARGETS_SHEET, targetsTemplate } from './plan-import.js';

const plan = loadBuiltinPlan('ye-county-2023');
const name = (no: number) => plan.indicators.find((i) => i.no === no)!.name;
const HEADER = ['序号', '指标', '计量单位', '2022年完成值', '2022年位次', '2023年县定目标'];

async function workbook(rows: unknown[][], options: { sheet?: string; header?: unknown[]; percentCell?: string } = {}): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(options.sheet ?? TARGETS_SHEET);
  ws.addRow(options.header ?? HEADER);
  for (const r of rows) ws.addRow(r);
  if (options.percentCell) ws.getCell(options.percentCell).numFmt = '0.0%';
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

const indicatorOf = (pred: (i: (typeof plan.indicators)[number]) => boolean) => plan.indicators.find(pred)!;
const percent = indicatorOf((i) => i.unitOfMeasure === 'percent');
const notPercent = indicatorOf((i) => i.unitOfMeasure !== 'percent' && i.kind !== 'task');

describe('the office’s workbook of targets and baselines', () => {
  it('reads numbers, text numbers, a percent cell as shown, and empty or — as "clear"', async () => {
    const parsed = await parseTargetsWorkbook(
      await workbook(
        [
          [percent.no, percent.name, '%', 0.061, 3, '6.5'],
          [notPercent.no, notPercent.name, '', '—', null, 12],
        ],
        { percentCell: 'D2' },
      ),
      plan,
    );
    expect(parsed.problems).toEqual([]);
    expect(parsed.rows).toEqual([
      { row: 2, indicatorNo: percent.no, target: 6.5, baseline: { value: 6.1, rank: 3 } },
      { row: 3, indicatorNo: notPercent.no, target: 12, baseline: { value: null, rank: null } },
    ]);
  });

  it('lists every bad cell by row and column, in Chinese by default and in English when asked, and returns no rows', async () => {
    const file = await workbook([
      [1, name(1), '', 'abc', 7, 5],
      [2, '别的指标', '', 1, 2, 3],
      [99, 'x', '', 1, 1, 1],
      [notPercent.no, notPercent.name, '', '5%', 1, 1],
      [1, name(1), '', 1, 1, 1],
    ]);
    const zh = await parseTargetsWorkbook(file, plan);
    expect(zh.rows).toEqual([]);
    expect(zh.problems.map((p) => [p.cell, p.code])).toEqual([
      ['D2', 'not-a-number'],
      ['E2', 'bad-rank'],
      ['B3', 'wrong-name'],
      ['A4', 'unknown-indicator'],
      ['D5', 'percent-not-allowed'],
      ['A6', 'duplicate-indicator'],
    ]);
    expect(zh.problems[0]!.message).toBe('“abc”不是数值：请填写数字，或留空');
    expect(zh.problems[1]!.message).toBe('位次 7 应为 1 到 6 的整数');
    const en = await parseTargetsWorkbook(file, plan, 'en-US');
    expect(en.problems.map((p) => p.code)).toEqual(zh.problems.map((p) => p.code));
    expect(en.problems[3]!.message).toBe('the plan has no indicator 99 (1–49)');
  });

  it('refuses a workbook without the sheet, with a wrong header, or not a workbook at all', async () => {
    expect((await parseTargetsWorkbook(await workbook([[1, name(1), '', 1, 1, 1]], { sheet: 'Sheet1' }), plan)).problems.map((p) => p.code)).toEqual(['no-sheet']);
    const header = await parseTargetsWorkbook(
      await workbook([[1, name(1), '', 1, 1, 1]], { header: ['序号', '指标', '计量单位', '2021年完成值', '2022年位次', '2023年县定目标'] }),
      plan,
    );
    expect(header.problems.map((p) => [p.cell, p.code, p.params.expected])).toEqual([['D1', 'bad-header', '2022年完成值']]);
    const junk = await parseTargetsWorkbook(new TextEncoder().encode('not a zip'), plan, 'en-US');
    expect(junk.problems[0]).toMatchObject({ code: 'unreadable-file', row: null, message: expect.stringMatching(/^the file is not a readable \.xlsx workbook/) });
    expect((await parseTargetsWorkbook(await workbook([]), plan)).problems.map((p) => p.code)).toEqual(['no-rows']);
  });

  it('the template reads back as the plan stands: every indicator, nothing to change', async () => {
    const withValues = {
      ...plan,
      indicators: plan.indicators.map((i) => (i.no === percent.no ? { ...i, target: 7.5, baseline: { value: 6.2, rank: 2 } } : i)),
    };
    const parsed = await parseTargetsWorkbook(new Uint8Array(await targetsTemplate(withValues)), withValues);
    expect(parsed.problems).toEqual([]);
    expect(parsed.rows).toHaveLength(plan.indicators.length);
    expect(parsed.rows.find((r) => r.indicatorNo === percent.no)).toMatchObject({ target: 7.5, baseline: { value: 6.2, rank: 2 } });
    expect(parsed.rows.every((r) => withValues.indicators.find((i) => i.no === r.indicatorNo)!.target === r.target)).toBe(true);
  });
});
