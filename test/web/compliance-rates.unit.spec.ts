import ExcelJS from 'exceljs';
import { complianceRates } from '../../apps/web/src/lib/compliance-rates.js';
import { complianceWorkbook } from '../../libs/workflows/reporting/compliance-xlsx.js';
import type { ComplianceCell } from '../../libs/workflows/reporting/reports.projection.js';
import type { ComplianceBoard } from '../../libs/workflows/reporting/reports.queries.js';

/**
 * The office's compliance board shows on-time rates per unit, per month and overall (issue 15),
 * computed in the browser by the very function the workbook uses: the board's totals and the
 * exported sheet's cannot disagree.
 */
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
  periods: ['2023-01', '2023-02', '2023-03'],
  units: [
    {
      unitId: 'a',
      unitName: '甲局',
      shortName: '甲',
      cells: { '2023-01': cell({ onTime: true }), '2023-02': cell({ onTime: true }), '2023-03': cell({ onTime: false, lateByMinutes: 90 }) },
    },
    {
      unitId: 'b',
      unitName: '乙局',
      shortName: '乙',
      cells: { '2023-01': cell({ overdue: true, status: 'open' }), '2023-02': cell({ onTime: true }), '2023-03': cell({ status: 'draft' }) },
    },
    { unitId: 'c', unitName: '丙局', shortName: '丙', cells: { '2023-01': null, '2023-02': null, '2023-03': null } },
  ],
};

describe('the compliance board’s on-time rates in the web UI', () => {
  it('per unit, per month and overall, leaving out what is not judged yet', () => {
    const r = complianceRates(board);
    expect(r.units.map((u) => [u.unitId, u.onTime, u.judged, u.rate])).toEqual([
      ['a', 2, 3, 2 / 3],
      ['b', 1, 2, 0.5],
      ['c', 0, 0, null],
    ]);
    expect(r.months.map((m) => [m.period, m.onTime, m.judged, m.rate])).toEqual([
      ['2023-01', 1, 2, 0.5],
      ['2023-02', 2, 2, 1],
      ['2023-03', 0, 1, 0],
    ]);
    expect(r.total).toEqual({ onTime: 3, judged: 5, rate: 0.6 });
  });

  it('are the workbook’s figures, cell for cell', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await complianceWorkbook(board, 't')) as never);
    const ws = wb.worksheets[0]!;
    const rows: unknown[][] = [];
    ws.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    const r = complianceRates(board);
    const last = rows.at(-1)!;
    expect(last.slice(1, 4)).toEqual(r.months.map((m) => m.rate));
    expect(last.slice(4)).toEqual([r.total.onTime, r.total.judged, r.total.rate]);
    for (const u of r.units) {
      const row = rows.find((x) => x[0] === u.unitName)!;
      expect(row.slice(4)).toEqual([u.onTime, u.judged, ...(u.rate === null ? [] : [u.rate])]);
    }
  });
});
