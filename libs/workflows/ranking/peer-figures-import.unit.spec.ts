import ExcelJS from 'exceljs';
import { loadBuiltinPlan } from '../plan/plans.js';
import { columnLetter, parsePeerFiguresWorkbook, peerFiguresTemplate } from './peer-figures-import.js';

const plan = loadBuiltinPlan('ye-county-2023');
const COUNTIES = ['叶县', '宝丰县', '郏县', '鲁山县', '舞钢市', '汝州市'];
const name = (no: number) => plan.indicators.find((i) => i.no === no)!.name;

async function workbook(build: (wb: ExcelJS.Workbook) => void): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  build(wb);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

function sheet(wb: ExcelJS.Workbook, title: string, header: unknown[], rows: unknown[][]): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(title);
  ws.addRow(header);
  for (const r of rows) ws.addRow(r);
  return ws;
}

describe('the peer figures spreadsheet', () => {
  it('reads values, ranks, both, percentages as shown, and leaves out what the city did not publish', async () => {
    const data = await workbook((wb) => {
      const ws = sheet(
        wb,
        '2023-Q3',
        ['序号', '指标', ...COUNTIES],
        [
          [7, name(7), 5.1, 7.3, 6, 4.2, 8.8, 3.9],
          [28, name(28), '第3名', '第2名', '第4名', '6名', '第 1 名', '第5名'],
          [38, name(38), '98（第2名）', '100(第1名)', null, '—', 90, 97],
          [1, plan.indicators[0]!.alias, 0.052],
          [2, name(2)],
        ],
      );
      ws.getCell('C5').numFmt = '0.0%';
      wb.addWorksheet('说明').addRow(['anything']);
    });
    const parsed = await parsePeerFiguresWorkbook(data, plan);
    expect(parsed.problems).toEqual([]);
    expect(parsed.rows.map((r) => [r.sheet, r.period, r.row, r.indicatorNo])).toEqual([
      ['2023-Q3', '2023-Q3', 2, 7],
      ['2023-Q3', '2023-Q3', 3, 28],
      ['2023-Q3', '2023-Q3', 4, 38],
      ['2023-Q3', '2023-Q3', 5, 1],
    ]);
    expect(parsed.rows[0]!.figures).toEqual([
      { countyId: 'ye', value: 5.1, rank: null },
      { countyId: 'baofeng', value: 7.3, rank: null },
      { countyId: 'jia', value: 6, rank: null },
      { countyId: 'lushan', value: 4.2, rank: null },
      { countyId: 'wugang', value: 8.8, rank: null },
      { countyId: 'ruzhou', value: 3.9, rank: null },
    ]);
    expect(parsed.rows[1]!.figures.map((f) => f.rank)).toEqual([3, 2, 4, 6, 1, 5]);
    expect(parsed.rows[2]!.figures).toEqual([
      { countyId: 'ye', value: 98, rank: 2 },
      { countyId: 'baofeng', value: 100, rank: 1 },
      { countyId: 'wugang', value: 90, rank: null },
      { countyId: 'ruzhou', value: 97, rank: null },
    ]);
    expect(parsed.rows[3]!.figures).toEqual([{ countyId: 'ye', value: 5.2, rank: null }]);
    expect(parsed.skipped).toEqual([{ sheet: '2023-Q3', row: 6, indicatorNo: 2 }]);
  });

  it('reports every bad cell of a malformed workbook by sheet, row and column', async () => {
    const data = await workbook((wb) => {
      const ws = sheet(
        wb,
        '2023-Q3',
        ['序号', '指标', '叶县', '宝丰县', '平顶山市', '汝州市'],
        [
          [7, name(7), 5.1, 'n/a', null, 3.9],
          [99, '不存在的指标', 1],
          [28, name(27), 41, '第7名', null, 40],
          [7, name(7), 5.1],
          ['', '', 3],
          [38, name(38), -5, new Date('2023-09-30T00:00:00Z'), null, { formula: '1/0', result: { error: '#DIV/0!' } }],
          [36, name(36), 0.41],
          [37, name(37), null, null, null, null, 7],
        ],
      );
      ws.getCell('C8').numFmt = '0%';
      sheet(wb, 'Q3 2023', ['序号', '指标', '叶县'], [[7, name(7), 1]]);
      sheet(wb, '2023-08', ['编号', '指标', '叶县', '叶县'], [[7, name(7), 1, 2]]);
    });
    const parsed = await parsePeerFiguresWorkbook(data, plan);
    const where = parsed.problems.map((p) => `${p.sheet}!${p.cell ?? (p.row === null ? '-' : `row ${p.row}`)}`);
    expect(where).toEqual([
      '2023-Q3!E1', // 平顶山市 is no peer county
      '2023-Q3!D2', // n/a
      '2023-Q3!A3', // no indicator 99
      '2023-Q3!B4', // the name of 27 on the row of 28
      '2023-Q3!D4', // rank 7 of 6
      '2023-Q3!A5', // 7 twice
      '2023-Q3!A6', // figures without an indicator number
      '2023-Q3!C7', // a negative task score
      '2023-Q3!D7', // a date
      '2023-Q3!F7', // #DIV/0!
      '2023-Q3!C8', // a percentage for a count of accidents
      '2023-Q3!G9', // a column without a county
      'Q3 2023!-', // not a period
      '2023-08!A1', // 编号 for 序号
      '2023-08!D1', // 叶县 twice
      '2023-08!D2', // so the figure under it belongs to no county
    ]);
    expect(parsed.problems[1]).toEqual({
      sheet: '2023-Q3',
      row: 2,
      column: 'D',
      cell: 'D2',
      message: expect.stringContaining('"n/a" is not a figure'),
      code: 'cell-not-figure-text',
      params: { text: 'n/a' },
    });
    expect(parsed.problems[4]).toMatchObject({ code: 'cell-rank-outside', params: { rank: 7, size: 6 } });
    expect(parsed.problems[4]!.message).toBe('rank 7 is outside 1–6');
    expect(parsed.problems[9]!.message).toContain('#DIV/0!');
    expect(parsed.problems[12]!.message).toContain('is not a ranking period of 2023');
  });

  it('a file that is not a workbook is one problem, not a crash', async () => {
    const parsed = await parsePeerFiguresWorkbook(new TextEncoder().encode('序号,指标\n7,x\n'), plan);
    expect(parsed.problems).toEqual([expect.objectContaining({ row: null, cell: null, message: expect.stringContaining('not a readable .xlsx') })]);
  });

  it('a workbook with no period sheet says so', async () => {
    const parsed = await parsePeerFiguresWorkbook(await workbook((wb) => wb.addWorksheet('说明')), plan);
    expect(parsed.problems.map((p) => p.message)).toEqual(['the workbook has no sheet named after a ranking period (e.g. 2023-Q3)']);
  });

  it('the template has the period’s sheet, the header, every indicator, and reads back clean and empty', async () => {
    const buffer = await peerFiguresTemplate(plan, '2023-Q3');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buffer as unknown as ExcelJS.Buffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['2023-Q3', '说明']);
    expect(wb.worksheets[0]!.getRow(1).values).toEqual([undefined, '序号', '指标', ...COUNTIES]);
    expect(wb.worksheets[0]!.rowCount).toBe(1 + plan.indicators.length);
    const parsed = await parsePeerFiguresWorkbook(new Uint8Array(buffer), plan);
    expect(parsed.problems).toEqual([]);
    expect(parsed.rows).toEqual([]);
    expect(parsed.skipped).toHaveLength(plan.indicators.length);
  });

  it('the instructions sheet is in Chinese first, periods named as people say them (2023年第3季度), then in English', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await peerFiguresTemplate(plan, '2023-Q3')) as unknown as ExcelJS.Buffer);
    const lines = wb
      .getWorksheet('说明')!
      .getSheetValues()
      .slice(1)
      .map((r) => String((r as unknown[] | undefined)?.[1] ?? ''));
    const blank = lines.indexOf('');
    expect(blank).toBeGreaterThan(0);
    for (const line of lines.slice(0, blank)) expect(line).toMatch(/[\u4e00-\u9fff]/);
    expect(lines[1]).toContain('2023-Q3 表示 2023年第3季度');
    expect(lines.slice(blank + 1)[0]).toMatch(/the six counties' figures/);
  });

  it('names columns as Excel does', () => {
    expect([1, 3, 26, 27, 52, 53, 702, 703].map(columnLetter)).toEqual(['A', 'C', 'Z', 'AA', 'AZ', 'BA', 'ZZ', 'AAA']);
  });
});
