import ExcelJS from 'exceljs';
import { complianceRates, complianceWorkbook, onTimeOf } from './compliance-xlsx.js';
import type { ComplianceCell } from './reports.projection.js';
import type { ComplianceBoard } from './reports.queries.js';

const cell = (c: Partial<ComplianceCell>): ComplianceCell => ({
  planId: 'p',
  unitId: 'u',
  unitName: 'U',
  period: '2023-01',
  status: 'received',
  dueAt: '2023-02-05T16:00:00.000Z',
  onTime: null,
  lateByMinutes: null,
  overdue: false,
  returned: 0,
  signed: true,
  received: true,
  corrections: 0,
  ...c,
});

const board: ComplianceBoard = {
  planId: 'p',
  periods: ['2023-01', '2023-02'],
  units: [
    { unitId: 'a', unitName: '甲局', shortName: '甲', cells: { '2023-01': cell({ onTime: true }), '2023-02': cell({ onTime: false, lateByMinutes: 150 }) } },
    { unitId: 'b', unitName: '乙局', shortName: '乙', cells: { '2023-01': cell({ overdue: true, status: 'open' }), '2023-02': cell({ status: 'draft' }) } },
  ],
};

describe('the compliance workbook', () => {
  it('judges a report on time, late or overdue, and leaves out what is not yet judged', () => {
    expect([onTimeOf(cell({ onTime: true })), onTimeOf(cell({ overdue: true })), onTimeOf(cell({})), onTimeOf(null)]).toEqual([true, false, null, null]);
    const r = complianceRates(board);
    expect(r.units.map((u) => [u.unitId, u.onTime, u.judged, u.rate])).toEqual([
      ['a', 1, 2, 0.5],
      ['b', 0, 1, 0],
    ]);
    expect(r.months.map((m) => [m.period, m.onTime, m.judged, m.rate])).toEqual([
      ['2023-01', 1, 2, 0.5],
      ['2023-02', 0, 1, 0],
    ]);
    expect(r.total).toEqual({ onTime: 1, judged: 3, rate: 1 / 3 });
  });

  it('writes one row per unit and the totals, with the cells in words', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await complianceWorkbook(board, '报送情况')) as never);
    const rows: unknown[][] = [];
    wb.worksheets[0]!.eachRow((row, n) => n >= 3 && rows.push((row.values as unknown[]).slice(1)));
    expect(rows).toEqual([
      ['单位', '1月', '2月', '按时', '已判定', '按时率'],
      ['甲局', '按时', '迟报 3 小时', 1, 2, 0.5],
      ['乙局', '逾期未报', '草稿', 0, 1, 0],
      ['合计（按时率）', 0.5, 0, 1, 3, 1 / 3],
    ]);
  });
});
